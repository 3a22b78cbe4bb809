"""Read a catalogue from a file or a URL into JSON, with errors that name the file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from advisor.core import jsonload
from advisor.core.yamlsrc import read_bounded
from advisor.errors import InputError, Location, Problem, display_path

DEFAULT_URLS = {
    "models-dev": "https://models.dev/api.json",
    "litellm": "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json",
}

_VERSION = re.compile(r"(\d+\.\d+\.\d+)")
_ISO_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_NAME_DATE = re.compile(r"(?<!\d)(\d{4}-\d{2}-\d{2})(?!\d)")


@dataclass
class Raw:
    data: Any
    label: str  # the file or URL as the user would recognise it
    as_of: date
    version: str | None  # a version or date found in the name, if any


def is_url(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _fetch(url: str, timeout: float) -> bytes:
    import httpx

    try:
        with httpx.Client(timeout=timeout, follow_redirects=True) as client:
            resp = client.get(url, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise InputError([Problem(f"cannot fetch: {type(exc).__name__}: {exc}", Location(url))]) from None
    if resp.status_code != 200:
        raise InputError([Problem(f"cannot fetch: HTTP {resp.status_code}", Location(url))])
    return resp.content


def _version_in(name: str) -> str | None:
    m = _VERSION.search(name) or _ISO_DATE.search(name)
    return m.group(1) if m else None


def date_in_name(name: str) -> date | None:
    """The YYYY-MM-DD in a file name (``models.dev-api-2026-07-02.json`` -> 2026-07-02), if exactly one valid date is there."""
    found = set()
    for text in _NAME_DATE.findall(name):
        try:
            found.add(date.fromisoformat(text))
        except ValueError:
            continue
    return found.pop() if len(found) == 1 else None


def read_raw(kind: str, where: str | None, as_of: date | None, today: date, timeout: float = 60.0) -> Raw:
    """The parsed JSON of a catalogue file or URL (default: the public one for ``kind``)."""
    target = where or DEFAULT_URLS[kind]
    if is_url(target):
        body = _fetch(target, timeout)
        label = target
        stamp: date | None = as_of or today  # fetched now: today's prices
        version = _version_in(target.rsplit("/", 1)[-1]) or ("main" if "/main/" in target else None)
    else:
        p = Path(target)
        label = display_path(p)
        if p.is_dir():
            raise InputError([Problem("is a directory, not a catalogue file", Location(label))])
        try:
            body = read_bounded(p)
        except FileNotFoundError:
            raise InputError([Problem("no such file", Location(label))]) from None
        except OSError as exc:
            raise InputError([Problem(f"cannot read: {exc.strerror or exc}", Location(label))]) from None
        # never the file's mtime: a copy or a clone resets it, and old prices would look fresh
        stamp = as_of or date_in_name(p.name)
        version = _version_in(p.name)
    if not body.strip():
        raise InputError([Problem("the file is empty", Location(label))])
    try:
        data = jsonload.loads(body)
    except jsonload.JsonProblem as exc:
        raise InputError([Problem(exc.message, Location(label, exc.line))]) from None
    except UnicodeDecodeError as exc:
        raise InputError([Problem(f"not UTF-8 text (byte {exc.start})", Location(label))]) from None
    except json.JSONDecodeError as exc:
        raise InputError([Problem(f"malformed JSON: {exc.msg} (column {exc.colno})", Location(label, exc.lineno))]) from None
    if not isinstance(data, dict) or not data:
        raise InputError([Problem("expected a JSON object with one entry per " + ("provider" if kind == "models-dev" else "model"), Location(label, 1))])
    if stamp is None:  # checked after the content, so a broken file is reported as broken first
        raise InputError(
            [Problem("no date for these prices (the file name has no YYYY-MM-DD): give the day the file was downloaded with --as-of YYYY-MM-DD", Location(label))]
        )
    return Raw(data=data, label=label, as_of=stamp, version=version)


def bad(label: str, where: str, message: str) -> InputError:
    """An error about one entry/field of a catalogue file."""
    return InputError([Problem(message, Location(label, None, where))])


def bounded_price(label: str, where: str, price: Any) -> Any:
    """``price`` (USD per 1M tokens, a Decimal or None) unless it is beyond any real model's."""
    from advisor.core.schema import MAX_USD_PER_M

    if price is not None and price > MAX_USD_PER_M:
        raise bad(label, where, f"a price of ${price:.3g} per 1M tokens is beyond any real model's "
                                f"(at most ${MAX_USD_PER_M:,}); is it a typo?")
    return price
