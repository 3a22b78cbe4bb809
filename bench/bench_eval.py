"""Benchmark the eval runner against the plainest httpx loop on a loopback server.

200 streamed requests, 100 ms server latency, concurrency 16. Prints the
runner's wall time beside the ideal ceil(200/16) × 100 ms and beside a plain
``httpx`` async loop (semaphore 16, same requests) measured in the same run,
the ratio (goal ≤ 1.15×) and the runner's CPU time per request (goal < 2 ms).
The server runs in a subprocess so its CPU time is not counted.

Then the whole-process figure: ``advisor eval`` (the CLI, from interpreter start to
exit: imports, target file, cases, results file, report of the run) against the
same server, beside the plain httpx loop run as a process of its own (goal ≤ 1.2×).
Both are run once untimed first (bytecode, page cache, advisor's knowledge cache).

    python bench/bench_eval.py [--requests 200] [--concurrency 16] [--latency 0.1]
"""

from __future__ import annotations

import argparse
import asyncio
import math
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]


def start_server(latency: float) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "providers" / "fake_llm_server.py"), "--latency", str(latency), "--chunks", "4"],
        stdout=subprocess.PIPE, text=True,
    )
    assert proc.stdout is not None
    port = int(proc.stdout.readline())
    return proc, f"http://127.0.0.1:{port}"


async def plain_loop(base: str, n: int, concurrency: int) -> tuple[float, float]:
    sem = asyncio.Semaphore(concurrency)
    body = {"model": "m", "stream": True, "stream_options": {"include_usage": True}, "max_tokens": 64,
            "temperature": 0, "messages": [{"role": "user", "content": "Say hello"}]}

    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency * 2)) as client:
        async def one() -> None:
            async with sem:
                async with client.stream("POST", f"{base}/v1/chat/completions", json=body,
                                         headers={"authorization": "Bearer k"}) as resp:
                    async for _ in resp.aiter_bytes():
                        pass

        c0 = time.process_time()
        t0 = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(n)))
        return time.perf_counter() - t0, time.process_time() - c0


async def runner_run(base: str, n: int, concurrency: int, results: Path) -> tuple[float, float, int]:
    from advisor.eval.cases import parse_cases
    from advisor.eval.runner import EvalRunner, RunConfig
    from advisor.eval.target import Target

    cases = parse_cases("".join(f"- {{id: c{i}, input: Say hello, expected: Hello from the fake server.}}\n" for i in range(n)), "bench.yaml")
    target = Target("Bench", "bench@openai", "openai", f"{base}/v1", "m", "BENCH_KEY", Decimal("0.15"), Decimal("0.60"), "o200k_base")
    runner = EvalRunner([target], cases, RunConfig(concurrency=concurrency, per_provider=concurrency,
                        max_spend=Decimal("100")), results_path=results, env={"BENCH_KEY": "k"})
    c0 = time.process_time()
    t0 = time.perf_counter()
    summary = await runner.run()
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    return wall, cpu, sum(1 for r in summary.results if r.passed)


PLAIN_PROCESS = """
import asyncio, sys
import httpx

async def main(base, n, concurrency):
    sem = asyncio.Semaphore(concurrency)
    body = {"model": "m", "stream": True, "stream_options": {"include_usage": True}, "max_tokens": 64,
            "temperature": 0, "messages": [{"role": "user", "content": "Say hello"}]}
    async with httpx.AsyncClient(limits=httpx.Limits(max_connections=concurrency * 2)) as client:
        async def one():
            async with sem:
                async with client.stream("POST", base + "/v1/chat/completions", json=body,
                                         headers={"authorization": "Bearer k"}) as resp:
                    async for _ in resp.aiter_bytes():
                        pass
        await asyncio.gather(*(one() for _ in range(n)))

asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3])))
"""


