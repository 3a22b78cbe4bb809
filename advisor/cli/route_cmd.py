"""``advisor route``: a routing plan from a bake-off's results.

    advisor route --answers A.yaml --cases CASES --results RUN.jsonl [--target-file FILE]
                  [--floor RATE] [--recommended MODEL_KEY] [--classifier MODEL_KEY] [--format text|markdown|json]
                  [--report out.{md,html,json}] [--litellm PATH] [--plain PATH] [--force]

The cases give each case's category (their ``category`` or the file's rule); the
answers give the volume, token mix, quality floor and each category's share of
traffic (``category_shares``; default the cases' proportions). The targets are
the answers' shortlist (or ``--target-file``, as for ``advisor eval``). The plan
goes to stdout; ``--litellm`` and ``--plain`` write the router configs.
"""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path

from advisor.cli.common import ArgParser, knowledge_dirs, parse_args, parse_today, run_guarded, say
from advisor.errors import InputError, Location, Problem, display_path
from advisor.fileio import atomic_write, check_report_target, refuse_overwrite
from advisor.render.report import format_for

__all__ = ["main", "build_parser"]


def _rate(v: str) -> Decimal:
    try:
        d = Decimal(v.rstrip("%")) / (100 if v.endswith("%") else 1)
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"--floor must be a pass rate between 0 and 1; got {v!r}") from None
    if not d.is_finite() or not 0 < d <= 1:
        raise argparse.ArgumentTypeError(f"--floor must be a pass rate between 0 and 1; got {v}")
    return d


def build_parser() -> argparse.ArgumentParser:
    p = ArgParser(prog="advisor route", description="A routing plan from a bake-off: which model for which category of work.")
    p.add_argument("--answers", required=True, metavar="FILE", help="answers file (volume, token mix, floor, category_shares)")
    p.add_argument("--cases", required=True, metavar="CASES", help="the cases file the bake-off ran (gives the categories)")
    p.add_argument("--results", required=True, metavar="RUN.jsonl", help="the bake-off's results file")
    p.add_argument("--target-file", metavar="FILE", help="the targets the bake-off ran, when not the answers' shortlist")
    p.add_argument("--knowledge", metavar="DIR", action="append", default=[], help="overlay extra knowledge YAML (repeatable)")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="date to judge prices against (default: today)")
    p.add_argument("--floor", type=_rate, metavar="RATE", help="quality floor (default: the answers' quality_floor)")
    p.add_argument("--recommended", metavar="MODEL_KEY", help="the safe choice and first baseline (default: the first target, "
                   "the shortlist's recommendation)")
    p.add_argument("--classifier", metavar="MODEL_KEY", help="the model that classifies requests (default: the cheapest)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text", help="what to print on stdout")
    p.add_argument("--report", metavar="PATH", help="also write the plan as a report (.md, .html or .json)")
    p.add_argument("--litellm", metavar="PATH", help="write a LiteLLM router config (a model group per category)")
    p.add_argument("--plain", metavar="PATH", help="write the plan as plain YAML for a small router")
    p.add_argument("--force", action="store_true", help="replace files that exist")
    return p


def _targets(args: argparse.Namespace):
    if args.target_file:
        from advisor.cli.eval_cmd import load_target_file

        return load_target_file(args.target_file)
    from advisor.eval.targets_from_shortlist import targets_for_answers

    targets, _ = targets_for_answers(args.answers, list(args.knowledge), None, parse_today(args.today), on_note=say)
    return targets


def make_plan(args: argparse.Namespace):
    """(plan, targets by key, cases file) for the parsed arguments."""
    from advisor.core.knowledge import load_knowledge
    from advisor.core.questions import parse_answers
    from advisor.core.yamlsrc import YamlProblems, read_text
    from advisor.eval.cases import load_cases
    from advisor.eval.results import read_results
    from advisor.eval.route import RouteInputError, plan_for_answers

    kb = load_knowledge(knowledge_dirs(args.knowledge))
    name = display_path(args.answers)
    try:
        answers, smap = parse_answers(kb, read_text(args.answers, name), name)
    except YamlProblems as exc:
        raise InputError(exc.problems) from None
    cases = load_cases(args.cases)
    results_path = Path(args.results)
    if not results_path.is_file():
        why = "no such file" if not results_path.exists() else "is not a file"
        raise InputError([Problem(why, Location(display_path(results_path), None, "--results"))])
    targets = _targets(args)
    unreadable: list[str] = []
    results = read_results(results_path, unreadable)
    for line in unreadable:
        say(line)
    task_q = next(q for q in kb.questions.questions if q.id == "task_type")
    try:
        plan, measured = plan_for_answers(
            results, cases, targets, answers.model_dump(), task_types=task_q.choice_values, floor=args.floor,
            recommended_key=args.recommended, classifier_key=args.classifier,
        )
    except RouteInputError as exc:
        message = str(exc) + (" or pass --floor" if exc.field == "quality_floor" else "")
        if exc.field in ("category_shares", "quality_floor"):
            where = smap.location((exc.field,))
        elif exc.field == "results":
            where = Location(display_path(results_path))
        else:
            where = Location("command line", None, f"--{exc.field}")
        raise InputError([Problem(message, where)]) from None
    return plan, {t.model_key: t for t in measured}, cases


def _run(args: argparse.Namespace) -> int:
    from advisor.catalog.yamlout import dump
    from advisor.cli.export_cmd import LITELLM_PREFIX
    from advisor.eval.route_export import litellm_route_config, plain_route_config
    from advisor.render.route_markdown import render_route_json, render_route_markdown, render_route_text

    for out in (args.litellm, args.plain):
        if out:
            refuse_overwrite(out, args.force)
    if args.report:
        format_for(args.report)
        check_report_target(args.report, force=args.force)
    plan, targets, cases = make_plan(args)
    render = {"json": render_route_json, "markdown": render_route_markdown, "text": render_route_text}[args.format]
    sys.stdout.write(render(plan))
    if args.report:
        from advisor.render.route_html import render_route_report

        kind = format_for(args.report)
        atomic_write(args.report, render_route_report(plan, kind))
        print(f"wrote {display_path(args.report)} ({kind} routing report)", file=sys.stderr)
    if args.litellm:
        data = litellm_route_config(plan, targets, LITELLM_PREFIX)
        atomic_write(args.litellm, dump(data, "LiteLLM router config written by `advisor route`: request model <category>. "
                                        "Keys: os.environ/NAME references only."))
        print(f"wrote {display_path(args.litellm)} (LiteLLM router config)", file=sys.stderr)
    if args.plain:
        data = plain_route_config(plan, targets, cases.categories)
        atomic_write(args.plain, dump(data, "Routing plan written by `advisor route`. key_env names the variable holding each key."))
        print(f"wrote {display_path(args.plain)} (plain routing plan)", file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv

    def go() -> int:
        return _run(parse_args(build_parser(), argv))  # one line, exit 2, never argparse's own exit

    return run_guarded(go)
