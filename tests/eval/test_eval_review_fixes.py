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
    text = path.read_text()
    assert text.count("\n") == 3 and "\n\n" not in text  # advisor's marker, then the two results
    assert text.startswith('{"record": "marker", "advisor": "eval-results"')


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


# -- 4. --max-spend is not crossed through the judge or through under-counted tokens ----

JUDGE_CASES = "- {id: q, input: Capital of France?, checks: [{type: llm_judge, rubric: Names Paris}]}\n"


async def test_a_judge_the_plan_skipped_for_unknown_price_is_never_called(fake, tmp_path):
    from decimal import Decimal

    fake.responder = lambda api, body: '{"score": 5, "reason": "ok"}' if "grader" in str(body) else "Paris"
    judge = _target(fake, price=None, key="judge")
    model = _target(fake, key="m")
    runner = EvalRunner([judge, model], parse_cases(JUDGE_CASES, "c.yaml"),
                        RunConfig(retry=FAST, max_spend=Decimal("1"), judge_model=judge.model_key))
    summary = await runner.run()
    assert [t.model_key for t, _ in summary.skipped_targets] == ["judge@openai"]
    assert fake.count() == 1  # the model's call only: the unpriced judge is not run under a cap
    (r,) = summary.results
    assert r.model_key == "m@openai" and "not among the targets that can run" in r.checks[0].detail


def test_cli_refuses_an_unpriced_judge_under_a_cap(fake, tmp_path, capsys):
    from advisor.cli.eval_cmd import main

    targets = _targets_file(tmp_path, fake, extra=(
        f"- label: Judge\n  model_key: judge@openai\n  api: openai\n  base_url: {fake.base}/v1\n  model_id: j\n"
    ))
    code = main(["--cases", str(_cases_file(tmp_path, JUDGE_CASES)), "--target-file", str(targets),
                 "--judge", "judge@openai", "--max-spend", "1", "--results", str(tmp_path / "r.jsonl")])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("advisor: --judge: ") and "price is unknown" in lines[0]
    assert fake.count() == 0


def test_cli_default_judge_is_the_first_target_that_runs(fake, tmp_path, capsys):
    from advisor.eval.results import read_results as rr
    from advisor.cli.eval_cmd import main

    fake.responder = lambda api, body: '{"score": 5, "reason": "ok"}' if "grader" in str(body) else "Paris"
    p = tmp_path / "targets.yaml"  # the first target has no price: skipped under the cap
    p.write_text(
        f"- label: Unpriced\n  model_key: u@openai\n  api: openai\n  base_url: {fake.base}/v1\n  model_id: u\n"
        f"- label: Priced\n  model_key: p@openai\n  api: openai\n  base_url: {fake.base}/v1\n  model_id: p\n"
        "  input_price_per_m: 1\n  output_price_per_m: 2\n"
    )
    code = main(["--cases", str(_cases_file(tmp_path, JUDGE_CASES)), "--target-file", str(p),
                 "--max-spend", "1", "--results", str(tmp_path / "r.jsonl")])
    assert code == 0, capsys.readouterr().err
    (r,) = rr(tmp_path / "r.jsonl")
    assert r.passed and r.judge_cost_usd is not None and r.judge_cost_usd > 0


async def test_usage_reported_3x_the_prompt_bound_is_capped_for_the_spend_and_flagged(fake, tmp_path):
    from decimal import Decimal

    t = _target(fake, price=("1000", "0"))
    cs = _cases(8, max_tokens=5)
    runner = EvalRunner([t], cs, RunConfig(concurrency=1, per_provider=1, retry=FAST))
    bound = max(r.prompt.bound for r in runner.plan().requests)
    fake.input_tokens, fake.output_tokens = 3 * bound, 5
    worst = t.cost(bound, 5)
    cap = worst * Decimal("2.5")  # room for two requests at their worst case
    runner = EvalRunner([t], cs, RunConfig(concurrency=1, per_provider=1, retry=FAST, max_spend=cap))
    summary = await runner.run()
    # each answer is counted at what its reservation allows (the prompt's byte bound), never the reported 3x
    assert summary.spent_usd <= cap
    assert all(r.cost_usd <= worst for r in summary.results)
    assert summary.new_results == 2 and summary.not_run_budget == 6
    assert fake.count() == 2
    assert all(r.usage_anomaly and f"{3 * bound:,} input tokens" in r.usage_anomaly for r in summary.results)


