"""`advisor questions`: the checklist, section by section."""

from __future__ import annotations

import argparse
import sys

from advisor.cli.common import OneLineParser, load_kb, run_guarded


def describe_type(q) -> str:
    if q.choices:
        kind = "one of" if q.type == "choice" else "any of"
        return f"{kind}: {', '.join(q.choice_values)}"
    bounds = []
    if q.min is not None:
        bounds.append(f"{'>' if q.min_exclusive else '>='} {q.min}")
    if q.max is not None:
        bounds.append(f"<= {q.max}")
    text = q.type.replace("_", " ")
    if bounds:
        text += " " + " and ".join(bounds)
    if q.unit:
        text += f" ({q.unit})"
    return text


def default_text(q) -> str:
    if q.required:
        return "required"
    if q.default is None:
        return "default: not given"
    if isinstance(q.default, list):
        return "default: " + (", ".join(map(str, q.default)) or "none")
    if isinstance(q.default, bool):
        return "default: " + ("yes" if q.default else "no")
    return f"default: {q.default}"


def main(argv: list[str]) -> int:
    p = OneLineParser(prog="advisor questions", description="List the production checklist.")
    p.add_argument("--knowledge", metavar="DIR", action="append", default=[])
    args = p.parse_args(argv)

    def run() -> int:
        kb = load_kb(args.knowledge)
        out = sys.stdout
        for section in kb.questions.sections:
            out.write(f"\n{section.title}\n{'=' * len(section.title)}\n")
            for q in kb.questions.questions:
                if q.section != section.id:
                    continue
                out.write(f"\n{q.id}: {q.prompt}\n  {describe_type(q)}; {default_text(q)}\n  {q.help}\n")
        return 0

    return run_guarded(run)
