from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_llm_server import FakeLLMServer  # noqa: E402


@pytest.fixture
def fake():
    srv = FakeLLMServer().start()
    try:
        yield srv
    finally:
        srv.stop()
