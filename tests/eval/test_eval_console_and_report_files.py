"""``advisor eval``'s console summary at any width, money in the eval reports,
and ``--report`` never replacing a file advisor did not write."""

import io
import json
from decimal import Decimal

import pytest
from rich.console import Console

from advisor.cli.eval_cmd import _print_summary, main
from advisor.eval.report import EvalReport, render_eval_json
from advisor.render.eval_html import render_eval_html_section
from advisor.render.eval_markdown import render_eval_markdown
from advisor.eval.rerank import monthly_projection, rerank
from advisor.eval.stats import ModelStats, wilson_interval
from advisor.eval.target import Target
from advisor.fileio import REPORT_MARKERS

from test_eval_cmd import KEY, write_cases, write_targets


def _stats(key, label, passes, n, cps, unreliable=True):
    lo, hi = wilson_interval(passes, n)
    return ModelStats(
        model_key=key, label=label, n=n, answered=n, passes=passes, pass_rate=passes / n, pass_low=lo, pass_high=hi,
        mean_score=passes / n, latency_p50_ms=3012.4, latency_p95_ms=12345.6, ttft_p50_ms=1234.5,
        p95_unreliable=unreliable, tokens_per_s=1234.0,
        total_cost_usd=None if cps is None else Decimal(cps) * passes,
        cost_per_success_usd=None if cps is None else Decimal(cps),
        json_cases=10, json_valid=9, schema_cases=10, schema_valid=10,
        errors_by_kind={"timeout": 2, "rate_limited": 11},
    )


def _report(spent="0.004"):
    models = [
        _stats("a", "Claude Sonnet 4.5 (Anthropic API)", 97, 100, "0.000123"),
        _stats("b", "GPT-4o mini", 3, 100, None),
        _stats("c", "Llama 3.3 70B on Groq", 0, 100, "0.1", unreliable=False),
    ]
    return EvalReport(
        generated_at="2026-11-24T00:00:00+00:00", cases_file="cases.yaml", n_cases=100, repeat=1, models=models,
        rerank=rerank(["a", "b", "c"], {m.model_key: m for m in models}), spent_usd=Decimal(spent),
    )


def _render(width):
    buf = io.StringIO()
    _print_summary(Console(width=width, file=buf, highlight=False), _report())
    return buf.getvalue()


@pytest.mark.parametrize("width", [60, 80, 100, 120, 160])
def test_console_summary_is_readable_at_any_width(width):
    text = _render(width)
    assert "…" not in text
    assert all(len(line) <= width for line in text.splitlines())
    for figure in ("97/100 (97%)", "3/100 (3%)", "0/100 (0%)", "3,012 ms", "12,346 ms*",
                   "$0.000123", "unknown", "no successes", "92%–99%", "1,234 ms", "9/10", "10/10",
                   "Spent $0.004."):
        assert figure in text, (width, figure)
    assert "fewer than 20 samples" in text
    # every model name is there in full, even where its column wraps
    flat = " ".join(text.replace("│", " ").replace("┃", " ").split())
    assert "GPT-4o mini" in flat and "Llama 3.3" in flat


def test_console_summary_at_80_columns_is_two_tables_with_numbers_on_one_line():
    text = _render(80)
    assert "Live eval: details" in text
    rows = [line for line in text.splitlines() if "$0.000123" in line and line.startswith("│")]
    assert len(rows) == 1 and "97/100 (97%)" in rows[0] and "3,012 ms" in rows[0] and "12,346 ms*" in rows[0]


def test_console_summary_when_wide_is_one_table():
    text = _render(160)
    assert "details" not in text
    row = next(line for line in text.splitlines() if "$0.000123" in line)
    for figure in ("97/100 (97%)", "92%–99%", "1,234 ms", "3,012 ms", "12,346 ms*", "9/10", "10/10"):
        assert figure in row


def test_money_in_the_eval_reports_goes_through_format_usd():
    r = _report("0.004")
    assert "Spent $0.004." in render_eval_markdown(r)
    assert "Spent $0.004." in render_eval_html_section(r)
    capped = r.model_copy(update={"max_spend_usd": Decimal("0.0105")})
    assert "Spent $0.004 of a $0.0105 cap." in render_eval_markdown(capped)


def test_a_small_monthly_projection_is_not_rounded_to_zero():
    t = Target("A", "a", "openai", "http://x", "m", None, Decimal("0.15"), Decimal("0.60"))
    s = _stats("a", "A", 1, 1, "0").model_copy(update={"mean_input_tokens": 10.0, "mean_output_tokens": 2.0})
    # (10 * 0.15 + 2 * 0.60) / 1e6 = $0.0000027 per request; × 1,000 = $0.0027 a month
    assert monthly_projection(s, t, 1000) == Decimal("0.0027")
    rr = rerank(["a"], {"a": s}, {"a": t}, 1000)
    r = _report().model_copy(update={"rerank": rr})
    # the decision table's "Per month at measured tokens" column
    assert "| $0.0027 |" in render_eval_markdown(r, marker=True)


def test_eval_report_renderers_carry_the_advisor_marker():
    md = render_eval_markdown(_report(), marker=True).splitlines()
    assert md[0] == "# Bake-off" and md[1] == REPORT_MARKERS[0] and md[3] == "## Decision"
    assert REPORT_MARKERS[0] not in render_eval_markdown(_report())  # embedded in the main report: no marker
    data = render_eval_json(_report())
    assert REPORT_MARKERS[1] in data and next(iter(json.loads(data))) == "generator"


def _run_args(tmp_path, fake, report, *extra):
    return ["--cases", str(write_cases(tmp_path)), "--target-file", str(write_targets(tmp_path, fake)),
            "--results", str(tmp_path / f"r-{len(list(tmp_path.glob('r-*')))}.jsonl"), "--report", str(report), *extra]


@pytest.mark.parametrize("ext", ["md", "html", "json"])
def test_report_replaces_its_own_report_but_not_a_foreign_file(fake, tmp_path, monkeypatch, capsys, ext):
    monkeypatch.setenv("CANARY_KEY", KEY)
    monkeypatch.chdir(tmp_path)
    report = tmp_path / f"out.{ext}"
    report.write_text("my notes\n")
    n = fake.count()
    assert main(_run_args(tmp_path, fake, report)) == 2
    err = capsys.readouterr().err.strip()
    assert err == (f"advisor: out.{ext}: already exists and is not a report advisor wrote; "
                   "not overwriting it (pass --force to replace it)")
    assert report.read_text() == "my notes\n" and fake.count() == n  # untouched, nothing called
    assert main(_run_args(tmp_path, fake, report, "--force")) == 0
    first = report.read_text()
    assert first != "my notes\n" and any(m in first for m in REPORT_MARKERS)
    report.write_text(first.replace("Live eval", "Old eval"))
    assert main(_run_args(tmp_path, fake, report)) == 0  # advisor's own report: replaced without --force
    assert "Old eval" not in report.read_text()
    assert "wrote out." in capsys.readouterr().err
    if ext == "html":
        assert "<meta name=generator content=advisor>" in first.split("</head>")[0]
    if ext == "json":
        assert next(iter(json.loads(first))) == "generator"
