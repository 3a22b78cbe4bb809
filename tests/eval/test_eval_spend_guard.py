"""The spend cap against provider usage: checked before it is priced, capped at what
the request allows, and one budget for every run that shares a results file."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from advisor.cli.eval_cmd import main
from advisor.eval.cases import parse_cases
from advisor.eval.results import CaseResult, ResultsWriter, read_records, read_results, read_spend
from advisor.eval.runner import EvalRunner, RunConfig, allowed_usage
from advisor.eval.target import Target
from advisor.providers import RetryPolicy

FAST = RetryPolicy(max_retries=0, initial_delay=0.0, jitter=0.0)


def _target(fake, price=("1000", "1000"), reasoning=0):
    return Target("Model m", "m@openai", "openai", fake.base + "/v1", "test-model", None,
                  Decimal(price[0]), Decimal(price[1]), "o200k_base", reasoning_tokens=reasoning)


def _cases(n, max_tokens=10):
    return parse_cases("".join(f"- {{id: c{i}, input: 'Say hello {i}', max_tokens: {max_tokens}}}\n" for i in range(n)),
                       "c.yaml")


def test_allowed_usage_caps_and_says_why():
    assert allowed_usage(10, 5, 20, 50) == (10, 5, None)
    i, o, note = allowed_usage(10, 10**30, 20, 50)
    assert (i, o) == (10, 50) and f"{10**30:,} output tokens (the request allows 50)" in note
    i, o, note = allowed_usage(10**9, 5, 20, 50)
    assert (i, o) == (20, 5) and "input tokens (the prompt allows 20)" in note


@pytest.mark.parametrize("usage", [{"prompt_tokens": -600_000_000, "completion_tokens": 5},
                                   {"prompt_tokens": 10, "completion_tokens": 2.5},
                                   {"prompt_tokens": "10", "completion_tokens": 5}])
async def test_negative_or_non_integer_usage_makes_the_case_malformed_at_its_worst_case(fake, usage):
    t = _target(fake)
    cs = _cases(4)
    fake.faults = [{"usage": usage}] * 4
    runner = EvalRunner([t], cs, RunConfig(concurrency=1, per_provider=1, retry=FAST, max_spend=Decimal("1000")))
    req = runner.plan().requests[0]
    worst = t.cost(req.input_tokens, req.max_output_tokens)
    summary = await runner.run()
    assert all(r.error_kind == "malformed" and r.cost_estimated for r in summary.results)
    # never a negative spend: each counts at its worst case (at the counted input, as a billed failure)
    assert summary.spent_usd == 4 * worst and summary.spent_usd > 0


async def test_usage_50x_too_high_at_concurrency_8_stays_under_the_cap(fake):
    t = _target(fake)
    cs = _cases(40)
    probe = EvalRunner([t], cs, RunConfig(retry=FAST))
    worst = max(r.worst_case_cost for r in probe.plan().requests)
    counted = max(r.input_tokens for r in probe.plan().requests)
    fake.input_tokens, fake.output_tokens = 50 * counted, 50 * 10
    cap = worst * 5
    runner = EvalRunner([t], cs, RunConfig(concurrency=8, per_provider=8, retry=FAST, max_spend=cap))
    summary = await runner.run()
    assert summary.spent_usd <= cap
    assert all(r.usage_anomaly for r in summary.results)
    assert fake.count() == summary.new_results <= 5
    print(f"\n50x usage at concurrency 8: {fake.count()} requests sent, spent {summary.spent_usd} of {cap}")


async def test_reasoning_headroom_is_reserved_and_allowed(fake):
    t = _target(fake, reasoning=90)
    cs = _cases(1, max_tokens=10)
    fake.output_tokens = 100  # 10 answer + 90 thinking: within what the request allows
    runner = EvalRunner([t], cs, RunConfig(retry=FAST, max_spend=Decimal("1000")))
    (req,) = runner.plan().requests
    assert req.max_output_tokens == 100 and req.worst_case_cost == t.cost(req.prompt.bound, 100)
    (r,) = (await runner.run()).results
    assert r.usage_anomaly is None and r.cost_usd == t.cost(12, 100)


def test_resumes_continue_the_same_budget(fake, tmp_path, capsys):
    """Four runs at one cap (one, then three --resume) spend what one run may, not four times it."""
    targets = tmp_path / "targets.yaml"
    targets.write_text(
        f"- label: Fake\n  model_key: fake@openai\n  api: openai\n  base_url: {fake.base}/v1\n"
        "  model_id: fake-1\n  tokenizer: o200k_base\n  input_price_per_m: 1000\n  output_price_per_m: 1000\n"
    )
    cases = tmp_path / "cases.yaml"
    cases.write_text("".join(f"- {{id: c{i}, input: 'Say hello {i}', max_tokens: 10}}\n" for i in range(20)))
    probe = EvalRunner(
        [Target("Fake", "fake@openai", "openai", fake.base + "/v1", "fake-1", None, Decimal(1000), Decimal(1000), "o200k_base")],
        _cases(20))
    reqs = probe.plan().requests
    worst = max(r.worst_case_cost for r in reqs)
    fake.input_tokens = max(r.prompt.bound for r in reqs)
    fake.output_tokens = 10  # every answer costs its worst case (input at the bound the cap reserves)
    cap = worst * Decimal("3.5")
    results = tmp_path / "r.jsonl"
    base = ["--cases", str(cases), "--target-file", str(targets), "--results", str(results),
            "--max-spend", str(cap), "--concurrency", "1"]
    spent_lines = []
    for run in range(4):
        assert main(base + (["--resume"] if run else [])) == 0
        spent_lines.append(capsys.readouterr().out)
    assert read_spend(results) <= cap
    assert fake.count() == 3  # the cap had room for three worst cases, in all four runs together
    assert "in all on this results file" in spent_lines[-1]
    print(f"\n4 runs sharing {results.name}: {fake.count()} requests sent, spent {read_spend(results)} of {cap}")


def test_spend_records_are_extensible_and_skipped_by_result_readers(tmp_path):
    p = tmp_path / "r.jsonl"
    with ResultsWriter(p) as w:
        w.append_record("header", generator="advisor", version=1)  # a kind this reader does not know
        w.append_spend(Decimal("0.25"), "m|c|0")
        w.append(CaseResult(model_key="m", label="M", case_id="c", repeat=0, ok=True))
        w.append_spend(Decimal("0.5"), "m|c|0")  # a retried call: both were paid for
        w.append_spend(Decimal(0), "m|c|1")  # nothing spent: no record
    lines = [json.loads(x) for x in p.read_text().splitlines()]
    assert [x.get("record") for x in lines] == ["marker", "header", "spend", None, "spend"]  # advisor's marker first
    assert len(read_results(p)) == 1 and read_spend(p) == Decimal("0.75")
    assert read_records(p, "header") == [{"record": "header", "generator": "advisor", "version": 1}]
    with open(p, "a") as fh:
        fh.write('{"record": "spend", "usd": "NaN"}\n{"record": "spend", "usd": "-5"}\n{"record": "spend", "usd": "x"}\n')
    assert read_spend(p) == Decimal("0.75")  # nonsense records never lower (or break) the spend


# -- the prompt's byte bound: reservations that need no tokenizer ---------------------

async def test_a_run_whose_provider_reports_usage_never_loads_a_tokenizer(fake):
    from advisor.core import tokens

    tokens._encoding.cache_clear()
    runner = EvalRunner([_target(fake)], _cases(6), RunConfig(retry=FAST, max_spend=Decimal("1000")))
    summary = await runner.run()
    assert summary.new_results == 6 and all(r.tokens_reported for r in summary.results)
    assert tokens._encoding.cache_info().currsize == 0
    # a dry run shows counted tokens, so it loads one
    assert runner.dry_run().models[0].tokens_exact
    assert tokens._encoding.cache_info().currsize == 1


async def test_a_cap_too_tight_for_the_bound_reserves_the_counted_tokens(fake):
    t = _target(fake, price=("1000", "0"))
    cs = _cases(1, max_tokens=5)
    (req,) = EvalRunner([t], cs).plan().requests
    assert req.prompt.bound > req.input_tokens
    fake.input_tokens, fake.output_tokens = req.input_tokens, 5
    cap = t.cost(req.input_tokens, 5)  # the counted worst case fits exactly; the bound does not
    assert t.cost(req.prompt.bound, 5) > cap
    summary = await EvalRunner([t], cs, RunConfig(retry=FAST, max_spend=cap)).run()
    assert summary.new_results == 1 and summary.not_run_budget == 0
    assert summary.spent_usd == cap and summary.results[0].usage_anomaly is None


async def test_a_reply_without_usage_is_billed_at_the_counted_tokens(fake):
    t = _target(fake, price=("1000", "0"))
    cs = _cases(1, max_tokens=5)
    (req,) = EvalRunner([t], cs).plan().requests
    fake.send_usage = False
    (r,) = (await EvalRunner([t], cs, RunConfig(retry=FAST, max_spend=Decimal("1000"))).run()).results
    assert not r.tokens_reported and r.input_tokens == req.input_tokens < req.prompt.bound


async def test_a_request_cancelled_in_flight_counts_its_worst_case_at_the_counted_input(fake, tmp_path):
    """Not at the looser byte bound it reserved: a resumed run keeps the room it really has."""
    import asyncio

    fake.latency = 5.0  # never answers before the cancel
    t = _target(fake)
    cs = _cases(1, max_tokens=10)
    (req,) = EvalRunner([t], cs).plan().requests
    assert req.prompt.bound > req.input_tokens
    path = tmp_path / "r.jsonl"
    runner = EvalRunner([t], cs, RunConfig(retry=FAST, max_spend=Decimal("1000")), results_path=path)
    task = asyncio.create_task(runner.run())
    while fake.count() < 1:
        await asyncio.sleep(0.01)
    runner.cancel()
    summary = await task
    assert summary.cancelled and summary.new_results == 0
    assert read_spend(path) == t.cost(req.input_tokens, req.max_output_tokens) < req.worst_case_cost


async def test_a_judge_reporting_more_than_it_was_allowed_is_flagged_on_the_result(fake):
    fake.responder = lambda api, body: '{"score": 5, "reason": "ok"}' if "grader" in str(body) else "Paris"
    fake.input_tokens, fake.output_tokens = 10**6, 1  # every call reports a million input tokens
    model = _target(fake)
    judge = Target("Judge j", "j@openai", "openai", fake.base + "/v1", "judge", None, Decimal(1000), Decimal(1000), "o200k_base")
    cs = parse_cases("- {id: q, input: Capital of France?, checks: [{type: llm_judge, rubric: Names Paris}]}\n", "c.yaml")
    (r,) = (await EvalRunner([model], cs, RunConfig(retry=FAST, max_spend=Decimal("1000"), judge_model="j@openai"),
                             judge_targets=[judge]).run()).results
    assert r.passed
    assert r.usage_anomaly.count("1,000,000 input tokens") == 2 and "judge Judge j: provider reported" in r.usage_anomaly


async def test_a_cap_too_tight_for_any_count_is_not_run_even_when_the_count_is_the_bound(fake):
    """A foreign tokenizer's estimate is capped at the bound: the fallback is the same amount, tried once."""
    t = Target("Model m", "m@openai", "openai", fake.base + "/v1", "test-model", None, Decimal("1000"), Decimal("0"), None)
    cs = parse_cases("- {id: c0, input: Hi, max_tokens: 5}\n", "c.yaml")
    (req,) = EvalRunner([t], cs).plan().requests
    assert await req.prompt.billable() == req.prompt.bound
    cap = t.cost(req.prompt.bound, 5) / 2
    summary = await EvalRunner([t], cs, RunConfig(retry=FAST, max_spend=cap)).run()
    assert summary.new_results == 0 and summary.not_run_budget == 1 and fake.count() == 0
