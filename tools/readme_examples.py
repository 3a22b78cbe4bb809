"""Regenerate the README's examples table from the shipped knowledge.

    python tools/readme_examples.py          # print the table
    python tools/readme_examples.py --write  # rewrite it in README.md

tests/e2e/test_readme_examples.py checks that the table still holds.
"""

from __future__ import annotations

import re
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
TODAY = date(2026, 12, 1)
ROW = re.compile(r"^\| `([^`]+\.yaml)` \| ([^|]+) \| ([^|]+) \| ([^|]*) \|$")


def label(c) -> str:
    o = c.option
    where = "self-hosted" if o.deployment == "self_host" else (o.provider_name or "")
    where = where.replace(" (La Plateforme)", "").replace(" (Gemini API)", "")
    name = re.sub(r" (Instruct|17B-128E|17B-16E)", "", o.model_name)
    return f"{name} ({where})"


def row_for(path: Path, kb) -> tuple[str, str, str, str]:
    from advisor.core.engine import shortlist
    from advisor.core.questions import load_answers

    result = shortlist(load_answers(kb, path), kb, TODAY)
    rec = label(result.candidates[0]) if result.candidates else "none"
    rest = "; ".join(f"{c.role.replace('_', ' ')}: {label(c)}" for c in result.candidates[1:])
    return path.name, result.outcome.label, rec, rest


def table() -> list[str]:
    from advisor.core.knowledge import load_knowledge

    kb = load_knowledge()
    lines = ["| File | Tree outcome | Recommended | Others |", "|---|---|---|---|"]
    for path in sorted((REPO / "examples" / "answers").glob("*.yaml")):
        name, outcome, rec, rest = row_for(path, kb)
        lines.append(f"| `{name}` | {outcome} | {rec} | {rest} |")
    return lines


def main() -> int:
    lines = table()
    if "--write" not in sys.argv:
        print("\n".join(lines))
        return 0
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(text) if line.startswith("| File | Tree outcome |"))
    end = start + 2
    while end < len(text) and ROW.match(text[end].strip()):
        end += 1
    text[start:end] = lines
    readme.write_text("\n".join(text) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
