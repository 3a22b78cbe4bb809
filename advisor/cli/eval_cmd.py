"""``advisor eval``: run a cases file against the shortlist (or a targets file), live.

    advisor eval --cases FILE [--answers FILE] [--models k1,k2] [--target-file FILE]
                 [--concurrency N] [--per-provider N] [--repeat N] [--timeout S]
                 [--max-spend USD] [--dry-run] [--resume [--no-retry-errors]] [--results FILE.jsonl]
                 [--report out.{md,html,json}] [--force] [--monthly-requests N] [--judge MODEL_KEY]
                 [--fail-under RATE] [--no-evidence]

Results go to stdout; diagnostics and the progress bar to stderr. Bad input is
reported as one ``advisor: file:line: field: message`` line per problem with
exit status 2. ``--report`` replaces a report advisor wrote earlier but never
someone else's file unless ``--force`` is given. Ctrl-C stops cleanly (status 130): completed results stay in the
results file and ``--resume`` picks up the rest.

With ``--answers`` the report leads with the decision (the re-ranked shortlist
and why), then the evidence, then the answers. Each run's per-model summary is
kept as evidence for later advice (``advisor evidence list``) unless
``--no-evidence`` is given.

Exit status: 0 done; 1 no request returned an answer; 2 bad input;
3 ``--fail-under RATE`` and the recommended model passed less than RATE (or no
model is recommended); 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import math
import signal
import sys
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from advisor.core.yamlsrc import did_you_mean
from advisor.errors import InputError, Location, Problem, display_path
from advisor.eval.target import Target
from advisor.eval.target_file import load_target_file  # the --target-file format lives there
from advisor.fileio import atomic_write, check_report_target

__all__ = ["main", "load_target_file"]

def _positive_int(name: str):
    def conv(v: str) -> int:
        try:
            n = int(v)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{name} must be a whole number; got {v!r}") from None
        if n < 1:
            raise argparse.ArgumentTypeError(f"{name} must be >= 1; got {v}")
        return n
    return conv


MAX_TIMEOUT_S = 3600.0  # an attempt longer than an hour is a typo, not a timeout
MAX_SPEND_USD = Decimal(1_000_000)


def _positive_float(v: str) -> float:
    try:
        x = float(v)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--timeout must be a number of seconds; got {v[:40]!r}") from None
    if not math.isfinite(x) or not 0 < x <= MAX_TIMEOUT_S:
        raise argparse.ArgumentTypeError(f"--timeout must be > 0 and at most {MAX_TIMEOUT_S:.0f} seconds; got {v[:40]}")
    return x


def _usd(v: str) -> Decimal:
    try:
        d = Decimal(v.strip().lstrip("$").replace(",", ""))
    except InvalidOperation:
        raise argparse.ArgumentTypeError(f"--max-spend must be an amount in USD; got {v[:40]!r}") from None
    if not d.is_finite() or d < 0 or d > MAX_SPEND_USD:
        raise argparse.ArgumentTypeError(f"--max-spend must be between $0 and ${MAX_SPEND_USD:,}; got {v[:40]}")
    return d


def build_parser() -> argparse.ArgumentParser:
    from advisor.cli.common import ArgParser

    p = ArgParser(prog="advisor eval", description="Run a live smoke eval of the shortlist.")
    p.add_argument("--cases", required=True, help="cases file (YAML or JSONL)")
    p.add_argument("--answers", help="answers file; the shortlist built from it gives the targets")
    p.add_argument("--knowledge", action="append", default=[], help="extra knowledge directory (repeatable)")
    p.add_argument("--models", help="comma-separated model keys to run (default: all targets)")
    p.add_argument("--target-file", help="YAML list of targets: a known model (model, provider, optional base_url, "
                   "key_env, label, reasoning) or a raw entry (label, model_key, api, base_url, model_id, ...)")
    p.add_argument("--concurrency", type=_positive_int("--concurrency"), default=4)
    p.add_argument("--per-provider", type=_positive_int("--per-provider"), default=2)
    p.add_argument("--repeat", type=_positive_int("--repeat"), default=1)
    p.add_argument("--timeout", type=_positive_float, default=60.0, help="seconds per attempt: a deadline from sending to the end of its stream")
    p.add_argument("--max-spend", type=_usd, help="USD cap over every run on the results file (--resume continues it): a request "
                   "is sent only when its worst-case cost still fits")
    p.add_argument("--dry-run", action="store_true", help="show planned requests and worst-case cost; call nothing")
    p.add_argument("--resume", action="store_true",
                   help="run only what the results file is missing, and again every result that ended in an error "
                        "(rate limited, timed out, connection failed, ...)")
    p.add_argument("--no-retry-errors", action="store_true",
                   help="with --resume: keep results that ended in an error as they are; run only the missing ones")
    p.add_argument("--results", default="eval-results.jsonl",
                   help="results JSONL (appended as results complete); only a file advisor wrote is ever appended to")
    p.add_argument("--report", help="write the eval report (.md, .html or .json)")
    p.add_argument("--force", action="store_true", help="let --report replace a file advisor did not write")
    p.add_argument("--monthly-requests", type=_positive_int("--monthly-requests"), help="volume for the monthly cost projection")
    p.add_argument("--judge", help="model key of the llm_judge model (default: first target)")
    p.add_argument("--fail-under", type=_rate, metavar="RATE",
                   help="exit 3 when the recommended model's pass rate is below RATE (0.9 or 90%%), for CI")
    p.add_argument("--no-evidence", action="store_true", help="do not keep this run as evidence for later advice")
    return p


def _rate(v: str) -> float:
    text = v.strip()
    try:
        x = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--fail-under must be a pass rate (0.9 or 90%); got {v!r}") from None
    if not 0 <= x <= 1:
        raise argparse.ArgumentTypeError(f"--fail-under must be between 0 and 1 (or 0% and 100%); got {v}")
    return x


# -- main ---------------------------------------------------------------------------

def _resolve_targets(args: argparse.Namespace) -> tuple[list[Target], Any]:
    shortlist = None
    if args.target_file:
        targets = load_target_file(args.target_file, list(args.knowledge))
        if args.answers:  # the targets are the file's; the floor, the volume and the decision are the answers'
            _, shortlist = _shortlist_targets(args, None)
    elif args.answers:
        models = [m.strip() for m in args.models.split(",") if m.strip()] if args.models else None
        return _shortlist_targets(args, models)
    else:
        raise InputError("give --answers (targets from the shortlist) or --target-file")
    if args.models:
        wanted = [m.strip() for m in args.models.split(",") if m.strip()]
        known = {t.model_key: t for t in targets}
        problems = [
            Problem(f"no target with model key {m!r}{did_you_mean(m, known)}", Location("--models"))
            for m in wanted if m not in known
        ]
        if problems:
            raise InputError(problems)
        targets = [known[m] for m in wanted]
    return targets, shortlist


def _shortlist_targets(args: argparse.Namespace, models: list[str] | None) -> tuple[list[Target], Any]:
    """(targets, shortlist) from the answers: the same shortlist `advisor --answers` shows,
    the user's overlay and kept evidence included."""
    from datetime import date

    from advisor.cli.common import load_kb, say
    from advisor.cli.evidence_cmd import load_evidence
    from advisor.eval.targets_from_shortlist import targets_for_answers

    kb, kept = load_evidence(load_kb(args.knowledge), date.today(), use=not args.no_evidence)
    targets, shortlist = targets_for_answers(args.answers, list(args.knowledge), models, kb=kb, kept=kept,
                                             on_note=say if not args.target_file else (lambda line: None))
    args.kb = kb
    return list(targets), shortlist


