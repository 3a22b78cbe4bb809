"""Broken knowledge files: one ``file:line: field: message`` line per problem."""

from __future__ import annotations

from pathlib import Path
from decimal import Decimal

import pytest

from advisor.core.knowledge import load_knowledge
from advisor.errors import KnowledgeError

from conftest import FIXTURE_KB  # noqa: E402
FIXTURE_MODELS = Path(__file__).resolve().parents[1] / "fixtures" / "kb" / "models.yaml"

PROVIDER = '  - {id: openai, name: OpenAI, api: openai, base_url: "https://x"}\n'


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Work inside tmp_path so file labels are short relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _replace_models(text: str) -> list[str]:
    Path("models.yaml").write_text(text)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(replace={"models.yaml": "models.yaml"})
    return info.value.lines()


def _overlay(files: dict[str, str], name: str = "over") -> list[str]:
    d = Path(name)
    d.mkdir()
    for fname, text in files.items():
        (d / fname).write_text(text)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge([d], replace=FIXTURE_KB)
    return info.value.lines()


# ---------------------------------------------------------------- one file


def test_unknown_key_with_did_you_mean(here):
    lines = _overlay({"models.yaml": "models:\n  - id: gpt-4o\n    contex_window: 5\n"})
    # list items are named by their id, not by an index into the merged list
    assert lines == ["over/models.yaml:3: models[gpt-4o].contex_window: unknown key (did you mean 'context_window'?)"]


def test_unknown_key_without_a_close_match(here):
    lines = _overlay({"models.yaml": "models:\n  - id: gpt-4o\n    zzz: 5\n"})
    assert lines == ["over/models.yaml:3: models[gpt-4o].zzz: unknown key"]


def test_wrong_type(here):
    lines = _replace_models(
        "providers:\n" + PROVIDER + "models:\n"
        "  - id: m\n    name: M\n    family: f\n    vendor: v\n    tier: mid\n"
        "    open_weights: true\n    context_window: lots\n"
    )
    assert len(lines) == 1
    assert lines[0].startswith("models.yaml:10: models[m].context_window: input should be a valid integer")
    assert lines[0].endswith("; got 'lots'")


def test_bad_choice_names_the_choices(here):
    lines = _replace_models(
        "providers:\n" + PROVIDER + "models:\n"
        "  - id: m\n    name: M\n    family: f\n    vendor: v\n    tier: huge\n"
        "    open_weights: true\n    context_window: 1000\n"
    )
    assert lines == ["models.yaml:8: models[m].tier: must be one of 'frontier', 'mid' or 'small'; got 'huge'"]


def test_model_level_rule(here):
    # a closed-weights model with no endpoint cannot be run anywhere
    lines = _replace_models(
        "providers:\n" + PROVIDER + "models:\n"
        "  - id: m\n    name: M\n    family: f\n    vendor: v\n    tier: mid\n    context_window: 1000\n"
    )
    assert lines == ["models.yaml:4: models[m]: a closed-weights model needs at least one endpoint"]


def test_several_problems_one_line_each(here):
    lines = _replace_models(
        "providers:\n" + PROVIDER + "models:\n"
        "  - id: m\n    name: M\n    family: f\n    vendor: v\n    tier: mid\n"
        "    open_weights: true\n    context_window: 0\n    params_b: -1\n"
    )
    assert lines == [
        "models.yaml:10: models[m].context_window: must be > 0; got 0",
        "models.yaml:11: models[m].params_b: must be > 0; got -1",
    ]


def test_malformed_yaml_names_the_line(here):
    lines = _replace_models("providers: []\nmodels: []\nbad: a: b\n")
    assert len(lines) == 1
    # libyaml says "... in this context", the pure-Python parser "... here"
    assert lines[0].startswith("models.yaml:3: malformed YAML: mapping values are not allowed")


def test_empty_file(here):
    assert _replace_models("") == ["models.yaml:1: the file is empty"]


