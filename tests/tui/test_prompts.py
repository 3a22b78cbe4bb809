"""`advisor --plain`: questionary prompts patched with scripted answers."""

from __future__ import annotations

import argparse
from pathlib import Path

import questionary
import yaml

from advisor import prompts

from .conftest import FULL_ANSWERS


class Scripted:
    """Stands in for a questionary question: ``unsafe_ask`` returns the scripted answer."""

    def __init__(self, answer, validate=None):  # noqa: ANN001
        self.answer = answer
        self.validate = validate

    def unsafe_ask(self):
        if isinstance(self.answer, BaseException):
            raise self.answer
        if self.validate is not None:
            assert self.validate(self.answer) is True, (self.answer, self.validate(self.answer))
        return self.answer

    ask = unsafe_ask


def script(monkeypatch, kb, answers: dict, after: list):  # noqa: ANN001
    """Patch questionary so each question gets its answer from ``answers`` (by prompt), then ``after`` in order."""
    by_prompt = {q.prompt: q for q in kb.questions.questions}
    extra = list(after)
    seen: list[str] = []

    def answer_for(message: str):
        q = next((q for p, q in by_prompt.items() if message.startswith(p)), None)
        if q is None:
            return extra.pop(0)
        seen.append(q.id)
        value = answers.get(q.id, q.default)
        if q.type in ("choice", "bool", "multi_choice"):
            return value
        return "" if value is None else (", ".join(value) if isinstance(value, list) else str(value))

    monkeypatch.setattr(questionary, "select", lambda message, choices, **kw: Scripted(answer_for(message)))
    monkeypatch.setattr(questionary, "checkbox", lambda message, choices, **kw: Scripted(answer_for(message)))
    monkeypatch.setattr(questionary, "confirm", lambda message, **kw: Scripted(answer_for(message)))
    monkeypatch.setattr(questionary, "text", lambda message, validate=None, **kw: Scripted(answer_for(message), validate))
    return seen


def args(**kw) -> argparse.Namespace:
    base = {"knowledge": [], "today": "2026-11-24", "answers": None}
    base.update(kw)
    return argparse.Namespace(**base)


def use_fixture_kb(monkeypatch, kb):  # noqa: ANN001
    import advisor.cli.common as common

    monkeypatch.setattr(common, "load_kb", lambda extra: kb)


def test_plain_prompts_print_the_shortlist_and_save(monkeypatch, fixture_kb, tmp_path, capsys):
    use_fixture_kb(monkeypatch, fixture_kb)
    existing = tmp_path / "taken.yaml"
    existing.write_text("keep\n")
    target = tmp_path / "answers.yaml"
    # save? yes -> existing path -> overwrite? no -> a new path
    seen = script(monkeypatch, fixture_kb, FULL_ANSWERS, [True, str(existing), False, str(target)])
    assert prompts.run_prompts(args()) == 0
    assert seen == [q.id for s in fixture_kb.questions.sections for q in fixture_kb.questions.questions if q.section == s.id]
    out = capsys.readouterr().out
    assert "== Workload ==" in out and "Pick the task that dominates" in out
    assert "GPT-4o" in out and "Shortlist" in out
    assert existing.read_text() == "keep\n"
    saved = yaml.safe_load(target.read_text())
    assert saved["task_type"] == "extraction" and saved["compliance"] == ["soc2"] and saved["budget_per_request_usd"] == 0.01


def test_text_validation_uses_the_core(fixture_kb):
    q = fixture_kb.question_by_id["monthly_requests"]
    captured = {}

    class Fake:
        def text(self, message, validate=None, **kw):  # noqa: ANN001
            captured["validate"] = validate
            return Scripted("1000")

    assert prompts.ask_question(fixture_kb, q, Fake()) == 1000
    v = captured["validate"]
    assert v("lots") == "must be a whole number"
    assert isinstance(v("0"), str)  # below min, from check_value
    assert v("1,000") is True


def test_ctrl_c_exits_130_without_traceback(monkeypatch, fixture_kb, capsys):
    use_fixture_kb(monkeypatch, fixture_kb)
    monkeypatch.setattr(questionary, "select", lambda *a, **kw: Scripted(KeyboardInterrupt()))
    assert prompts.run_prompts(args()) == 130
    err = capsys.readouterr().err
    assert "cancelled" in err and "Traceback" not in err


def test_declining_to_save_writes_nothing(monkeypatch, fixture_kb, tmp_path):
    use_fixture_kb(monkeypatch, fixture_kb)
    monkeypatch.chdir(tmp_path)
    script(monkeypatch, fixture_kb, FULL_ANSWERS, [False])
    assert prompts.run_prompts(args()) == 0
    assert not list(Path(tmp_path).iterdir())