def main(argv: list[str] | None = None) -> int:
    from advisor.cli.common import run_guarded

    argv = sys.argv[1:] if argv is None else argv
    return run_guarded(lambda: _main(argv))


def _main(argv: list[str]) -> int:
    from advisor.cli.common import parse_args, say

    args = parse_args(build_parser(), argv)  # never sys.exit from inside the parser
    from advisor.eval.results import check_results_target

    results_path = Path(args.results)
    if args.no_retry_errors and not args.resume:
        raise InputError(Problem("only makes sense with --resume", Location("--no-retry-errors")))
    check_results_target(results_path)  # a folder, or a file advisor did not write: refused, untouched
    if args.report and _same_file(args.report, results_path):
        raise InputError(Problem("is also the --results file; the report would replace the results "
                                 "(and the next --resume would pay for every request again)",
                                 Location(display_path(args.report), None, "--report")))
    report_kind = None
    if args.report:
        from advisor.render.report import format_for

        report_kind = format_for(args.report)  # the same formats as every report: .md, .html, .json
        check_report_target(args.report, force=args.force)  # before any request is paid for

    from advisor.eval.cases import load_cases
    from advisor.eval.runner import EvalRunner, RunConfig

    cases = load_cases(args.cases)
    targets, shortlist = _resolve_targets(args)
    if not targets:
        raise InputError("there are no targets to run")
    if not args.dry_run and not args.resume and results_path.exists() and results_path.stat().st_size > 0:
        raise InputError(Problem(
            "already exists; pass --resume to continue it or choose another --results file",
            Location(display_path(results_path)),
        ))
    _refuse_bad_keys(targets)
    judge_model = args.judge
    if judge_model and judge_model not in {t.model_key for t in targets}:
        raise InputError(Problem(f"no target with model key {judge_model!r}", Location("--judge")))
    config = RunConfig(
        concurrency=args.concurrency, per_provider=args.per_provider, timeout=args.timeout,
        repeat=args.repeat, max_spend=args.max_spend, judge_model=judge_model,
    )
    runner = EvalRunner(targets, cases, config, results_path=results_path, resume=args.resume,
                        retry_errors=not args.no_retry_errors)
    needs_judge = any(c.type == "llm_judge" for case in cases.cases for c in case.checks)

    from advisor.render.console import cli_console

    out = cli_console(file=sys.stdout, soft_wrap=True)
    err = cli_console(file=sys.stderr, soft_wrap=True)
    if args.dry_run:  # plans every target, keys or not: nothing is called
        _print_dry_run(out, runner.dry_run(), _missing_keys(targets))
        return 0

    plan = runner.plan()
    if needs_judge:
        runner.config = replace(runner.config, judge_model=_judge_for(judge_model, targets, plan, args.max_spend))
    for t, why in plan.skipped_targets:
        say(f"skipping {t.label} ({t.model_key}): {why}")
    for line in runner.unreadable:
        say(line)
    if not plan.targets:
        raise InputError("no target can run (see the lines above)")

    summary = asyncio.run(_run(runner, err, plan))

    from advisor.eval.report import build_report, render_eval_json, request_settings
    from advisor.render.eval_html import render_eval_html_page
    from advisor.render.eval_markdown import render_eval_markdown

    answers = shortlist.answers if shortlist is not None else {}
    floor = answers.get("quality_floor")
    report = build_report(
        summary, cases_file=cases.path, n_cases=len(cases.cases), repeat=args.repeat,
        candidate_order=[t.model_key for t in targets],
        monthly_requests=args.monthly_requests or answers.get("monthly_requests"),
        quality_floor=float(floor) if floor is not None else None,
        monthly_at_answers={c.option.key: c.costs.per_month for c in shortlist.candidates} if shortlist else None,
        cases=cases, settings=request_settings(runner.config),
    )
    _print_summary(out, report)
    if args.report:
        if shortlist is not None:  # the decision, the evidence, then the assumptions: one report
            from advisor.render.report import render as render_report

            # the knowledge: the hosting assumptions the cost chart's self-hosted lines need
            text = render_report(shortlist, report_kind or "json", evaluation=report, kb=getattr(args, "kb", None))
        elif report_kind == "markdown":
            text = render_eval_markdown(report, marker=True)
        elif report_kind == "html":
            text = render_eval_html_page(report)
        else:
            text = render_eval_json(report)
        atomic_write(args.report, runner.redact(text), make_parents=True)
        say(f"wrote {display_path(args.report)}")
    if not args.no_evidence:
        _keep_evidence(report, targets, args)
    if summary.cancelled:
        say(f"interrupted; {len(summary.results)} results kept in {display_path(results_path)} "
            "(run again with --resume to finish)")
        return 130
    return _exit_status(report, args.fail_under)


