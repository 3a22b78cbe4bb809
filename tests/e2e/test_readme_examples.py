"""The README's table of examples says what each shipped answers file gives.
Run every example through the engine with the shipped knowledge and check the
table's tree outcome, recommended model and the other roles still hold
(`python tools/readme_examples.py --write` regenerates the table)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent.parent
_spec = importlib.util.spec_from_file_location("readme_examples", REPO / "tools" / "readme_examples.py")
tool = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(tool)  # type: ignore[union-attr]


def _rows() -> list[tuple[str, str, str, str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    rows = [m.groups() for line in text.splitlines() if (m := tool.ROW.match(line.strip()))]
    return [tuple(x.strip() for x in row) for row in rows]  # type: ignore[misc]


def test_the_table_lists_every_example():
    listed = {r[0] for r in _rows()}
    shipped = {p.name for p in (REPO / "examples" / "answers").glob("*.yaml")}
    assert listed == shipped


@pytest.mark.parametrize("row", _rows(), ids=lambda r: r[0])
def test_example_gives_what_the_readme_says(row):
    from advisor.core.knowledge import load_knowledge

    kb = load_knowledge()
    assert tool.row_for(REPO / "examples" / "answers" / row[0], kb) == row