async def test_no_new_request_starts_once_the_spend_reaches_the_cap():
    from decimal import Decimal

    from advisor.eval.runner import SpendBudget

    b = SpendBudget(Decimal("1"))
    assert await b.reserve(Decimal("0.5"))
    await b.settle(Decimal("0.5"), Decimal("1.2"))  # the provider billed more than reserved
    assert b.exhausted
    assert not await b.reserve(Decimal("0")) and not b.try_reserve(Decimal("0"))


# -- 5. a judge call skipped for budget is not a failed case -----------------------

async def test_a_case_not_judged_for_budget_is_not_recorded_and_resume_retries_it(fake, tmp_path):
    from decimal import Decimal

    from advisor.eval.runner import EvalRunner as R

    fake.responder = lambda api, body: '{"score": 5, "reason": "ok"}' if "grader" in str(body) else "Paris"
    model, judge = _target(fake, key="m", price=("1000", "1000")), _target(fake, key="j", price=("1000", "1000"))
    cs = parse_cases(JUDGE_CASES, "c.yaml")
    (req,) = R([model], cs, RunConfig(retry=FAST)).plan().requests
    worst = req.worst_case_cost
    # the answer costs its worst case: the cap has room for it, not for the judge call on top
    fake.input_tokens, fake.output_tokens = req.prompt.bound, req.max_output_tokens
    cap = worst + Decimal("0.000001")
    path = tmp_path / "r.jsonl"
    runner = R([model], cs, RunConfig(retry=FAST, max_spend=cap, judge_model="j@openai"),
               judge_targets=[judge], results_path=path)
    summary = await runner.run()
    assert fake.count() == 1  # the answer was fetched; the judge was not called
    assert summary.results == [] and summary.new_results == 0
    assert summary.not_run_budget == 1
    assert read_results(path) == []
    # a later run with room retries it
    again = R([model], cs, RunConfig(retry=FAST, judge_model="j@openai"), judge_targets=[judge],
              results_path=path, resume=True)
    s2 = await again.run()
    (r,) = s2.results
    assert r.passed and r.checks[0].name == "llm_judge"


async def test_score_case_lets_budget_exhausted_through():
    from advisor.eval.checks import BudgetExhausted, score_case

    cs = parse_cases(JUDGE_CASES, "c.yaml")

    async def judge(check, case, answer):
        raise BudgetExhausted("no room")

    with pytest.raises(BudgetExhausted):
        await score_case(cs.cases[0], "Paris", judge)


# -- 6. an estimated cost is marked as such ---------------------------------------

def test_old_results_without_cost_estimated_read_as_measured(tmp_path):
    import json

    path = tmp_path / "old.jsonl"
    old = {"model_key": "m", "label": "M", "case_id": "c", "repeat": 0, "ok": True, "cost_usd": "0.001"}
    path.write_text(json.dumps(old) + "\n")
    (r,) = read_results(path)
    assert r.cost_estimated is False


async def test_a_billed_failure_is_an_estimated_cost_and_the_report_says_so(fake, tmp_path):
    from advisor.eval.report import build_report
    from advisor.render.eval_markdown import render_eval_markdown
    from advisor.eval.stats import model_stats

    fake.faults = [{"truncate": True}]  # billed (the stream had started), then lost
    runner = EvalRunner([_target(fake)], _cases(3), RunConfig(concurrency=1, retry=FAST), results_path=tmp_path / "r.jsonl")
    summary = await runner.run()
    bad = [r for r in summary.results if not r.ok]
    assert len(bad) == 1 and bad[0].cost_estimated and bad[0].cost_usd > 0
    assert all(not r.cost_estimated for r in summary.results if r.ok)
    assert [r.cost_estimated for r in read_results(tmp_path / "r.jsonl") if not r.ok] == [True]
    s = model_stats(summary.results, "m@openai")
    assert s.estimated_costs == 1
    report = build_report(summary, cases_file="c.yaml", n_cases=3, repeat=1)
    md = render_eval_markdown(report)
    assert "(includes 1 estimated)" in md
    assert any("Costs include 1 estimated" in n for n in report.notes)


def test_a_failure_before_billing_is_not_an_estimate():
    from decimal import Decimal

    from advisor.eval.stats import model_stats

    rs = [_result("c0", cost_usd=Decimal("0.01"), passed=True),
          CaseResult(model_key="m@openai", label="M", case_id="c1", repeat=0, ok=False, error_kind="auth",
                     cost_usd=Decimal(0))]
    assert model_stats(rs, "m@openai").estimated_costs == 0


# -- 7. untrusted text in the eval Markdown is inert -------------------------------

