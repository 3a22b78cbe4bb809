"""The shortlist table in a terminal: readable at 80 columns, and inherited ratings marked."""

from __future__ import annotations

from datetime import date

import pytest
from rich.console import Console

from advisor.core.engine import shortlist
from advisor.core.knowledge import load_knowledge
from advisor.core.questions import load_answers
from advisor.render import fmt
from advisor.render.console import shortlist_table

ANSWERS = "examples/answers/support-bot.yaml"


@pytest.fixture(scope="module")
def result():
    kb = load_knowledge([])
    return shortlist(load_answers(kb, ANSWERS), kb, date(2026, 12, 1))


def _table_text(s, width):
    console = Console(width=width, record=True, color_system=None)
    console.print(shortlist_table(s, width=width))
    return console.export_text()


def test_at_80_columns_a_model_name_and_its_notes_stay_readable(result):
    # (the old table folded 'reasoning_effort: none' into 13-column slivers)
    text = _table_text(result, 80)
    assert max(len(line) for line in text.splitlines()) <= 80
    for c in result.candidates:
        assert c.option.model_name in text  # the name on one line, never split
        for note in fmt.model_notes(c):
            assert "(" not in note  # the short mode name; the control and value are in the detail
    assert "reasoning_effort" not in text
    assert "Where" not in text and "Model · where" in text  # where goes under the name


def test_wide_tables_keep_their_where_column_and_mark_inherited_ratings(result):
    text = _table_text(result, 130)
    assert "Where" in text
    inherited = [c for c in result.candidates if any(e.inherited_from for e in c.evidence)]
    assert inherited, "the example has a candidate with inherited evidence (GPT-5.1: code editing of GPT-5)"
    for c in inherited:
        assert "(inherited)" in fmt.key_ratings(c, limit=10)
    for c in result.candidates:
        if not any(e.inherited_from for e in c.evidence):
            assert "(inherited)" not in fmt.key_ratings(c, limit=10)


def test_the_terminal_groups_eliminated_models_by_reason(result):
    # (a terminal showed 63 rows for support-bot; the reports keep one per model)
    from advisor.render.console import eliminated_groups

    groups = eliminated_groups(result)
    assert sum(len(names) for _, _, names in groups) == len(result.eliminated)
    assert len(groups) < len(result.eliminated) / 3
    retired = [names for rule, why, names in groups if rule == "deprecated"]
    assert len(retired) == 1 and len(retired[0]) >= 10  # one row whatever their dates
    sizes = [len(names) for _, _, names in groups]
    assert sizes == sorted(sizes, reverse=True)
    text = _eliminated_text(result)
    assert f"Eliminated models ({len(result.eliminated)})" in text and "and " in text and "more" in text


def _eliminated_text(s):
    from advisor.render.console import eliminated_table

    console = Console(width=100, record=True, color_system=None)
    console.print(eliminated_table(s))
    return console.export_text()
