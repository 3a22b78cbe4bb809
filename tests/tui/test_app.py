"""The app driven with key presses (Pilot) on the fixture catalogue."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from textual.widgets import DataTable, Input

from advisor.core.engine import shortlist
from advisor.core.questions import answers_from_mapping
from advisor.tui.app import AdvisorApp, make_app
from advisor.tui.screens.checklist import ChecklistScreen
from advisor.tui.screens.detail import CandidateDetailScreen
from advisor.tui.screens.modals import ConfirmModal, PathModal
from advisor.tui.screens.results import ResultsScreen
from advisor.tui.screens.welcome import WelcomeScreen
from advisor.tui.widgets.live_panel import panel_text

from .conftest import FULL_ANSWERS, answer, on_screen, settle

REPO = Path(__file__).resolve().parents[2]
SIZE = (120, 40)


def keys_of(s):
    return [(c.role, c.option.key) for c in s.candidates]


async def test_fresh_checklist_answered_by_keys(app_for, fixture_kb, today):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "WelcomeScreen")
        await on_screen(pilot, "WelcomeScreen")
        await pilot.press("enter")  # "Start a fresh checklist" has the focus
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        text = panel_text(app.view).plain
        assert "Still needed" in text and "What is the main task?" in text and "How many requests a month?" in text

        for qid, value in FULL_ANSWERS.items():
            await answer(pilot, qid, value)

        expected = shortlist(answers_from_mapping(fixture_kb, FULL_ANSWERS), fixture_kb, today)
        got = app.shortlist
        assert got is not None
        assert keys_of(got) == keys_of(expected)
        assert [e.model_id for e in got.eliminated] == [e.model_id for e in expected.eliminated]
        # the stable fixture catalogue: concrete names
        assert [(c.role, c.option.label) for c in got.candidates] == [
            ("recommended", "GPT-4o (OpenAI)"), ("alternative", "GPT-4o mini (OpenAI)")]
        rules = {e.model_name: e.reasons[0].rule for e in got.eliminated}
        assert rules["Claude 3.5 Sonnet"] == "json_schema"
        assert rules["Gemini 2.0 Flash"] == "compliance"
        assert "GPT-4o (OpenAI)" in panel_text(app.view).plain

        await pilot.press("ctrl+r")
        await pilot.pause()
        assert isinstance(app.screen, ResultsScreen)
        table = app.screen.query_one("#shortlist-table", DataTable)
        assert table.row_count == 2
        assert str(table.get_row_at(0)[1]) == "GPT-4o"
        eliminated = app.screen.query_one("#eliminated-table", DataTable)
        assert eliminated.row_count == len(expected.eliminated)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, CandidateDetailScreen)
        detail = app.screen.query_one("#detail-text").render()
        assert "Decision tree path" in str(detail) and "Capability ratings" in str(detail)
        await pilot.press("escape", "escape")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen)


async def test_last_change_names_the_rule(app_for, fixture_kb, today):
    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "ResultsScreen")
        await on_screen(pilot, "ResultsScreen")  # pre-filled: straight to the results
        await pilot.press("escape")
        await pilot.pause()
        await answer(pilot, "data_privacy", "strict")
        expected = shortlist(answers_from_mapping(fixture_kb, {**FULL_ANSWERS, "data_privacy": "strict"}), fixture_kb, today)
        rule = next(e for e in expected.eliminated_options if e.option.key == "gpt-4o@openai")
        text = panel_text(app.view).plain
        assert f"GPT-4o (OpenAI) dropped out: {rule.rule}: {rule.message}" in " ".join(text.split())
        assert "No model passes every hard filter" in text
        await answer(pilot, "data_privacy", "standard")
        assert "+ GPT-4o (OpenAI) joined as Recommended" in panel_text(app.view).plain


async def test_inline_validation_messages(app_for):
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "WelcomeScreen")
        await pilot.press("ctrl+n")
        await settle(pilot)
        await answer(pilot, "monthly_requests", "lots")
        err = str(app.screen.query_one("#q-monthly_requests .error").render())
        assert "must be a whole number" in err
        await answer(pilot, "monthly_requests", "0")
        err = str(app.screen.query_one("#q-monthly_requests .error").render())
        assert "1" in err and "⚠" in err  # the schema's bound, from check_value
        assert "How many requests a month?" in panel_text(app.view).plain
        await answer(pilot, "monthly_requests", "1,000")
        assert str(app.screen.query_one("#q-monthly_requests .error").render()) == ""
        assert app.form.values["monthly_requests"] == 1000


def _write(path: Path, data: dict) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False))


async def test_open_change_save_reads_back_with_cli(tmp_path, today):
    from advisor.cli.common import load_kb

    kb = load_kb([])  # the shipped catalogue, as the subprocess sees it
    original = tmp_path / "in.yaml"
    _write(original, {"task_type": "summarization", "monthly_requests": 100000})
    saved = tmp_path / "out.yaml"
    app = make_app(kb, today=today)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "WelcomeScreen")
        await pilot.press("ctrl+o")
        app.screen.query_one("#open-path", Input).value = str(original)  # typing a long tmp path is slow
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ChecklistScreen)
        assert app.answers_path == str(original)
        await answer(pilot, "monthly_requests", 2_000_000)
        await answer(pilot, "task_type", "batch")
        assert app.dirty
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, PathModal)
        field = app.screen.query_one("#path-input", Input)
        assert field.value == str(original)
        field.value = str(saved)
        await pilot.press("enter")
        await settle(pilot)
        assert saved.exists() and not app.dirty
        result = app.shortlist
    data = yaml.safe_load(saved.read_text())
    assert data["monthly_requests"] == 2_000_000 and data["task_type"] == "batch"
    proc = subprocess.run(
        [sys.executable, "-m", "advisor", "--answers", str(saved), "--format", "json", "--today", today.isoformat()],
        capture_output=True, text=True, cwd=REPO, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    cli = json.loads(proc.stdout)["shortlist"]
    assert [(c["role"], c["option"]["key"]) for c in cli["candidates"]] == keys_of(result)
    assert cli["answers"]["monthly_requests"] == 2_000_000


async def test_saving_over_the_opened_file_keeps_its_comments(tmp_path, today):
    from advisor.cli.common import load_kb

    original = tmp_path / "in.yaml"
    original.write_text("# Why these numbers: the Q3 traffic report.\ntask_type: summarization\n"
                        "# 100k documents a month, growing\nmonthly_requests: 100000  # recheck in Q1\n")
    app = make_app(load_kb([]), today=today)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "WelcomeScreen")
        await pilot.press("ctrl+o")
        app.screen.query_one("#open-path", Input).value = str(original)
        await pilot.press("enter")
        await settle(pilot)
        await answer(pilot, "monthly_requests", 2_000_000)
        await pilot.press("ctrl+s")
        await pilot.pause()
        await pilot.press("enter")  # the opened file's path is the default
        await pilot.pause()
        await pilot.press("y")  # overwrite it
        await settle(pilot)
        assert not app.dirty
    text = original.read_text()
    assert text.startswith("# Why these numbers: the Q3 traffic report.\n")
    assert "# 100k documents a month, growing\nmonthly_requests: 2000000  # recheck in Q1\n" in text
    assert yaml.safe_load(text)["monthly_requests"] == 2_000_000


async def test_overwrite_needs_confirmation(app_for, tmp_path):
    target = tmp_path / "answers.yaml"
    target.write_text("keep me\n")
    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "ResultsScreen")
        for reply, expect in (("n", "keep me\n"), ("y", None)):
            await pilot.press("ctrl+s")
            await pilot.pause()
            app.screen.query_one("#path-input", Input).value = str(target)
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, ConfirmModal)
            assert "already exists" in str(app.screen.query_one("#dialog-title").render())
            await pilot.press(reply)
            await settle(pilot)
            if expect:
                assert target.read_text() == expect
        assert yaml.safe_load(target.read_text())["task_type"] == "extraction"


async def test_export_report_by_extension(app_for, tmp_path):
    app = app_for(FULL_ANSWERS)
    out = tmp_path / "report.json"
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        app.screen.query_one("#path-input", Input).value = str(out)
        await pilot.press("enter")
        await settle(pilot)
    assert json.loads(out.read_text())["shortlist"]["candidates"][0]["option"]["model_name"] == "GPT-4o"


async def test_quit_with_unsaved_answers_asks(app_for):
    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "ResultsScreen")
        await pilot.press("escape")
        await answer(pilot, "fine_tuning", True)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, ChecklistScreen) and app.is_running
        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
    assert app.return_value == 0


async def test_quit_without_changes_does_not_ask(app_for):
    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "ResultsScreen")
        await pilot.press("ctrl+q")
        await pilot.pause()
    assert app.return_value == 0


async def test_narrow_terminal_puts_panel_under_form(app_for):
    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "ResultsScreen")
        await pilot.press("escape")
        await pilot.pause()
        screen = app.screen
        assert screen.has_class("-narrow")
        live, form = screen.query_one("#live"), screen.query_one("#form")
        assert live.region.y > form.region.y
        await pilot.press("ctrl+l")
        await pilot.pause()
        assert not live.display or live.region.height == 0


async def test_every_binding_has_an_id_and_is_in_the_palette(app_for):
    from textual.binding import Binding

    from advisor.tui.screens import checklist, detail, modals, results, welcome

    classes = [AdvisorApp, welcome.WelcomeScreen, checklist.ChecklistScreen, results.ResultsScreen,
               detail.CandidateDetailScreen, modals.PathModal, modals.ConfirmModal]
    for cls in classes:
        for b in cls.BINDINGS:
            assert isinstance(b, Binding) and b.id, f"{cls.__name__}: {b}"
    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "ResultsScreen")
        await pilot.press("escape")
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for label in ("Results", "Save answers", "Export report", "Live panel", "Quit"):
            assert any(t.startswith(label) for t in titles), titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"Live panel", "enter")
        await pilot.pause()
        await pilot.pause()
        assert app.screen.has_class("-panel-hidden")


async def test_bad_answers_file_shows_located_error(app_for, tmp_path):
    bad = tmp_path / "bad[red].yaml"
    bad.write_text("task_type: nonsense\nmonthly_requests: 10\n")
    app = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "WelcomeScreen")
        await pilot.press("ctrl+o")
        app.screen.query_one("#open-path", Input).value = str(bad)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, WelcomeScreen)
        msg = str(app.screen.query_one("#open-error").render())
        assert "bad[red].yaml" in msg and "task_type" in msg


def test_launch_prefills_the_counted_sample_prompt_and_refuses_report(tmp_path, monkeypatch):
    import argparse

    import advisor.tui.app as app_module
    from advisor.core.tokens import count_tokens
    from advisor.errors import InputError
    from advisor.tui.launch import launch

    prompt = tmp_path / "prompt.txt"
    prompt.write_text("Summarise this ticket in two sentences and rate its urgency.")
    seen = {}

    class FakeApp:
        def run(self):
            return 0

    def fake_make_app(kb, answers=None, **kw):
        seen["answers"] = answers
        return FakeApp()

    monkeypatch.setattr(app_module, "make_app", fake_make_app)
    args = argparse.Namespace(knowledge=[], today="2026-11-24", answers=None, sample_prompt=str(prompt), report=None)
    assert launch(args) == 0
    assert seen["answers"] == {"avg_input_tokens": count_tokens(prompt.read_text())}
    with pytest.raises(InputError):
        launch(argparse.Namespace(knowledge=[], today=None, answers=None, sample_prompt=None, report="r.html"))


def test_answers_that_fail_as_a_whole_say_why_instead_of_working(kb):
    from advisor.tui.state import FormState

    # every field passes on its own; the mapping carries a key no question has
    form = FormState(kb, {"task_type": "chat", "monthly_requests": 1000, "colour": "blue"})
    assert form.answers() is None
    assert form.problems and "colour" in form.problems[0] and "unknown key" in form.problems[0]
    form.values.pop("colour")
    assert form.answers() is not None and form.problems == []


async def test_typing_a_name_in_the_export_dialog_replaces_the_default(app_for, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("ctrl+e")
        await pilot.pause()
        assert isinstance(app.screen, PathModal)
        await pilot.press(*"mine.json", "enter")  # as a person types it, keys only
        await settle(pilot)
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_file()) == ["mine.json"]
    assert json.loads((tmp_path / "mine.json").read_text())["generator"] == "advisor"
