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
    sample = getattr(args, "sample_prompt", None)
    if sample:
        from advisor.cli.shortlist_cmd import count_sample_prompt

        tokens = count_sample_prompt(sample)
        values = answers.model_dump() if answers is not None else {}
        values["avg_input_tokens"] = tokens  # the checklist opens with the counted figure
        answers = values
    if getattr(args, "report", None):
        from advisor.errors import InputError

        raise InputError("--report writes a report without the app; in the app, export with ctrl+e")
    from advisor.cli.evidence_cmd import load_evidence

    use = not getattr(args, "no_evidence", False)
    kb, kept = load_evidence(kb, today, use=use)
    app = make_app(kb, answers, answers_path=None if path == "-" else path, today=today, kept=kept, keep_evidence=use)
    _end_with_the_terminal()
    result = app.run()
    return int(result or 0)


def _end_with_the_terminal() -> None:
    """A closed terminal (SIGHUP) or a kill (SIGTERM) ends the app at once, worker
    threads and a bake-off in flight included: there is no screen left to ask on.
    (Raising SystemExit, as the command line does, can leave a worker thread running.)
    Files are written atomically, so nothing the user saved is half-written."""
    import os
    import signal

    def gone(signum: int, _frame: object) -> None:
        os._exit(128 + signum)

    for name in ("SIGHUP", "SIGTERM"):
        sig = getattr(signal, name, None)
        if sig is not None:
            signal.signal(sig, gone)
