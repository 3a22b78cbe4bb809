"""The runner against the loopback server: spend cap, resume, cancel, events, limits, keys."""

import asyncio
import json
from decimal import Decimal

import pytest

from advisor.eval.cases import parse_cases
from advisor.eval.results import read_results, read_spend
from advisor.eval.runner import (
    EvalRunner,
    RequestStarted,
    ResultReady,
    RunConfig,
    RunFinished,
    RunStarted,
    SpendBudget,
)
from advisor.eval.target import Target
from advisor.providers import RetryPolicy

KEY = "sk-canary-XXXX"
ENV = {"TEST_KEY": KEY}
FAST = RetryPolicy(max_retries=2, initial_delay=0.0, jitter=0.0)


def target(fake, api="openai", key="m", price=("1", "2"), **kw):
    base = fake.base + ("/v1" if api == "openai" else "")
    ip, op = (Decimal(price[0]), Decimal(price[1])) if price else (None, None)
    return Target(f"Model {key}", f"{key}@{api}", api, base, "test-model", "TEST_KEY", ip, op, "o200k_base", **kw)


def cases(n, max_tokens=100, extra=""):
    return parse_cases(
        "".join(f"- {{id: c{i}, input: 'Say hello {i}', expected: 'Hello from the fake server.'{extra}, max_tokens: {max_tokens}}}\n" for i in range(n)),
        "c.yaml",
    )


async def test_results_events_and_files(fake, tmp_path):
    fake.input_tokens, fake.output_tokens = 20, 5
    events = []
    runner = EvalRunner([target(fake), target(fake, "anthropic", "a")], cases(3), RunConfig(retry=FAST),
                        results_path=tmp_path / "r.jsonl", env=ENV)
    summary = await runner.run(on_event=events.append)
    assert isinstance(events[0], RunStarted) and events[0].total == 6
    assert isinstance(events[-1], RunFinished) and events[-1].summary is summary
    assert sum(isinstance(e, RequestStarted) for e in events) == 6
    ready = [e for e in events if isinstance(e, ResultReady)]
    assert [e.progress.done for e in ready] == [1, 2, 3, 4, 5, 6]
    assert ready[-1].progress.by_model == {"m@openai": (3, 3), "a@anthropic": (3, 3)}
    assert all(r.passed and r.tokens_reported for r in summary.results)
    # 20 in at $1/M + 5 out at $2/M = $0.00003 per request
    assert summary.spent_usd == Decimal("0.00018")
    rows = [json.loads(line) for line in (tmp_path / "r.jsonl").read_text().splitlines()]
    assert rows[0] == {"record": "marker", "advisor": "eval-results", "format": 1}  # advisor's own file
    results = [r for r in rows if "record" not in r]
    spends = [r for r in rows if r.get("record") == "spend"]
    assert len(results) == 6 and results[0]["cost_usd"] == "0.00003"
    # every amount spent is recorded beside the results, so a resumed run starts from it
    assert len(spends) == 6 and sum(Decimal(r["usd"]) for r in spends) == summary.spent_usd
    assert read_spend(tmp_path / "r.jsonl") == Decimal("0.00018")


async def test_event_iterator(fake):
    runner = EvalRunner([target(fake)], cases(2), RunConfig(retry=FAST), env=ENV)
    kinds = [type(e).__name__ async for e in runner.events()]
    assert kinds[0] == "RunStarted" and kinds[-1] == "RunFinished" and kinds.count("ResultReady") == 2


async def test_spend_cap_is_never_crossed_under_concurrency(fake, tmp_path):
    fake.input_tokens, fake.output_tokens = 30, 90
    fake.latency = 0.05
    t = target(fake, price=("1000", "1000"))  # expensive, so the cap binds quickly
    cs = cases(40, max_tokens=100)
    runner = EvalRunner([t], cs, RunConfig(concurrency=16, per_provider=16, max_spend=Decimal("2.5"), retry=FAST),
                        results_path=tmp_path / "r.jsonl", env=ENV)
    worst = runner.plan().requests[0].worst_case_cost
    spent_seen = []
    summary = await runner.run(on_event=lambda e: spent_seen.append(e.progress.spent_usd) if isinstance(e, ResultReady) else None)
    assert summary.spent_usd <= Decimal("2.5")
    assert max(spent_seen) <= Decimal("2.5")
    assert summary.new_results + summary.not_run_budget == 40
    assert summary.not_run_budget > 0 and summary.new_results >= 1
    assert fake.count() == summary.new_results  # nothing over the cap was even sent
    assert worst is not None and worst > Decimal("0.12")  # reserved ≥ actual (0.12 per request)