def test_comment_only_file_is_empty(here):
    assert _replace_models("# nothing here\n") == ["models.yaml:1: the file is empty"]


def test_not_a_mapping(here):
    assert _replace_models("- a\n- b\n") == ["models.yaml:1: must be a mapping of keys to values"]


def test_duplicate_key(here):
    lines = _replace_models("providers: []\nmodels: []\nproviders: []\n")
    assert lines == ["models.yaml:3: providers: key given twice (first on line 1); the second would silently win"]


def test_duplicate_key_nested(here):
    lines = _overlay({"models.yaml": "models:\n  - id: gpt-4o\n    name: A\n    name: B\n"})
    assert lines == ["over/models.yaml:4: models[0].name: key given twice (first on line 3); the second would silently win"]


def test_not_utf8(here):
    # 14 bytes of "providers: []\n" + 9 of "models: [" -> the bad byte is at offset 23
    Path("models.yaml").write_bytes(b"providers: []\nmodels: [\xff]\n")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(replace={"models.yaml": "models.yaml"})
    assert info.value.lines() == ["models.yaml: not UTF-8 text (byte 23)"]


# ---------------------------------------------------------------- overlay folders


def test_a_file_given_as_knowledge_folder(here):
    Path("models.yaml").write_text("models: []\n")
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(["models.yaml"])
    assert info.value.lines() == ["models.yaml: is not a directory (--knowledge takes a folder of YAML files)"]


def test_missing_knowledge_folder(here):
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(["nope"])
    assert info.value.lines() == ["nope: no such directory"]


def test_a_directory_given_as_a_file(here):
    Path("models.yaml").mkdir()
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(replace={"models.yaml": "models.yaml"})
    assert info.value.lines() == ["models.yaml: is a directory, not a file"]


def test_unknown_file_in_overlay_folder(here):
    lines = _overlay({"modles.yaml": "models: []\n"})
    assert lines == [
        "over/modles.yaml: unknown knowledge file; expected one of "
        "questions.yaml, models.yaml, decision_tree.yaml, tasks.yaml, hosting.yaml, scoring.yaml, request_profiles.yaml"
    ]


# ---------------------------------------------------------------- cross references


def test_unknown_provider(here):
    lines = _overlay(
        {
            "models.yaml": (
                "models:\n"
                "  - id: private\n    name: P\n    family: p\n    vendor: me\n    tier: mid\n    context_window: 1000\n"
                "    endpoints:\n"
                "      - provider: acme\n"
                "        model_id: p\n"
                "        price: {input: 1, output: 1, as_of: 2026-11-01, source: quote}\n"
            )
        }
    )
    assert lines == [
        "over/models.yaml:9: models[private].endpoints[acme].provider: "
        "unknown provider 'acme' (known: anthropic, google, mistral, openai, together)"
    ]


def test_tree_node_pointing_to_a_missing_node(here, fixture_kb):
    lines = _overlay({"decision_tree.yaml": "nodes:\n  - id: cost_primary\n    if_no: nowhere\n"})
    assert lines == ["over/decision_tree.yaml:3: nodes[cost_primary].if_no: 'nowhere' is not a node"]


def test_unknown_model_in_a_tree_selector(here, fixture_kb):
    lines = _overlay({"decision_tree.yaml": "nodes:\n  - id: safe_default\n    candidates: {models: [gpt-9]}\n"})
    assert lines == ["over/decision_tree.yaml:3: nodes[safe_default].candidates.models[0]: unknown model 'gpt-9'"]


def test_tree_loop(here, fixture_kb):
    lines = _overlay({"decision_tree.yaml": "nodes:\n  - id: cost_primary\n    if_no: own_infrastructure\n"})
    assert len(lines) == 1
    assert "the tree loops back on itself" in lines[0]
    # the engine tests' tree is tests/fixtures/kb/decision_tree.yaml (see conftest.FIXTURE_KB)
    assert lines[0].startswith(("knowledge/decision_tree.yaml:", "over/decision_tree.yaml:", str(FIXTURE_KB["decision_tree.yaml"]) + ":"))


