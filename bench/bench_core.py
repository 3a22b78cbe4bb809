"""Figures for the core (issue 2). Prints; asserts nothing.

1. Median wall time of `advisor --answers EXAMPLE` beside `python -c pass`,
   measured in the same run (goal: under 400 ms on a 2-core machine).
2. Shortlist time over a generated 5,000-model knowledge base (goal: under 100 ms).

    python bench/bench_core.py [RUNS]
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import median_ms, write_overlay  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "answers" / "support-bot.yaml"


def cli_startup(runs: int) -> None:
    env = dict(os.environ, ADVISOR_DATA_DIR=tempfile.mkdtemp())
    base = [sys.executable, "-c", "pass"]
    cmd = [sys.executable, "-m", "advisor", "--answers", str(EXAMPLE), "--today", "2026-11-24"]
    subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT)  # warm the page cache
    py = median_ms(lambda: subprocess.run(base, check=True, capture_output=True, env=env), runs)
    adv = median_ms(lambda: subprocess.run(cmd, check=True, capture_output=True, env=env, cwd=ROOT), runs)
    print(f"python -c pass            median {py[0]:7.1f} ms  (min {py[1]:.1f}, max {py[2]:.1f}, n={runs})")
    print(f"advisor --answers (Rich)  median {adv[0]:7.1f} ms  (min {adv[1]:.1f}, max {adv[2]:.1f}, n={runs})")
    print(f"  advisor above the interpreter: {adv[0] - py[0]:.1f} ms; goal: advisor under 400 ms -> "
          f"{'met' if adv[0] < 400 else 'NOT met'}")


def shortlist_at_scale(n: int, runs: int) -> None:
    from advisor.core.engine import shortlist
    from advisor.core.knowledge import load_knowledge
    from advisor.core.questions import load_answers

    with tempfile.TemporaryDirectory() as tmp:
        overlay = write_overlay(Path(tmp) / "kb", n)
        load = median_ms(lambda: load_knowledge([overlay]), 3)
        kb = load_knowledge([overlay])
    import gc

    gc.freeze()  # as advisor.cli.common.load_kb does for every command
    answers = load_answers(kb, EXAMPLE)
    today = date(2026, 11, 24)
    result = shortlist(answers, kb, today)
    t = median_ms(lambda: shortlist(answers, kb, today), runs)
    import time

    c0 = time.process_time()
    for _ in range(runs):
        shortlist(answers, kb, today)
    cpu = (time.process_time() - c0) * 1000 / runs
    print(f"knowledge with {len(kb.models):,} models: load+validate median {load[0]:.0f} ms")
    print(f"shortlist over {result.options_considered:,} options ({result.options_surviving:,} survive): "
          f"median {t[0]:.1f} ms (min {t[1]:.1f}, max {t[2]:.1f}, n={runs}); goal under 100 ms -> "
          f"{'met' if t[0] < 100 else 'NOT met'}")
    print(f"  CPU time per shortlist {cpu:.1f} ms (less sensitive to other load on the machine)")


if __name__ == "__main__":
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    sys.path.insert(0, str(ROOT))
    cli_startup(runs)
    shortlist_at_scale(5000, runs)
