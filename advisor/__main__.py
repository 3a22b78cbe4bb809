"""Command line entry point: argument parsing and dispatch only.

    advisor                              the guided app (on a terminal)
    advisor --answers FILE [--report P]  the shortlist without a screen
    advisor init [FILE]                  a commented answers template
    advisor questions                    the checklist
    advisor eval | catalog | export | route | evidence ...  see `advisor COMMAND --help`

The path without a screen never imports textual, so it starts fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from advisor.cli.common import OneLineParser, run_guarded

SUBCOMMANDS = {
    "init": "advisor.cli.init_cmd",
    "questions": "advisor.cli.questions_cmd",
    "eval": "advisor.cli.eval_cmd",
    "catalog": "advisor.cli.catalog_cmd",
    "export": "advisor.cli.export_cmd",
    "evidence": "advisor.cli.evidence_cmd",
    "route": "advisor.cli.route_cmd",
}


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog="advisor",
        description="Choose the LLM for a production workload from your own constraints.",
        epilog="commands: init, questions, eval, catalog, export, route, evidence (advisor COMMAND --help)",
    )
    p.add_argument("--answers", metavar="FILE", help="answers YAML file ('-' for stdin); prints the shortlist")
    p.add_argument("--report", metavar="PATH", help="also write a report: .md, .html or .json by extension")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text", help="what to print on stdout")
    p.add_argument("--force", action="store_true", help="let --report replace a file advisor did not write")
    p.add_argument("--knowledge", metavar="DIR", action="append", default=[], help="overlay extra knowledge YAML (repeatable)")
    p.add_argument("--sample-prompt", metavar="FILE", help="count avg_input_tokens from a typical prompt with tiktoken")
    p.add_argument("--why-not", metavar="MODEL", action="append", default=[],
                   help="explain why MODEL (a model id, e.g. gpt-5-5) is not the recommendation (repeatable)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="date to judge price age against (default: today)")
    p.add_argument("--tui", action="store_true", help="open the guided app (pre-filled with --answers)")
    p.add_argument("--no-evidence", action="store_true", help="leave out the bake-offs kept as evidence")
    p.add_argument("--plain", action="store_true", help="ask the checklist with plain prompts instead of the app")
    p.add_argument("--version", action="store_true", help="print the version")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] in SUBCOMMANDS:
        import importlib

        from advisor.cli.common import startup_gc

        with startup_gc():
            module = importlib.import_module(SUBCOMMANDS[args_list[0]])
        return int(module.main(args_list[1:]) or 0)
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.version:
        from advisor import __version__

        print(f"advisor {__version__}")
        return 0

    from advisor.cli import shortlist_cmd

    return run_guarded(lambda: shortlist_cmd.run(args))


def entry() -> None:  # pragma: no cover - console script shim
    raise SystemExit(main())


if __name__ == "__main__":
    raise SystemExit(main())