def _keep_evidence(report: Any, targets: list[Target], args: argparse.Namespace) -> None:
    from advisor.cli.common import say
    from advisor.cli.common import load_kb
    from advisor.evidence_store import keep, kept_from_report, not_the_real_api

    skip = not_the_real_api(load_kb(getattr(args, "knowledge", None)), targets)
    for key, why in skip.items():
        say(f"not kept as evidence for {key}: {why}")
    kept = kept_from_report(report, skip=set(skip))
    if kept is None:
        return
    path = keep(kept)

    say(f"kept this bake-off as evidence for later advice ({display_path(path)}; "
        "`advisor evidence list`, or --no-evidence not to keep)")


def _exit_status(report: Any, fail_under: float | None) -> int:
    from advisor.cli.common import say

    if report.answered == 0:
        say("no request returned an answer, so nothing was measured (see the errors above)")
        return 1
    if fail_under is not None:
        rec = report.recommended
        if rec is None:
            none_passed = report.rerank is not None and report.rerank.none_passed
            why = "no model passed a case" if none_passed else "no model is recommended on this evidence"
            say(f"--fail-under {fail_under:.0%}: {why}")
            return 3
        if rec.pass_rate < fail_under:
            say(f"--fail-under {fail_under:.0%}: the recommended model, {rec.label}, passed "
                f"{rec.passes}/{rec.n} ({rec.pass_rate:.0%})")
            return 3
    return 0


