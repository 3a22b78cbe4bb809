"""Routing plans are pure planning: the planner, the category rules, the exports and the renderers import no UI
library and no HTTP client (the brief: no UI, no network)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", ["advisor.eval.route", "advisor.eval.categories", "advisor.eval.route_export",
                                    "advisor.render.route_markdown", "advisor.render.route_html"])
def test_imports_no_ui_and_no_http(module):
    probe = f"import {module}, sys, json\nprint(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert not loaded & {"textual", "questionary", "rich", "httpx"}, module