async def test_budget_reservation_arithmetic():
    b = SpendBudget(Decimal("1.00"))
    assert await b.reserve(Decimal("0.60"))
    assert not b.try_reserve(Decimal("0.50"))  # 0.60 reserved + 0.50 > cap
    await b.settle(Decimal("0.60"), Decimal("0.10"))
    assert b.try_reserve(Decimal("0.90"))
    await b.settle(Decimal("0.90"), Decimal("0.90"))
    assert b.spent == Decimal("1.00") and b.reserved == 0
    assert not await b.reserve(Decimal("0.01"))  # nothing in flight: never fits


async def test_unknown_price_is_skipped_under_a_cap(fake):
    runner = EvalRunner([target(fake, price=None)], cases(1), RunConfig(max_spend=Decimal("1")), env=ENV)
    plan = runner.plan()
    assert plan.requests == [] and "price is unknown" in plan.skipped_targets[0][1]


async def test_resume_repeats_nothing(fake, tmp_path):
    path = tmp_path / "r.jsonl"
    cfg = RunConfig(repeat=2, retry=FAST)
    first = EvalRunner([target(fake)], cases(3), cfg, results_path=path, env=ENV)
    # stop after 2 results to simulate an interrupted run
    done = []

    def on_event(e):
        if isinstance(e, ResultReady):
            done.append(e)
            if len(done) == 2:
                first.cancel()

    s1 = await first.run(on_event=on_event)
    assert s1.cancelled
    kept = read_results(path)
    assert 2 <= len(kept) < 6
    before = fake.count()
    s2 = await EvalRunner([target(fake)], cases(3), cfg, results_path=path, resume=True, env=ENV).run()
    assert fake.count() - before == 6 - len(kept)
    assert len(s2.results) == 6 and not s2.cancelled
    keys = [r.key for r in read_results(path)]
    assert sorted(keys) == sorted({f"m@openai|c{i}|{rep}" for i in range(3) for rep in range(2)})
    # a third resume has nothing to do
    s3 = EvalRunner([target(fake)], cases(3), cfg, results_path=path, resume=True, env=ENV)
    assert s3.plan().requests == [] and s3.plan().already_done == 6


async def test_cancel_keeps_completed_results(fake, tmp_path):
    fake.latency = 0.3
    runner = EvalRunner([target(fake)], cases(8), RunConfig(concurrency=2, per_provider=2, retry=FAST),
                        results_path=tmp_path / "r.jsonl", env=ENV)
    task = asyncio.create_task(runner.run())
    while fake.count() < 3:
        await asyncio.sleep(0.01)
    await asyncio.sleep(0.05)
    runner.cancel()
    summary = await task
    assert summary.cancelled and summary.new_results < 8
    assert len(read_results(tmp_path / "r.jsonl")) == summary.new_results


async def test_a_cancel_during_the_write_keeps_file_events_and_summary_in_step(fake, tmp_path, monkeypatch):
    # (CI once showed 2 results in the file but 1 in the app's table: the cancel landed
    # while the result was being appended, so the file had it and no event said so)
    import threading

    from advisor.eval import runner as runner_mod

    writing, release = threading.Event(), threading.Event()
    real_append = runner_mod.ResultsWriter.append_all

    def slow_append(self, results):
        real_append(self, results)
        writing.set()
        release.wait(5)

    monkeypatch.setattr(runner_mod.ResultsWriter, "append_all", slow_append)
    events = []
    runner = EvalRunner([target(fake)], cases(4), RunConfig(concurrency=1, per_provider=1, retry=FAST),
                        results_path=tmp_path / "r.jsonl", env=ENV)
    task = asyncio.create_task(runner.run(on_event=events.append))
    await asyncio.wait_for(asyncio.to_thread(writing.wait, 10), 15)
    runner.cancel()  # the first result is in the file; its append has not returned yet
    await asyncio.sleep(0.05)
    release.set()
    summary = await task
    kept = read_results(tmp_path / "r.jsonl")
    ready = [e.result.key for e in events if isinstance(e, ResultReady)]
    assert summary.cancelled
    assert len(kept) == 1
    assert ready == [r.key for r in kept] == [r.key for r in summary.results]


async def test_per_provider_and_global_limits(fake):
    fake.latency = 0.08
    ts = [target(fake, key="a"), target(fake, key="b")]  # same endpoint: one provider
    await EvalRunner(ts, cases(6), RunConfig(concurrency=8, per_provider=3, retry=FAST), env=ENV).run()
    assert fake.max_active <= 3


