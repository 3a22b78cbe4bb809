"""Benchmark: catalog import, overlay load, and shortlist time over the imported knowledge.

    python bench/bench_catalog.py [MODELS_DEV_API_JSON]

Without a path, a ~5,000-model file in the models.dev shape is generated in a
temp folder. Prints figures; asserts nothing (goals: import < 2 s, shortlist < 100 ms).
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from advisor.catalog.overlay import import_catalog  # noqa: E402
from advisor.core.engine import shortlist  # noqa: E402
from advisor.core.knowledge import load_knowledge  # noqa: E402
from advisor.core.questions import answers_from_mapping  # noqa: E402


def generate(path: Path, providers: int = 50, per_provider: int = 100) -> None:
    data = {}
    for p in range(providers):
        models = {}
        for i in range(per_provider):
            mid = f"org{i % 40}/model-{i}-v{p % 3}"
            models[mid] = {
                "id": mid,
                "name": f"Model {i}",
                "family": f"fam{i % 40}",
                "cost": {"input": round(0.05 + i * 0.01, 2), "output": round(0.2 + i * 0.03, 2)},
                "limit": {"context": 32768 * (1 + i % 4), "output": 8192},
                "tool_call": i % 2 == 0,
                "structured_output": i % 3 == 0,
                "open_weights": i % 5 == 0,
                "modalities": {"input": ["text"] + (["image"] if i % 7 == 0 else [])},
                "release_date": "2026-01-01",
            }
        data[f"host{p}"] = {"id": f"host{p}", "name": f"Host {p}", "api": f"https://host{p}.example/v1", "env": [f"HOST{p}_API_KEY"], "models": models}
    path.write_text(json.dumps(data))


def main(argv: list[str]) -> int:
    tmp = Path(tempfile.mkdtemp(prefix="advisor-bench-"))
    if len(argv) > 1:
        src = Path(argv[1])
    else:
        src = tmp / "api.json"
        generate(src)
    n = sum(len(p.get("models", {})) for p in json.loads(src.read_text()).values())
    print(f"catalogue: {src} ({n:,} models)")
    builtin = load_knowledge()
    today = date(2026, 11, 24)

    runs = []
    for k in range(3):
        d = tmp / f"ov{k}"
        t = time.perf_counter()
        report, target = import_catalog("models-dev", str(src), d, builtin_kb=builtin, today=today, as_of=date(2026, 7, 2))
        runs.append(time.perf_counter() - t)
    print(f"import (read + map + write overlay): median {statistics.median(runs) * 1000:.0f} ms over {len(runs)} runs "
          f"(goal < 2000 ms); {report.new_models:,} new models, {report.new_endpoints + report.updated_endpoints:,} other endpoints, "
          f"{target.stat().st_size / 1e6:.1f} MB")

    t = time.perf_counter()
    kb = load_knowledge([tmp / "ov0"])
    print(f"load_knowledge with the overlay: {(time.perf_counter() - t) * 1000:.0f} ms "
          f"({len(kb.models):,} models, {sum(len(m.endpoints) for m in kb.models):,} endpoints)")
    import gc

    gc.freeze()  # as advisor.cli.common.load_kb does for every command

    answers = answers_from_mapping(kb, {
        "task_type": "extraction", "monthly_requests": 500000, "avg_input_tokens": 1500,
        "avg_output_tokens": 200, "context_tokens": 8000, "output_format": "json",
    })
    times = []
    for _ in range(7):
        t = time.perf_counter()
        shortlist(answers, kb, today)
        times.append(time.perf_counter() - t)
    print(f"shortlist over the imported knowledge: median {statistics.median(times) * 1000:.1f} ms over {len(times)} runs (goal < 100 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
