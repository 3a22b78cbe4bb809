"""A small, fast block-YAML writer for the overlay, and atomic file writes.

PyYAML's pure-Python emitter takes seconds for a 5,000-model catalogue; the
overlay holds only mappings, lists, strings, numbers, Decimals, dates, bools
and nulls, so this writes them directly. Strings are JSON-quoted (a JSON
string is a valid YAML double-quoted scalar); Decimals are written as plain
decimals (never exponent notation), so loading gives back the same value.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from advisor.catalog.entries import fmt_decimal
from advisor.fileio import atomic_write


def _scalar(v: Any) -> str:
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, Decimal):
        return fmt_decimal(v)
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return fmt_decimal(Decimal(str(v)))
    if isinstance(v, date):
        return v.isoformat()
    return json.dumps(str(v), ensure_ascii=False)


def _emit(v: Any, indent: int, out: list[str]) -> None:
    pad = " " * indent
    if isinstance(v, dict):
        for k, x in v.items():
            key = _key(k)
            if isinstance(x, dict) and x:
                out.append(f"{pad}{key}:\n")
                _emit(x, indent + 2, out)
            elif isinstance(x, (list, tuple)) and x:
                out.append(f"{pad}{key}:\n")
                _emit(x, indent + 2, out)
            else:
                out.append(f"{pad}{key}: {_empty_or_scalar(x)}\n")
    elif isinstance(v, (list, tuple)):
        for x in v:
            if isinstance(x, dict) and x:
                lines: list[str] = []
                _emit(x, indent + 2, lines)
                first = lines[0]
                lines[0] = f"{pad}- {first[indent + 2:]}"
                out.extend(lines)
            elif isinstance(x, (list, tuple)) and x:
                out.append(f"{pad}-\n")
                _emit(x, indent + 2, out)
            else:
                out.append(f"{pad}- {_empty_or_scalar(x)}\n")
    else:
        out.append(f"{pad}{_scalar(v)}\n")


def _empty_or_scalar(x: Any) -> str:
    if isinstance(x, dict):
        return "{}"
    if isinstance(x, (list, tuple)):
        return "[]"
    return _scalar(x)


#: words YAML 1.1 reads as booleans or null: a key spelled like one must be quoted
_YAML_WORDS = {"y", "n", "yes", "no", "on", "off", "true", "false", "null", "~"}


def _key(k: Any) -> str:
    s = str(k)
    if s.replace("_", "").isalnum() and s.isascii() and not s[0].isdigit() and s.lower() not in _YAML_WORDS:
        return s
    return json.dumps(s, ensure_ascii=False)


def comment(text: str) -> str:
    """``text`` as YAML comment lines."""
    return "".join(f"# {line}\n" if line else "#\n" for line in text.splitlines())


def dump(data: Any, header: str | None = None) -> str:
    out: list[str] = [comment(header)] if header else []
    _emit(data, 0, out)
    return "".join(out)


def write_atomic(path: str | Path, text: str) -> None:
    """The overlay folder is created on first import."""
    atomic_write(path, text, make_parents=True)