EVIL_MD = "![x](http://evil) <img src=x> [a](b) *b*"


def test_model_output_labels_ids_and_errors_are_inert_in_markdown():
    from advisor.eval.report import EvalReport, FailureExample
    from advisor.render.eval_markdown import render_eval_markdown

    report = EvalReport(
        generated_at="2026-11-24T00:00:00+00:00", cases_file="cases `x`.yaml", n_cases=1, repeat=1, models=[],
        skipped=[f"{EVIL_MD} (m): no key"],
        failures=[FailureExample(model_key="m", label=f"Label {EVIL_MD}", case_id=f"id {EVIL_MD}", repeat=0,
                                 score=0.0, reason=f"error: {EVIL_MD}", output_excerpt=f"Answer {EVIL_MD}\nnext line")],
    )
    md = render_eval_markdown(report)
    assert "<img" not in md and "*b*" not in md
    assert md.count(r"\!\[x\](http://evil) &lt;img src=x&gt; \[a\](b) \*b\*") == 5
    # rendered as Markdown: no image, no link, no emphasis, no raw HTML — only the text
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark").enable("table").render(md)
    for bad in ("<img", "<a ", "<em>", "src=x>"):
        assert bad not in html, bad
    assert html.count("![x](http://evil) &lt;img src=x&gt; [a](b) *b*") == 5
    assert "> Answer" in md and "next line" in md.split("> Answer", 1)[1].splitlines()[0]


# -- 9. monthly_projection asks the target whether it is priced --------------------

def test_monthly_projection_uses_priced_not_a_zero_token_cost(monkeypatch):
    from decimal import Decimal

    from advisor.eval.rerank import monthly_projection
    from advisor.eval.stats import ModelStats

    def no_cost(self, i, o):
        raise AssertionError("cost() is not how to ask for a price")

    monkeypatch.setattr(Target, "cost", no_cost)
    stats = ModelStats(model_key="m", label="M", n=1, answered=1, passes=1, pass_rate=1.0, pass_low=0.2,
                       pass_high=1.0, mean_score=1.0, mean_input_tokens=1000.0, mean_output_tokens=500.0)
    priced = Target("M", "m", "openai", "http://x", "m", None, Decimal("1"), Decimal("2"))
    unpriced = Target("M", "m", "openai", "http://x", "m", None, Decimal("1"), None)
    assert monthly_projection(stats, priced, 1000) == Decimal("2.000000")
    assert monthly_projection(stats, unpriced, 1000) is None


# -- 8. eval/report.py holds data; the renderers live in advisor.render -------------

def test_eval_report_is_data_and_the_renderers_live_in_render():
    import advisor.eval.report as data
    from advisor.fileio import REPORT_MARKERS
    from advisor.render.eval_html import render_eval_html_page, render_eval_html_section  # noqa: F401
    from advisor.render.eval_markdown import render_eval_markdown  # noqa: F401
    from advisor.render.html import CSS

    for name in ("render_eval_markdown", "render_eval_html_section", "_rows", "_md"):
        assert not hasattr(data, name), name
    report = data.EvalReport(generated_at="x", cases_file="c.yaml", n_cases=1, repeat=1, models=[])
    page = render_eval_html_page(report)
    assert REPORT_MARKERS[2] in page and CSS in page and '<section class="eval"' in page


async def test_a_judge_call_fits_in_what_the_answer_left_of_its_reservation(fake, tmp_path):
    """The answer's reservation shrinks to its cost once known, so its judge can use the rest."""
    from decimal import Decimal

    from advisor.eval.runner import EvalRunner as R

    fake.responder = lambda api, body: '{"score": 5, "reason": "ok"}' if "grader" in str(body) else "Paris"
    fake.input_tokens, fake.output_tokens = 10, 1  # far below the answer's worst case
    model, judge = _target(fake, key="m", price=("1000", "1000")), _target(fake, key="j", price=("1000", "1000"))
    cs = parse_cases(JUDGE_CASES, "c.yaml")
    (req,) = R([model], cs, RunConfig(retry=FAST)).plan().requests
    cap = req.worst_case_cost + Decimal("0.000001")  # the answer's worst case; its judge fits only in what it leaves
    summary = await R([model], cs, RunConfig(retry=FAST, max_spend=cap, judge_model="j@openai"),
                      judge_targets=[judge]).run()
    (r,) = summary.results
    assert fake.count() == 2 and r.passed and r.judge_cost_usd > 0
    assert summary.spent_usd <= cap
