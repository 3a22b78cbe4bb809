"""Figures for the app: launch to the first screen, and answer change to the updated live panel.

    python bench/bench_tui.py

Goals: first screen < 1.5 s; live update < 50 ms (median over ~30 changes).
Prints figures only; never asserts.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ.setdefault("ADVISOR_DATA_DIR", tempfile.mkdtemp(prefix="advisor-bench-"))


async def first_screen_in_process() -> float:
    started = time.perf_counter()
    from advisor.cli.common import load_kb
    from advisor.tui.app import make_app

    app = make_app(load_kb([]), today=date(2026, 11, 24))
    async with app.run_test(size=(120, 40)) as pilot:
        while type(app.screen).__name__ != "WelcomeScreen" or not app.screen.is_mounted:
            await pilot.pause(0.005)
        return time.perf_counter() - started


def first_screen_tmux() -> float | None:
    if shutil.which("tmux") is None:
        return None
    session = f"bench-{uuid.uuid4().hex[:8]}"
    cmd = f"cd {REPO} && ADVISOR_DATA_DIR={os.environ['ADVISOR_DATA_DIR']} {sys.executable} -m advisor"
    started = time.perf_counter()
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", cmd], check=True)
    try:
        while time.perf_counter() - started < 20:
            out = subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True).stdout
            if "Start a fresh checklist" in out:
                return time.perf_counter() - started
            time.sleep(0.01)
        return None
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


async def update_latency(changes: int = 30) -> tuple[list[float], list[float]]:
    """Seconds from typing a new volume to the panel showing the new shortlist; and engine time alone."""
    from advisor.cli.common import load_kb
    from advisor.tui.app import make_app
    from advisor.tui.widgets.live_panel import LivePanel

    app = make_app(load_kb([]), {"task_type": "chat", "monthly_requests": 100000}, today=date(2026, 11, 24))
    panel_times: list[float] = []
    engine_times: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        while type(app.screen).__name__ != "ResultsScreen":
            await pilot.pause(0.005)
        await pilot.press("escape")
        await pilot.pause()
        field = app.screen.query_one("#in-monthly_requests")
        panel = app.screen.query_one(LivePanel)
        for i in range(changes):
            before = app._seq
            started = time.perf_counter()
            field.value = str(100000 + 50000 * (i + 1))  # as if typed: Input.Changed -> field -> app -> worker
            while not (panel.view.seq > before and not panel.view.pending):
                await asyncio.sleep(0.0005)
            panel_times.append(time.perf_counter() - started)
            engine_times.append(app.last_update_seconds or 0.0)
    return panel_times, engine_times


def main() -> None:
    t_first = asyncio.run(first_screen_in_process())
    print(f"first screen (in process, incl. knowledge load): {t_first * 1000:7.1f} ms   goal < 1500 ms")
    t_tmux = first_screen_tmux()
    if t_tmux is not None:
        print(f"first screen (python -m advisor under tmux):     {t_tmux * 1000:7.1f} ms   goal < 1500 ms")
    panel, engine = asyncio.run(update_latency())
    print(f"answer change -> live panel updated, median of {len(panel)}: {statistics.median(panel) * 1000:6.1f} ms "
          f"(p90 {sorted(panel)[int(len(panel) * 0.9) - 1] * 1000:.1f} ms, max {max(panel) * 1000:.1f} ms)   goal < 50 ms")
    print(f"  of which the engine (worker thread), median: {statistics.median(engine) * 1000:6.1f} ms")


if __name__ == "__main__":
    main()
