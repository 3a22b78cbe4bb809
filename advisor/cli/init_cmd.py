"""`advisor init [FILE]`: a commented answers template, generated from questions.yaml."""

from __future__ import annotations

import argparse
import sys
import textwrap

import yaml

from advisor.cli.common import OneLineParser, load_kb, run_guarded
from advisor.fileio import refuse_overwrite
from advisor.cli.questions_cmd import describe_type


def _value(q) -> str:
    value = q.example if q.required else q.default
    if isinstance(value, list):
        value = list(value)
    text = yaml.safe_dump(value, default_flow_style=True, width=1000).strip()
    if text.endswith("\n..."):
        text = text[: -len("\n...")]
    return text.replace("\n...", "")


def template(kb) -> str:
    lines = [
        "# advisor answers. Fill in, then run: advisor --answers THIS_FILE",
        "# Every key is a question from the checklist (`advisor questions`).",
        "# Required answers have an example value; change it. The rest show their default.",
    ]
    for section in kb.questions.sections:
        lines += ["", f"# {'-' * 70}", f"# {section.title}" + (f": {section.help}" if section.help else ""), ""]
        for q in kb.questions.questions:
            if q.section != section.id:
                continue
            lines.append(f"# {q.prompt}" + ("  (required)" if q.required else ""))
            for chunk in textwrap.wrap(q.help, 76):
                lines.append(f"#   {chunk}")
            lines.append(f"#   {describe_type(q)}")
            lines.append(f"{q.id}: {_value(q)}")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    p = OneLineParser(prog="advisor init", description="Write a commented answers template.")
    p.add_argument("file", nargs="?", default="answers.yaml", help="where to write it ('-' for stdout; default answers.yaml)")
    p.add_argument("--force", action="store_true", help="replace the file if it exists")
    p.add_argument("--knowledge", metavar="DIR", action="append", default=[])
    args = p.parse_args(argv)

    def run() -> int:
        kb = load_kb(args.knowledge)
        text = template(kb)
        if args.file == "-":
            sys.stdout.write(text)
            return 0
        refuse_overwrite(args.file, args.force)
        from advisor.fileio import atomic_write

        atomic_write(args.file, text)
        print(f"advisor: wrote {args.file}; fill it in, then run: advisor --answers {args.file}", file=sys.stderr)
        return 0

    return run_guarded(run)
