"""`advisor --answers FILE`: the shortlist without a screen (and the way into the app)."""

from __future__ import annotations

import argparse
import sys

from advisor.cli.common import load_kb, parse_today, startup_gc
from advisor.errors import InputError, Location, Problem, display_path

NO_ANSWERS = (
    "no answers given and no terminal to ask on: run `advisor --answers FILE` "
    "(`advisor init answers.yaml` writes a template to fill in), or run `advisor` in a terminal"
)


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()


def count_sample_prompt(path: str) -> int:
    """Tokens in a sample prompt file (tiktoken o200k_base, offline)."""
    from advisor.core.tokens import count_tokens
    from advisor.core.yamlsrc import YamlProblems, read_text

    try:
        text = read_text(path)
    except YamlProblems as exc:
        raise InputError(exc.problems) from None
    tokens = count_tokens(text)
    if tokens == 0:
        raise InputError([Problem("the sample prompt is empty (0 tokens)", Location(display_path(path), None, "--sample-prompt"))])
    return tokens


def with_sample_prompt(kb, answers, path: str):
    """Replace avg_input_tokens with the token count of a sample prompt file."""
    from advisor.core.questions import check_value

    tokens = count_sample_prompt(path)
    problem = check_value(kb, "avg_input_tokens", tokens)
    if problem:
        raise InputError(
            [Problem(f"counts {tokens:,} tokens, but avg_input_tokens {problem}", Location(display_path(path), None, "--sample-prompt"))]
        )
    data = answers.model_dump()
    data["avg_input_tokens"] = tokens
    note = (
        f"avg_input_tokens = {tokens:,}, counted from {display_path(path)} with tiktoken o200k_base: "
        "exact for OpenAI models, approximate for the others"
    )
    return type(answers).model_validate(data), note


def model_ids(kb, names: list[str]) -> tuple[str, ...]:
    """The model ids ``--why-not`` names, each checked against the knowledge."""
    from advisor.core.yamlsrc import did_you_mean

    by_name = {m.name.casefold(): m.id for m in kb.models}
    # the ids the providers' APIs take, as the output prints them ("mistral-large-2512"),
    # also without a provider's path ("accounts/fireworks/models/…")
    by_api_id: dict[str, str] = {}
    for m in kb.models:
        for e in m.endpoints:
            by_api_id.setdefault(e.model_id.casefold(), m.id)
            by_api_id.setdefault(e.model_id.rsplit("/", 1)[-1].casefold(), m.id)
    problems, ids = [], []
    for name in names:
        # an id ("gpt-5-4"), a name as shown ("GPT-5.4"), an id in another case, or an API model id
        key = name.casefold()
        found = name if name in kb.model_by_id else by_name.get(key) or (
            key if key in kb.model_by_id else None) or by_api_id.get(key)
        if found is None:
            hint = did_you_mean(name, sorted(kb.model_by_id))
            problems.append(Problem(f"unknown model '{name}'{hint}; `advisor catalog list` shows the ids", Location("command line", None, "--why-not")))
        else:
            ids.append(found)
    if problems:
        raise InputError(problems)
    return tuple(dict.fromkeys(ids))


def compute(args: argparse.Namespace, kb):
    from advisor.core.engine import shortlist
    from advisor.core.questions import load_answers

    answers = load_answers(kb, args.answers)
    note = None
    if getattr(args, "sample_prompt", None):
        answers, note = with_sample_prompt(kb, answers, args.sample_prompt)
    today = parse_today(args.today)
    from advisor.cli.evidence_cmd import load_evidence

    kb, kept = load_evidence(kb, today, use=not getattr(args, "no_evidence", False))
    result = shortlist(answers, kb, today, why_not=model_ids(kb, getattr(args, "why_not", None) or []))
    if kept:
        from advisor.evidence_store import cite_kept

        result = cite_kept(result, kept, today)
    if note:
        result = result.model_copy(update={"token_note": note})
    return answers, result


def run(args: argparse.Namespace) -> int:
    if args.tui and not _interactive():
        raise InputError("--tui needs a terminal (stdin and stdout must both be one); without one, drop --tui")
    if args.tui or (args.answers is None and not args.plain and _interactive()):
        from advisor.tui.launch import launch

        return launch(args)
    if args.plain:
        if not _interactive():
            raise InputError(NO_ANSWERS)
        from advisor.prompts import run_prompts

        return run_prompts(args)
    if args.answers is None:
        raise InputError(NO_ANSWERS)
    kb = load_kb(args.knowledge)
    if args.report:
        from advisor.fileio import check_report_target
        from advisor.render.report import format_for

        format_for(args.report)  # fail fast on a bad extension or target, before any work
        check_report_target(args.report, args.force)
    with startup_gc():  # the answers, the shortlist: kept until the command ends
        _, result = compute(args, kb)
    if args.format == "json":
        from advisor.render.jsonout import render_json

        sys.stdout.write(render_json(result))
    elif args.format == "markdown":
        from advisor.render.markdown import render_markdown

        sys.stdout.write(render_markdown(result))
    else:
        from advisor.render.console import cli_console, render_console

        console = cli_console(soft_wrap=False)

        render_console(result, console)
        if result.token_note:
            console.print(result.token_note, style="dim", markup=False)
    if args.report:
        from advisor.render.report import write_report

        fmt = write_report(args.report, result, kb=kb)
        from advisor.cli.common import say

        say(f"wrote {fmt} report to {display_path(args.report)}")
    return 0
