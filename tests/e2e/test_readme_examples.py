"""The README's table of examples says what each shipped answers file gives.
Run every example through the engine with the shipped knowledge and check the
table's tree outcome, recommended model and the other roles still hold."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
ROW = re.compile(r"^\| `([^`]+\.yaml)` \| ([^|]+) \| ([^|]+) \| ([^|]*) \|$")


def _label(c) -> str:
    o = c.option
    where = "self-hosted" if o.deployment == "self_host" else (o.provider_name or "")
    where = where.replace(" (La Plateforme)", "").replace(" (Gemini API)", "")
    name = re.sub(r" (Instruct|17B-128E|17B-16E)", "", o.model_name)
    return f"{name} ({where})"


def _rows() -> list[tuple[str, str, str, str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    rows = [m.groups() for line in text.splitlines() if (m := ROW.match(line.strip()))]
    return [tuple(x.strip() for x in row) for row in rows]  # type: ignore[misc]


def test_the_table_lists_every_example():
    listed = {r[0] for r in _rows()}
    shipped = {p.name for p in (REPO / "examples" / "answers").glob("*.yaml")}
    assert listed == shipped


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r[0])
def test_example_gives_what_the_readme_says(row):
    from advisor.core.engine import shortlist
    from advisor.core.knowledge import load_knowledge
    from advisor.core.questions import load_answers

    name, outcome, recommended, others = row
    kb = load_knowledge()
    result = shortlist(load_answers(kb, REPO / "examples" / "answers" / name), kb, date(2026, 11, 24))
    assert result.outcome.label == outcome
    assert _label(result.candidates[0]) == recommended
    rest = "; ".join(f"{c.role.replace('_', ' ')}: {_label(c)}" for c in result.candidates[1:])
    assert rest == others
