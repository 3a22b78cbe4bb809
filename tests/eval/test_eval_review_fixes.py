"""Regression tests for the eval code review (one section per finding)."""

from __future__ import annotations

from advisor.eval.results import CaseResult, ResultsWriter, read_results


def _result(case_id: str, **kw) -> CaseResult:
    return CaseResult(model_key="m@openai", label="M", case_id=case_id, repeat=0, ok=True, **kw)


# -- 1. a torn last line does not swallow the next result ---------------------------

def test_append_after_a_torn_line_keeps_the_new_result(tmp_path):
    path = tmp_path / "r.jsonl"
    with ResultsWriter(path) as w:
        w.append(_result("c0"))
    with open(path, "a", encoding="utf-8") as fh:  # the crash: half a line, no newline
        fh.write(_result("c1").model_dump_json()[:30])
    with ResultsWriter(path, append=True) as w:
        w.append(_result("c2"))
    assert sorted(r.case_id for r in read_results(path)) == ["c0", "c2"]


def test_append_to_a_clean_or_empty_file_adds_no_blank_line(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text("")
    with ResultsWriter(path, append=True) as w:
        w.append(_result("c0"))
    with ResultsWriter(path, append=True) as w:
        w.append(_result("c1"))
    assert path.read_text().count("\n") == 2 and "\n\n" not in path.read_text()


# -- 2. `advisor eval` never prints a traceback ----------------------------------

def _targets_file(tmp_path, fake, price=True, extra=""):
    p = tmp_path / "targets.yaml"
    prices = "  input_price_per_m: 1\n  output_price_per_m: 2\n" if price else ""
    p.write_text(
        f"- label: Fake\n  model_key: fake@openai\n  api: openai\n  base_url: {fake.base}/v1\n"
        f"  model_id: fake-1\n  tokenizer: o200k_base\n{prices}{extra}"
    )
    return p


def _cases_file(tmp_path, text="- {id: hello, input: Say hello, expected: Hello from the fake server.}\n"):
    p = tmp_path / "cases.yaml"
    p.write_text(text)
    return p


def test_unwritable_results_file_is_one_line_exit_2(fake, tmp_path, capsys):
    from advisor.cli.eval_cmd import main

    code = main(["--cases", str(_cases_file(tmp_path)), "--target-file", str(_targets_file(tmp_path, fake)),
                 "--results", "/proc/nope/r.jsonl"])
    err = capsys.readouterr().err
    assert code == 2
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("advisor: /proc/nope/r.jsonl") and "results file" in lines[0]
    assert fake.count() == 0  # nothing was paid for


def test_unexpected_error_is_an_internal_error_line_not_a_traceback(tmp_path, monkeypatch, capsys):
    import advisor.eval.cases as cases_mod
    from advisor.cli.eval_cmd import main

    def boom(path):
        raise RuntimeError("bug")

    monkeypatch.delenv("ADVISOR_DEBUG", raising=False)
    monkeypatch.setattr(cases_mod, "load_cases", boom)
    code = main(["--cases", "x.yaml", "--target-file", "t.yaml"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and "internal error: RuntimeError: bug" in err


# -- 3. one malformed provider stream does not abort the eval ----------------------

import pytest  # noqa: E402

from advisor.eval.cases import parse_cases  # noqa: E402
from advisor.eval.runner import EvalRunner, RunConfig  # noqa: E402
from advisor.eval.target import Target  # noqa: E402
from advisor.providers import RetryPolicy  # noqa: E402

FAST = RetryPolicy(max_retries=0, initial_delay=0.0, jitter=0.0)


def _target(fake, api="openai", price=("1", "2"), key="m"):
    from decimal import Decimal

    base = fake.base + ("/v1" if api == "openai" else "")
    ip, op = (Decimal(price[0]), Decimal(price[1])) if price else (None, None)
    return Target(f"Model {key}", f"{key}@{api}", api, base, "test-model", None, ip, op, "o200k_base")


def _cases(n, max_tokens=100):
    return parse_cases(
        "".join(f"- {{id: c{i}, input: 'Say hello {i}', expected: 'Hello from the fake server.', max_tokens: {max_tokens}}}\n"
                for i in range(n)),
        "c.yaml",
    )


@pytest.mark.parametrize(("api", "fault"), [
    ("openai", {"inject": ['{"choices": ["x"]}']}),
    ("openai", {"inject": ['{"choices": [{"delta": "x"}]}']}),
    ("openai", {"inject": ['{"choices": "x"}']}),
    ("gemini", {"inject": ['{"candidates": ["x"]}']}),
    ("gemini", {"inject": ['{"candidates": [{"content": "x"}]}']}),
    ("gemini", {"inject": ['{"candidates": [{"content": {"parts": ["x"]}}], "promptFeedback": "x"}']}),
    ("anthropic", {"inject": ['{"type": "content_block_delta", "delta": "x"}']}),
    ("openai", {"bad_gzip": True}),
])
async def test_a_wrongly_shaped_stream_is_one_failed_case(fake, tmp_path, api, fault):
    fake.faults = [fault]
    runner = EvalRunner([_target(fake, api)], _cases(3), RunConfig(concurrency=1, per_provider=1, retry=FAST),
                        results_path=tmp_path / "r.jsonl")
    summary = await runner.run()
    assert summary.new_results == 3
    failed = [r for r in summary.results if not r.ok]
    if api == "gemini" and "promptFeedback" in fault["inject"][0]:
        # a part that is not an object is skipped; a non-object promptFeedback is ignored
        assert not failed
        return
    assert len(failed) == 1 and failed[0].error_kind == "malformed"
    assert all(r.passed for r in summary.results if r.ok)
    assert len(read_results(tmp_path / "r.jsonl")) == 3


async def test_an_unforeseen_exception_is_recorded_redacted(fake, tmp_path, monkeypatch):
    import advisor.eval.runner as runner_mod

    calls = {"n": 0}
    real = runner_mod.stream_chat

    async def flaky(*a, **kw):
        calls["n"] += 1
        if calls["n"] == 1:
            raise AttributeError("'str' object has no attribute 'get' near sk-secret-123")
        return await real(*a, **kw)

    monkeypatch.setattr(runner_mod, "stream_chat", flaky)
    t = _target(fake)
    t = Target(t.label, t.model_key, t.api, t.base_url, t.model_id, "K", t.input_price_per_m, t.output_price_per_m, t.tokenizer)
    runner = EvalRunner([t], _cases(2), RunConfig(concurrency=1, retry=FAST), env={"K": "sk-secret-123"})
    summary = await runner.run()
    bad = [r for r in summary.results if not r.ok]
    assert len(bad) == 1 and bad[0].error_kind == "malformed"
    assert "sk-secret-123" not in bad[0].error and "AttributeError" in bad[0].error
