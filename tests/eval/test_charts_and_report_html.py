"""The report's pictures (inline SVG) and its narrow-screen layout, from real shortlist and eval data."""

from __future__ import annotations

import re
from decimal import Decimal

from advisor.core.engine import shortlist
from advisor.eval.report import EvalReport
from advisor.eval.rerank import rerank
from advisor.eval.stats import ModelStats, wilson_interval
from advisor.render.charts import cost_chart_svg, cost_points, latency_chart_svg, quality_chart_svg, series_for
from advisor.render.html import render_html
from advisor.render.markdown import render_markdown

HOSTILE = "<b>x</b>&\"'"


def _stats(key, passes, n, cps, label):
    lo, hi = wilson_interval(passes, n)
    return ModelStats(model_key=key, label=label, n=n, answered=n, passes=passes, pass_rate=passes / n, pass_low=lo,
                      pass_high=hi, mean_score=passes / n, total_cost_usd=Decimal(cps) * max(passes, 1),
                      cost_per_success_usd=Decimal(cps) if passes else None, latency_p50_ms=400.0, latency_p95_ms=900.0,
                      mean_input_tokens=100.0, mean_output_tokens=20.0)


def _report(sl):
    keys = [c.option.key for c in sl.candidates]
    stats = {k: _stats(k, 8 - 4 * i, 8, "0.001", HOSTILE if i else sl.candidates[i].option.label)
             for i, k in enumerate(keys)}
    rr = rerank(keys, stats, quality_floor=0.9, planned={k: 8 for k in keys},
                monthly_at_answers={c.option.key: c.costs.per_month for c in sl.candidates})
    return EvalReport(generated_at="2026-12-01T00:00:00+00:00", cases_file="cases.yaml", n_cases=8, repeat=1,
                      models=list(stats.values()), rerank=rr, quality_floor=0.9, monthly_requests=500000)


def test_cost_chart_marks_the_users_volume_and_break_even_and_escapes_labels(kb, answers, today):
    sl = shortlist(answers(data_privacy="strict"), kb, today)  # self-hosted candidates: steps and a break-even
    series = series_for(sl, kb)
    assert any(s.kind == "self-host" for s in series)
    svg = cost_chart_svg(series, user_volume=500_000, break_even=2_000_000)
    assert svg.count("<polyline") == len(series)
    assert ">you</text>" in svg and ">break-even</text>" in svg
    assert "your volume: 500,000 requests a month" in svg
    # without the hosting assumptions the self-hosted lines are left out, never guessed
    assert all(s.kind == "api" for s in series_for(sl, None))
    # an off-chart volume is said to be so
    assert "(off the chart)" in cost_chart_svg(series, user_volume=10**9, break_even=None)
    # the Markdown table gives the same figures: API cost is per request × volume (VOLUMES[3] = 1M)
    hosted = shortlist(answers(), kb, today)
    api = next(c for c in hosted.candidates if c.option.deployment == "hosted")
    assert dict(cost_points(series_for(hosted, kb)))[api.option.label][3] == api.costs.per_request * 1_000_000


def test_quality_and_latency_charts(kb, answers, today):
    svg = quality_chart_svg([(HOSTILE, 0.5, 0.2, 0.8, Decimal("0.01")), ("unpriced", 1.0, 0.7, 1.0, None)], floor=0.9)
    assert HOSTILE not in svg and "&lt;b&gt;x&lt;/b&gt;" in svg
    assert svg.count("<circle") == 1 and "cost per success unknown, not drawn" in svg
    assert "your floor 90%" in svg
    assert quality_chart_svg([("a", 1.0, 0.7, 1.0, None)]) == ""  # nothing priced: no empty chart
    lat = latency_chart_svg([("a", 400.0, 900.0), ("b", 200.0, None)])
    assert lat.count("<rect") == 3 and "p50 400 ms, p95 900 ms" in lat and "p95 –" in lat


def test_html_report_with_a_bake_off_leads_with_the_decision_has_three_charts_and_reflows(kb, answers, today):
    sl = shortlist(answers(), kb, today)
    page = render_html(sl, _report(sl), kb)
    assert "<script" not in page and not re.search(r"(src|href)=[\"']?https?:", page)
    assert page.count("<svg") == 3
    assert page.index('id="decision"') < page.index("Shortlist before the bake-off") < page.index('id="evidence"') \
        < page.index("<h2>Your answers</h2>")
    assert HOSTILE not in page
    assert "@media (max-width: 640px)" in page and "table.reflow td[data-label]::before" in page
    # every reflowing table names each of its cells' columns
    for table in re.findall(r"<table class=\"?reflow.*?</table>", page, flags=re.S):
        tds = re.findall(r"<td[^>]*>", table)
        assert tds and all("data-label=" in td or "colspan" in td for td in tds)
    assert "below your floor" in page


def test_markdown_report_gives_the_chart_figures_as_tables(kb, answers, today):
    sl = shortlist(answers(), kb, today)
    md = render_markdown(sl, _report(sl), kb)
    assert "### Monthly cost against volume (requests a month)" in md
    assert "| Model | 1K | 10K | 100K | 1M | 10M | 100M |" in md
    assert md.index("## Decision") < md.index("## Shortlist before the bake-off") < md.index("## Live eval") \
        < md.index("## Your answers")
    assert "_Rule: a model moves up only" in md
