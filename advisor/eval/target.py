"""The eval's view of a model to call: :class:`Target`.

The rest of the app turns shortlist candidates into Targets
(``advisor.eval.targets_from_shortlist``); a targets YAML file
(``--target-file``) gives the same fields by hand, handy for local servers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from advisor.core.profiles import BASELINE, RequestProfile

if TYPE_CHECKING:  # the knowledge schema is imported only where knowledge is loaded
    from advisor.core.schema import ReasoningMode

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
    profile: RequestProfile | None = None  # what the API accepts; None: the wire format's baseline
    reasoning: ReasoningMode | None = None  # the mode to run (its request fragment is sent)
    cached_input_price_per_m: Decimal | None = None  # None: cache reads priced as input
    cache_write_price_per_m: Decimal | None = None  # None: unknown (a cost with cache writes is unknown)
    # output tokens a thinking model may bill beyond max_tokens and its mode's room
    # (for a target with no known mode); the spend cap reserves them and never counts
    # reported output above max_output_tokens()
    reasoning_tokens: int = 0
    # where the prices come from, as knowledge says ("LiteLLM price map v1.110.2"), and their date
    price_source: str | None = None
    price_as_of: date | None = None

    @property
    def priced(self) -> bool:
        return self.input_price_per_m is not None and self.output_price_per_m is not None

    @property
    def provider_key(self) -> str:
        """What the per-provider concurrency limit is keyed on."""
        return f"{self.api}|{self.base_url.rstrip('/')}"

    def cost(
        self, input_tokens: int, output_tokens: int, cached_input_tokens: int = 0, cache_write_tokens: int = 0
    ) -> Decimal | None:
        """Exact USD cost, or None when a price is unknown.

        ``input_tokens`` is all input; the cached and cache-written parts of it are
        priced at their own prices (a cache read without a known price at the input
        price, an upper bound; a cache write without one makes the cost unknown).
        Reasoning tokens are output tokens and priced as such."""
        if not self.priced:
            return None
        assert self.input_price_per_m is not None and self.output_price_per_m is not None
        cached = min(max(cached_input_tokens, 0), input_tokens)
        written = min(max(cache_write_tokens, 0), input_tokens - cached)
        if written and self.cache_write_price_per_m is None:
            return None
        read_price = self.input_price_per_m if self.cached_input_price_per_m is None else self.cached_input_price_per_m
        total = (
            self.input_price_per_m * (input_tokens - cached - written)
            + read_price * cached
            + (self.cache_write_price_per_m or Decimal(0)) * written
            + self.output_price_per_m * output_tokens
        )
        return total / Decimal(1_000_000)

    def max_output_tokens(self, case_max_tokens: int) -> int:
        """The most output a request can bill: the case's limit plus the room the
        reasoning mode's thinking is given (it is billed as output)."""
        extra = max(0, self.reasoning_tokens)
        if self.reasoning is None:
            return case_max_tokens + extra
        # the wire formats import httpx: only a target that thinks needs them here
        from advisor.providers import wire_for
        from advisor.providers.base import token_limit

        budget = wire_for(self.api).thinking_budget(self.reasoning.request)
        return token_limit(self.profile or BASELINE[self.api], case_max_tokens, self.reasoning, budget) + extra
