"""Every report cites the evidence behind a candidate's ratings, escaped, and says
where sources disagree (Markdown, HTML, JSON, Rich console, the TUI detail)."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from rich.console import Console

from advisor.core.evidence import cite
from advisor.core.schema import EvidenceClaim
from advisor.render import fmt
from advisor.render.console import render_console
from advisor.render.html import render_html
from advisor.render.jsonout import render_json
from advisor.render.markdown import render_markdown

HOSTILE = "<script>alert(1)</script> [bold]x[/bold] | *y* \x1b[31mred\x07"


@pytest.fixture(scope="module")
def cited(fixture_kb):
    """The fixture catalogue with one benchmark claim per model (a hostile setting
    in each), so whichever models are shortlisted carry evidence."""
    claims = [
        EvidenceClaim(
            model=m.id, dimension="hallucination_calibration", level="limited", source="Vectara HHEM",
            as_of=date(2026, 3, 10), value=Decimal("14.2"), unit="%", label="grounded hallucination",
            setting=HOSTILE, kind="benchmark",
        )
        for m in fixture_kb.models
    ]
    return fixture_kb.with_claims(claims)


@pytest.fixture(scope="module")
def shortlist(cited):
    from advisor.core.engine import shortlist as make
    from advisor.core.questions import answers_from_mapping

    answers = answers_from_mapping(cited, {"task_type": "extraction", "monthly_requests": 500_000, "output_format": "json"})
    s = make(answers, cited, date(2026, 11, 24))  # the engine attaches each candidate's claims
    assert s.candidates
    return s


def _disputed(s):
    """A candidate whose matrix rating (good/moderate) disagrees with the 'limited' claim."""
    return next((c for c in s.candidates if c.ratings["hallucination_calibration"] not in ("unrated", "limited")), None)


def test_candidates_carry_their_claims(shortlist, cited):
    for c in shortlist.candidates:
        assert any(e.source == "Vectara HHEM" for e in c.evidence)
        assert c.evidence == tuple(e for e in c.evidence)  # ordered tuple, JSON-ready


def test_citations_are_stripped_of_control_characters(shortlist):
    line = next(x for x in fmt.citations(shortlist.candidates[0]) if "Vectara" in x)
    assert "\x1b" not in line and "\x07" not in line
    assert line.startswith("grounded hallucination: limited — Vectara HHEM 14.2% (<script>")
    assert line.endswith(", 2026-03-10")


def test_markdown_cites_escaped(shortlist):
    md = render_markdown(shortlist)
    assert "Evidence:" in md
    assert "grounded hallucination: limited — Vectara HHEM 14.2% (&lt;script&gt;" in md
    assert "<script>" not in md and "\x1b" not in md
    assert "\\[bold\\]" in md and "\\| \\*y\\*" in md


def test_html_cites_escaped(shortlist):
    page = render_html(shortlist)
    assert "<h4>Evidence</h4>" in page
    assert "grounded hallucination: limited — Vectara HHEM 14.2% (&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in page and "\x1b" not in page


def test_json_carries_claims_and_citations(shortlist):
    data = json.loads(render_json(shortlist))
    for c, out in zip(shortlist.candidates, data["shortlist"]["candidates"]):
        assert out["citations"] == fmt.citations(c)
        assert [e["source"] for e in out["evidence"]] == [e.source for e in c.evidence]
        assert out["evidence"][0]["as_of"] in ("2026-03-10", None)


def test_console_cites_with_markup_shown_literally(shortlist):
    console = Console(record=True, width=220, color_system=None)
    render_console(shortlist, console)
    text = console.export_text()
    assert "evidence:" in text
    assert "[bold]x[/bold]" in text  # escaped, so shown, not applied
    assert "\x1b" not in text and "\x07" not in text


def test_tui_detail_cites(shortlist):
    from advisor.tui.screens.detail import detail_text

    c = shortlist.candidates[0]
    plain = detail_text(c, shortlist).plain
    assert "Evidence" in plain and all(line in plain for line in fmt.citations(c))
    assert "\x1b" not in plain


def test_disagreement_shown_in_every_renderer(shortlist):
    c = _disputed(shortlist)
    assert c is not None, "the fixture's shortlist must hold a model rated by both sources (this test's subject)"
    matrix = next(e for e in c.evidence if e.kind == "matrix" and e.dimension == "hallucination_calibration")
    line = fmt.disagreements(c)[0]
    assert line == f"sources disagree on hallucination calibration: limited (Vectara HHEM) vs {matrix.level} (test)"
    assert fmt.md_escape(line) in render_markdown(shortlist)
    assert line in render_html(shortlist)
    assert line in json.dumps(json.loads(render_json(shortlist)), ensure_ascii=False)
    from advisor.tui.screens.detail import detail_text

    assert line in detail_text(c, shortlist).plain
    assert cite(matrix) in detail_text(c, shortlist).plain  # both sources shown
    both = f"limited (Vectara HHEM); {matrix.level} (test)"
    assert fmt.level_with_source(c, "hallucination_calibration") == both
    assert f"Hallucination calibration: {both}" in render_markdown(shortlist)
    assert f"<td>{both}</td>" in render_html(shortlist)


def test_a_rating_names_its_source(shortlist):
    c = shortlist.candidates[0]
    assert fmt.level_with_source(c, "coding") == "unrated"  # no source rates code editing here
    assert "Code editing: unrated" in fmt.ratings_line(c)
    assert fmt.level_with_source(c, "hallucination_calibration").startswith("limited (Vectara HHEM)")


def test_a_benchmark_alone_can_make_a_model_rated_excellent(fixture_kb):
    """The reasons read the evidence, not only the matrix: a model the matrix
    leaves unrated but a benchmark rates excellent says so."""
    from advisor.core.engine import shortlist as make
    from advisor.core.questions import answers_from_mapping

    kb = fixture_kb.with_claims(
        EvidenceClaim(model=m.id, dimension="structured_output", level="excellent", source="a benchmark",
                      as_of=date(2026, 3, 10), kind="benchmark")
        for m in fixture_kb.models
    )
    answers = answers_from_mapping(kb, {"task_type": "extraction", "monthly_requests": 500_000, "output_format": "json"})
    s = make(answers, kb, date(2026, 11, 24))
    unrated_in_matrix = [c for c in s.candidates if c.ratings["structured_output"] == "unrated"]
    assert unrated_in_matrix, "the fixture catalogue should shortlist a model the matrix does not rate"
    for c in unrated_in_matrix:
        assert any(r.startswith("rated excellent or better on:") and "Structured output" in r for r in c.reasons), c.reasons
