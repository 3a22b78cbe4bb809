"""`advisor` on a terminal (or `advisor --tui`): build the app from the command line and run it."""

from __future__ import annotations

import argparse


def launch(args: argparse.Namespace) -> int:
    from advisor.cli.common import load_kb, parse_today
    from advisor.tui.app import make_app

    kb = load_kb(getattr(args, "knowledge", None))
    today = parse_today(getattr(args, "today", None))
    answers = None
    path = getattr(args, "answers", None)
    if path:
        from advisor.core.questions import load_answers

        answers = load_answers(kb, path)  # bad files fail here, with file:line, before the screen opens
    app = make_app(kb, answers, answers_path=None if path == "-" else path, today=today)
    result = app.run()
    return int(result or 0)
