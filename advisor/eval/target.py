"""The eval's view of a model to call: :class:`Target`.

The rest of the app turns shortlist candidates into Targets
(``advisor.eval.targets_from_shortlist``); a targets YAML file
(``--target-file``) gives the same fields by hand, handy for local servers.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Api = Literal["openai", "anthropic", "gemini"]


@dataclass(frozen=True)
class Target:
    label: str  # display name, e.g. "GPT-4o mini via openai"
    model_key: str  # stable key for results/resume, e.g. "gpt-4o-mini@openai"
    api: Api
    base_url: str
    model_id: str  # id sent to the API
    key_env: str | None  # env var holding the key; None = no key needed (local server)
    input_price_per_m: Decimal | None  # USD per 1M tokens; None = unknown (never $0)
    output_price_per_m: Decimal | None
    tokenizer: str | None = None  # "o200k_base"/"cl100k_base" for exact counts, else approximate
    supports_json_schema: bool = False
    supports_json_mode: bool = False
    # output tokens a thinking mode may bill beyond max_tokens (0: max_tokens bounds all
    # output); the spend cap reserves them and never counts reported output above
    # max_tokens + reasoning_tokens
    reasoning_tokens: int = 0

    @property
    def priced(self) -> bool:
        return self.input_price_per_m is not None and self.output_price_per_m is not None

    @property
    def provider_key(self) -> str:
        """What the per-provider concurrency limit is keyed on."""
        return f"{self.api}|{self.base_url.rstrip('/')}"

    def cost(self, input_tokens: int, output_tokens: int) -> Decimal | None:
        """Exact USD cost, or None when a price is unknown."""
        if not self.priced:
            return None
        assert self.input_price_per_m is not None and self.output_price_per_m is not None
        return (self.input_price_per_m * input_tokens + self.output_price_per_m * output_tokens) / Decimal(1_000_000)