def _same_file(a: str | Path, b: str | Path) -> bool:
    """True when two paths name one file (a symlink or ``./x`` vs ``x`` included)."""
    pa, pb = Path(a), Path(b)
    try:
        if pa.exists() and pb.exists():
            return pa.samefile(pb)
        return pa.resolve() == pb.resolve()
    except OSError:
        return False


def _missing_keys(targets: list[Target]) -> dict[str, list[str]]:
    """API key variables that are not set, with the models that need each."""
    import os

    missing: dict[str, list[str]] = {}
    for t in targets:
        if t.key_env and not os.environ.get(t.key_env):
            missing.setdefault(t.key_env, []).append(t.label)
    return missing


def _refuse_bad_keys(targets: list[Target]) -> None:
    """A key with whitespace or control characters around or in it is refused before
    anything is sent: one line per variable, naming it, never quoting the value."""
    import os

    from advisor.secrets import key_problem

    problems, seen = [], set()
    for t in targets:
        if t.key_env and t.key_env not in seen:
            seen.add(t.key_env)
            why = key_problem(t.key_env, os.environ.get(t.key_env))
            if why:
                problems.append(Problem(why))
    if problems:
        raise InputError(problems, title="bad API key")


def _judge_for(wanted: str | None, targets: list[Target], plan: Any, max_spend: Decimal | None) -> str | None:
    """The llm_judge model: ``--judge`` or the first target the plan runs. Only a
    target that runs may judge; with ``--max-spend`` its price must be known, or
    its calls could not be bounded."""
    if wanted is None:
        return plan.targets[0].model_key if plan.targets else None
    for t, why in plan.skipped_targets:
        if t.model_key == wanted:
            if max_spend is not None and not t.priced:
                why = "its price is unknown, so --max-spend cannot bound the judge calls (give prices in a target file)"
            raise InputError(Problem(f"judge {t.label} ({wanted}) cannot run: {why}", Location("--judge")))
    return wanted


