"""Snapshots of each screen (fixture catalogue, fixed today, fixed terminal sizes).

Regenerate with ``pytest tests/tui --snapshot-update`` and look at the SVGs
before accepting them.
"""

from __future__ import annotations

from textual.widgets import Input

from .conftest import FULL_ANSWERS, answer, on_screen, settle

SIZE = (100, 32)


def test_welcome(snap_compare, app_for):
    async def run_before(pilot):
        await on_screen(pilot, "WelcomeScreen")

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=run_before)


def test_checklist_fresh(snap_compare, app_for):
    async def run_before(pilot):
        await on_screen(pilot, "WelcomeScreen")
        await pilot.press("ctrl+n")
        await settle(pilot)

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=run_before)


def test_checklist_live_change(snap_compare, app_for):
    async def run_before(pilot):
        await on_screen(pilot, "ResultsScreen")
        await pilot.press("escape")
        await answer(pilot, "data_privacy", "strict")  # both drop out; the panel names the rule

    assert snap_compare(app_for(FULL_ANSWERS), terminal_size=SIZE, run_before=run_before)


def test_checklist_80x24(snap_compare, app_for):
    async def run_before(pilot):
        await on_screen(pilot, "ResultsScreen")
        await pilot.press("escape")
        await settle(pilot)

    assert snap_compare(app_for(FULL_ANSWERS), terminal_size=(80, 24), run_before=run_before)


async def _results(pilot):
    await on_screen(pilot, "ResultsScreen")


#: summarisation at volume: a self-hosted break-even shows on the chart
BREAK_EVEN = {"task_type": "summarization", "monthly_requests": 20_000_000}


def test_results(snap_compare, app_for):
    assert snap_compare(app_for(FULL_ANSWERS), terminal_size=(100, 40), run_before=_results)


def test_results_chart_break_even(snap_compare, app_for):
    assert snap_compare(app_for(BREAK_EVEN), terminal_size=(110, 44), run_before=_results)


def test_checklist_inline_error(snap_compare, app_for):
    async def run_before(pilot):
        await on_screen(pilot, "WelcomeScreen")
        await pilot.press("ctrl+n")
        await settle(pilot)
        await answer(pilot, "monthly_requests", "lots")

    assert snap_compare(app_for(), terminal_size=SIZE, run_before=run_before)


def test_results_80x24(snap_compare, app_for):
    assert snap_compare(app_for(FULL_ANSWERS), terminal_size=(80, 24), run_before=_results)


def test_results_eliminated(snap_compare, app_for):
    async def run_before(pilot):
        await on_screen(pilot, "ResultsScreen")
        await pilot.pause()  # (the tabs take a frame to mount; setting active before that is ignored)
        pilot.app.screen.query_one("#results-tabs").active = "tab-eliminated"
        await pilot.pause()

    assert snap_compare(app_for(FULL_ANSWERS), terminal_size=SIZE, run_before=run_before)


def test_candidate_detail(snap_compare, app_for):
    async def run_before(pilot):
        await on_screen(pilot, "ResultsScreen")
        await pilot.press("enter")
        await pilot.pause()

    assert snap_compare(app_for(FULL_ANSWERS), terminal_size=SIZE, run_before=run_before)


def test_save_modal(snap_compare, app_for):
    async def run_before(pilot):
        await on_screen(pilot, "ResultsScreen")
        await pilot.press("ctrl+s")
        await on_screen(pilot, "PathModal")
        await pilot.pause()
        pilot.app.screen.query_one("#path-input", Input).value = "answers.yaml"
        await pilot.pause()

    assert snap_compare(app_for(FULL_ANSWERS), terminal_size=SIZE, run_before=run_before)


def test_quit_confirm(snap_compare, app_for):
    async def run_before(pilot):
        await on_screen(pilot, "ResultsScreen")
        await pilot.press("escape")
        await answer(pilot, "fine_tuning", True)
        await pilot.press("ctrl+q")
        await pilot.pause()

    assert snap_compare(app_for(FULL_ANSWERS), terminal_size=SIZE, run_before=run_before)
