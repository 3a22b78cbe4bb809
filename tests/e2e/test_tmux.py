"""The real app in a real terminal: tmux runs `advisor`, send-keys answers, capture-pane reads."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.tmux, pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")]


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout


def wait_for(session: str, text: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never appeared; screen was:\n{screen}")


def wait_gone(session: str, text: str, timeout: float = 15.0) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", session)
        if text not in screen:
            return screen
        time.sleep(0.1)
    raise AssertionError(f"{text!r} never went away; screen was:\n{screen}")


def choose_extraction(session: str) -> None:
    """Open the task list, pick extraction, and wait for the list to close (on a
    loaded machine the list opens late: keys sent before it is open miss it)."""
    tmux("send-keys", "-t", session, "Enter")  # open the task list
    wait_for(session, "Classification or routing")  # only in the open list
    tmux("send-keys", "-t", session, "Down", "Down", "Enter")  # (blank) -> classification -> extraction
    wait_gone(session, "Classification or routing")
    wait_for(session, "Structured data extraction")


def start_app(data) -> str:  # noqa: ANN001
    """`advisor` in a new 120x40 tmux session with its own data folder; the session's name."""
    data.mkdir()
    env_prefix = f"ADVISOR_DATA_DIR={shlex.quote(str(data))} TERM=xterm-256color"
    cmd = f"cd {shlex.quote(str(REPO))} && {env_prefix} {shlex.quote(sys.executable)} -m advisor --today 2026-11-24"
    session = f"advisor-{uuid.uuid4().hex[:8]}"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", cmd)
    subprocess.run(["tmux", "resize-window", "-t", session, "-x", "120", "-y", "40"], capture_output=True)
    return session


def to_volume_field(session: str) -> None:
    """From the welcome screen: a fresh checklist, extraction, then Tab to the volume."""
    wait_for(session, "Start a fresh checklist")
    tmux("send-keys", "-t", session, "Enter")
    wait_for(session, "What is the main task?")
    choose_extraction(session)
    tmux("send-keys", "-t", session, "Tab")


def test_answer_checklist_in_tmux(tmp_path):
    data = tmp_path / "data"
    session = start_app(data)
    try:
        to_volume_field(session)
        tmux("send-keys", "-t", session, "-l", "500000")
        screen = wait_for(session, "Recommended")
        tmux("send-keys", "-t", session, "C-r")
        screen = wait_for(session, "Per month")

        answers = tmp_path / "a.yaml"
        answers.write_text("task_type: extraction\nmonthly_requests: 500000\n")
        proc = subprocess.run(
            [sys.executable, "-m", "advisor", "--answers", str(answers), "--format", "json", "--today", "2026-11-24"],
            capture_output=True, text=True, cwd=REPO, env={**os.environ, "ADVISOR_DATA_DIR": str(data)}, timeout=60,
        )
        expected = json.loads(proc.stdout)["shortlist"]["candidates"]
        for c in expected:
            assert c["option"]["model_name"][:20] in screen, screen

        tmux("send-keys", "-t", session, "C-q")  # answers changed and unsaved: asks first
        wait_for(session, "Quit without saving")
        tmux("send-keys", "-t", session, "y")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if "advisor" not in tmux("list-panes", "-t", session, "-F", "#{pane_current_command}") + "":
                break
            if subprocess.run(["tmux", "has-session", "-t", session], capture_output=True).returncode != 0:
                break
            time.sleep(0.1)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_digits_typed_1ms_apart_all_reach_the_field_and_the_saved_answers(tmp_path):
    """One `tmux send-keys` per digit, 1 ms apart, while every digit recomputes the
    live shortlist: the field shows the whole number and the saved answers hold it."""
    import yaml

    saved = tmp_path / "typed.yaml"
    number = "50000000123"
    session = start_app(tmp_path / "data")
    try:
        to_volume_field(session)
        for digit in number:
            tmux("send-keys", "-t", session, "-l", digit)
            time.sleep(0.001)
        screen = wait_for(session, number)
        wait_for(session, "Recommended")
        tmux("send-keys", "-t", session, "C-s")
        wait_for(session, "Save answers to")
        tmux("send-keys", "-t", session, "-l", str(saved))  # the default name is selected: typing replaces it
        tmux("send-keys", "-t", session, "Enter")
        deadline = time.monotonic() + 15
        while not saved.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert saved.exists(), tmux("capture-pane", "-p", "-t", session)
        assert yaml.safe_load(saved.read_text())["monthly_requests"] == int(number), screen
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_closing_the_terminal_ends_the_app(tmp_path):
    # a closed terminal (SIGHUP) or a kill (SIGTERM) must end the app, not leave it
    # running without a screen
    import signal

    marker = tmp_path / f"data-{uuid.uuid4().hex[:8]}"
    marker.mkdir()
    cmd = (f"cd {shlex.quote(str(REPO))} && ADVISOR_DATA_DIR={shlex.quote(str(marker))} TERM=xterm-256color "
           f"{shlex.quote(sys.executable)} -m advisor --today 2026-11-24")  # a shell runs it, as a user would
    for sig in (None, signal.SIGTERM):
        session = f"advisor-{uuid.uuid4().hex[:8]}"
        tmux("new-session", "-d", "-s", session, "-x", "100", "-y", "30", cmd)
        try:
            wait_for(session, "Start a fresh checklist")
            found = subprocess.run(["pgrep", "-f", f"ADVISOR_DATA_DIR={marker}"], capture_output=True, text=True).stdout.split()
            found += subprocess.run(["pgrep", "-f", "-n", "-x", f"{sys.executable} -m advisor --today 2026-11-24"],
                                    capture_output=True, text=True).stdout.split()
            pids = [int(p) for p in found if Path(f"/proc/{p}/environ").exists()
                    and str(marker).encode() in Path(f"/proc/{p}/environ").read_bytes()]
            assert pids, "could not find the app's process"
            pid = pids[-1]
            if sig is None:
                subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)  # SIGHUP
            else:
                os.kill(pid, sig)
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
                time.sleep(0.1)
            alive = Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
            if alive:
                os.kill(pid, signal.SIGKILL)
            assert not alive, f"the app was still running 10 s after {'SIGHUP' if sig is None else 'SIGTERM'}"
        finally:
            subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
