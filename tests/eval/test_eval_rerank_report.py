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


def test_cheaper_but_worse_on_the_point_estimate_is_not_promoted_while_intervals_overlap():
    s = {"a": stats("a", 9, 10, "0.004"), "b": stats("b", 8, 10, "0.001")}
    rr = rerank(["a", "b"], s)
    assert [r.model_key for r in rr.order] == ["a", "b"] and not rr.changed
    assert "B is cheaper per success but passed a smaller share" in rr.sentence
    assert "Rule: a model moves up only with at least 5 measured cases" in rr.sentence


def test_as_good_and_cheaper_moves_up_and_the_sentence_says_why():
    s = {"a": stats("a", 9, 10, "0.004"), "b": stats("b", 9, 10, "0.001")}
    rr = rerank(["a", "b"], s)
    assert [r.model_key for r in rr.order] == ["b", "a"] and rr.changed
    assert rr.sentence.startswith("B moves from #2 to #1, ahead of A: B passed 9/10 (90%, 95% CI 60%–98%) at $0.001 per success")
    assert "at least as large a share of the cases and costs less per success" in rr.sentence


def test_thin_evidence_promotes_nothing():
    # the case: the spend cap left the good model 1 of 8 cases; 4/8 must not jump it
    s = {"good": stats("good", 1, 1, "0.01", label="Stub good"), "weak": stats("weak", 4, 8, "0.001", label="Stub weak")}
    rr = rerank(["good", "weak"], s, planned={"good": 8, "weak": 8})
    assert [r.model_key for r in rr.order] == ["good", "weak"]
    assert rr.order[0].thin and rr.order[0].not_measured == 7 and rr.not_measured == 7
    assert "7 planned case runs not measured" in rr.sentence
    assert "only 1 measured case, too few to move the order" in rr.sentence


def test_below_the_floor_is_flagged_and_never_recommended_over_one_that_meets_it():
    s = {"weak": stats("weak", 4, 8, "0.001", label="Stub weak"), "good": stats("good", 8, 8, "0.01", label="Stub good")}
    rr = rerank(["weak", "good"], s, quality_floor=0.95)
    assert [r.model_key for r in rr.order] == ["good", "weak"]
    assert rr.order[1].below_floor and not rr.order[0].below_floor
    assert rr.recommended.model_key == "good"
    assert "interval lies below your quality floor of 95%" in rr.sentence
    assert "Below your floor of 95%: Stub weak (4/8); not recommended." in rr.sentence
    # with no floor the intervals overlap (8/8: 68–100%, 4/8: 22–78%) and the dearer model is not promoted:
    # it is the floor that moved it
    assert rerank(["weak", "good"], s).order[0].model_key == "weak"


def test_when_no_model_meets_the_floor_none_is_recommended():
    s = {"a": stats("a", 2, 10, "0.001"), "b": stats("b", 3, 10, "0.001")}
    rr = rerank(["a", "b"], s, quality_floor=0.9)
    assert all(r.below_floor for r in rr.order) and rr.recommended is None
    assert "No measured model meets your floor." in rr.sentence


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


def test_unmeasured_go_after_the_measured_and_unknown_cost_after_known():
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
    assert h.startswith('<section class="eval"') and h.rstrip().endswith("</section>")
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


def test_the_decision_says_once_that_no_model_meets_the_floor():
    from types import SimpleNamespace as NS

    from advisor.render.eval_markdown import decision_paragraph

    s = {"a": stats("a", 2, 10, "0.001"), "b": stats("b", 3, 10, "0.001")}
    rr = rerank(["a", "b"], s, quality_floor=0.9)
    text = decision_paragraph(NS(rerank=rr, n_cases=10, answered=20))
    assert text.count("meets your") == 1 and text.startswith("No measured model meets your quality floor")
    assert "not recommended" in text  # the per-model reasons stay


def test_a_model_that_passed_no_case_is_never_recommended_even_without_a_floor():
    from types import SimpleNamespace as NS

    from advisor.render.eval_markdown import decision_paragraph

    s = {"a": stats("a", 0, 10, None, label="Stub a")}
    rr = rerank(["a"], s)  # no answers file: no floor
    assert rr.order[0].passed_none and rr.recommended is None
    text = decision_paragraph(NS(rerank=rr, n_cases=10, answered=10))
    assert text.startswith("No measured model passed a case, so none is recommended")
    assert "Passed no case: Stub a (0/10); not recommended." in text and "is recommended." not in text
    # one that passed something goes ahead of it, and of an unmeasured one it goes after
    s["b"] = stats("b", 3, 10, "0.01", label="Stub b")
    rr = rerank(["a", "c", "b"], s)
    assert [r.model_key for r in rr.order] == ["b", "c", "a"] and rr.recommended.model_key == "b"
    assert "Stub a passed none of its cases" not in rr.sentence or "Stub b moves" in rr.sentence
