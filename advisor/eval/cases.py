"""Eval cases: load a cases file (YAML or JSONL) with located errors.

A YAML file is either a list of cases or a mapping::

    defaults:            # optional; merged under every case
      system: "You extract invoice fields."
      max_tokens: 300
      checks: [{type: valid_json}]
    cases:
      - id: inv-001
        input: "Invoice #123 from ACME ..."
        expected: {number: "123", vendor: "ACME"}
        checks:
          - {type: json_schema, schema: {...}}
          - {type: fields}
        threshold: 0.8

A JSONL file has one case object per line (no defaults). Each case has ``id``,
``system`` (optional), ``input`` *or* ``messages``, ``expected`` (optional),
``max_tokens`` (default 512), ``checks`` and ``threshold`` (the weighted
score, 0–1, needed to pass; without it every check must pass). A case without checks and with ``expected``
gets an ``equals`` check. Every mistake is reported as ``file:line: field:
message``; all problems of a file are reported together.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from advisor.core.validation import problems_from_validation
from advisor.core.yamlsrc import SourceMap, YamlProblems, parse_yaml, read_text
from advisor.eval.categories import CATEGORY_PATTERN, CategoryRule, check_categories
from advisor.errors import InputError, Location, Problem, display_path

__all__ = ["Case", "CaseMessage", "CheckSpec", "CasesFile", "load_cases", "parse_cases"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _CheckBase(_Strict):
    weight: float = Field(1.0, gt=0)


class EqualsCheck(_CheckBase):
    type: Literal["equals"]
    value: Any = None  # default: the case's expected
    ignore_case: bool = False
    strip: bool = True


class ContainsCheck(_CheckBase):
    type: Literal["contains"]
    value: str | list[str]
    ignore_case: bool = True


class RegexCheck(_CheckBase):
    type: Literal["regex"]
    pattern: str
    ignore_case: bool = False

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, v: str) -> str:
        try:
            re.compile(v)
        except re.error as exc:
            raise ValueError(f"not a valid regular expression: {exc}") from None
        return v


class ValidJsonCheck(_CheckBase):
    type: Literal["valid_json"]


class JsonSchemaCheck(_CheckBase):
    type: Literal["json_schema"]
    schema_: dict[str, Any] = Field(alias="schema")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("schema_")
    @classmethod
    def _known(cls, v: dict[str, Any]) -> dict[str, Any]:
        from advisor.eval.checks import schema_problems

        problems = schema_problems(v)
        if problems:
            raise ValueError("; ".join(problems))
        return v


class FieldsCheck(_CheckBase):
    type: Literal["fields"]
    value: dict[str, Any] | None = None  # default: the case's expected (must be an object)
    fields: list[str] | None = None  # default: every key of the expected object
    ignore_case: bool = True
    numeric_tolerance: float = Field(0.0, ge=0)


class MaxLengthCheck(_CheckBase):
    type: Literal["max_length"]
    chars: int | None = Field(None, gt=0)
    words: int | None = Field(None, gt=0)

    @model_validator(mode="after")
    def _one(self) -> "MaxLengthCheck":
        if self.chars is None and self.words is None:
            raise ValueError("give chars or words")
        return self


class LlmJudgeCheck(_CheckBase):
    type: Literal["llm_judge"]
    rubric: str = Field(min_length=1)
    model: str | None = None  # a model_key; default: the runner's judge target
    pass_score: int = Field(4, ge=1, le=5)


CheckSpec = Annotated[
    EqualsCheck | ContainsCheck | RegexCheck | ValidJsonCheck | JsonSchemaCheck | FieldsCheck | MaxLengthCheck | LlmJudgeCheck,
    Field(discriminator="type"),
]


class CaseMessage(_Strict):
    role: Literal["user", "assistant"]
    content: str


class Case(_Strict):
    id: str = Field(min_length=1)
    system: str | None = None
    input: str | None = None
    messages: list[CaseMessage] | None = None
    expected: Any = None
    max_tokens: int = Field(512, gt=0, le=200_000)
    checks: list[CheckSpec] = Field(default_factory=list)
    threshold: float | None = Field(None, ge=0, le=1)  # None: every check must pass
    tags: list[str] = Field(default_factory=list)
    category: str | None = Field(None, pattern=CATEGORY_PATTERN, max_length=64)  # a slice of the work (advisor route)

    @model_validator(mode="after")
    def _shape(self) -> "Case":
        if (self.input is None) == (self.messages is None):
            raise ValueError("give exactly one of input or messages")
        if self.messages is not None:
            if not self.messages:
                raise ValueError("messages must not be empty")
            if self.messages[-1].role != "user":
                raise ValueError("the last message must have role user")
        for c in self.checks:
            if isinstance(c, FieldsCheck) and c.value is None and not isinstance(self.expected, dict):
                raise ValueError("a fields check needs expected to be an object (or its own value)")
            if isinstance(c, EqualsCheck) and c.value is None and self.expected is None:
                raise ValueError("an equals check needs expected (or its own value)")
        return self

    @property
    def effective_checks(self) -> list[Any]:
        if self.checks:
            return list(self.checks)
        if self.expected is not None:
            return [EqualsCheck(type="equals")]
        return []

    @property
    def wants_json(self) -> bool:
        return any(isinstance(c, (ValidJsonCheck, JsonSchemaCheck, FieldsCheck)) for c in self.effective_checks)

    @property
    def json_schema(self) -> dict[str, Any] | None:
        for c in self.effective_checks:
            if isinstance(c, JsonSchemaCheck):
                return c.schema_
        return None

    def chat_messages(self) -> list[tuple[str, str]]:
        if self.messages is not None:
            return [(m.role, m.content) for m in self.messages]
        return [("user", self.input or "")]


class _Defaults(_Strict):
    system: str | None = None
    max_tokens: int | None = Field(None, gt=0)
    checks: list[CheckSpec] | None = None
    threshold: float | None = Field(None, ge=0, le=1)


class _YamlFile(_Strict):
    defaults: _Defaults | None = None
    categories: CategoryRule | None = None  # one rule for every case's category (advisor.eval.categories)
    cases: list[dict[str, Any]]


class CasesFile(BaseModel):
    """The cases of one file, in file order, with where they came from."""

    model_config = ConfigDict(frozen=True)

    path: str
    cases: list[Case]
    categories: CategoryRule | None = None

    def ids(self) -> list[str]:
        return [c.id for c in self.cases]


_CHECK_TAGS = {"equals", "contains", "regex", "valid_json", "json_schema", "fields", "max_length", "llm_judge"}


class _CleanErrors:
    """A ValidationError look-alike without the discriminator tags in error paths."""

    def __init__(self, exc: ValidationError):
        self._errors = []
        for err in exc.errors(include_url=False):
            loc = list(err.get("loc", ()))
            loc = [p for i, p in enumerate(loc) if not (p in _CHECK_TAGS and i > 0 and isinstance(loc[i - 1], int))]
            self._errors.append({**err, "loc": tuple(loc)})

    def errors(self, include_url: bool = False) -> list[dict[str, Any]]:
        return self._errors


def _validate_cases(raw_cases: list[Any], smap: SourceMap, prefix: tuple[Any, ...], defaults: dict[str, Any]) -> tuple[list[Case], list[Problem]]:
    cases: list[Case] = []
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(raw_cases):
        path = prefix + (i,)
        if not isinstance(raw, dict):
            problems.append(Problem("each case must be a mapping", smap.location(path)))
            continue
        raw_id = raw.get("id")
        if isinstance(raw_id, str):
            line = smap.line_of(path + ("id",)) or 0
            if raw_id in seen:
                problems.append(Problem(f"case id {raw_id!r} given twice (first on line {seen[raw_id]})", smap.location(path + ("id",))))
                continue
            seen[raw_id] = line
        merged = {**{k: v for k, v in defaults.items() if v is not None}, **raw}
        try:
            case = Case.model_validate(merged)
        except ValidationError as exc:
            problems.extend(problems_from_validation(_CleanErrors(exc), smap, Case, prefix=path))  # type: ignore[arg-type]
            continue
        cases.append(case)
    return cases, problems


def parse_cases(text: str, name: str) -> CasesFile:
    """Parse cases from ``text``; JSONL when ``name`` ends in .jsonl/.ndjson."""
    problems: list[Problem] = []
    rule: CategoryRule | None = None
    prefix: tuple[Any, ...] = ()
    if name.endswith((".jsonl", ".ndjson")):
        smap = SourceMap(name)
        raw_cases: list[Any] = []
        for lineno, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except ValueError as exc:
                problems.append(Problem(f"not valid JSON: {exc.msg} (column {exc.colno})", Location(name, lineno)))
                continue
            index = len(raw_cases)
            smap.lines[(index,)] = lineno
            if isinstance(obj, dict):
                for key in obj:
                    smap.lines[(index, key)] = lineno
            raw_cases.append(obj)
        if not raw_cases and not problems:
            problems.append(Problem("the file has no cases", Location(name, 1)))
        cases, more = _validate_cases(raw_cases, smap, (), {})
        problems.extend(more)
    else:
        try:
            data, smap = parse_yaml(text, name)
        except YamlProblems as exc:
            raise InputError(exc.problems, title="bad cases file") from None
        defaults: dict[str, Any] = {}
        if isinstance(data, dict):
            try:
                doc = _YamlFile.model_validate(data)
            except ValidationError as exc:
                raise InputError(problems_from_validation(exc, smap, _YamlFile), title="bad cases file") from None
            if doc.defaults is not None:
                defaults = doc.defaults.model_dump(exclude_none=True, by_alias=True)
                # re-validate checks from the raw data so aliases survive
                if doc.defaults.checks is not None:
                    defaults["checks"] = data["defaults"]["checks"]
            raw_cases = data["cases"]
            prefix = ("cases",)
        elif isinstance(data, list):
            raw_cases = data
        else:
            raise InputError([Problem("expected a list of cases or a mapping with 'cases'", Location(name, 1))], title="bad cases file")
        if not raw_cases:
            problems.append(Problem("the file has no cases", smap.location(prefix)))
        cases, more = _validate_cases(raw_cases, smap, prefix, defaults)
        problems.extend(more)
        rule = doc.categories if isinstance(data, dict) else None
    if not problems:
        index = {r.get("id"): i for i, r in enumerate(raw_cases) if isinstance(r, dict)}
        problems = check_categories(
            cases, rule, lambda i, field: smap.location(prefix + (index.get(cases[i].id, i), field)))
    if problems:
        raise InputError(problems, title="bad cases file")
    return CasesFile(path=name, cases=cases, categories=rule)


def load_cases(path: str | Path) -> CasesFile:
    name = display_path(path)
    try:
        text = read_text(path, name)
    except YamlProblems as exc:
        raise InputError(exc.problems, title="bad cases file") from None
    return parse_cases(text, name)