async def _run(runner: Any, err: Any, plan: Any) -> Any:
    from advisor.eval.runner import ResultReady, RunStarted

    loop = asyncio.get_running_loop()
    try:
        loop.add_signal_handler(signal.SIGINT, runner.cancel)
        handler_set = True
    except (NotImplementedError, RuntimeError, ValueError):
        handler_set = False
    progress = None
    tasks: dict[str, Any] = {}
    if err.is_terminal:
        from rich.markup import escape
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err, transient=True)

    def on_event(ev: Any) -> None:
        if progress is None:
            return
        if isinstance(ev, RunStarted):
            for t in ev.targets:
                n = sum(1 for r in plan.requests if r.target.model_key == t.model_key)
                tasks[t.model_key] = progress.add_task(escape(t.label), total=n)
        elif isinstance(ev, ResultReady):
            tid = tasks.get(ev.result.model_key)
            if tid is not None:
                progress.advance(tid)

    try:
        if progress is not None:
            with progress:
                return await runner.run(on_event=on_event, plan=plan)
        return await runner.run(on_event=on_event, plan=plan)  # planned once: not counted twice
    finally:
        if handler_set:
            loop.remove_signal_handler(signal.SIGINT)


def _print_dry_run(out: Any, dry: Any, missing_keys: dict[str, list[str]] | None = None) -> None:
    from rich.markup import escape
    from rich.table import Table

    from advisor.eval.rerank import fmt_usd

    table = Table(title="Dry run: nothing will be called")
    for h in ("Model", "Requests", "Input tokens", "Max output tokens", "Worst-case cost"):
        table.add_column(h)
    for m in dry.models:
        table.add_row(
            escape(m.label), str(m.requests),
            f"{m.input_tokens:,}" + ("" if m.tokens_exact else " (approx.)") + f" (cap counts ≤ {m.input_bound:,})",
            f"{m.max_output_tokens:,}", fmt_usd(m.worst_case_cost_usd),
        )
    out.print(table)
    line = f"{dry.requests} requests planned"
    if dry.already_done:
        line += f" ({dry.already_done} already in the results file)"
    line += f"; worst case {fmt_usd(dry.worst_case_cost_usd)}"
    if dry.max_spend_usd is not None:
        line += f", cap {fmt_usd(dry.max_spend_usd)}"
        if dry.spent_before_usd:
            line += f" ({fmt_usd(dry.spent_before_usd)} already spent on this results file)"
    out.print(escape(line + "."))
    if dry.sure_under_cap is not None and dry.sure_under_cap < dry.requests:
        out.print(escape(f"The cap covers {dry.sure_under_cap} of the {dry.requests} requests for certain (if each "
                         "costs its worst case); more run if answers cost less, the rest wait for --resume."))
    for why in dry.skipped:
        out.print(escape(f"Skipping {why}."))
    if missing_keys:
        for env, labels in missing_keys.items():
            out.print(escape(f"Missing key: {env} is not set, so {', '.join(labels)} would be skipped."))
    else:
        out.print("Every API key the plan needs is set.")


WIDE = 120  # below this many columns the summary is never one 11-column table
FOLD_MIN = {"model": 12, "errors": 10}  # narrowest a wrapping column may get
FULL_COLS = (("Model", "model"), ("Passed", "passed"), ("95% CI", "ci"), ("TTFT p50", "ttft"),
             ("Latency p50", "p50"), ("Latency p95", "p95"), ("Tokens/s", "tps"), ("Cost per success", "cost"),
             ("JSON valid", "json"), ("Schema valid", "schema"), ("Errors", "errors"))
MAIN_COLS = (("Model", "model"), ("Passed", "passed"), ("Latency p50", "p50"), ("Latency p95", "p95"),
             ("Cost per success", "cost"))
DETAIL_COLS = (("Model", "model"), ("95% CI", "ci"), ("TTFT p50", "ttft"), ("Tokens/s", "tps"),
               ("JSON valid", "json"), ("Schema valid", "schema"), ("Errors", "errors"))
FEW_SAMPLES = "* p95 from fewer than 20 samples; treat it as rough"


