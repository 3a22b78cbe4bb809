"""Re-ranking on measured evidence, monthly projection, and the report renderers."""

from decimal import Decimal

from advisor.eval.report import EvalReport, FailureExample
from advisor.render.eval_html import render_eval_html_section
from advisor.render.eval_markdown import render_eval_markdown
from advisor.eval.rerank import monthly_projection, rerank
from advisor.eval.stats import ModelStats, wilson_interval
from advisor.eval.target import Target


def stats(key, passes, n, cps, label=None, mean_in=1000.0, mean_out=200.0):
    lo, hi = wilson_interval(passes, n)
    total = None if cps is None else Decimal(cps) * passes
    return ModelStats(model_key=key, label=label or key.upper(), n=n, answered=n, passes=passes, pass_rate=passes / n,
                      pass_low=lo, pass_high=hi, mean_score=passes / n, total_cost_usd=total,
                      cost_per_success_usd=None if cps is None else Decimal(cps),
                      mean_input_tokens=mean_in, mean_output_tokens=mean_out)


def test_cheaper_statistically_tied_model_moves_up_and_the_sentence_says_why():
    s = {"a": stats("a", 9, 10, "0.004"), "b": stats("b", 8, 10, "0.001")}
    rr = rerank(["a", "b"], s)
    assert [r.model_key for r in rr.order] == ["b", "a"] and rr.changed
    assert rr.sentence.startswith("B moves from #2 to #1, ahead of A: B passed 8/10 (80%, 95% CI 49%–94%) at $0.001 per success")
    assert "within each other's 95% intervals" in rr.sentence


def test_clearly_better_model_stays_ahead_even_if_dearer():
    s = {"a": stats("a", 20, 20, "0.01"), "b": stats("b", 5, 20, "0.001")}
    rr = rerank(["a", "b"], s)
    assert [r.model_key for r in rr.order] == ["a", "b"] and not rr.changed
    assert rr.sentence.startswith("Measured evidence keeps the order: A passed 20/20")


def test_clearly_better_model_moves_up():
    s = {"a": stats("a", 5, 20, "0.001"), "b": stats("b", 20, 20, "0.01")}
    rr = rerank(["a", "b"], s)
    assert [r.model_key for r in rr.order] == ["b", "a"]
    assert "passed clearly more cases" in rr.sentence


def test_unmeasured_go_last_and_unknown_cost_after_known():
    s = {"a": stats("a", 9, 10, None), "b": stats("b", 9, 10, "0.002")}
    rr = rerank(["a", "c", "b"], s)
    assert [r.model_key for r in rr.order] == ["b", "a", "c"]
    assert not rr.order[-1].measured


def test_monthly_projection_from_measured_tokens():
    t = Target("A", "a", "openai", "http://x", "m", None, Decimal("0.15"), Decimal("0.60"))
    # (1000 * 0.15 + 200 * 0.60) / 1e6 = 0.00027 per request; × 1,000,000 = $270.00
    assert monthly_projection(stats("a", 1, 1, "0"), t, 1_000_000) == Decimal("270.00")
    unknown = Target("B", "b", "openai", "http://x", "m", None, None, None)
    assert monthly_projection(stats("b", 1, 1, "0"), unknown, 1_000_000) is None


def _report():
    s = [stats("a", 1, 2, "0.5", label="<b>Model</b>")]
    return EvalReport(
        generated_at="2026-11-24T00:00:00+00:00", cases_file="c<1>.yaml", n_cases=2, repeat=1, models=s,
        rerank=rerank(["a"], {"a": s[0]}), spent_usd=Decimal("1.0"), max_spend_usd=Decimal("2"),
        failures=[FailureExample(model_key="a", label="<b>Model</b>", case_id="x&y", repeat=0, score=0.0,
                                 reason="fields: 0/1", output_excerpt="<script>alert(1)</script>")],
        notes=["p95 figures come from fewer than 20 samples; treat them as rough."],
    )


def test_html_section_escapes_everything():
    h = render_eval_html_section(_report())
    assert h.startswith('<section class="eval">') and h.rstrip().endswith("</section>")
    assert "<script>" not in h and "&lt;script&gt;" in h and "&lt;b&gt;Model&lt;/b&gt;" in h
    assert "x&amp;y" in h and "c&lt;1&gt;.yaml" in h


def test_markdown_rendering():
    md = render_eval_markdown(_report())
    assert md.startswith("## Live eval")
    assert "Spent $1.00 of a $2.00 cap" in md
    assert "<script>" not in md and "&lt;b&gt;Model&lt;/b&gt;" in md
    assert "| 1/2 (50%) |" in md


def test_report_is_json_serialisable():
    r = _report()
    again = EvalReport.model_validate_json(r.model_dump_json())
    assert again == r


def test_a_model_with_no_successes_is_described_as_such():
    from advisor.eval.rerank import RankedModel, _describe

    fields = {name: None for name in RankedModel.model_fields}
    fields.update(model_key="m", label="M", rank=1, previous_rank=1, measured=True, passes=0, n=10,
                  pass_rate=0.0, pass_low=0.0, pass_high=0.28)
    m = RankedModel.model_construct(**fields)
    assert _describe(m) == "M passed 0/10 (0%, 95% CI 0%–28%), no successes"
