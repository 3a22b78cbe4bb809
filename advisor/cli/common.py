"""Helpers every command shares: knowledge from flags, answers, errors on stderr."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import NoReturn

from advisor.errors import AdvisorError, InputError, Location, Problem
from advisor.userdirs import knowledge_dirs, user_knowledge_dir  # noqa: F401 (the CLI's names for them)


class OneLineParser(argparse.ArgumentParser):
    """argparse that reports a bad flag as one ``advisor: ...`` line (exit 2), like every
    other bad input, instead of the usage block followed by the error."""

    def error(self, message: str) -> NoReturn:
        print(f"advisor: {message} (see `{self.prog} --help`)", file=sys.stderr)
        raise SystemExit(2)


class ArgError(Exception):
    pass


class ArgParser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of exiting, so a usage error is one
    ``advisor:`` line with exit status 2 like every other bad input."""

    def error(self, message: str):  # type: ignore[override]
        raise ArgError(message)



def parse_args(parser: argparse.ArgumentParser, argv: Sequence[str]) -> argparse.Namespace:
    try:
        return parser.parse_args(list(argv))
    except ArgError as exc:
        raise InputError(str(exc)) from None


def load_kb(extra: Sequence[str] | None):
    """The knowledge for this run. It lives as long as the process, so it is moved
    out of the garbage collector's sight: collections triggered by the engine's
    allocations then stop re-scanning thousands of models (about a third of the
    shortlist time over a 5,000-model catalogue; see bench/bench_core.py). It comes
    from the user's cache when the same files were loaded before (advisor.knowledge_cache)."""
    with startup_gc():
        from advisor.knowledge_cache import load_knowledge_cached

        return load_knowledge_cached(knowledge_dirs(extra))


@contextmanager
def startup_gc() -> Iterator[None]:
    """No cyclic garbage collection while a command starts up, then what it made is
    frozen (moved out of the collector's sight). Start-up makes modules, classes and the
    knowledge, which live as long as the process: collecting while they are made is
    wasted work (about a hundred collections, some 20 ms of ``advisor --answers``).
    Nested uses leave the collector as the outermost found it."""
    import gc

    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def parse_today(text: str | None) -> date:
    if not text:
        return date.today()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError([Problem(f"not a date (YYYY-MM-DD): {text!r}", Location("command line", None, "--today"))]) from None


def say(line: str) -> None:
    """One diagnostic line on stderr: every key in the environment redacted (in any
    form) and control characters shown escaped, whatever the line quotes."""
    from advisor.render.fmt import safe_text
    from advisor.secrets import redact

    print(f"advisor: {safe_text(redact(line))}", file=sys.stderr)


def print_problems(exc: AdvisorError) -> None:
    for line in exc.lines():
        say(line)


def exit_cleanly_on_terminate() -> None:
    """SIGTERM and SIGHUP raise SystemExit(128 + signal) in the main thread instead of
    ending the process on the spot, so ``finally`` blocks run: a write in progress
    removes its temp file and the old file stays whole."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        return

    def handler(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:
            signal.signal(sig, handler)


def run_guarded(fn: Callable[[], int]) -> int:
    """Run a command: user errors -> one line each + their exit code; bugs -> exit 1, no traceback."""
    exit_cleanly_on_terminate()
    try:
        return fn()
    except AdvisorError as exc:
        print_problems(exc)
        return exc.exit_code
    except KeyboardInterrupt:
        print("advisor: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - silence the interpreter's flush at exit
        except OSError:
            pass
        return 0
    except Exception as exc:  # noqa: BLE001 - the last line of defence
        if os.environ.get("ADVISOR_DEBUG"):
            raise
        say(f"internal error: {type(exc).__name__}: {exc} (set ADVISOR_DEBUG=1 for a traceback)")
        return 1
