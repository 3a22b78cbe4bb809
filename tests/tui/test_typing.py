"""Every key typed into a field reaches it, in order, while the live shortlist
recomputes: a burst of key events with no pause between them, and a paste."""

from __future__ import annotations

import yaml
from textual import events
from textual.widgets import Input

from advisor.core.questions import answers_from_mapping
from advisor.tui.app import AdvisorApp
from advisor.tui.screens.checklist import ChecklistScreen
from advisor.tui.screens.modals import PathModal
from advisor.tui.state import compute

from .conftest import answer, on_screen, settle

SIZE = (120, 40)
LONG = "50000000123"


async def _checklist_with_task(pilot) -> None:  # noqa: ANN001
    await on_screen(pilot, "WelcomeScreen")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ChecklistScreen)
    await answer(pilot, "task_type", "extraction")
    await settle(pilot)


async def _volume_field(pilot) -> Input:  # noqa: ANN001
    """The checklist with a task chosen, and the focus in the monthly volume field."""
    await _checklist_with_task(pilot)
    field = pilot.app.screen.query_one("#in-monthly_requests", Input)
    field.focus()
    await pilot.pause()
    return field


async def _save(pilot, path) -> dict:  # noqa: ANN001
    await pilot.press("ctrl+s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PathModal)
    pilot.app.screen.query_one("#path-input", Input).value = str(path)
    await pilot.press("enter")
    await settle(pilot)
    return yaml.safe_load(path.read_text())


async def test_tab_then_a_burst_of_keys_reaches_the_next_field_in_order(app_for, fixture_kb, today, tmp_path):
    app: AdvisorApp = app_for()
    async with app.run_test(size=SIZE) as pilot:
        await _checklist_with_task(pilot)
        app.screen.query_one("#in-task_type").focus()
        await pilot.pause()
        field = app.screen.query_one("#in-monthly_requests", Input)
        # as a terminal delivers them: Tab and the digits queued at once, each digit a recompute
        # (Tab used to move the focus only once the list had handled it, after the first digits
        # had already been handed to the list)
        app.post_message(events.Key("tab", None))
        for ch in LONG:
            app.post_message(events.Key(ch, ch))
        await settle(pilot)
        assert app.focused is field
        assert field.value == LONG
        assert app.form.values["monthly_requests"] == int(LONG)
        expected = compute(fixture_kb, answers_from_mapping(fixture_kb, {"task_type": "extraction",
                                                                          "monthly_requests": int(LONG)}), today)
        assert app.shortlist is not None
        assert [c.costs.per_month for c in app.shortlist.candidates] == [c.costs.per_month for c in expected.candidates]
        saved = await _save(pilot, tmp_path / "typed.yaml")
    assert saved["monthly_requests"] == int(LONG)


async def test_typing_then_pasting_keeps_every_character(app_for, tmp_path):
    app: AdvisorApp = app_for()
    async with app.run_test(size=SIZE) as pilot:
        field = await _volume_field(pilot)
        await pilot.press(*"12")
        app.post_message(events.Paste("345,678"))  # a paste while the first recompute runs
        for ch in "90":
            app.post_message(events.Key(ch, ch))
        await settle(pilot)
        assert field.value == "12345,67890"
        assert app.form.values["monthly_requests"] == 1234567890
        saved = await _save(pilot, tmp_path / "pasted.yaml")
    assert saved["monthly_requests"] == 1234567890


async def test_editing_keys_in_a_burst_take_effect_in_the_order_typed(app_for):
    """End, six backspaces and new digits, queued at once over a filled field (a tmux
    send-keys burst): the backspaces used to run after the digits ("3000001")."""
    app: AdvisorApp = app_for()
    async with app.run_test(size=SIZE) as pilot:
        field = await _volume_field(pilot)
        await pilot.press(*"300000")
        await settle(pilot)
        app.post_message(events.Key("home", None))
        app.post_message(events.Key("end", None))
        for _ in range(6):
            app.post_message(events.Key("backspace", None))
        for ch in "1234":
            app.post_message(events.Key(ch, ch))
        app.post_message(events.Key("left", None))
        app.post_message(events.Key("left", None))
        app.post_message(events.Key("delete", None))
        app.post_message(events.Key("9", "9"))
        await settle(pilot)
        assert field.value == "1294"
        assert app.form.values["monthly_requests"] == 1294
