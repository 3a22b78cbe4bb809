"""Money as JSON: every USD amount advisor writes is a decimal string with exactly
``USD_PLACES`` (10) places, in the shortlist and the bake-off alike. Python values
stay exact Decimals; rounding (half-even) happens only when serialising."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

__all__ = ["USD_PLACES", "usd_json", "Usd", "UsdOpt"]

USD_PLACES = 10
_QUANTUM = Decimal(1).scaleb(-USD_PLACES)


def usd_json(value: Decimal) -> str:
    """A USD amount as JSON: a decimal string with exactly ``USD_PLACES`` places."""
    return format(Decimal(value).quantize(_QUANTUM), "f")


Usd = Annotated[Decimal, PlainSerializer(usd_json, return_type=str, when_used="json")]
UsdOpt = Annotated[Decimal | None, PlainSerializer(lambda v: None if v is None else usd_json(v), when_used="json")]
