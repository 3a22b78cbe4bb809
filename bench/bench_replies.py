"""Hostile reply sizes: how fast a call stops, and how much memory it takes.

    python bench/bench_replies.py [--answer-mb 20] [--error-mb 300] [--timeout 10]

Starts the loopback server (tests/providers/fake_llm_server.py) in this
process and prints, per case: elapsed seconds, the error kind, and the peak
Python memory allocated while the call ran (tracemalloc; the server thread's
own 64 KiB pieces are included). Figures only, no assertions.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
import tracemalloc
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "providers"))
sys.path.insert(0, str(ROOT))

from fake_llm_server import FakeLLMServer  # noqa: E402

from advisor.eval.target import Target  # noqa: E402
from advisor.providers import ChatRequest, Message, ProviderCallError, RetryPolicy, stream_chat, wire_for  # noqa: E402


async def one(srv: FakeLLMServer, api: str, fault: dict, timeout: float) -> tuple[float, str, float]:
    base = srv.base + ("/v1" if api == "openai" else "")
    t = Target("bench", f"b@{api}", api, base, "m", None, None, None)
    req = ChatRequest(messages=(Message("user", "hi"),), max_tokens=50)
    srv.faults = [fault]
    tracemalloc.start()
    t0 = time.perf_counter()
    kind = "ok"
    try:
        async with httpx.AsyncClient() as client:
            await stream_chat(client, wire_for(api), t, req, None, policy=RetryPolicy(max_retries=0), timeout=timeout)
    except ProviderCallError as exc:
        kind = exc.kind
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return elapsed, kind, peak / 2**20


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--answer-mb", type=float, default=20)
    ap.add_argument("--error-mb", type=float, default=300)
    ap.add_argument("--timeout", type=float, default=10)
    args = ap.parse_args()
    with FakeLLMServer() as srv:
        for api in ("openai", "anthropic", "gemini"):
            e, kind, mb = asyncio.run(one(srv, api, {"oversize": int(args.answer_mb * 2**20)}, args.timeout))
            print(f"{api:9} {args.answer_mb:g} MB answer:     {kind:10} after {e:5.2f}s, peak {mb:6.1f} MiB")
        e, kind, mb = asyncio.run(one(srv, "openai", {"status": 500, "body_size": int(args.error_mb * 2**20)}, args.timeout))
        print(f"openai    {args.error_mb:g} MB error body: {kind:10} after {e:5.2f}s, peak {mb:6.1f} MiB")
        e, kind, mb = asyncio.run(one(srv, "openai", {"endless": True}, 2.0))
        print(f"openai    endless stream, --timeout 2: {kind:10} after {e:5.2f}s, peak {mb:6.1f} MiB")


if __name__ == "__main__":
    main()
