"""Helpers for driving the app with key presses (Pilot) on the fixture catalogue."""

from __future__ import annotations

from typing import Any

import pytest
from textual.widgets import Input, Select, SelectionList, Switch

from advisor.tui.app import AdvisorApp, make_app
from advisor.tui.widgets.question_field import QuestionField

#: a full checklist, every question answered (fixture catalogue: GPT-4o recommended)
FULL_ANSWERS: dict[str, Any] = {
    "task_type": "extraction",
    "monthly_requests": 500000,
    "avg_input_tokens": 2000,
    "avg_output_tokens": 200,
    "context_tokens": 16000,
    "quality_floor": 0.9,
    "output_format": "json",
    "json_schema_required": True,
    "tool_use": False,
    "vision_input": False,
    "languages": ["en", "de"],
    "latency_target_ms": 3000,
    "user_facing": False,
    "budget_per_request_usd": 0.01,
    "budget_per_month_usd": None,
    "data_privacy": "standard",
    "compliance": ["soc2"],
    "gpu_ops_experience": "none",
    "fine_tuning": False,
    "availability": "high",
    "preferred_providers": ["openai"],
    "excluded_providers": [],
}


def text_for(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


async def settle(pilot) -> None:  # noqa: ANN001
    """Wait for the engine worker and the messages it posts."""
    app: AdvisorApp = pilot.app
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def answer(pilot, qid: str, value: Any) -> None:  # noqa: ANN001
    """Answer one question with key presses, the way a person would."""
    screen = pilot.app.screen
    field = screen.query_one(f"#q-{qid}", QuestionField)
    q = field.question
    control = screen.query_one(f"#in-{qid}")
    control.focus()
    await pilot.pause()
    if isinstance(control, Select):
        values = ([None] if (q.required or q.nullable) else []) + list(q.choice_values)
        current = values.index(None if control.value is Select.NULL else control.value)
        target = values.index(value)
        await pilot.press("enter")
        await pilot.pause()
        step = "down" if target > current else "up"
        await pilot.press(*([step] * abs(target - current)), "enter")
    elif isinstance(control, SelectionList):
        want = set(value or ())
        for i, v in enumerate(q.choice_values):
            if (v in want) != (v in control.selected):
                await pilot.press("space")
            if i < len(q.choice_values) - 1:
                await pilot.press("down")
    elif isinstance(control, Switch):
        if control.value != bool(value):
            await pilot.press("space")
    else:
        assert isinstance(control, Input)
        await pilot.press("end", *(["backspace"] * len(control.value)))
        text = text_for(value)
        if text:
            await pilot.press(*text)
    await settle(pilot)


@pytest.fixture
def app_for(fixture_kb, today):
    def make(answers: Any = None, **kw: Any) -> AdvisorApp:
        if isinstance(answers, dict):
            from advisor.core.questions import answers_from_mapping

            answers = answers_from_mapping(fixture_kb, answers)
        return make_app(fixture_kb, answers, today=today, **kw)

    return make


async def until(pilot, condition, tries: int = 50) -> None:  # noqa: ANN001
    """Pause until ``condition()`` holds (screens are pushed a frame or two after start)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition never held")


async def on_screen(pilot, name: str) -> None:  # noqa: ANN001
    await until(pilot, lambda: type(pilot.app.screen).__name__ == name)
