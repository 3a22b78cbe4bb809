"""Shared fixtures: the small stable test catalogue, an answers factory, a fixed today.

Engine tests run on ``tests/fixtures/kb/`` (models.yaml with the tasks.yaml and
decision_tree.yaml that name its models, swapped in with
``load_knowledge(replace=FIXTURE_KB)``) so edits to the shipped knowledge never
break them. Every test gets its own ADVISOR_DATA_DIR so a user's catalog overlay
(``advisor catalog import``) cannot leak into the results, and its own
XDG_CACHE_HOME, so the knowledge cache starts empty and never touches ~/.cache.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent
# the fake provider server is a plain module shared by several suites
sys.path.insert(0, str(REPO / "tests" / "providers"))
FIXTURE_MODELS = REPO / "tests" / "fixtures" / "kb" / "models.yaml"
#: the stable test catalogue with the guides-era tasks and tree that name its
#: models (the shipped tasks.yaml and tree name today's models, which the small
#: catalogue does not have): ``load_knowledge(replace=FIXTURE_KB)``
FIXTURE_KB = {name: FIXTURE_MODELS.with_name(name) for name in ("models.yaml", "tasks.yaml", "decision_tree.yaml")}
TODAY = date(2026, 11, 24)

#: the smallest answers the engine accepts (the two required questions)
BASE_ANSWERS: dict[str, Any] = {"task_type": "summarization", "monthly_requests": 100_000}


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory, monkeypatch):
    data = tmp_path_factory.mktemp("advisor-data")
    monkeypatch.setenv("ADVISOR_DATA_DIR", str(data))
    # and its own knowledge cache (advisor.knowledge_cache), never the user's ~/.cache
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path_factory.mktemp("advisor-cache")))
    monkeypatch.delenv("ADVISOR_NO_CACHE", raising=False)
    return data


@pytest.fixture(scope="session")
def fixture_kb():
    from advisor.core.knowledge import load_knowledge

    return load_knowledge(replace=FIXTURE_KB)


@pytest.fixture(scope="session")
def kb(fixture_kb):
    return fixture_kb


@pytest.fixture
def today() -> date:
    return TODAY


@pytest.fixture
def answers(fixture_kb):
    """``answers(**overrides)`` -> a validated Answers built on BASE_ANSWERS."""
    from advisor.core.questions import answers_from_mapping

    def make(**overrides: Any):
        data = dict(BASE_ANSWERS)
        data.update(overrides)
        return answers_from_mapping(fixture_kb, data)

    return make


@pytest.fixture
def run(fixture_kb, answers):
    """``run(**overrides)`` -> the Shortlist for those answers on the fixture kb."""
    from advisor.core.engine import shortlist

    def go(**overrides: Any):
        return shortlist(answers(**overrides), fixture_kb, TODAY)

    return go


@pytest.fixture
def shortlist_for():
    """``shortlist_for(kb, **overrides)`` -> the Shortlist on any knowledge base."""
    from advisor.core.engine import shortlist
    from advisor.core.questions import answers_from_mapping

    def go(kb, today: date = TODAY, **overrides: Any):
        data = dict(BASE_ANSWERS)
        data.update(overrides)
        return shortlist(answers_from_mapping(kb, data), kb, today)

    return go


def fixture_models_path() -> Path:
    return FIXTURE_MODELS


@pytest.fixture
def fake():
    """A loopback server speaking the OpenAI, Anthropic and Gemini wire formats
    (tests/providers/fake_llm_server.py), stopped after the test."""
    from fake_llm_server import FakeLLMServer

    srv = FakeLLMServer().start()
    try:
        yield srv
    finally:
        srv.stop()