def test_task_pointing_to_unknown_model(here, fixture_kb):
    lines = _overlay({"tasks.yaml": "tasks:\n  - id: batch\n    first_choice: llama-9\n"})
    assert lines == ["over/tasks.yaml:3: tasks[batch].first_choice: unknown model 'llama-9'"]


def test_error_in_builtin_file_names_it(here):
    # a replacement catalogue without the models the tree names
    lines = _replace_models(
        "providers:\n" + PROVIDER + "models:\n"
        "  - id: m\n    name: M\n    family: f\n    vendor: v\n    tier: mid\n"
        "    open_weights: true\n    context_window: 1000\n"
    )
    assert any(line.startswith("knowledge/decision_tree.yaml:") and "unknown model 'llama-3-3-70b'" in line for line in lines)
    assert all(": " in line for line in lines)


# ---------------------------------------------------------------- overlays that work


def test_negotiated_price_overlay_changes_the_cost(here, shortlist_for):
    d = Path("prices")
    d.mkdir()
    (d / "models.yaml").write_text(
        "models:\n"
        "  - id: gpt-4o\n"
        "    endpoints:\n"
        "      - provider: openai\n"
        "        model_id: gpt-4o-2024-11-20\n"
        "        price: {input: 1.25, output: 5.00, as_of: 2026-11-01, source: negotiated}\n"
    )
    kb = load_knowledge([d], replace=FIXTURE_KB)
    ep = kb.model_by_id["gpt-4o"].endpoints
    assert len(ep) == 1  # merged into the existing endpoint, not added
    s = shortlist_for(kb)
    rec = s.recommended
    assert rec.option.key == "gpt-4o@openai"
    # 1,000 x $1.25/M + 300 x $5/M = 0.00125 + 0.0015 = $0.00275; x 100,000 = $275
    assert rec.costs.per_request == Decimal("0.00275")
    assert rec.costs.per_month == Decimal("275")
    assert rec.costs.price_source == "negotiated"
    # as of 2026-11-01: 23 days old, not stale
    assert not any(w.code == "stale_price" and w.model_id == "gpt-4o" for w in s.warnings)
    # the rest of the model is untouched
    assert kb.model_by_id["gpt-4o"].context_window == 128000
    assert str(d / "models.yaml") in kb.sources


def test_private_model_from_an_overlay_takes_part(here, shortlist_for):
    d = Path("private")
    d.mkdir()
    (d / "models.yaml").write_text(
        "models:\n"
        "  - id: acme-private\n    name: Acme Private\n    family: acme\n    vendor: acme\n    tier: frontier\n"
        "    context_window: 128000\n    structured_output: schema\n    tags: [generalist]\n"
        "    endpoints:\n"
        "      - {provider: openai, model_id: ft:acme, price: {input: 0.5, output: 1.5, as_of: 2026-11-01, source: quote}}\n"
    )
    kb = load_knowledge([d], replace=FIXTURE_KB)
    s = shortlist_for(kb)
    # a hosted frontier generalist: it meets the safe default's criteria
    assert "acme-private" in s.outcome.members
    assert any(r.option.key == "acme-private@openai" for r in s.ranking)
    # 1,000 x 0.5/M + 300 x 1.5/M = 0.0005 + 0.00045 = $0.00095
    ranked = next(r for r in s.ranking if r.option.key == "acme-private@openai")
    assert ranked.per_request == Decimal("0.00095")
    s2 = shortlist_for(kb, context_tokens=500_000)
    assert any(e.option.key == "acme-private@openai" and e.rule == "context_window" for e in s2.eliminated_options)


def test_builtin_knowledge_loads():
    kb = load_knowledge()
    assert kb.models and kb.tree.nodes


def test_the_same_id_twice_in_one_file_is_refused(here):
    lines = _overlay({"models.yaml": "models:\n  - id: gpt-4o\n    name: A\n  - id: gpt-4o\n    name: B\n"})
    assert lines == [
        "over/models.yaml:4: models[gpt-4o]: id 'gpt-4o' appears twice in this list (first on line 2); merge them into one"
    ]


