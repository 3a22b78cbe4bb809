"""The checklist as a schema: questions.yaml -> a frozen pydantic ``Answers`` model.

questions.yaml is the single source for the answers file, the TUI form and the
plain prompts. ``build_answers_model`` turns each question into a typed field
(choices become literals, bounds become constraints, ``required`` questions
have no default); ``load_answers`` reads an answers file and reports every
problem with its file, line and field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, create_model, field_validator

from advisor.core.schema import Question, QuestionBook
from advisor.core.validation import problems_from_validation
from advisor.core.yamlsrc import SourceMap, YamlProblems, parse_yaml, read_text
from advisor.errors import InputError, Location, Problem, display_path

#: questions the engine reads by id, with the type each must have
ENGINE_QUESTIONS: dict[str, str] = {
    "task_type": "choice",
    "quality_floor": "number",
    "output_format": "choice",
    "json_schema_required": "bool",
    "tool_use": "bool",
    "context_tokens": "int",
    "latency_target_ms": "int",
    "user_facing": "bool",
    "budget_per_request_usd": "money",
    "budget_per_month_usd": "money",
    "monthly_requests": "int",
    "avg_input_tokens": "int",
    "avg_output_tokens": "int",
    "cached_input_share": "number",
    "data_privacy": "choice",
    "compliance": "multi_choice",
    "gpu_ops_experience": "choice",
    "fine_tuning": "bool",
    "vision_input": "bool",
    "languages": "text_list",
    "availability": "choice",
    "preferred_providers": "text_list",
    "excluded_providers": "text_list",
}


def _effective_budget_per_request(answers: Any) -> Decimal | None:
    """The tighter of the per-request budget and the monthly budget spread over
    the monthly volume: a monthly budget is a per-request budget too."""
    per = answers.budget_per_request_usd
    month = answers.budget_per_month_usd
    spread = month / answers.monthly_requests if month is not None and answers.monthly_requests else None
    known = [b for b in (per, spread) if b is not None]
    return min(known) if known else None


#: answers the tree can ask about that no one types: derived from the others
DERIVED_ANSWERS: dict[str, Any] = {
    "effective_budget_per_request_usd": _effective_budget_per_request,
}



class AnswersBase(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def as_yaml_dict(self) -> dict[str, Any]:
        """Plain values in question order, for writing back to YAML."""
        out: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, Decimal):
                value = int(value) if value == value.to_integral_value() else float(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out


def _bounds(q: Question) -> dict[str, Any]:
    kw: dict[str, Any] = {}
    if q.min is not None:
        kw["gt" if q.min_exclusive else "ge"] = q.min if q.type != "int" else int(q.min)
    if q.max is not None:
        kw["le"] = q.max if q.type != "int" else int(q.max)
    return kw


def _field_type(q: Question) -> Any:
    if q.type == "choice":
        base: Any = Literal[q.choice_values]  # type: ignore[valid-type]
    elif q.type == "multi_choice":
        base = tuple[Literal[q.choice_values], ...]  # type: ignore[valid-type]
    elif q.type == "bool":
        base = StrictBool
    elif q.type == "int":
        base = Annotated[int, Field(strict=False, **_bounds(q))]
    elif q.type in ("number", "money"):
        base = Annotated[Decimal, Field(allow_inf_nan=False, **_bounds(q))]
    elif q.type == "text":
        base = Annotated[str, Field(min_length=1, pattern=q.pattern)] if q.pattern else str
    else:  # text_list
        item = Annotated[str, Field(min_length=1, pattern=q.pattern)] if q.pattern else str
        base = tuple[item, ...]  # type: ignore[valid-type]
    if q.nullable:
        base = base | None
    return base


_NUMERIC_TEXT = re.compile(r"\$?[+-]?(\d[\d_,]*)?(\.\d+)?([eE][+-]?\d+)?")


def number_from_text(text: str) -> int | Decimal:
    """The number a person (or YAML 1.1, which reads ``1e6`` and ``1,000`` as
    text) wrote: ``1e6``, ``1,000``, ``1_000``, ``$0.01``. Whole numbers written
    without a decimal point come back as ``int``. Raises ``ValueError``."""
    raw = text.strip()
    if not raw or not _NUMERIC_TEXT.fullmatch(raw):
        raise ValueError("must be a number")
    cleaned = raw.lstrip("$").replace(",", "").replace("_", "")
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError("must be a number") from None
    # (adjusted(), not abs(): abs() rounds to the context and overflows on 1e999999999)
    if not number.is_finite() or (number and number.adjusted() >= 30):
        raise ValueError(f"{raw} is out of range")
    if number == number.to_integral_value() and "." not in cleaned:
        return int(number)
    return number


def _no_bool_numbers(value: Any) -> Any:
    # YAML's `true` must not pass as the number 1
    if isinstance(value, bool):
        raise ValueError("must be a number, not true/false")
    if isinstance(value, str) and value.strip() and _NUMERIC_TEXT.fullmatch(value.strip()):
        return number_from_text(value)  # the same reading as the app and the prompts
    return value


def _unique_items(value: Any) -> Any:
    if isinstance(value, tuple):
        seen: set[Any] = set()
        for item in value:
            if item in seen:
                raise ValueError(f"lists {item!r} more than once")
            seen.add(item)
    return value


def build_answers_model(book: QuestionBook) -> type[AnswersBase]:
    fields: dict[str, Any] = {}
    validators: dict[str, Any] = {}
    for q in book.questions:
        ftype = _field_type(q)
        if q.required:
            fields[q.id] = (ftype, Field(description=q.prompt))
        else:
            default = q.default
            if q.type in ("multi_choice", "text_list") and isinstance(default, list):
                default = tuple(default)
            if q.type in ("number", "money") and isinstance(default, (int, float)) and not isinstance(default, bool):
                default = Decimal(str(default))  # defaults are not validated: give the field's own type
            fields[q.id] = (ftype, Field(default=default, description=q.prompt))
        if q.type in ("int", "number", "money"):
            validators[f"_num_{q.id}"] = field_validator(q.id, mode="before")(_no_bool_numbers)
        if q.type in ("multi_choice", "text_list"):
            validators[f"_unique_{q.id}"] = field_validator(q.id, mode="after")(_unique_items)
    return create_model(  # type: ignore[call-overload]
        "Answers",
        __base__=AnswersBase,
        __validators__=validators,
        **fields,
    )


def answers_from_mapping(
    kb, data: Mapping[str, Any], smap: SourceMap | None = None, name: str = "answers"
) -> AnswersBase:
    model = kb.answers_model
    smap = smap or SourceMap(name)
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, smap, model)) from None


def parse_answers(kb, text: str, name: str) -> tuple[AnswersBase, SourceMap]:
    try:
        data, smap = parse_yaml(text, name)
    except YamlProblems as exc:
        raise InputError(exc.problems) from None
    if not isinstance(data, dict):
        raise InputError([Problem("must be a mapping of question ids to answers (see `advisor init`)", Location(name, 1))])
    return answers_from_mapping(kb, data, smap, name), smap


def load_answers(kb, path: str | Path) -> AnswersBase:
    """Read an answers file (``-`` for stdin)."""
    if str(path) == "-":
        import sys

        from advisor.core.yamlsrc import decode_text, read_bounded

        stream = getattr(sys.stdin, "buffer", None)
        try:
            if stream is not None:
                raw = read_bounded("-", stream)
            else:
                raw = sys.stdin.read().encode("utf-8", "surrogateescape")
            text = decode_text(raw, "<stdin>")
        except YamlProblems as exc:
            raise InputError(exc.problems) from None
        except OSError as exc:
            raise InputError([Problem(f"cannot read: {exc.strerror or exc}", Location("<stdin>"))]) from None
        return parse_answers(kb, text, "<stdin>")[0]
    label = display_path(path)
    try:
        text = read_text(path, label)
    except YamlProblems as exc:
        raise InputError(exc.problems) from None
    return parse_answers(kb, text, label)[0]


def parse_value(q: Question, text: str) -> Any:
    """Turn what a person typed into the value for ``q`` (used by TUI and prompts).

    Raises ``ValueError`` with a short message when it cannot.
    """
    raw = text.strip()
    if raw == "" or raw.lower() in ("none", "null", "-"):
        if q.nullable:
            return None
        if q.required:
            raise ValueError("an answer is required")
        return q.default
    if q.type == "bool":
        low = raw.lower()
        if low in ("y", "yes", "true", "1", "on"):
            return True
        if low in ("n", "no", "false", "0", "off"):
            return False
        raise ValueError("answer yes or no")
    if q.type == "int":
        try:
            number = number_from_text(raw)
        except ValueError as exc:
            raise ValueError("must be a whole number" if "out of range" not in str(exc) else str(exc)) from None
        if not isinstance(number, int):
            raise ValueError("must be a whole number")
        return number
    if q.type in ("number", "money"):
        return Decimal(number_from_text(raw))
    if q.type == "choice":
        if raw not in q.choice_values:
            raise ValueError(f"choose one of: {', '.join(q.choice_values)}")
        return raw
    if q.type in ("multi_choice", "text_list"):
        items = tuple(x.strip() for x in raw.split(",") if x.strip())
        if q.type == "multi_choice":
            bad = [x for x in items if x not in q.choice_values]
            if bad:
                raise ValueError(f"unknown: {', '.join(bad)}; choose from {', '.join(q.choice_values)}")
        return items
    return raw


def format_value(value: Any) -> str:
    """An answer as the text a person would type for it (``parse_value``'s inverse)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def check_value(kb, qid: str, value: Any) -> str | None:
    """Validate one answer on its own; the error message or ``None``."""
    model = kb.answers_model
    try:
        model.__pydantic_validator__.validate_assignment(model.model_construct(), qid, value)
    except ValidationError as exc:
        problems = problems_from_validation(exc, SourceMap("answer"), model)
        return problems[0].message if problems else "invalid"
    return None