def whole_process(base: str, n: int, concurrency: int, tmp: Path) -> tuple[float, float, float]:
    """(advisor eval wall s, plain process wall s, advisor start-up s before its first request)."""
    cases = tmp / "cases.yaml"
    cases.write_text("".join(f"- {{id: c{i}, input: Say hello, expected: Hello from the fake server.}}\n" for i in range(n)))
    targets = tmp / "targets.yaml"
    targets.write_text(f"- {{label: Bench, model_key: bench@openai, api: openai, base_url: '{base}/v1', model_id: m,\n"
                       "   key_env: BENCH_KEY, input_price_per_m: 0.15, output_price_per_m: 0.60, tokenizer: o200k_base}\n")
    env = {**__import__("os").environ, "BENCH_KEY": "k", "ADVISOR_DATA_DIR": str(tmp / "data"),
           "XDG_CACHE_HOME": str(tmp / "cache")}
    env.pop("ADVISOR_NO_CACHE", None)

    def cmd(results: str) -> list[str]:
        return [sys.executable, "-m", "advisor", "eval", "--cases", str(cases), "--target-file", str(targets),
                "--concurrency", str(concurrency), "--per-provider", str(concurrency), "--results", str(tmp / results),
                "--max-spend", "100"]

    # warm-up, untimed, for both processes: .pyc written (as an installed copy has them, even
    # under PYTHONDONTWRITEBYTECODE), page cache, and advisor's knowledge cache (as after a first run)
    warm = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(cmd("process-warm-up.jsonl"), env=warm, capture_output=True, check=True)
    subprocess.run([sys.executable, "-c", PLAIN_PROCESS, base, "1", "1"], env=warm, check=True)
    t0 = time.perf_counter()
    done = subprocess.run(cmd("w.jsonl"), env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"advisor eval failed: {done.stderr[-500:]}")
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", PLAIN_PROCESS, base, str(n), str(concurrency)], env=env, check=True)
    plain = time.perf_counter() - t0
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import advisor.cli.eval_cmd, advisor.eval.runner, advisor.eval.target_file"], env=env, check=True)
    startup = time.perf_counter() - t0
    return wall, plain, startup


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--latency", type=float, default=0.1)
    args = ap.parse_args()
    from advisor.core.tokens import count_tokens

    t0 = time.perf_counter()
    count_tokens("warm up the tokenizer")  # one-time BPE load, not per request
    tokenizer_s = time.perf_counter() - t0
    proc, base = start_server(args.latency)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            asyncio.run(plain_loop(base, args.concurrency, args.concurrency))  # warm up both paths
            asyncio.run(runner_run(base, args.concurrency, args.concurrency, Path(tmp) / "warm.jsonl"))
            plain, plain_cpu = asyncio.run(plain_loop(base, args.requests, args.concurrency))
            wall, cpu, passed = asyncio.run(runner_run(base, args.requests, args.concurrency, Path(tmp) / "r.jsonl"))
            proc_wall, proc_plain, startup = whole_process(base, args.requests, args.concurrency, Path(tmp))
    finally:
        proc.terminate()
        proc.wait()
    ideal = math.ceil(args.requests / args.concurrency) * args.latency
    print(f"{args.requests} streamed requests, {args.latency * 1000:.0f} ms server latency, concurrency {args.concurrency}")
    print(f"  ideal          {ideal:7.3f} s   (ceil({args.requests}/{args.concurrency}) x {args.latency * 1000:.0f} ms)")
    print(f"  plain httpx    {plain:7.3f} s   ({plain / ideal:.2f}x ideal)")
    print(f"  eval runner    {wall:7.3f} s   ({wall / ideal:.2f}x ideal, {wall / plain:.2f}x plain httpx; goal <= 1.15x)")
    print(f"  runner CPU     {cpu * 1000 / args.requests:7.3f} ms per request (goal < 2 ms; includes checks, "
          f"token accounting and an fsync'd JSONL line per result)")
    print(f"  plain CPU      {plain_cpu * 1000 / args.requests:7.3f} ms per request (httpx alone, for scale)")
    print(f"  passed         {passed}/{args.requests}")
    print("whole process (interpreter start to exit)")
    print(f"  plain httpx    {proc_plain:7.3f} s   (a process of its own)")
    print(f"  advisor eval   {proc_wall:7.3f} s   ({proc_wall / proc_plain:.2f}x the plain process; goal <= 1.2x)")
    print(f"  imports alone  {startup:7.3f} s   (python -c 'import' of the eval modules)")
    print(f"  tokenizer load {tokenizer_s:7.3f} s   (o200k_base; a run loads it only for a dry run, a reply without "
          "usage, or a cap the prompt's byte bound cannot fit)")


if __name__ == "__main__":
    main()
