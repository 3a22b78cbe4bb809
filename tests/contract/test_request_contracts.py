"""Every request the runner can build validates against the vendor's own request schema.

Providers × {plain, JSON mode, schema, each reasoning mode}: the fixture modes below and
every mode the built-in knowledge lists for a model served there. Schemas are trimmed
from the vendors' OpenAPI specs into tests/fixtures/specs (see its PROVENANCE.md);
OpenAI-compatible hosts other than Mistral are checked against OpenAI's.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

jsonschema = pytest.importorskip("jsonschema", reason="jsonschema (the test extra) validates the requests")

from advisor.core.knowledge import load_knowledge  # noqa: E402
from advisor.core.profiles import resolve_profile  # noqa: E402
from advisor.core.schema import ReasoningMode  # noqa: E402
from advisor.eval.target import Target  # noqa: E402
from advisor.providers import ChatRequest, Message, wire_for  # noqa: E402

SPECS = Path(__file__).resolve().parents[1] / "fixtures" / "specs"
SCHEMA_FILE = {"openai": "openai-chat-request.json", "mistral": "mistral-chat-request.json",
               "google": "gemini-generate-request.json", "anthropic": "anthropic-messages-request.json"}

# a case schema with the features that trip vendors: a type list with null, an untyped
# enum, a nested object and array, a numeric constraint
CASE_SCHEMA = {
    "type": "object",
    "properties": {
        "label": {"enum": ["billing", "bug", "other"]},
        "amount": {"type": ["number", "null"], "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
        "who": {"type": "object", "properties": {"name": {"type": "string"}}, "required": ["name"]},
        "ref": {"type": ["string", "integer", "null"]},
    },
    "required": ["label", "amount"],
}

FIXTURE_MODES = {
    "openai": [{"reasoning_effort": "minimal"}, {"reasoning_effort": "high"}, {"reasoning_effort": "none"}],
    "mistral": [{"reasoning_effort": "high"}, {"prompt_mode": "reasoning"}],
    "anthropic": [{"thinking": {"type": "enabled", "budget_tokens": 2048}}, {"thinking": {"type": "disabled"}},
                  {"thinking": {"type": "adaptive"}, "output_config": {"effort": "low"}}],
    "gemini": [{"generationConfig": {"thinkingConfig": {"thinkingBudget": 0}}},
               {"generationConfig": {"thinkingConfig": {"thinkingLevel": "low"}}}],
}


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


#: requests the knowledge makes that its vendor's schema refuses: a data problem for
#: knowledge/models.yaml, listed here so it is seen (the test fails when one is fixed,
#: so the list cannot go stale)
#: (provider, model) requests knowledge is known to get wrong, each with why; empty:
#: every request validates (the last one, DeepSeek's `thinking` fragment reaching
#: Mistral for deepseek-v4-1-flash, is fixed by an endpoint-level reasoning override)
KNOWN_CONFLICTS: dict[tuple[str, str], str] = {}


def _validator(provider_id: str, api: str):
    name = SCHEMA_FILE.get(provider_id) or {"openai": SCHEMA_FILE["openai"], "gemini": SCHEMA_FILE["google"],
                                            "anthropic": SCHEMA_FILE["anthropic"]}[api]
    schema = json.loads((SPECS / name).read_text())
    if provider_id not in SCHEMA_FILE:  # a compatible host: its own extensions are allowed
        schema.pop("unevaluatedProperties", None)
    return jsonschema.Draft202012Validator(schema)


def _requests():
    plain = ChatRequest(messages=(Message("user", "Classify: my card was charged twice"),), max_tokens=8, system="Be brief.")
    json_mode = ChatRequest(messages=plain.messages, max_tokens=64, want_json=True)
    schema = ChatRequest(messages=plain.messages, max_tokens=64, want_json=True, json_schema=CASE_SCHEMA)
    return {"plain": plain, "json_mode": json_mode, "schema": schema}


def _modes(kb, provider_id: str, api: str) -> list[tuple[str, ReasoningMode]]:
    out = [(f"fixture-{i}", ReasoningMode(id=f"m{i}", label="fixture", thinks=True, effort="medium", request=frag))
           for i, frag in enumerate(FIXTURE_MODES.get(provider_id, FIXTURE_MODES.get(api, [])))]
    for model in kb.models:
        for ep in model.endpoints:
            if ep.provider != provider_id:
                continue
            modes = ep.reasoning or model.reasoning
            for m in modes.modes if modes else ():
                out.append((f"{model.id}:{m.id}", m))
    return out


def _cases(kb):
    for pid, prov in sorted(kb.providers.items()):
        profile = resolve_profile(kb.request_profiles, prov.api, pid, None)
        for name, req in _requests().items():
            for flags in ("schema", "json_mode"):
                yield pid, prov, profile, name, req, None, flags
        for label, mode in _modes(kb, pid, prov.api):
            mid = label.split(":")[0]
            model_profile = resolve_profile(kb.request_profiles, prov.api, pid, mid)
            yield pid, prov, model_profile, f"reasoning {label}", _requests()["schema"], mode, "schema"


def test_every_request_validates_against_the_vendor_schema(kb):
    failures = []
    conflicts = set()
    checked = 0
    for pid, prov, profile, name, req, mode, flags in _cases(kb):
        target = Target(
            "t", "t", prov.api, prov.base_url, "some-model", None, None, None,
            supports_json_schema=flags == "schema", supports_json_mode=True, profile=profile, reasoning=mode,
        )
        _, _, body = wire_for(prov.api).build(target, req, "key")
        errors = [e.message[:160] for e in _validator(pid, prov.api).iter_errors(body)]
        checked += 1
        model = name.removeprefix("reasoning ").split(":")[0]
        if errors and (pid, model) in KNOWN_CONFLICTS:
            conflicts.add((pid, model))
        elif errors:
            failures.append(f"{pid} {name} ({flags}): {errors[:3]}")
    assert checked >= len(kb.providers) * 6
    assert not failures, "\n".join(failures)
    fixed = {k for k in KNOWN_CONFLICTS if k[1] in kb.model_by_id} - conflicts
    assert not fixed, f"fixed in knowledge: drop {sorted(fixed)} from KNOWN_CONFLICTS"


@pytest.mark.parametrize("pid", ["mistral", "google", "openai"])
def test_the_schemas_catch_what_the_issue_found(kb, pid):
    """The validators are not vacuous: the requests sent before profiles fail them."""
    prov = kb.providers[pid]
    before = {
        "mistral": {"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": True,
                    "stream_options": {"include_usage": True}, "temperature": 0, "max_tokens": 8},
        "google": {"contents": [{"role": "user", "parts": [{"text": "x"}]}],
                   "generationConfig": {"responseMimeType": "application/json",
                                        "responseSchema": {"type": "object", "properties": {"a": {"type": ["integer", "null"]}}}}},
        "openai": {"model": "m", "messages": [{"role": "user", "content": "x"}], "max_output_tokens": 8},
    }[pid]
    assert list(_validator(pid, prov.api).iter_errors(before))


def test_reasoning_models_get_no_temperature_and_room_to_think(kb):
    for mid in ("o3", "gpt-5-5"):
        profile = resolve_profile(kb.request_profiles, "openai", "openai", mid)
        mode = ReasoningMode(id="high", label="effort: high", thinks=True, effort="high", request={"reasoning_effort": "high"})
        t = Target("t", "t", "openai", "https://api.openai.com/v1", mid, None, None, None, profile=profile, reasoning=mode)
        _, _, body = wire_for("openai").build(t, _requests()["plain"], None)
        assert "temperature" not in body and "max_tokens" not in body
        assert body["max_completion_tokens"] == 8 + profile.reasoning_headroom > 8
        assert body["reasoning_effort"] == "high"
        assert not list(_validator("openai", "openai").iter_errors(body))


def test_anthropic_thinking_budget_fits_under_max_tokens_and_drops_temperature(kb):
    profile = resolve_profile(kb.request_profiles, "anthropic", "anthropic", "claude-sonnet-5")
    mode = ReasoningMode(id="t", label="thinking", thinks=True, effort="high",
                         request={"thinking": {"type": "enabled", "budget_tokens": 5000}})
    t = Target("t", "t", "anthropic", "https://api.anthropic.com", "claude", None, None, None, profile=profile, reasoning=mode)
    _, _, body = wire_for("anthropic").build(t, _requests()["plain"], None)
    assert body["max_tokens"] == 8 + 5000 and "temperature" not in body
