"""`advisor --plain`: the checklist as plain questionary prompts.

The same questions from the same questions.yaml, grouped by section with their
help; each answer is parsed and checked by the core (``parse_value`` /
``check_value``). Then the same shortlist the CLI prints, and an offer to save
the answers. Ctrl-C leaves with exit code 130 and no traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from advisor.core.questions import format_value
from advisor.core.schema import Question


class Cancelled(Exception):
    """The person pressed Ctrl-C (questionary's ``ask`` returned None)."""


def _ask(prompt: Any) -> Any:
    try:
        value = prompt.unsafe_ask()
    except KeyboardInterrupt:
        raise Cancelled from None
    return value


def ask_question(kb: Any, q: Question, questionary: Any) -> Any:
    """Ask one question; the parsed, checked value."""
    from advisor.core.questions import check_value, parse_value

    message = q.prompt + (f" ({q.unit})" if q.unit else "")
    if q.type == "choice":
        choices = [questionary.Choice(title=c.label or c.value, value=c.value) for c in q.choices]
        if q.nullable:
            choices.append(questionary.Choice(title="(not given)", value=None))
        default = q.default if q.default is not None else None
        kwargs = {"default": default} if default is not None else {}
        return _ask(questionary.select(message, choices=choices, **kwargs))
    if q.type == "multi_choice":
        chosen = set(q.default or ())
        choices = [questionary.Choice(title=c.label or c.value, value=c.value, checked=c.value in chosen) for c in q.choices]
        picked = _ask(questionary.checkbox(message, choices=choices))
        picked = set(picked or ())
        return tuple(v for v in q.choice_values if v in picked)
    if q.type == "bool":
        return bool(_ask(questionary.confirm(message, default=bool(q.default))))

    def validate(text: str) -> bool | str:
        try:
            value = parse_value(q, text)
        except ValueError as exc:
            return str(exc)
        return check_value(kb, q.id, value) or True

    default = format_value(q.default) if q.default not in (None, []) else ""
    text = _ask(questionary.text(message, default=default, validate=validate))
    return parse_value(q, text or "")


def ask_all(kb: Any, questionary: Any, out=None) -> dict[str, Any]:  # noqa: ANN001
    """Every question, section by section, with the section's and question's help."""
    out = out or sys.stdout
    values: dict[str, Any] = {}
    for section in kb.questions.sections:
        print(f"\n== {section.title} ==", file=out)
        if section.help:
            print(section.help, file=out)
        for q in kb.questions.questions:
            if q.section != section.id:
                continue
            print(f"\n  {q.help}", file=out)
            values[q.id] = ask_question(kb, q, questionary)
    return values


def offer_save(answers: Any, questionary: Any) -> str | None:
    """Ask whether to save; never overwrite without a yes. The path written, or None."""
    import yaml

    from advisor.fileio import atomic_write

    if not _ask(questionary.confirm("Save these answers to a file?", default=True)):
        return None
    while True:
        raw = _ask(questionary.text("Save answers to:", default="answers.yaml",
                                    validate=lambda t: True if t.strip() else "type a file path"))
        path = Path(raw.strip()).expanduser()
        if path.is_dir():
            print(f"advisor: {path} is a directory", file=sys.stderr)
            continue
        if path.exists() and not _ask(questionary.confirm(f"{path} already exists. Overwrite it?", default=False)):
            continue
        atomic_write(path, yaml.safe_dump(answers.as_yaml_dict(), sort_keys=False, allow_unicode=True))
        print(f"advisor: saved answers to {path} (read them back with `advisor --answers {path}`)", file=sys.stderr)
        return str(path)


def run_prompts(args: argparse.Namespace) -> int:
    import questionary

    from advisor.cli.common import load_kb, parse_today
    from advisor.core.engine import shortlist
    from advisor.core.questions import answers_from_mapping
    from advisor.render.console import cli_console, render_console

    kb = load_kb(getattr(args, "knowledge", None))
    today = parse_today(getattr(args, "today", None))
    try:
        values = ask_all(kb, questionary)
        answers = answers_from_mapping(kb, values)
        result = shortlist(answers, kb, today)
        print()
        render_console(result, cli_console(soft_wrap=False))
        offer_save(answers, questionary)
    except (Cancelled, KeyboardInterrupt):
        print("\nadvisor: cancelled", file=sys.stderr)
        return 130
    return 0
