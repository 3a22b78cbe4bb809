"""Slices of the work: which category each case belongs to, for a routing plan.

A case carries its own ``category``, or the cases file gives one rule for all::

    categories: {by: tag, tags: [label, reply], default: reply}   # the first listed tag a case has
    categories: {by: input_length, bands: [{category: short, max_chars: 400}, {category: long}]}
    categories: {by: task_type}    # a tag naming a task type of the checklist, else the answers' task

How a production router tells the categories apart follows from where they come
from (:func:`routing_mode`): a tag the calling code sends, the request's length,
or the task the calling code runs need no extra call; categories written on the
cases (free text) need a classifier, a cheap model call per request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from advisor.errors import Location, Problem

if TYPE_CHECKING:
    from advisor.eval.cases import Case

__all__ = ["CATEGORY_PATTERN", "CategoryRule", "RoutingMode", "routing_mode", "input_chars", "category_of", "check_categories"]

#: a category is a name a router config can use as a model group
CATEGORY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
Category = Annotated[str, Field(pattern=CATEGORY_PATTERN, max_length=64)]
#: the one category of a cases file whose cases carry none
ALL = "all"

RoutingMode = Literal["none", "classifier", "tag", "input_length", "task_type"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TagRule(_Strict):
    by: Literal["tag"]
    tags: list[Category] = Field(min_length=1)  # each is also the category's name
    default: Category | None = None  # for a case with none of the tags


class LengthBand(_Strict):
    category: Category
    max_chars: int | None = Field(None, gt=0)  # None: every longer input


class LengthRule(_Strict):
    by: Literal["input_length"]
    bands: list[LengthBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> "LengthRule":
        limits = [b.max_chars for b in self.bands]
        if limits[-1] is not None:
            raise ValueError("the last band takes every longer input: leave out its max_chars")
        if any(x is None for x in limits[:-1]):
            raise ValueError("only the last band may leave out max_chars")
        known = [x for x in limits[:-1] if x is not None]
        if any(b <= a for a, b in zip(known, known[1:])):
            raise ValueError("max_chars must grow from band to band")
        return self


class TaskTypeRule(_Strict):
    by: Literal["task_type"]


CategoryRule = Annotated[TagRule | LengthRule | TaskTypeRule, Field(discriminator="by")]


def routing_mode(cases: Sequence["Case"], rule: CategoryRule | None) -> RoutingMode:
    if rule is not None:
        return rule.by
    return "classifier" if any(c.category for c in cases) else "none"


def input_chars(case: "Case") -> int:
    """What a router measures: the characters of the request's messages (the shared system prompt aside)."""
    return sum(len(text) for _, text in case.chat_messages())


def category_of(case: "Case", rule: CategoryRule | None, task_types: Sequence[str] = (), main_task: str | None = None) -> str | None:
    """The case's category under ``rule``; None when the rule gives it none."""
    if rule is None:
        return case.category or ALL
    if isinstance(rule, TagRule):
        return next((t for t in rule.tags if t in case.tags), rule.default)
    if isinstance(rule, LengthRule):
        n = input_chars(case)
        return next(b.category for b in rule.bands if b.max_chars is None or n <= b.max_chars)
    return next((t for t in case.tags if t in task_types), main_task)


def check_categories(
    cases: Sequence["Case"], rule: CategoryRule | None, locate: Callable[[int, str], Location]
) -> list[Problem]:
    """Problems with the cases' categories: a category beside a rule, some cases with one and some without,
    a case the tag rule gives none."""
    problems: list[Problem] = []
    with_category = [i for i, c in enumerate(cases) if c.category]
    if rule is not None:
        for i in with_category:
            problems.append(Problem("give each case a category or the file a categories rule, not both", locate(i, "category")))
        if isinstance(rule, TagRule) and rule.default is None:
            for i, c in enumerate(cases):
                if not any(t in c.tags for t in rule.tags):
                    problems.append(Problem(
                        f"has none of the categories' tags ({', '.join(rule.tags)}); add one or give the rule a default",
                        locate(i, "tags"),
                    ))
    elif with_category and len(with_category) < len(cases):
        for i, c in enumerate(cases):
            if not c.category:
                problems.append(Problem("has no category while other cases have one", locate(i, "id")))
    return problems