async def test_missing_key_skips_that_target_only(fake):
    other = Target("Local", "local@openai", "openai", fake.base + "/v1", "m", None, Decimal(0), Decimal(0))
    runner = EvalRunner([target(fake), other], cases(1), RunConfig(retry=FAST), env={})
    plan = runner.plan()
    assert [t.model_key for t, _ in plan.skipped_targets] == ["m@openai"]
    assert "$TEST_KEY is not set" in plan.skipped_targets[0][1]
    summary = await runner.run()
    assert [r.model_key for r in summary.results] == ["local@openai"]
    assert "authorization" not in fake.requests[-1][1]


async def test_errors_are_recorded_redacted_and_costed(fake, tmp_path):
    fake.faults = [{"status": 401, "body": json.dumps({"error": {"message": f"bad key {KEY}"}})},
                   {"truncate": True}]
    fake.responder = lambda a, b: "one two three four"
    runner = EvalRunner([target(fake)], cases(2), RunConfig(concurrency=1, per_provider=1, retry=FAST),
                        results_path=tmp_path / "r.jsonl", env=ENV)
    summary = await runner.run()
    by_kind = {r.error_kind: r for r in summary.results}
    assert by_kind["auth"].cost_usd == Decimal(0) and not by_kind["auth"].passed
    assert by_kind["truncated"].cost_usd > 0  # billed stream: counted at the reserved worst case
    assert KEY not in (tmp_path / "r.jsonl").read_text()


async def test_missing_usage_is_estimated_with_tiktoken(fake):
    fake.send_usage = False
    summary = await EvalRunner([target(fake)], cases(1), RunConfig(retry=FAST), env=ENV).run()
    r = summary.results[0]
    assert not r.tokens_reported and r.output_tokens == 6  # "Hello from the fake server." in o200k_base


async def test_dry_run_calls_nothing(fake):
    runner = EvalRunner([target(fake), target(fake, "gemini", "g", price=None)], cases(3, max_tokens=50),
                        RunConfig(repeat=2), env=ENV)
    dry = runner.dry_run()
    assert dry.requests == 12 and fake.count() == 0
    m = dry.models[0]
    assert m.max_output_tokens == 300 and m.tokens_exact
    # the worst case the cap may count: input at the prompts' byte bound, output at its limit
    assert m.input_bound >= m.input_tokens
    assert m.worst_case_cost_usd == (Decimal(m.input_bound) * 1 + Decimal(300) * 2) / Decimal(1_000_000)
    assert dry.models[1].worst_case_cost_usd is None and dry.worst_case_cost_usd is None


async def test_llm_judge_through_the_same_providers(fake):
    def responder(api, body):
        text = json.dumps(body)
        return '{"score": 4, "reason": "mostly right"}' if "strict grader" in text else "Paris"

    fake.responder = responder
    cs = parse_cases("- {id: q, input: Capital of France?, checks: [{type: llm_judge, rubric: Names Paris}]}", "c.yaml")
    judge = target(fake, "anthropic", "judge")
    summary = await EvalRunner([target(fake)], cs, RunConfig(retry=FAST, judge_model="judge@anthropic"),
                               judge_targets=[judge], env=ENV).run()
    r = summary.results[0]
    assert r.passed and r.score == 0.75 and "mostly right" in r.checks[0].detail
    assert r.judge_cost_usd is not None and r.judge_cost_usd > 0
    assert fake.count("/v1/messages") == 1


async def test_lines_of_the_results_file_that_are_not_results_are_said_with_their_line(fake, tmp_path, capsys):
    # a hand-edited line in the middle and a torn last line (an interrupted write) are skipped,
    # and each is said with its line number: nothing the file held disappears without a word
    path = tmp_path / "r.jsonl"
    first = EvalRunner([target(fake)], cases(3), RunConfig(retry=FAST), results_path=path, env=ENV)
    await first.run()
    lines = path.read_text().splitlines()
    result_at = next(i for i, line in enumerate(lines) if '"case_id": "c1"' in line or '"case_id":"c1"' in line)
    lines[result_at] = "this line was edited by hand"
    path.write_text("\n".join(lines) + '\n{"model_key": "m@openai", "case_')  # torn: no newline
    runner = EvalRunner([target(fake)], cases(3), RunConfig(retry=FAST), results_path=path, resume=True, env=ENV)
    plan = runner.plan()
    assert [r.case.id for r in plan.requests] == ["c1"]  # the edited result runs again
    assert runner.unreadable == [
        f"{path}:{result_at + 1}: skipped: not JSON",
        f"{path}:{len(lines) + 1}: skipped: torn (an interrupted write; that case runs again)",
    ]
