"""`advisor export promptfoo` reproduces the run: promptfoo, running the exported config
against the same loopback server, passes and fails exactly the cases advisor does, for
every check type (skipped, with the reason, when promptfoo is not installed: .ci/run
installs it from npm)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from advisor.catalog.yamlout import dump
from advisor.cli.export_cmd import promptfoo_config
from advisor.core.profiles import BASELINE
from advisor.eval.cases import parse_cases
from advisor.eval.runner import EvalRunner, RunConfig
from advisor.eval.target import Target
from advisor.providers import RetryPolicy

REPO = Path(__file__).resolve().parents[2]


def _promptfoo() -> str | None:
    for candidate in (os.environ.get("PROMPTFOO_BIN"), str(REPO / ".ci" / "promptfoo" / "node_modules" / ".bin" / "promptfoo")):
        if candidate and Path(candidate).is_file():
            return candidate
    return shutil.which("promptfoo")


PROMPTFOO = _promptfoo()
pytestmark = pytest.mark.skipif(
    PROMPTFOO is None or shutil.which("node") is None,
    reason="promptfoo is not installed (.ci/run installs it with npm; or set PROMPTFOO_BIN)",
)


@pytest.fixture(scope="module")
def promptfoo(tmp_path_factory):
    """The promptfoo executable, once it has shown it runs here (a Node.js too old for
    it is a reason to skip, not a failure of advisor's export)."""
    home = tmp_path_factory.mktemp("pfhome")
    probe = subprocess.run([PROMPTFOO, "--version"], capture_output=True, text=True, timeout=120,
                           env={"PATH": os.environ.get("PATH", ""), "HOME": str(home), "PROMPTFOO_DISABLE_TELEMETRY": "1",
                                "PROMPTFOO_DISABLE_UPDATE": "1"})
    if probe.returncode != 0:
        pytest.skip(f"promptfoo does not run here: {(probe.stdout + probe.stderr).strip()[:200]}")
    return PROMPTFOO

# every check type, each with an answer that passes and one that fails; the answers
# include the ones promptfoo's built-ins grade differently (a fenced JSON answer, an
# answer with a trailing newline, partial credit under a threshold, a non-ASCII length)
CASES = textwrap.dedent("""\
    cases:
      - {id: eq-pass, input: "q-eq-pass", expected: billing, max_tokens: 8, checks: [{type: equals, ignore_case: true}]}
      - {id: eq-fail, input: "q-eq-fail", expected: billing, max_tokens: 8, checks: [{type: equals}]}
      - {id: eq-json, input: "q-eq-json", expected: {a: 1, b: "x y"}, checks: [{type: equals}]}
      - {id: contains-partial, input: "q-contains", threshold: 0.5, checks: [{type: contains, value: [red, blue, green]}]}
      - {id: contains-fail, input: "q-contains", checks: [{type: contains, value: [red, blue, green]}]}
      - {id: regex-pass, input: "q-regex", checks: [{type: regex, pattern: "^INV-[0-9]+$"}]}
      - {id: regex-fail, input: "q-eq-fail", checks: [{type: regex, pattern: "^INV-[0-9]+$"}]}
      - {id: json-fenced, input: "q-fenced", checks: [{type: valid_json}]}
      - {id: json-bad, input: "q-eq-fail", checks: [{type: valid_json}]}
      - id: schema-fenced
        input: "q-fenced"
        checks: [{type: json_schema, schema: {type: object, required: [total], properties: {total: {type: integer}}}}]
      - id: schema-fail
        input: "q-fenced"
        checks: [{type: json_schema, schema: {type: object, required: [missing]}}]
      - id: fields-partial
        input: "q-fenced"
        expected: {total: 5, vendor: "acme"}
        threshold: 0.5
        checks: [{type: fields}]
      - {id: length-chars, input: "q-emoji", checks: [{type: max_length, chars: 5}]}
      - {id: length-words, input: "q-contains", checks: [{type: max_length, words: 2}]}
      - {id: judge-pass, input: "q-polite", checks: [{type: llm_judge, rubric: "Is it polite?"}]}
      - {id: judge-fail, input: "q-rude", checks: [{type: llm_judge, rubric: "Is it polite?"}]}
    """)

ANSWERS = {
    "q-eq-pass": "Billing\n",
    "q-eq-fail": "billing\n\n(I think)",
    "q-eq-json": '```json\n{"b": "x  y", "a": 1.0}\n```',
    "q-contains": "red and blue",
    "q-regex": "INV-42",
    "q-fenced": '```json\n{"total": 5, "vendor": "other"}\n```',
    "q-emoji": "ok 👍👍",
    "q-polite": "Thank you kindly.",
    "q-rude": "Go away.",
}


def _respond(api, body):
    if api == "gemini":
        parts = [body.get("systemInstruction", {})] + body.get("contents", [])
        text = " ".join(p.get("text", "") for c in parts for p in c.get("parts", []))
    else:
        text = " ".join(str(m.get("content", "")) for m in body.get("messages", [])) + str(body.get("system", ""))
    if "Answer to grade:" in text:
        return json.dumps({"score": 5 if "kindly" in text else 2, "reason": "graded"})
    for key, answer in ANSWERS.items():
        if key in text:
            return answer
    return "no canned answer"


async def test_promptfoo_grades_every_case_as_advisor_does(fake, tmp_path, promptfoo):
    fake.responder = _respond
    cases = parse_cases(CASES, "cases.yaml")
    base = fake.base + "/v1"
    targets = [
        Target("plain", "plain@fake", "openai", base, "test-model", "FAKE_KEY", None, None,
               supports_json_schema=True, supports_json_mode=True),
        Target("reasoning-style", "omits@fake", "openai", base, "test-model-2", "FAKE_KEY", None, None,
               supports_json_mode=True,
               profile=BASELINE["openai"].model_copy(update={"temperature": "omitted", "token_limit": "max_completion_tokens"})),
        Target("claude-style", "claude@fake", "anthropic", fake.base, "test-claude", "FAKE_KEY", None, None),
        Target("gemini-style", "gemini@fake", "gemini", fake.base + "/v1beta", "gemini-test", "FAKE_KEY", None, None,
               supports_json_mode=True),
    ]
    os.environ["FAKE_KEY"] = "not-a-real-key"
    runner = EvalRunner(targets, cases.cases, RunConfig(concurrency=4, per_provider=4, retry=RetryPolicy(max_retries=0)))
    summary = await runner.run()
    ours = {(r.model_key, r.case_id): r.passed for r in summary.results}
    assert len(ours) == len(targets) * len(cases.cases) and all(r.ok for r in summary.results)
    assert any(ours.values()) and not all(ours.values())

    advisor_requests = list(fake.requests)
    fake.requests.clear()
    cfg = promptfoo_config(None, None, cases, targets=targets)
    path = tmp_path / "promptfooconfig.yaml"
    path.write_text(dump(cfg, "test"))
    out = tmp_path / "out.json"
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "FAKE_KEY": "not-a-real-key",
        "PROMPTFOO_CONFIG_DIR": str(tmp_path / ".promptfoo"), "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1", "PROMPTFOO_DISABLE_SHARING": "1", "PROMPTFOO_CACHE_ENABLED": "false",
        "PROMPTFOO_DISABLE_REMOTE_GENERATION": "1", "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1",
    }
    proc = subprocess.run(
        [promptfoo, "eval", "-c", str(path), "-o", str(out), "--no-cache", "--no-progress-bar", "-j", "4"],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240,
    )
    assert out.is_file(), proc.stdout[-2000:] + proc.stderr[-2000:]
    theirs = {}
    rows = json.loads(out.read_text())["results"]["results"]
    assert len(rows) == len(ours)  # each case once per target, no more
    for row in rows:
        label = row["provider"]["label"].split(" #")[0]
        assert row.get("gradingResult") is not None, row.get("error")  # answered and graded, not a call error
        theirs[(label, row["testCase"]["description"])] = bool(row["success"])
    assert theirs.keys() == ours.keys()
    _same_requests(advisor_requests, list(fake.requests))
    # the key is read from the variable the config names, never written into it
    assert "not-a-real-key" not in path.read_text()
    for p, headers, _ in fake.requests:
        sent = headers.get("authorization", "") + headers.get("x-api-key", "") + headers.get("x-goog-api-key", "") + p
        assert "not-a-real-key" in sent, (p, headers)
    differ = {k: (ours[k], theirs[k]) for k in ours if ours[k] != theirs[k]}
    assert not differ, f"advisor vs promptfoo (passed): {differ}"


def _settings(path: str, body: dict) -> str | None:
    """What a request asks of the model (model, limits, temperature, output format,
    reasoning), without the streaming fields promptfoo does not use; None for a judge call."""
    if "Answer to grade:" in json.dumps(body):
        return None
    if "generationConfig" in body:  # Gemini: the model is in the path
        model = path.split("/models/")[1].split(":")[0]
        return json.dumps({"model": model, **body["generationConfig"]}, sort_keys=True, default=float)
    keep = {k: v for k, v in body.items() if k not in ("messages", "system", "stream", "stream_options")}
    return json.dumps(keep, sort_keys=True)


def _same_requests(ours, theirs):
    from collections import Counter

    def norm(reqs):
        out = Counter()
        for p, _, b in reqs:
            s = _settings(p, b)
            if s is not None:
                out[json.dumps(json.loads(s, parse_int=float), sort_keys=True)] += 1
        return out

    mine, other = norm(ours), norm(theirs)
    assert mine == other, {"advisor only": mine - other, "promptfoo only": other - mine}
