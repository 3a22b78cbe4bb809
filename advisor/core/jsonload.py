"""JSON from the user's files with the same bounds as YAML (``yamlsrc``).

``loads`` refuses what would crash or mislead later: nesting deeper than
``MAX_DEPTH``, numbers with more than ``MAX_DIGITS`` digits (Python refuses
to convert 4,300-digit integers at all), ``NaN``/``Infinity`` and floats that
overflow to infinity. Each refusal is a :class:`JsonProblem` with the line it
is on when known, so callers can name ``file:line``.
"""

from __future__ import annotations

import json
import math
from typing import Any

from advisor.core.yamlsrc import MAX_DEPTH, MAX_DIGITS

__all__ = ["JsonProblem", "loads", "depth_exceeds"]


class JsonProblem(ValueError):
    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(message)


def _int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_DIGITS:
        raise JsonProblem(f"a whole number with {len(text.lstrip('-')):,} digits is too large (at most {MAX_DIGITS})")
    return int(text)


def _float(text: str) -> float:
    digits = sum(ch.isdigit() for ch in text)
    if digits > MAX_DIGITS:
        raise JsonProblem(f"a number with {digits:,} digits is too large (at most {MAX_DIGITS})")
    value = float(text)
    if not math.isfinite(value):
        raise JsonProblem(f"not a finite number: {text[:40]!r}")
    return value


def _constant(text: str) -> Any:
    raise JsonProblem(f"{text} is not a number JSON allows")


def depth_exceeds(value: Any, limit: int = MAX_DEPTH) -> bool:
    """True when lists/objects nest deeper than ``limit`` (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def _line_of(text: str | bytes, pos: int) -> int:
    chunk = text[:pos]
    return (chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")) + 1


def loads(text: str | bytes) -> Any:
    """``json.loads`` with bounded depth and numbers; ``JsonProblem`` (with a line) on
    anything refused; ``json.JSONDecodeError`` (malformed) and ``UnicodeDecodeError``
    (bytes that are not UTF-8) as ``json.loads`` raises them."""
    try:
        value = json.loads(text, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise JsonProblem(f"nested more than {MAX_DEPTH} levels deep; refusing to read it") from None
    except JsonProblem:
        raise
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise
    except ValueError as exc:  # e.g. an integer Python will not convert
        raise JsonProblem(str(exc)) from None
    if depth_exceeds(value):
        raise JsonProblem(f"nested more than {MAX_DEPTH} levels deep; refusing to read it")
    return value
