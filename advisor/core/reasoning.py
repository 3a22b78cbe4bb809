"""Which reasoning mode the advice assumes for an option, and what it costs in time.

A model that can think is not ruled out because a person waits: most current
models can turn thinking down or off. The latency rule removes a model only
when none of its modes fits the time the answers allow, and every candidate
says which mode the advice assumes (and the bake-off sends it).
"""

from __future__ import annotations

from typing import Any

from advisor.core.schema import EFFORT_ORDER, Reasoning, ReasoningMode, ScoringBook

#: the most thinking a reasoning task assumes: "high"; xhigh and max cost many
#: times more for little gain on most work (the bake-off can try them)
REASONING_TASK_EFFORT = "high"


def latency_budget_ms(answers: Any, scoring: ScoringBook) -> int | None:
    """The time the answers allow: the latency target, else (when a person waits)
    the wait a person tolerates, else no limit."""
    if answers.latency_target_ms is not None:
        return answers.latency_target_ms
    if answers.user_facing:
        return scoring.person_waits_ms
    return None


def overhead_ms(mode: ReasoningMode | None, scoring: ScoringBook) -> int:
    return 0 if mode is None else scoring.reasoning_overhead_ms[mode.effort]


def latency_in_mode(
    base_ms: float | None, mode: ReasoningMode | None, reasoning: Reasoning | None, scoring: ScoringBook
) -> float:
    """Typical wait in ``mode``. A measured latency (``base_ms``) was taken in the
    API's default mode, so only the difference to the default is added; with no
    measurement, the mode's whole thinking time (the rest is unknown)."""
    if base_ms is None:
        return float(overhead_ms(mode, scoring))
    if mode is None or reasoning is None:
        return base_ms
    delta = overhead_ms(mode, scoring) - overhead_ms(reasoning.default_mode, scoring)
    return max(base_ms + delta, float(scoring.latency_ms.best))


def choose_mode(
    reasoning: Reasoning | None,
    answers: Any,
    scoring: ScoringBook,
    base_latency_ms: float | None,
) -> tuple[ReasoningMode | None, str | None]:
    """(the mode the advice assumes, or why no mode fits the time allowed).

    - No time limit: the API's default mode; but under a budget (per request or
      per month) the least thinking, since thinking tokens are output the budget
      pays for and a task that is not reasoning does not need them.
    - A time limit: the modes whose thinking fits it (on top of the option's
      typical latency, when known): the least thinking, except for reasoning
      tasks.
    - Reasoning tasks: the most thinking that fits, up to effort "high".
    """
    if reasoning is None:
        return None, None
    budget = latency_budget_ms(answers, scoring)
    default = reasoning.default_mode
    rank = EFFORT_ORDER.index
    if budget is None:
        if answers.task_type == "reasoning":  # thinking is what the task needs
            capped = [m for m in reasoning.modes if rank(m.effort) <= rank(REASONING_TASK_EFFORT)] or list(reasoning.modes)
            return max(capped, key=lambda m: (rank(m.effort), m.id == default.id)), None
        if answers.budget_per_request_usd is not None or answers.budget_per_month_usd is not None:
            return min(reasoning.modes, key=lambda m: (rank(m.effort), m.id != default.id)), None
        return default, None
    fitting = [m for m in reasoning.modes if latency_in_mode(base_latency_ms, m, reasoning, scoring) <= budget]
    if not fitting:
        light = reasoning.lightest()
        why = "a person waits on the reply" if answers.latency_target_ms is None else f"target {budget:,} ms"
        wait = latency_in_mode(base_latency_ms, light, reasoning, scoring)
        lowest = "it always thinks, with no control to lower it" if len(reasoning.modes) == 1 else (
            f"its thinking cannot be lowered below {light.label}")
        return light, (
            f"{lowest}: about {wait:,.0f} ms "
            f"{'before the first token' if answers.user_facing else 'a response'} even then; {why}"
        )
    if answers.task_type == "reasoning":
        capped = [m for m in fitting if rank(m.effort) <= rank(REASONING_TASK_EFFORT)] or fitting
        return max(capped, key=lambda m: (rank(m.effort), m.id == default.id)), None
    return min(fitting, key=lambda m: (rank(m.effort), m.id != default.id)), None
