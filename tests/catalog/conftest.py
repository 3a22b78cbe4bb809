from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest

from advisor.core.knowledge import load_knowledge

FIX = Path(__file__).resolve().parents[1] / "fixtures"
CAT = FIX / "catalog"
KB_MODELS = FIX / "kb" / "models.yaml"
#: the test catalogue with the tasks and tree that name its models (see tests/conftest.py)
KB = {name: KB_MODELS.with_name(name) for name in ("models.yaml", "tasks.yaml", "decision_tree.yaml")}
MODELS_DEV = CAT / "models-dev-api-2026-07-02.json"
LITELLM = CAT / "litellm-model-prices-1.109.1.json"
TODAY = date(2026, 11, 24)


@pytest.fixture(scope="session")
def builtin_kb():
    return load_knowledge(replace=KB)


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """ADVISOR_DATA_DIR in a temp folder; the CLI uses the test catalogue as built-in models."""
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(tmp_path / "data"))
    import advisor.core.knowledge as knowledge

    real = knowledge.load_knowledge

    def fake(overlays=(), replace=None):
        return real(overlays, replace=replace or KB)

    monkeypatch.setattr(knowledge, "load_knowledge", fake)
    return tmp_path / "data" / "knowledge"


def copy_fixture(src: Path, dst_dir: Path) -> Path:
    dst_dir.mkdir(parents=True, exist_ok=True)
    out = dst_dir / src.name
    shutil.copy(src, out)
    return out
