"""``advisor evidence list|show|forget``: the bake-offs kept as evidence.

    advisor evidence list                 one line per kept bake-off, newest first
    advisor evidence show ID [--json]     its per-model figures (the file as kept, with --json)
    advisor evidence forget ID [ID ...]   delete them ("all" forgets every one)

Kept evidence lives in the user data folder (``advisor.evidence_store``) and is
never sent anywhere. ``advisor --answers`` and the app read it unless given
``--no-evidence``; ``advisor eval --no-evidence`` runs without keeping its result.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date

from advisor.cli.common import ArgParser, parse_args, run_guarded
from advisor.errors import InputError, Location, Problem, display_path

__all__ = ["main", "load_evidence"]


def build_parser() -> argparse.ArgumentParser:
    p = ArgParser(prog="advisor evidence", description="Manage the bake-offs kept as evidence for later advice.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=ArgParser)
    sub.add_parser("list", help="one line per kept bake-off, newest first")
    show = sub.add_parser("show", help="the per-model figures of one kept bake-off")
    show.add_argument("id")
    show.add_argument("--json", action="store_true", help="print the file as kept")
    forget = sub.add_parser("forget", help="delete kept bake-offs ('all' forgets every one)")
    forget.add_argument("ids", nargs="+")
    return p


def load_evidence(kb, today: date | None = None, use: bool = True):
    """(knowledge with the kept claims applied, kept bake-offs); unreadable files are
    reported on stderr, one line each, and skipped."""
    from advisor.userdirs import has_kept_evidence

    if not use or not has_kept_evidence():  # nothing kept: the store need not load
        return kb, []
    from advisor.evidence_store import knowledge_with_kept

    kb, kept, problems = knowledge_with_kept(kb, use)
    for line in problems:
        print(f"advisor: {line}", file=sys.stderr)
    return kb, kept


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _ms(v: float | None) -> str:
    return "–" if v is None else f"{v:,.0f} ms"


def main(argv: list[str] | None = None) -> int:
    return run_guarded(lambda: _run(sys.argv[1:] if argv is None else argv))


def _run(argv: list[str]) -> int:
    from advisor.core.costs import format_usd
    from advisor.evidence_store import evidence_dir, forget, load_kept

    args = parse_args(build_parser(), argv)
    out = sys.stdout
    kept, problems = load_kept()
    for line in problems:
        print(f"advisor: {line}", file=sys.stderr)
    if args.command == "list":
        if not kept:
            out.write(f"No kept bake-offs in {display_path(evidence_dir())}.\n")
            return 0
        for k in kept:
            models = ", ".join(f"{m.label} {m.passes}/{m.n}" for m in k.models)
            out.write(f"{k.id}  {k.date}  {k.n_cases} cases from {k.cases_file} "
                      f"(fingerprint {k.cases_fingerprint}): {models}\n")
        return 0
    if args.command == "show":
        k = next((k for k in kept if k.id == args.id), None)
        if k is None:
            from advisor.core.yamlsrc import did_you_mean

            raise InputError([Problem(f"no kept bake-off {args.id!r}{did_you_mean(args.id, [x.id for x in kept])}",
                                      Location("advisor evidence show"))])
        if args.json:
            out.write(json.dumps(k.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
            return 0
        out.write(f"{k.id}: {k.n_cases} cases from {k.cases_file}, kept {k.kept_at}\n")
        out.write(f"case set fingerprint {k.cases_fingerprint}; checks: {', '.join(k.check_types) or 'none'}; "
                  f"tests: {', '.join(k.dimensions) or 'no rated dimension'}\n")
        if k.settings:
            out.write("request settings: " + ", ".join(f"{a} {b}" for a, b in k.settings.items()) + "\n")
        for m in k.models:
            out.write(f"\n{m.label} ({m.model_key}, version {m.version or 'unknown'})\n")
            out.write(f"  passed {m.passes}/{m.n} ({_pct(m.pass_rate)}, 95% CI {_pct(m.pass_low)}–{_pct(m.pass_high)})"
                      f"; cited as: {k.source(m)}\n")
            for name, c in m.checks.items():
                out.write(f"  {name}: {c.passes}/{c.n} (95% CI {_pct(c.pass_low)}–{_pct(c.pass_high)})\n")
            out.write(f"  TTFT p50 {_ms(m.ttft_p50_ms)}, p95 {_ms(m.ttft_p95_ms)}; latency p50 {_ms(m.latency_p50_ms)}, "
                      f"p95 {_ms(m.latency_p95_ms)}; tokens/s "
                      f"{'–' if m.tokens_per_s is None else f'{m.tokens_per_s:,.0f}'}; cost per success "
                      f"{format_usd(m.cost_per_success_usd)}\n")
        return 0
    removed = forget(args.ids)
    for i in removed:
        out.write(f"forgot {i}\n")
    return 0