def test_two_endpoints_of_one_provider_in_one_model_are_refused(here):
    price = "price: {input: 1, output: 2, as_of: 2026-11-01, source: deal}"
    lines = _overlay(
        {
            "models.yaml": "models:\n  - id: gpt-4o\n    endpoints:\n"
            f"      - {{provider: openai, model_id: a, {price}}}\n"
            f"      - {{provider: openai, model_id: b, {price}}}\n"
        }
    )
    assert lines == [
        "over/models.yaml:5: models[gpt-4o].endpoints[openai]: provider 'openai' appears twice in this list "
        "(first on line 4); merge them into one"
    ]


# ---------------------------------------------------------------- tiers, modes and scoring


def test_price_tiers_out_of_order(here):
    lines = _overlay({"models.yaml": (
        "models:\n  - id: gpt-4o\n    endpoints:\n      - provider: openai\n        model_id: gpt-4o-2024-11-20\n"
        "        price:\n          input: 2\n          output: 8\n          as_of: 2026-11-01\n          source: q\n"
        "          tiers:\n            - {above_input_tokens: 272000, input: 4, output: 16}\n"
        "            - {above_input_tokens: 128000, input: 3, output: 12}\n"
    )})
    assert len(lines) == 1
    assert lines[0].startswith("over/models.yaml:")
    assert "models[gpt-4o].endpoints[openai].price.tiers" in lines[0]
    assert "ascending order" in lines[0]


def test_reasoning_default_that_is_not_a_mode(here):
    lines = _overlay({"models.yaml": (
        "models:\n  - id: o3\n    reasoning:\n      default: turbo\n      control: reasoning_effort\n      source: q\n"
        "      modes:\n        - {id: low, label: 'effort: low', thinks: true, effort: low}\n"
        "        - {id: high, label: 'effort: high', thinks: true, effort: high}\n"
    )})
    assert len(lines) == 1
    assert lines[0].startswith("over/models.yaml:3: models[o3].reasoning:")
    assert "default 'turbo' is not one of the modes (low, high)" in lines[0]


def test_a_mode_that_thinks_with_effort_none(here):
    lines = _overlay({"models.yaml": (
        "models:\n  - id: o3\n    reasoning:\n      default: x\n      source: q\n"
        "      modes:\n        - {id: x, label: x, thinks: true, effort: none}\n"
    )})
    assert len(lines) == 1 and "effort is 'none' exactly when thinks is false" in lines[0]
    assert lines[0].startswith("over/models.yaml:7: models[o3].reasoning.modes[x]")


def test_a_bad_scoring_scale(here):
    lines = _overlay({"scoring.yaml": "latency_ms: {best: 200, worst: 200}\nbonuses: {tree_outcome: -1}\n"})
    assert any(line.startswith("over/scoring.yaml:1: latency_ms:") and "best and worst must differ" in line for line in lines)
    assert any(line.startswith("over/scoring.yaml:2: bonuses.tree_outcome:") for line in lines)


def test_bad_scoring_rules_are_located(here):
    lines = _overlay({"scoring.yaml": (
        "dimension_bumps:\n  - {when: high_floor, add: {codin: 1}, why: typo}\n"
        "blend:\n  base: {quality: 0.4, fit: 0.2, cost: 0.25, sped: 0.15}\n"
    )})
    assert any(line.startswith("over/scoring.yaml:") and "dimension_bumps" in line and "unknown dimension 'codin'" in line
               for line in lines), lines
    assert any(line.startswith("over/scoring.yaml:4: blend.base") for line in lines), lines


def test_an_absurd_blend_weight_is_located(here):
    lines = _overlay({"scoring.yaml": "blend:\n  base: {quality: 0.4, fit: 0.2, cost: -5, speed: 0.15}\n"})
    assert lines == ["over/scoring.yaml:2: blend.base.cost: must be >= 0; got -5"], lines
