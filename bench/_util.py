"""Small helpers shared by the bench scripts: medians and a generated catalogue."""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from pathlib import Path

import yaml


def median_ms(fn: Callable[[], object], runs: int) -> tuple[float, float, float]:
    """(median, min, max) wall time of ``fn`` in milliseconds."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), max(times)


def generated_models(n: int, seed: int = 7) -> dict:
    """A models.yaml overlay with ``n`` synthetic models over the built-in providers."""
    rng = random.Random(seed)
    providers = ["openai", "anthropic", "google", "mistral", "together", "groq", "fireworks"]
    tiers = ["frontier", "mid", "small"]
    tags = ["code", "multilingual", "fast", "generalist", "budget", "agentic", "long_context"]
    models = []
    for i in range(n):
        open_w = rng.random() < 0.4
        params = rng.choice([1, 3, 8, 14, 27, 70, 123, 405])
        eps = []
        for p in rng.sample(providers, rng.randint(1 if not open_w else 0, 2)):
            price = {"as_of": "2026-07-02", "source": "generated"}
            if rng.random() < 0.95:
                price["input"] = round(rng.uniform(0.02, 15), 3)
                price["output"] = round(price["input"] * rng.uniform(1, 5), 3)
            eps.append({"provider": p, "model_id": f"gen/model-{i}", "price": price})
        if not open_w and not eps:
            eps.append({"provider": "openai", "model_id": f"gen/model-{i}", "price": {"input": 1, "output": 2, "as_of": "2026-07-02", "source": "generated"}})
        m = {
            "id": f"gen-model-{i}",
            "name": f"Generated {i}",
            "family": f"gen-{i % 40}",
            "vendor": "generated",
            "tier": rng.choice(tiers),
            "open_weights": open_w,
            "context_window": rng.choice([8192, 32000, 128000, 200000, 1000000]),
            "structured_output": rng.choice(["schema", "json_mode", "prompt"]),
            "tool_calling": rng.random() < 0.7,
            "vision": rng.random() < 0.4,
            "reasoning": rng.random() < 0.1,
            "tags": rng.sample(tags, 2),
            "endpoints": eps,
        }
        if open_w:
            m["params_b"] = params
            m["vram_4bit_gb"] = round(params * 0.55, 1)
        if rng.random() < 0.5:
            m["ttft_ms"] = {"value": rng.randint(100, 3000), "source": "generated"}
            m["tokens_per_s"] = {"value": rng.randint(20, 300), "source": "generated"}
        models.append(m)
    return {"models": models}


def write_overlay(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "models.yaml").write_text(yaml.safe_dump(generated_models(n), sort_keys=False), encoding="utf-8")
    return folder
