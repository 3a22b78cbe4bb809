"""The knowledge cache (advisor.knowledge_cache): what it returns is exactly what
parsing returns; any change to a file it was made from is a miss; bad knowledge is
still reported file:line: field; a broken, tampered or unwritable cache is a silent miss."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

import advisor.core.knowledge as knowledge_mod
import advisor.knowledge_cache as cache
from advisor.core.knowledge import load_knowledge
from advisor.errors import KnowledgeError

REPO = Path(__file__).resolve().parents[2]

CLAIMS = """claims:
  - {model: gpt-4o, dimension: coding, level: good, source: Our bench, as_of: 2026-10-01,
     value: 61.5, unit: "%", measures: pass rate on our repo, kind: benchmark}
"""


@pytest.fixture
def here(tmp_path, monkeypatch):
    """Inside tmp_path (labels are short relative paths), with an overlay folder ``over``."""
    monkeypatch.chdir(tmp_path)
    over = tmp_path / "over"
    (over / "evidence").mkdir(parents=True)
    (over / "models.yaml").write_text("models:\n  - id: gpt-4o\n    context_window: 123456\n")
    (over / "evidence" / "ours.yaml").write_text(CLAIMS)
    return tmp_path


def entries() -> list[Path]:
    folder = cache.cache_dir()
    assert folder is not None
    return sorted(folder.glob("knowledge-*.pickle")) if folder.is_dir() else []


def same(a, b) -> None:
    """Every field equal, including the source maps and raw data that == leaves out."""
    for f in dataclasses.fields(a):
        assert getattr(a, f.name) == getattr(b, f.name), f.name
    assert {k: (m.file, m.lines, m.files) for k, m in a.maps.items()} == {
        k: (m.file, m.lines, m.files) for k, m in b.maps.items()
    }


def no_parsing(monkeypatch) -> None:
    def refuse(*_a, **_k):
        raise AssertionError("parsed although the cache had it")

    monkeypatch.setattr(cache, "load_plan", refuse)


def test_the_cache_lives_in_the_user_cache_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "advisor"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    if not os.sys.platform.startswith(("win", "darwin")):
        assert cache.cache_dir() == tmp_path / "home" / ".cache" / "advisor"
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    assert cache.cache_dir() is None


def test_a_hit_returns_exactly_what_parsing_returns(here, monkeypatch):
    parsed = load_knowledge(["over"])
    first = cache.load_knowledge_cached(["over"])  # a miss: parsed, then stored
    assert len(entries()) == 1
    no_parsing(monkeypatch)
    second = cache.load_knowledge_cached(["over"])
    same(parsed, first)
    same(parsed, second)
    assert second.model_by_id["gpt-4o"].context_window == 123456
    assert any(c.source == "Our bench" for c in second.claims)
    # and the engine decides the same on it
    from advisor.core.engine import shortlist
    from advisor.core.questions import answers_from_mapping

    answers = answers_from_mapping(parsed, {"task_type": "chat", "monthly_requests": 300_000})
    day = date(2026, 11, 24)
    assert shortlist(answers, second, day) == shortlist(answers, parsed, day)


def test_editing_an_overlay_is_a_miss(here):
    cache.load_knowledge_cached(["over"])
    (here / "over" / "models.yaml").write_text("models:\n  - id: gpt-4o\n    context_window: 654321\n")
    kb = cache.load_knowledge_cached(["over"])
    assert kb.model_by_id["gpt-4o"].context_window == 654321
    (here / "over" / "evidence" / "ours.yaml").write_text(CLAIMS.replace("61.5", "70.5"))
    kb = cache.load_knowledge_cached(["over"])
    assert [c.value for c in kb.claims if c.source == "Our bench"] == [Decimal("70.5")]
    (here / "over" / "evidence" / "ours.yaml").unlink()
    kb = cache.load_knowledge_cached(["over"])
    assert not [c for c in kb.claims if c.source == "Our bench"]
    assert len(entries()) == 4
    # the same inputs as before find their entry again
    (here / "over" / "evidence" / "ours.yaml").write_text(CLAIMS)
    (here / "over" / "models.yaml").write_text("models:\n  - id: gpt-4o\n    context_window: 123456\n")
    assert cache.load_knowledge_cached(["over"]).model_by_id["gpt-4o"].context_window == 123456
    assert len(entries()) == 4


def test_editing_the_builtin_knowledge_is_a_miss(here, monkeypatch):
    copy = here / "knowledge"
    shutil.copytree(REPO / "knowledge", copy)
    monkeypatch.setattr(knowledge_mod, "builtin_dir", lambda: copy)
    before = cache.load_knowledge_cached()
    models = copy / "models.yaml"
    models.write_text(models.read_text().replace("name: GPT-4o\n", "name: GPT-4o (edited)\n", 1))
    after = cache.load_knowledge_cached()
    assert before.model_by_id["gpt-4o"].name == "GPT-4o"
    assert after.model_by_id["gpt-4o"].name == "GPT-4o (edited)"


def test_bad_overlay_is_still_located_after_a_good_load(here):
    cache.load_knowledge_cached(["over"])
    (here / "over" / "models.yaml").write_text("models:\n  - id: gpt-4o\n    contex_window: 5\n")
    with pytest.raises(KnowledgeError) as info:
        cache.load_knowledge_cached(["over"])
    assert info.value.lines() == [
        "over/models.yaml:3: models[gpt-4o].contex_window: unknown key (did you mean 'context_window'?)"
    ]
    (here / "over" / "evidence" / "ours.yaml").write_text(CLAIMS.replace("gpt-4o", "gpt-4oo"))
    (here / "over" / "models.yaml").write_text("models: [\n")
    with pytest.raises(KnowledgeError) as info:
        cache.load_knowledge_cached(["over"])
    assert [line.split(": ")[0] for line in info.value.lines()] == ["over/models.yaml:2"]
    assert len(entries()) == 1  # bad knowledge is never stored


def test_bad_builtin_knowledge_is_located(here, monkeypatch):
    copy = here / "knowledge"
    shutil.copytree(REPO / "knowledge", copy)
    monkeypatch.setattr(knowledge_mod, "builtin_dir", lambda: copy)
    cache.load_knowledge_cached()
    scoring = copy / "scoring.yaml"
    lines = scoring.read_text().splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("person_waits_ms:"))
    lines[n] = "person_waits_ms: -5"
    scoring.write_text("\n".join(lines) + "\n")
    with pytest.raises(KnowledgeError) as info:
        cache.load_knowledge_cached()
    assert info.value.lines() == [f"knowledge/scoring.yaml:{n + 1}: person_waits_ms: must be > 0; got -5"]


@pytest.mark.parametrize(
    "damage",
    [
        lambda b: b[: len(b) // 2],  # cut short
        lambda b: b[:-10] + bytes(10),  # bytes changed (the digest no longer matches)
        lambda b: b"",  # empty
        lambda b: b"not a cache at all",
    ],
    ids=["truncated", "flipped", "empty", "garbage"],
)
def test_a_corrupt_entry_falls_back_to_parsing(here, damage):
    expected = load_knowledge(["over"])
    cache.load_knowledge_cached(["over"])
    [entry] = entries()
    entry.write_bytes(damage(entry.read_bytes()))
    same(expected, cache.load_knowledge_cached(["over"]))
    # and the entry is whole again
    same(expected, cache.read_entry(entry.parent, cache.cache_key(*_plan_and_contents(["over"]))))


def _plan_and_contents(overlays):
    plan = knowledge_mod.knowledge_plan(overlays)
    return plan, {s.path: s.path.read_bytes() for s in plan.files}


def test_a_tampered_entry_runs_no_code(here):
    """An entry with a valid digest whose pickle calls something outside the knowledge
    (here: os.system) is refused, not run."""
    cache.load_knowledge_cached(["over"])
    [entry] = entries()
    marker = here / "ran"

    class Evil:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    payload = pickle.dumps({"questions": Evil()})
    key = cache.cache_key(*_plan_and_contents(["over"]))
    entry.write_bytes(cache.MAGIC + key.encode() + hashlib.sha256(payload).digest() + payload)
    kb = cache.load_knowledge_cached(["over"])
    assert not marker.exists()
    assert kb.model_by_id["gpt-4o"].context_window == 123456


def test_an_unwritable_cache_is_no_error(here, monkeypatch):
    blocker = here / "not-a-folder"
    blocker.write_text("a file where the cache folder would be")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    kb = cache.load_knowledge_cached(["over"])
    assert kb.model_by_id["gpt-4o"].context_window == 123456
    assert blocker.read_text() == "a file where the cache folder would be"


def test_no_cache_when_turned_off(here, monkeypatch):
    monkeypatch.setenv("ADVISOR_NO_CACHE", "1")
    kb = cache.load_knowledge_cached(["over"])
    assert kb.model_by_id["gpt-4o"].context_window == 123456
    monkeypatch.delenv("ADVISOR_NO_CACHE")
    assert entries() == []


def test_entries_are_pruned(here, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 2)
    folder = cache.cache_dir()
    folder.mkdir(parents=True)
    killed = folder / ".knowledge-abc123.tmp"  # a writer killed mid-write, long ago
    killed.write_bytes(b"half an entry")
    os.utime(killed, (1_000_000_000, 1_000_000_000))
    fresh = folder / ".knowledge-def456.tmp"  # another process writing right now
    fresh.write_bytes(b"being written")
    for width in (1000, 2000, 3000):
        (here / "over" / "models.yaml").write_text(f"models:\n  - id: gpt-4o\n    context_window: {width}\n")
        cache.load_knowledge_cached(["over"])
    assert len(entries()) == 2
    assert not killed.exists() and fresh.exists()


def test_the_command_line_uses_the_cache(here, capsys):
    from advisor.__main__ import main

    answers = here / "a.yaml"
    answers.write_text("task_type: chat\nmonthly_requests: 300000\n")
    argv = ["--answers", str(answers), "--today", "2026-11-24", "--knowledge", "over"]
    assert main(argv) == 0
    first = capsys.readouterr().out
    assert len(entries()) == 1
    assert main(argv) == 0
    assert capsys.readouterr().out == first
