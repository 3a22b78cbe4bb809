"""Hostile provider replies (replies.yaml), each a real bake-off through ``advisor eval``
against the loopback server, with a canary key in every provider variable.

Per run it asserts: the exit code (0: the run completed, errors are results;
2: bad input, nothing sent); each case ends as a result or a typed error as
expected; the spend recorded and reported never crosses the cap; no canary
key, in any form, in stdout, stderr, the results file or any report (JSON,
Markdown, HTML); no raw ESC or BEL in any output.
"""

from __future__ import annotations

import json
import secrets as pysecrets
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

from advisor.catalog.providers import KNOWN
from advisor.cli.eval_cmd import main
from advisor.eval.report import EvalReport
from advisor.eval.results import read_results, read_spend
from advisor.providers.http import MAX_ERROR_TEXT
from advisor.render.eval_html import render_eval_html_page
from advisor.render.eval_markdown import render_eval_markdown

HERE = Path(__file__).parent
CORPUS = yaml.safe_load((HERE / "replies.yaml").read_text(encoding="utf-8"))
KINDS = {"timeout", "connection", "rate_limited", "server_error", "auth", "bad_request", "not_found",
         "http_error", "truncated", "malformed", "oversized", "provider_error"}
CAP = Decimal("0.01")
PRICE_IN, PRICE_OUT = Decimal("10"), Decimal("30")  # per 1M tokens
MAX_TOKENS = 50
KEY_VARS = sorted({v[3] for v in KNOWN.values()} | {"ADVISOR_HOSTILE_TOKEN", "SOME_SERVICE_API_KEY"})
# one canary per variable; '+', '/' and '=' make its URL-encoded form differ from it
CANARY = {v: f"sk-{v.split('_')[0].lower()}-Canary+/={pysecrets.token_hex(12)}" for v in KEY_VARS}
OWN_VAR = {"openai": "OPENAI_API_KEY", "anthropic": "ANTHROPIC_API_KEY", "gemini": "GEMINI_API_KEY"}
DEEP = "[" * 100_000 + "]" * 100_000
NESTED_900 = '{"name": ' + "[" * 900 + "]" * 900 + "}"
BIG_INT = "1" * 5000
USAGE = {
    "openai": lambda i, o: {"prompt_tokens": i, "completion_tokens": o},
    "anthropic": lambda i, o: {"input_tokens": i, "output_tokens": o},
    "gemini": lambda i, o: {"promptTokenCount": i, "candidatesTokenCount": o},
}
FIGURES: dict[str, tuple[int, Decimal]] = {}  # run id -> (requests the server saw, spend recorded)


def _runs() -> list[tuple[str, dict, str]]:
    out = []
    for entry in CORPUS:
        for api in entry.get("apis", ["openai"]):
            out.append((f"{entry['id']}[{api}]", entry, api))
    return out


RUNS = _runs()


def _key_form(var: str, form: str | None) -> str:
    key = CANARY[var]
    if form is None or form == "json":
        return json.dumps(key)[1:-1]
    if form == "url":
        return quote(key, safe="")
    if form == "bearer_repr":
        return repr(f"Bearer {key}\r".encode())
    if form == "cut":
        return key[:20]
    raise ValueError(form)


def _fill(value, api):
    """The entry's placeholders made concrete (canaries, deep JSON, per-api usage)."""
    if isinstance(value, str):
        if value == "NEG_USAGE":
            return USAGE[api](10, -5)
        if value == "HUGE_USAGE":
            return USAGE[api](5, 10**12)
        value = value.replace("DEEP_JSON", DEEP).replace("NESTED_900", NESTED_900).replace("BIG_INT", BIG_INT)
        value = value.replace("ALL_KEYS", " ".join(CANARY.values()))
        while "{KEY:" in value:
            start = value.index("{KEY:")
            end = value.index("}", start)
            var, _, form = value[start + 5 : end].partition(":")
            value = value[:start] + _key_form(var, form or None) + value[end + 1 :]
        return value
    if isinstance(value, list):
        return [_fill(v, api) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, api) for k, v in value.items()}
    return value


def _leaks(text: str) -> list[str]:
    """Which canaries appear in ``text`` in any form (raw, URL-encoded, JSON-escaped,
    or cut to 16 characters)."""
    found = []
    for var, key in CANARY.items():
        forms = {key, quote(key, safe=""), json.dumps(key)[1:-1], key[:16]}
        if any(f in text for f in forms):
            found.append(var)
    return found


CASES = """\
- id: hello
  input: Say hello
  max_tokens: 50
  checks: [{type: contains, value: Hello}]
- id: json
  input: Give me a name as JSON
  max_tokens: 50
  checks: [{type: json_schema, schema: {type: object, properties: {name: {type: string}}, required: [name]}}]
"""


