"""Figures for the core (issue 2). Prints; asserts nothing.

1. Median wall time of `advisor --answers EXAMPLE` beside `python -c pass`,
   measured in the same run (goal, issue 8: under 300 ms on a 2-core machine), with
   the knowledge from its cache (advisor.knowledge_cache, in a temp XDG_CACHE_HOME)
   and without it (ADVISOR_NO_CACHE=1: every file parsed, as on a first run). CPU
   time (user + system) of each is beside it: it moves less when the machine is busy.
   The warm-up run writes the bytecode cache (.pyc) as an installed copy has it, even
   when PYTHONDONTWRITEBYTECODE is set in this environment.
2. Shortlist time over a generated 5,000-model knowledge base (goal: under 100 ms).

    python bench/bench_core.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _util import median_ms, write_overlay  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "answers" / "support-bot.yaml"


def _child(cmd: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one run of ``cmd``."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"{' '.join(cmd)} failed ({status})")
    return (time.perf_counter() - t0) * 1000, (usage.ru_utime + usage.ru_stime) * 1000


def cli_startup(runs: int) -> None:
    tmp = tempfile.mkdtemp()
    env = dict(os.environ, ADVISOR_DATA_DIR=tmp, XDG_CACHE_HOME=str(Path(tmp) / "cache"))
    env.pop("ADVISOR_NO_CACHE", None)
    cold = dict(env, ADVISOR_NO_CACHE="1")
    base = [sys.executable, "-c", "pass"]
    cmd = [sys.executable, "-m", "advisor", "--answers", str(EXAMPLE), "--today", "2026-11-24"]
    warm = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd, check=True, capture_output=True, env=warm, cwd=ROOT)  # .pyc, page cache, knowledge cache
    rows: dict[str, list[tuple[float, float]]] = {"python -c pass": [], "advisor --answers": [], "  without the cache": []}
    for _ in range(runs):  # interleaved, so a busy moment costs each the same
        rows["python -c pass"].append(_child(base, env))
        rows["advisor --answers"].append(_child(cmd, env))
        rows["  without the cache"].append(_child(cmd, cold))
    med = {}
    for name, got in rows.items():
        wall = [w for w, _ in got]
        med[name] = statistics.median(wall)
        print(f"{name:22s} median {med[name]:7.1f} ms  (min {min(wall):.1f}, max {max(wall):.1f}; "
              f"CPU median {statistics.median(c for _, c in got):.1f} ms; n={runs})")
    adv = med["advisor --answers"]
    print(f"  advisor above the interpreter: {adv - med['python -c pass']:.1f} ms; goal: advisor under 300 ms -> "
          f"{'met' if adv < 300 else 'NOT met'}")


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
