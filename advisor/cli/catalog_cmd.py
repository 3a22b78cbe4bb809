"""`advisor catalog ...`: import fresh prices into the user's overlay, and look at them.

    advisor catalog import models-dev|litellm [PATH_OR_URL] [--knowledge DIR] [--dry-run] [--as-of DATE]
    advisor catalog list [--provider P] [--search TEXT] [--format table|json]
    advisor catalog show MODEL [--format table|json]
    advisor catalog diff [--format table|json]
    advisor catalog validate [DIR]

The overlay lives in ``user_knowledge_dir()`` (``$ADVISOR_DATA_DIR/knowledge``)
unless ``--knowledge DIR`` names another folder. Results go to stdout,
problems to stderr (one line each, exit 2).
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from advisor.cli.common import OneLineParser, parse_today, run_guarded
from advisor.core.costs import format_usd
from advisor.core.schema import DIMENSIONS
from advisor.errors import InputError, Location, Problem, display_path


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="advisor catalog", description="Fresh model prices with provenance, kept in a user overlay.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp: argparse.ArgumentParser, fmt: bool = True) -> None:
        sp.add_argument("--knowledge", metavar="DIR", help="the overlay folder (default: the user knowledge folder)")
        sp.add_argument("--today", metavar="YYYY-MM-DD", help="date to judge price age against (default: today)")
        if fmt:
            sp.add_argument("--format", choices=("table", "json"), default="table", help="table (Rich) or json for scripts")

    imp = sub.add_parser("import", help="import models.dev's api.json or LiteLLM's price map into the overlay's "
                                        "models.catalog.yaml (your models.yaml there is never written, and wins)")
    imp.add_argument("source", choices=("models-dev", "litellm"))
    imp.add_argument("where", nargs="?", metavar="PATH_OR_URL", help="a file or URL (default: the public file)")
    imp.add_argument("--dry-run", action="store_true", help="report what would change; write nothing")
    imp.add_argument("--as-of", metavar="YYYY-MM-DD", help="the day the file was downloaded (default: a YYYY-MM-DD in the file name; for a URL, today)")
    common(imp)

    ls = sub.add_parser("list", help="models and their prices (built-in + overlay)")
    ls.add_argument("--provider", metavar="P", help="only endpoints of this provider")
    ls.add_argument("--search", metavar="TEXT", help="only models whose id, name or API id contains TEXT")
    common(ls)

    show = sub.add_parser("show", help="one model: facts, endpoints, prices, provenance, conflicts")
    show.add_argument("model", metavar="MODEL")
    common(show)

    diff = sub.add_parser("diff", help="the overlay against the built-in knowledge")
    common(diff)

    val = sub.add_parser("validate", help="validate the built-in knowledge with an overlay folder")
    val.add_argument("dir", nargs="?", metavar="DIR", help="overlay folder (default: --knowledge or the user knowledge folder)")
    common(val, fmt=False)
    return p


# --------------------------------------------------------------------------- helpers

def _overlay_dir(arg: str | None) -> Path:
    from advisor.cli.common import user_knowledge_dir

    return Path(arg) if arg else user_knowledge_dir()


def _kb(arg: str | None):
    from advisor.core.knowledge import load_knowledge

    d = _overlay_dir(arg)
    if arg is None and not d.is_dir():
        return load_knowledge()
    return load_knowledge([d])


def _date(text: str | None, flag: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError([Problem(f"not a date (YYYY-MM-DD): {text!r}", Location("command line", None, flag))]) from None


def _num(d: Decimal | None) -> str | None:
    return None if d is None else format(d.normalize(), "f")


def _money(d: Decimal | None) -> str:
    return format_usd(d)


def _console():
    from advisor.render.console import cli_console

    return cli_console(file=sys.stdout, soft_wrap=False)


def _age(as_of: date, today: date) -> int:
    return (today - as_of).days


def _endpoint_row(model, ep, today: date, max_age: int) -> dict[str, Any]:
    p = ep.price
    age = _age(p.as_of, today)
    dep = ep.deprecated or model.deprecated
    # an import that saw a deprecation without a date records only the catalogue's date
    dep_by = ep.deprecated is not None and not ep.deprecated_date_known
    return {
        "model": model.id,
        "name": model.name,
        "provider": ep.provider,
        "api_model_id": ep.model_id,
        "input_per_m": _num(p.input),
        "output_per_m": _num(p.output),
        "cached_input_per_m": _num(p.cached_input),
        "batch_input_per_m": _num(p.batch_input),
        "batch_output_per_m": _num(p.batch_output),
        "context_window": ep.context_window or model.context_window,
        "as_of": p.as_of.isoformat(),
        "source": p.source,
        "note": p.note,
        "age_days": age,
        "stale": age > max_age,
        "deprecated": dep.isoformat() if dep else None,
        "deprecated_date_known": None if dep is None else not dep_by,
        "endpoint_notes": ep.notes,
        "conflicts": [
            {
                "input_per_m": _num(c.input),
                "output_per_m": _num(c.output),
                "context_window": c.context_window,
                "source": c.source,
                "as_of": c.as_of.isoformat(),
            }
            for c in p.conflicts
        ],
    }


def _flags(row: dict[str, Any]) -> str:
    flags = []
    if row["stale"]:
        flags.append(f"stale ({row['age_days']} d)")
    if row["conflicts"]:
        flags.append("conflict")
    if row["deprecated"]:
        if row["deprecated_date_known"]:
            flags.append(f"deprecated {row['deprecated']}")
        else:
            flags.append(f"deprecated by {row['deprecated']} (no retirement date given)")
    return ", ".join(flags)


def _price_table(rows: list[dict[str, Any]], title: str):
    from rich.markup import escape
    from rich.table import Table

    t = Table(title=escape(title), show_lines=False)
    for col in ("Model", "Provider", "API id", "In $/1M", "Out $/1M", "Context", "As of", "Source", "Flags"):
        t.add_column(col, overflow="fold")
    for r in rows:
        t.add_row(
            escape(r["model"]),
            escape(r["provider"]),
            escape(r["api_model_id"]),
            escape(_money(Decimal(r["input_per_m"])) if r["input_per_m"] is not None else "unknown"),
            escape(_money(Decimal(r["output_per_m"])) if r["output_per_m"] is not None else "unknown"),
            f"{r['context_window']:,}",
            r["as_of"],
            escape(r["source"]),
            escape(_flags(r)),
        )
    return t


# --------------------------------------------------------------------------- commands

def cmd_import(args: argparse.Namespace) -> int:
    from advisor.catalog.overlay import import_catalog
    from advisor.core.knowledge import load_knowledge

    today = parse_today(args.today)
    as_of = _date(args.as_of, "--as-of")
    directory = _overlay_dir(args.knowledge)
    if directory.exists() and not directory.is_dir():
        raise InputError([Problem("is not a directory (--knowledge takes a folder)", Location(display_path(directory)))])
    report, target = import_catalog(
        args.source, args.where, directory, builtin_kb=load_knowledge(), today=today, as_of=as_of, dry_run=args.dry_run
    )
    data = report.as_dict() | {"overlay": display_path(target), "written": not args.dry_run}
    if args.format == "json":
        print(json.dumps(data, indent=2))
        return 0
    from rich.markup import escape

    con = _console()
    verb = "would write" if args.dry_run else "wrote"
    con.print(f"{verb} {escape(display_path(target))}")
    con.print(f"source: {escape(report.source)}, as of {report.as_of.isoformat()}; {report.total:,} entries read")
    con.print(
        f"new models: {report.new_models:,}; endpoints added to built-in models: {report.new_endpoints:,}; "
        f"more endpoints for imported models: {report.new_imported_endpoints:,}; "
        f"endpoints updated: {report.updated_endpoints:,}; price conflicts kept: {report.conflicts:,}"
    )
    if report.new_providers:
        con.print(f"new providers: {len(report.new_providers)} ({escape(', '.join(report.new_providers[:12]))}{', ...' if len(report.new_providers) > 12 else ''})")
    for reason, n in sorted(report.skipped.items(), key=lambda kv: (-kv[1], kv[0])):
        con.print(f"skipped {n:,}: {escape(reason)}")
    for note in report.notes:
        con.print(f"note: {escape(note)}")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    kb = _kb(args.knowledge)
    today = parse_today(args.today)
    max_age = kb.hosting.price_max_age_days
    needle = (args.search or "").lower()
    rows = []
    for m in sorted(kb.models, key=lambda m: m.id):
        for ep in sorted(m.endpoints, key=lambda e: e.provider):
            if args.provider and ep.provider != args.provider:
                continue
            if needle and needle not in m.id.lower() and needle not in m.name.lower() and needle not in ep.model_id.lower():
                continue
            rows.append(_endpoint_row(m, ep, today, max_age))
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    con = _console()
    con.print(_price_table(rows, f"{len(rows):,} endpoints (prices older than {max_age} days are flagged stale)"))
    return 0


def _find_model(kb, name: str):
    from advisor.core.yamlsrc import did_you_mean

    m = kb.model_by_id.get(name)
    if m is not None:
        return m
    for model in kb.models:  # an API id works too
        if any(ep.model_id == name for ep in model.endpoints):
            return model
    raise InputError([Problem(f"unknown model '{name}'{did_you_mean(name, kb.model_by_id)}", Location("command line", None, "MODEL"))])


def cmd_show(args: argparse.Namespace) -> int:
    kb = _kb(args.knowledge)
    today = parse_today(args.today)
    m = _find_model(kb, args.model)
    max_age = kb.hosting.price_max_age_days
    rows = [_endpoint_row(m, ep, today, max_age) for ep in sorted(m.endpoints, key=lambda e: e.provider)]
    facts = {
        "id": m.id,
        "name": m.name,
        "family": m.family,
        "vendor": m.vendor,
        "tier": m.tier,
        "context_window": m.context_window,
        "max_output": m.max_output,
        "open_weights": m.open_weights,
        "structured_output": m.structured_output,
        "tool_calling": m.tool_calling,
        "vision": m.vision,
        "reasoning": m.thinks,
        "released": m.released.isoformat() if m.released else None,
        "deprecated": m.deprecated.isoformat() if m.deprecated else None,
        "ratings": {d: m.ratings.level(d) for d in DIMENSIONS},
        "notes": m.notes,
        "endpoints": rows,
    }
    if args.format == "json":
        print(json.dumps(facts, indent=2))
        return 0
    from rich.markup import escape
    from rich.table import Table

    con = _console()
    t = Table(title=escape(f"{m.name} ({m.id})"), show_header=False)
    t.add_column("field")
    t.add_column("value", overflow="fold")
    for k, v in facts.items():
        if k in ("endpoints",):
            continue
        if k == "ratings":
            v = ", ".join(f"{d}={lvl}" for d, lvl in v.items())
        t.add_row(k, escape("unknown" if v is None else str(v)))
    con.print(t)
    con.print(_price_table(rows, "endpoints"))
    for r in rows:
        if r["endpoint_notes"]:
            con.print(f"{escape(r['provider'])}: {escape(r['endpoint_notes'])}")
        if r["note"]:
            con.print(f"{escape(r['provider'])}: price: {escape(r['note'])}")
        for c in r["conflicts"]:
            con.print(
                f"{escape(r['provider'])}: conflict: {escape(c['source'])} (as of {c['as_of']}) says "
                f"in {escape(_money(Decimal(c['input_per_m'])) if c['input_per_m'] else 'unknown')} / "
                f"out {escape(_money(Decimal(c['output_per_m'])) if c['output_per_m'] else 'unknown')}"
                + (f", context {c['context_window']:,}" if c["context_window"] else "")
            )
    return 0


def _pct(old: Decimal | None, new: Decimal | None) -> str | None:
    if old is None or new is None:
        return None
    if old == 0:
        return None if new == 0 else "+inf%"
    return f"{(new - old) / old * 100:+.1f}%"


def diff_data(builtin, merged) -> dict[str, Any]:
    new_models = [m.id for m in merged.models if m.id not in builtin.model_by_id]
    # the same things `catalog import` counts (summed over every import into this overlay)
    new_model_endpoints = sum(len(m.endpoints) for m in merged.models if m.id not in builtin.model_by_id)
    changed, added_eps, conflicts = [], [], []
    for m in merged.models:
        b = builtin.model_by_id.get(m.id)
        bep = {e.provider: e for e in b.endpoints} if b else {}
        for ep in m.endpoints:
            old = bep.get(ep.provider)
            if b is not None and old is None:
                added_eps.append({"model": m.id, "provider": ep.provider, "api_model_id": ep.model_id, "input_per_m": _num(ep.price.input), "output_per_m": _num(ep.price.output)})
            elif old is not None and (old.price.input != ep.price.input or old.price.output != ep.price.output):
                changed.append(
                    {
                        "model": m.id,
                        "provider": ep.provider,
                        "input_before": _num(old.price.input),
                        "input_after": _num(ep.price.input),
                        "input_change": _pct(old.price.input, ep.price.input),
                        "output_before": _num(old.price.output),
                        "output_after": _num(ep.price.output),
                        "output_change": _pct(old.price.output, ep.price.output),
                        "source_before": old.price.source,
                        "source_after": ep.price.source,
                    }
                )
            if ep.price.conflicts:
                conflicts.append(
                    {
                        "model": m.id,
                        "provider": ep.provider,
                        "input_per_m": _num(ep.price.input),
                        "output_per_m": _num(ep.price.output),
                        "context_window": ep.context_window or m.context_window,
                        "source": ep.price.source,
                        "others": [
                            {"input_per_m": _num(c.input), "output_per_m": _num(c.output), "context_window": c.context_window, "source": c.source, "as_of": c.as_of.isoformat()}
                            for c in ep.price.conflicts
                        ],
                    }
                )
    return {
        "new_models": new_models,
        "new_model_endpoints": new_model_endpoints,
        "new_endpoints": added_eps,
        "changed_prices": changed,
        "conflicts": conflicts,
    }


def cmd_diff(args: argparse.Namespace) -> int:
    from advisor.core.knowledge import load_knowledge

    builtin = load_knowledge()
    merged = _kb(args.knowledge)
    data = diff_data(builtin, merged)
    if args.format == "json":
        print(json.dumps(data, indent=2))
        return 0
    from rich.markup import escape
    from rich.table import Table

    con = _console()
    more = data["new_model_endpoints"] - len(data["new_models"])
    con.print(f"new models: {len(data['new_models']):,}; endpoints added to built-in models: {len(data['new_endpoints']):,}; "
              f"more endpoints for imported models: {more:,}; "
              f"changed prices: {len(data['changed_prices']):,}; conflicts: {len(data['conflicts']):,}")
    if data["changed_prices"]:
        t = Table(title="changed prices (USD per 1M tokens)")
        for col in ("Model", "Provider", "Input", "Output", "Source now"):
            t.add_column(col, overflow="fold")
        for c in data["changed_prices"]:
            t.add_row(
                escape(c["model"]), escape(c["provider"]),
                escape(f"{c['input_before'] or 'unknown'} -> {c['input_after'] or 'unknown'}" + (f" ({c['input_change']})" if c["input_change"] else "")),
                escape(f"{c['output_before'] or 'unknown'} -> {c['output_after'] or 'unknown'}" + (f" ({c['output_change']})" if c["output_change"] else "")),
                escape(c["source_after"]),
            )
        con.print(t)
    if data["conflicts"]:
        t = Table(title="sources that disagree")
        for col in ("Model", "Provider", "Kept (in/out, context)", "Other source says"):
            t.add_column(col, overflow="fold")
        for c in data["conflicts"]:
            others = "; ".join(f"{o['source']} ({o['as_of']}): {o['input_per_m'] or '?'} / {o['output_per_m'] or '?'}" + (f", ctx {o['context_window']:,}" if o["context_window"] else "") for o in c["others"])
            t.add_row(escape(c["model"]), escape(c["provider"]), escape(f"{c['input_per_m'] or '?'} / {c['output_per_m'] or '?'}, ctx {c['context_window']:,} ({c['source']})"), escape(others))
        con.print(t)
    if data["new_models"]:
        shown = ", ".join(data["new_models"][:30])
        con.print(f"new models: {escape(shown)}{' ...' if len(data['new_models']) > 30 else ''}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from advisor.core.knowledge import load_knowledge

    target = args.dir or args.knowledge
    d = _overlay_dir(target)
    if target is None and not d.is_dir():
        kb = load_knowledge()
        where = "built-in knowledge (no user overlay)"
    else:
        kb = load_knowledge([d])
        where = f"built-in knowledge + {display_path(d)}"
    print(f"ok: {where}: {len(kb.models):,} models, {len(kb.providers):,} providers, "
          f"{sum(len(m.endpoints) for m in kb.models):,} endpoints")
    return 0


COMMANDS = {"import": cmd_import, "list": cmd_list, "show": cmd_show, "diff": cmd_diff, "validate": cmd_validate}


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed usage
        return int(exc.code or 0)
    return run_guarded(lambda: COMMANDS[args.command](args))