def _print_summary(out: Any, report: Any) -> None:
    """The results, readable at any console width: one table with every column
    when wide, else the key figures and the details in two tables, else (very
    narrow) a short block per model. Numbers never wrap or get cut to "…"."""
    from rich.markup import escape

    from advisor.render.eval_markdown import summary_line

    for item in _summary_renderables(report, out.width):
        out.print(item)
    out.print(escape(summary_line(report)))
    if report.rerank is not None:
        out.print(escape(report.rerank.sentence))
    for f in report.failures[:5]:
        out.print(escape(f"  ✗ {f.label} · {f.case_id} #{f.repeat}: {f.reason}"))
    if len(report.failures) > 5:
        out.print(escape(f"  +{len(report.failures) - 5} more failures (all of them are in the report: --report)"))
    for n in report.notes:
        out.print(escape(f"  note: {n}"))


def _console_rows(report: Any) -> list[dict[str, str]]:
    from advisor.render.eval_markdown import HEADERS, table_rows

    rows = []
    for s, row in zip(report.models, table_rows(report), strict=True):
        cells = dict(zip(HEADERS, row, strict=True))
        p95 = "–" if s.latency_p95_ms is None else f"{s.latency_p95_ms:,.0f} ms" + ("*" if s.p95_unreliable else "")
        rows.append({
            "model": cells["Model"], "passed": cells["Passed"], "ci": cells["95% CI"], "ttft": cells["TTFT p50"],
            "p50": cells["Latency p50"], "p95": p95, "tps": cells["Tokens/s"], "cost": cells["Cost per success"],
            "json": cells["JSON valid"], "schema": cells["Schema valid"], "errors": cells["Errors"],
        })
    return rows


def _table(title: str, cols: Any, rows: list[dict[str, str]], width: int, caption: str | None) -> Any | None:
    """A table whose number columns are exactly as wide as their widest value
    (headers wrap instead), or None when it cannot fit in ``width``."""
    from rich.cells import cell_len
    from rich.markup import escape
    from rich.table import Table
    from rich.text import Text

    fixed: dict[str, int] = {}
    for header, key in cols:
        if key not in FOLD_MIN:
            fixed[key] = max([cell_len(r[key]) for r in rows] + [cell_len(w) for w in header.split()])
    needed = sum(fixed.values()) + sum(FOLD_MIN[k] for _, k in cols if k in FOLD_MIN) + 3 * len(cols) + 1
    if needed > width:
        return None
    table = Table(title=title, caption=caption, caption_justify="left")
    for header, key in cols:
        if key in FOLD_MIN:
            table.add_column(header, overflow="fold", min_width=FOLD_MIN[key])
        else:  # numbers: one line, right-aligned; only the header may wrap
            table.add_column(Text(header, no_wrap=False), width=fixed[key], no_wrap=True, justify="right")
    for r in rows:
        table.add_row(*(escape(r[key]) for _, key in cols))
    return table


def _summary_renderables(report: Any, width: int) -> list[Any]:
    from rich.markup import escape

    rows = _console_rows(report)
    few = FEW_SAMPLES if any(r["p95"].endswith("*") for r in rows) else None
    if width >= WIDE:
        full = _table("Live eval", FULL_COLS, rows, width, few)
        if full is not None:
            return [full]
    main = _table("Live eval", MAIN_COLS, rows, width, few)
    detail = _table("Live eval: details", DETAIL_COLS, rows, width, None)
    if main is not None and detail is not None:
        return [main, detail]
    lines = ["Live eval"]  # too narrow for columns: a block per model
    for r in rows:
        lines += [
            r["model"],
            f"  passed: {r['passed']}, 95% CI {r['ci']}",
            f"  latency: p50 {r['p50']}, p95 {r['p95']}; TTFT p50 {r['ttft']}; tokens/s {r['tps']}",
            f"  cost per success: {r['cost']}",
            f"  JSON valid: {r['json']}; schema valid: {r['schema']}; errors: {r['errors']}",
        ]
    if few:
        lines.append(few)
    return [escape("\n".join(lines))]