@pytest.fixture(autouse=True)
def _fast_retries(monkeypatch):
    # the corpus retries a lot; waiting between attempts is tested elsewhere
    monkeypatch.setattr("advisor.providers.http.retry_delay", lambda *a, **k: 0.0)


@pytest.mark.parametrize("run_id,entry,api", RUNS, ids=[r[0] for r in RUNS])
def test_hostile_reply(run_id, entry, api, fake, tmp_path, monkeypatch, capsys):
    for var, key in CANARY.items():
        monkeypatch.setenv(var, key)
    own = OWN_VAR[api]
    if "key" in entry:
        monkeypatch.setenv(own, entry["key"].replace("{KEY}", CANARY[own]))
    fake.faults = [_fill(f, api) for f in entry.get("faults", [])]
    base = fake.base + ("/v1" if api == "openai" else "")
    target = {
        "label": entry.get("label", "Fake model"), "model_key": f"fake@{api}", "api": api,
        "base_url": base, "model_id": "fake-1", "key_env": own,
        "input_price_per_m": str(PRICE_IN), "output_price_per_m": str(PRICE_OUT),
    }
    (tmp_path / "targets.yaml").write_text(json.dumps([target]), encoding="utf-8")  # JSON is YAML
    (tmp_path / "cases.yaml").write_text(CASES, encoding="utf-8")
    results, report = tmp_path / "r.jsonl", tmp_path / "report.json"
    code = main(["--cases", str(tmp_path / "cases.yaml"), "--target-file", str(tmp_path / "targets.yaml"),
                 "--results", str(results), "--report", str(report), "--concurrency", "1",
                 "--per-provider", "1", "--max-spend", str(CAP), "--timeout", str(entry.get("timeout", 5))])
    out = capsys.readouterr()
    expect = entry.get("expect", ["pass", "fail"])
    assert code == entry.get("exit", 0), out.err
    assert "Traceback" not in out.err and "internal error" not in out.err

    outputs = {"stdout": out.out, "stderr": out.err}
    if code == 0:
        outputs["results"] = results.read_text(encoding="utf-8")
        outputs["report.json"] = report.read_text(encoding="utf-8")
        data = json.loads(outputs["report.json"])
        data.pop("generator")
        rep = EvalReport.model_validate(data)
        outputs["report.md"] = render_eval_markdown(rep, marker=True)
        outputs["report.html"] = render_eval_html_page(rep)

        got = {r.case_id: r for r in read_results(results)}
        outcomes = []
        for case_id in ("hello", "json"):
            r = got.get(case_id)
            if r is None:
                outcomes.append("not_run")
            elif not r.ok:
                assert r.error_kind in KINDS, r.error_kind  # a typed error, with its reason
                assert r.error and len(r.error) <= MAX_ERROR_TEXT + 100
                outcomes.append(f"error:{r.error_kind}")
            else:
                outcomes.append("pass" if r.passed else "fail")
        assert outcomes == expect, [(r.case_id, r.error) for r in got.values()]
        # the spend never crosses the cap: recorded in the results file and reported
        spent = read_spend(results)
        assert spent <= CAP and Decimal(data["spent_usd"]) <= CAP
        assert Decimal(data["spent_usd"]) == spent
        if entry.get("anomaly"):
            assert any(r.usage_anomaly for r in got.values())
            assert any("Provider anomaly" in n for n in rep.notes)
        FIGURES[run_id] = (fake.count(), spent)
    else:
        assert expect == ["none", "none"] and fake.count() == 0  # refused before anything was sent
        assert not results.exists() or read_results(results) == []
        assert own in out.err and "not shown" in out.err
        FIGURES[run_id] = (0, Decimal(0))

    for name, text in outputs.items():
        assert not _leaks(text), f"{name} leaks {_leaks(text)}"
        assert "\x1b" not in text and "\x07" not in text, f"raw ESC/BEL in {name}"
        if name in ("stdout", "stderr", "report.md", "report.html"):  # read by people, on terminals
            assert not set(text) & {"\x9b", "\x85", "\u202e", "\u2028", "\x08", "\r"}, f"control characters in {name}"
    assert "<script>" not in outputs.get("report.html", "")


def test_the_corpus_is_large_and_every_run_was_measured():
    """Runs after the parametrised ones (file order): the figures for the report."""
    assert len(CORPUS) >= 50 and len(RUNS) >= 50
    if len(FIGURES) < len(RUNS):
        pytest.skip("the corpus was not run in full (a -k selection)")
    sent = sum(n for n, _ in FIGURES.values())
    spent = sum((s for _, s in FIGURES.values()), Decimal(0))
    worst = max(s for _, s in FIGURES.values())
    print(f"\nhostile replies: {len(RUNS)} runs, {sent} requests sent; highest spend {worst} of a {CAP} cap; "
          f"total {spent}")
    assert worst <= CAP
