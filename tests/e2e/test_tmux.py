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


def test_answer_checklist_in_tmux(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    env_prefix = f"ADVISOR_DATA_DIR={shlex.quote(str(data))} TERM=xterm-256color"
    cmd = f"cd {shlex.quote(str(REPO))} && {env_prefix} {shlex.quote(sys.executable)} -m advisor --today 2026-11-24"
    session = f"advisor-{uuid.uuid4().hex[:8]}"
    tmux("new-session", "-d", "-s", session, "-x", "120", "-y", "40", cmd)
    try:
        subprocess.run(["tmux", "resize-window", "-t", session, "-x", "120", "-y", "40"], capture_output=True)
        wait_for(session, "Start a fresh checklist")
        tmux("send-keys", "-t", session, "Enter")
        wait_for(session, "What is the main task?")
        tmux("send-keys", "-t", session, "Enter")  # open the task list
        time.sleep(0.3)
        tmux("send-keys", "-t", session, "Down", "Down", "Enter")  # (blank) -> classification -> extraction
        time.sleep(0.3)
        tmux("send-keys", "-t", session, "Tab")
        time.sleep(0.2)
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
