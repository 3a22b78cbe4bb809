"""Checks (judges) that score one model answer against a case, 0.0–1.0.

Every check returns a :class:`CheckResult` with a score, ``passed`` and a
short human ``detail``. Kinds:

* ``equals``      exact match after optional strip / case-folding (JSON-aware when
                  the expected value is not a string);
* ``contains``    one or more substrings; partial credit = fraction found;
* ``regex``       ``re.search`` matches;
* ``valid_json``  the answer parses as JSON (a surrounding code fence is tolerated
                  and noted);
* ``json_schema`` the parsed answer matches a JSON Schema subset: type,
                  properties, required, enum, items, additionalProperties;
* ``fields``      field-by-field comparison with an expected object; partial
                  credit = matched fields / compared fields;
* ``max_length``  at most N characters and/or words;
* ``llm_judge``   a rubric scored 1–5 by a judge model (through the same
                  providers; the runner supplies the ``judge`` callable).

The case score is the weighted mean of its check scores; it passes when the
score reaches the case ``threshold``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from advisor.eval.cases import (
    Case,
    ContainsCheck,
    EqualsCheck,
    FieldsCheck,
    JsonSchemaCheck,
    LlmJudgeCheck,
    MaxLengthCheck,
    RegexCheck,
    ValidJsonCheck,
)

__all__ = [
    "CheckResult",
    "parse_json_answer",
    "validate_schema",
    "schema_errors",
    "schema_problems",
    "run_check",
    "checked",
    "score_case",
    "Judge",
    "BudgetExhausted",
]

_FENCE = re.compile(r"^\s*```[a-zA-Z0-9_-]*\s*\n(.*?)\n?\s*```\s*$", re.S)
_TYPES = {"object", "array", "string", "number", "integer", "boolean", "null"}
_KEYWORDS = {"type", "properties", "required", "enum", "items", "additionalProperties",
             "description", "title", "$schema", "format", "default", "examples"}


@dataclass(frozen=True)
class CheckResult:
    name: str
    score: float
    passed: bool
    detail: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "score": round(self.score, 4), "passed": self.passed, "detail": self.detail}


# The judge: (check, case, answer) -> (score 0..1, reason). Raises on failure.
Judge = Callable[[LlmJudgeCheck, Case, str], Awaitable[tuple[float, str]]]


class BudgetExhausted(Exception):
    """A judge call was not made because the spend cap leaves no room for it.

    Not a failure of the answer: :func:`score_case` lets it through, and the
    runner neither scores nor records the case (a later ``--resume`` retries it)."""


def parse_json_answer(text: str) -> tuple[bool, Any, bool]:
    """``(ok, value, strict)``; strict is False when a code fence had to be removed."""
    try:
        return True, json.loads(text), True
    except (ValueError, RecursionError):  # RecursionError: nested deeper than Python can parse
        pass
    m = _FENCE.match(text)
    if m:
        try:
            return True, json.loads(m.group(1)), False
        except (ValueError, RecursionError):
            pass
    return False, None, False


# -- JSON Schema subset -------------------------------------------------------

def schema_problems(schema: Any, path: str = "") -> list[str]:
    """Problems with a schema itself (unknown keywords or types), for located errors."""
    out: list[str] = []

    def at(sub: str) -> str:
        return f"{path}.{sub}" if path else sub

    def say(where: str, msg: str) -> None:
        out.append(f"{where}: {msg}" if where else msg)

    if not isinstance(schema, dict):
        say(path, "must be an object")
        return out
    for k in schema:
        if k not in _KEYWORDS:
            say(path, f"unsupported keyword {k!r} (supported: type, properties, required, enum, items, additionalProperties)")
    t = schema.get("type")
    types = t if isinstance(t, list) else [t] if t is not None else []
    for one in types:
        if one not in _TYPES:
            say(at("type"), f"unknown type {one!r}")
    if "properties" in schema:
        if not isinstance(schema["properties"], dict):
            say(at("properties"), "must be an object")
        else:
            for name, sub in schema["properties"].items():
                out.extend(schema_problems(sub, at(f"properties.{name}")))
    if "items" in schema:
        out.extend(schema_problems(schema["items"], at("items")))
    if "required" in schema and not (isinstance(schema["required"], list) and all(isinstance(x, str) for x in schema["required"])):
        say(at("required"), "must be a list of names")
    if "enum" in schema and not isinstance(schema["enum"], list):
        say(at("enum"), "must be a list")
    ap = schema.get("additionalProperties")
    if isinstance(ap, dict):
        out.extend(schema_problems(ap, at("additionalProperties")))
    elif ap is not None and not isinstance(ap, bool):
        say(at("additionalProperties"), "must be true, false or a schema")
    return out


def _is_type(value: Any, t: str) -> bool:
    if t == "object":
        return isinstance(value, dict)
    if t == "array":
        return isinstance(value, list)
    if t == "string":
        return isinstance(value, str)
    if t == "boolean":
        return isinstance(value, bool)
    if t == "null":
        return value is None
    if t == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, float) and value.is_integer()
        )
    if t == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    return False


def _json_equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def validate_schema(value: Any, schema: dict[str, Any], path: str = "$") -> list[str]:
    """Errors of ``value`` against the schema subset (empty list = valid)."""
    errors: list[str] = []
    t = schema.get("type")
    if t is not None:
        types = t if isinstance(t, list) else [t]
        if not any(_is_type(value, one) for one in types):
            return [f"{path}: expected {' or '.join(types)}, got {_type_name(value)}"]
    if "enum" in schema and not any(_json_equal(value, e) for e in schema["enum"]):
        errors.append(f"{path}: {value!r} is not one of {schema['enum']!r}")
    if isinstance(value, dict):
        props = schema.get("properties") or {}
        for name in schema.get("required") or []:
            if name not in value:
                errors.append(f"{path}: missing required property {name!r}")
        ap = schema.get("additionalProperties", True)
        for name, sub in value.items():
            if name in props:
                errors.extend(validate_schema(sub, props[name], f"{path}.{name}"))
            elif ap is False:
                errors.append(f"{path}: unexpected property {name!r}")
            elif isinstance(ap, dict):
                errors.extend(validate_schema(sub, ap, f"{path}.{name}"))
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        for i, item in enumerate(value):
            errors.extend(validate_schema(item, schema["items"], f"{path}[{i}]"))
    return errors


def schema_errors(value: Any, schema: dict[str, Any]) -> list[str]:
    """:func:`validate_schema`, or one error when the value cannot be checked at all
    (nested too deeply, say): never raises."""
    try:
        return validate_schema(value, schema)
    except Exception as exc:  # noqa: BLE001 - an answer must never end the run
        return [f"$: {_unchecked(exc)}"]


def _unchecked(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "the answer is nested too deeply to check"
    return f"the answer could not be checked ({type(exc).__name__})"


def _type_name(v: Any) -> str:
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "object"
    return type(v).__name__


# -- field matching -----------------------------------------------------------

def _norm(v: Any, ignore_case: bool) -> Any:
    if isinstance(v, str):
        s = " ".join(v.split())
        return s.casefold() if ignore_case else s
    if isinstance(v, list):
        return [_norm(x, ignore_case) for x in v]
    if isinstance(v, dict):
        return {k: _norm(x, ignore_case) for k, x in v.items()}
    return v


def _field_match(got: Any, want: Any, ignore_case: bool, tol: float) -> bool:
    if isinstance(want, bool) or isinstance(got, bool):
        return _json_equal(got, want)
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        return math.isclose(float(got), float(want), abs_tol=tol, rel_tol=0.0) or float(got) == float(want)
    if isinstance(want, (int, float)) and isinstance(got, str):
        try:
            return _field_match(float(got.replace(",", "")), want, ignore_case, tol)
        except ValueError:
            return False
    return _norm(got, ignore_case) == _norm(want, ignore_case)


def _lookup(obj: Any, dotted: str) -> tuple[bool, Any]:
    cur = obj
    for part in dotted.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return False, None
    return True, cur


# -- the checks ----------------------------------------------------------------

def run_check(check: Any, case: Case, answer: str) -> CheckResult:
    """Every check except llm_judge (see :func:`score_case`)."""
    if isinstance(check, EqualsCheck):
        want = case.expected if check.value is None else check.value
        if isinstance(want, str):
            got_s, want_s = (answer.strip(), want.strip()) if check.strip else (answer, want)
            if check.ignore_case:
                got_s, want_s = got_s.casefold(), want_s.casefold()
            ok = got_s == want_s
            return CheckResult("equals", float(ok), ok, "" if ok else f"expected {want!r}")
        parsed_ok, value, _ = parse_json_answer(answer)
        ok = parsed_ok and _norm(value, check.ignore_case) == _norm(want, check.ignore_case)
        return CheckResult("equals", float(ok), ok, "" if ok else f"expected {json.dumps(want)}")
    if isinstance(check, ContainsCheck):
        needles = [check.value] if isinstance(check.value, str) else list(check.value)
        hay = answer.casefold() if check.ignore_case else answer
        found = [n for n in needles if (n.casefold() if check.ignore_case else n) in hay]
        score = len(found) / len(needles) if needles else 1.0
        missing = [n for n in needles if n not in found]
        return CheckResult("contains", score, score == 1.0, "" if not missing else f"missing {missing!r}")
    if isinstance(check, RegexCheck):
        ok = re.search(check.pattern, answer, re.I if check.ignore_case else 0) is not None
        return CheckResult("regex", float(ok), ok, "" if ok else f"no match for /{check.pattern}/")
    if isinstance(check, ValidJsonCheck):
        ok, _, strict = parse_json_answer(answer)
        detail = "" if ok and strict else "valid after removing a code fence" if ok else "not valid JSON"
        return CheckResult("valid_json", float(ok), ok, detail)
    if isinstance(check, JsonSchemaCheck):
        ok, value, _ = parse_json_answer(answer)
        if not ok:
            return CheckResult("json_schema", 0.0, False, "not valid JSON")
        errors = schema_errors(value, check.schema_)
        return CheckResult("json_schema", float(not errors), not errors, "; ".join(errors[:3]))
    if isinstance(check, FieldsCheck):
        want = check.value if check.value is not None else case.expected
        assert isinstance(want, dict)
        names = check.fields or list(want)
        ok, value, _ = parse_json_answer(answer)
        if not ok or not isinstance(value, dict):
            return CheckResult("fields", 0.0, False, f"0/{len(names)} fields (answer is not a JSON object)")
        wrong: list[str] = []
        for name in names:
            has_want, w = _lookup(want, name)
            has_got, g = _lookup(value, name)
            if not (has_got and has_want and _field_match(g, w, check.ignore_case, check.numeric_tolerance)):
                if has_want and not has_got and w is None:
                    continue  # expected null and absent: fine
                wrong.append(name)
        matched = len(names) - len(wrong)
        score = matched / len(names) if names else 1.0
        detail = f"{matched}/{len(names)} fields" + (f"; wrong: {', '.join(wrong)}" if wrong else "")
        return CheckResult("fields", score, not wrong, detail)
    if isinstance(check, MaxLengthCheck):
        over: list[str] = []
        if check.chars is not None and len(answer) > check.chars:
            over.append(f"{len(answer)} characters > {check.chars}")
        words = len(answer.split())
        if check.words is not None and words > check.words:
            over.append(f"{words} words > {check.words}")
        return CheckResult("max_length", float(not over), not over, "; ".join(over))
    raise TypeError(f"not a synchronous check: {type(check).__name__}")


def checked(check: Any, case: Case, answer: str) -> CheckResult:
    """:func:`run_check` that never raises: an answer it cannot parse or compare
    (nested too deeply, numbers too large, anything) fails this check with the
    reason, so no answer can end a run."""
    try:
        return run_check(check, case, answer)
    except Exception as exc:  # noqa: BLE001
        return CheckResult(getattr(check, "type", "check"), 0.0, False, _unchecked(exc))


async def score_case(case: Case, answer: str, judge: Judge | None = None) -> tuple[float, bool, list[CheckResult]]:
    """``(score, passed, results)`` for one answer."""
    results: list[CheckResult] = []
    weights: list[float] = []
    for check in case.effective_checks:
        if isinstance(check, LlmJudgeCheck):
            if judge is None:
                results.append(CheckResult("llm_judge", 0.0, False, "no judge model available"))
            else:
                try:
                    score, reason = await judge(check, case, answer)
                    passed = score >= (check.pass_score - 1) / 4 - 1e-9
                    results.append(CheckResult("llm_judge", score, passed, reason))
                except BudgetExhausted:
                    raise  # not judged is not failed: the case is left for a later run
                except Exception as exc:  # a failed judge call scores 0 with its reason
                    results.append(CheckResult("llm_judge", 0.0, False, f"judge failed: {exc}"))
        else:
            results.append(checked(check, case, answer))
        weights.append(check.weight)
    if not results:
        return 1.0, True, results
    total = sum(weights)
    score = sum(r.score * w for r, w in zip(results, weights)) / total
    if case.threshold is None:
        return score, all(r.passed for r in results), results
    return score, score >= case.threshold - 1e-9, results


JUDGE_SYSTEM = (
    "You are a strict grader. Score the answer against the rubric from 1 (fails) to 5 (fully meets it). "
    'Reply with JSON only: {"score": <1-5>, "reason": "<one sentence>"}.'
)


def judge_prompt(check: LlmJudgeCheck, case: Case, answer: str) -> str:
    task = case.input if case.input is not None else "\n".join(f"{r}: {c}" for r, c in case.chat_messages())
    parts = [f"Rubric:\n{check.rubric}", f"Task given to the model:\n{task}"]
    if case.expected is not None:
        exp = case.expected if isinstance(case.expected, str) else json.dumps(case.expected)
        parts.append(f"Reference answer:\n{exp}")
    parts.append(f"Answer to grade:\n{answer}")
    return "\n\n".join(parts)


def parse_judge_reply(text: str) -> tuple[float, str]:
    """Score 1–5 from the judge's reply, normalised to 0–1."""
    ok, value, _ = parse_json_answer(text.strip())
    if ok and isinstance(value, dict) and isinstance(value.get("score"), (int, float)):
        raw = float(value["score"])
        reason = str(value.get("reason", ""))
    else:
        m = re.search(r"\b([1-5])\b", text)
        if not m:
            raise ValueError("judge reply has no score")
        raw, reason = float(m.group(1)), text.strip()[:200]
    raw = min(5.0, max(1.0, raw))
    return (raw - 1.0) / 4.0, f"judge {raw:g}/5: {reason}".strip()
