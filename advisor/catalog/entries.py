"""One catalogue entry in our vocabulary, whichever source it came from."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

MILLION = 1_000_000


def clean(value: Decimal) -> Decimal:
    """Normalise a Decimal without scientific notation for whole numbers (10, not 1E+1)."""
    value = value.normalize()
    if value.as_tuple().exponent > 0:  # type: ignore[operator]
        value = value.quantize(Decimal(1))
    return value


def to_decimal(x: Any) -> Decimal | None:
    """A JSON number as an exact Decimal (through its text, never float arithmetic)."""
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, (int, float, str)):
        try:
            d = Decimal(str(x))
        except InvalidOperation:
            return None
        if not d.is_finite() or d < 0:
            return None
        return clean(d)
    return None


def per_million(x: Any) -> Decimal | None:
    """A per-token price as USD per 1M tokens: ``2.5e-06`` -> ``Decimal('2.5')``."""
    d = to_decimal(x)
    return None if d is None else clean(d * MILLION)


def fmt_decimal(d: Decimal) -> str:
    return format(clean(d), "f")


_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


def parse_date(text: Any) -> date | None:
    """``2025-12-16`` or ``2025-12`` (first of the month); anything else is unknown."""
    if not isinstance(text, str):
        return None
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3) or 1))
    except ValueError:
        return None


def positive_int(x: Any) -> int | None:
    if isinstance(x, bool):
        return None
    if isinstance(x, (int, float)) and x > 0 and float(x).is_integer():
        return int(x)
    return None


@dataclass
class Entry:
    """A model served by one provider, as a catalogue describes it."""

    key: str  # where it is in the source file, for messages
    provider: str  # our provider id
    source_provider: str  # the catalogue's provider id
    api_id: str  # the id to send to the provider's API
    name: str
    family: str | None
    context: int | None
    max_output: int | None
    input: Decimal | None
    output: Decimal | None
    cached_input: Decimal | None = None
    batch_input: Decimal | None = None
    batch_output: Decimal | None = None
    price_note: str | None = None
    cache_write: Decimal | None = None
    tiers: list[dict[str, Any]] = field(default_factory=list)  # PriceTier dicts, ascending
    tool_calling: bool = False
    structured: str | None = None  # schema / json_mode / prompt / None (unknown)
    vision: bool = False
    reasoning: bool = False
    reasoning_modes: dict[str, Any] | None = None  # a Reasoning dict where the catalogue gives controls
    open_weights: bool = False
    released: date | None = None
    deprecated: date | None = None
    endpoint_note: str | None = None  # e.g. a deprecation seen in a snapshot, with no real date
    deprecated_date_known: bool = True  # False: ``deprecated`` is only the catalogue's date
    deprecation_source: str | None = None
    successor: str | None = None  # the catalogue's own id for the successor (build maps it to ours)


@dataclass
class ProviderInfo:
    id: str
    name: str
    api: str
    base_url: str | None
    key_env: str | None


@dataclass
class Parsed:
    """What a source parser found: entries, provider facts, and what it skipped and why."""

    kind: str  # "models-dev" | "litellm"
    source: str  # provenance label written on every price
    as_of: date
    entries: list[Entry] = field(default_factory=list)
    providers: dict[str, ProviderInfo] = field(default_factory=dict)
    skipped: Counter = field(default_factory=Counter)
    total: int = 0
