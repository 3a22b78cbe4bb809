"""LiteLLM ``model_prices_and_context_window.json``: key -> per-token prices and flags.

See :mod:`advisor.catalog` for the rules (0 is a placeholder there, not free).
"""

from __future__ import annotations

import re
from typing import Any

from advisor.catalog.entries import Entry, Parsed, ProviderInfo, parse_date, per_million, positive_int
from advisor.catalog.providers import KNOWN, LITELLM_PROVIDERS, canonical
from advisor.catalog.reasoning import from_litellm
from advisor.catalog.sources import Raw, bad

KIND = "litellm"
MODES = {"chat", "completion", "responses"}
_TIER = re.compile(r"^input_cost_per_token_above_(\d+)k_tokens$")


def _price(raw: Raw, where: str, entry: dict[str, Any], key: str):
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad(raw.label, f"{where}.{key}", f"expected a number, got {type(value).__name__}")
    return per_million(value)


def _tiers(raw: Raw, where: str, entry: dict[str, Any]) -> str | None:
    parts = []
    for key in sorted(entry, key=lambda k: int(_TIER.match(k).group(1)) if _TIER.match(k) else 0):
        m = _TIER.match(key)
        if not m:
            continue
        size = m.group(1)
        i = _price(raw, where, entry, key)
        o = _price(raw, where, entry, f"output_cost_per_token_above_{size}k_tokens")
        parts.append(f"above {size}k tokens: input {i if i is not None else 'unknown'} / output {o if o is not None else 'unknown'} per 1M")
    return "; ".join(parts) or None


def _tier_list(raw: Raw, where: str, entry: dict[str, Any]) -> list[dict[str, Any]]:
    """``*_above_<N>k_tokens`` prices as PriceTier dicts (input and output both known)."""
    out = []
    for size in sorted({int(m.group(1)) for k in entry if (m := _TIER.match(k))}):
        tier = {
            "above_input_tokens": size * 1000,
            "input": _price(raw, where, entry, f"input_cost_per_token_above_{size}k_tokens"),
            "output": _price(raw, where, entry, f"output_cost_per_token_above_{size}k_tokens"),
        }
        if not tier["input"] or not tier["output"]:
            continue  # 0 is LiteLLM's placeholder: no tier we can bill
        for ours, theirs in (("cached_input", "cache_read_input_token_cost"), ("cache_write", "cache_creation_input_token_cost")):
            v = _price(raw, where, entry, f"{theirs}_above_{size}k_tokens")
            if v:
                tier[ours] = v
        out.append(tier)
    return out


def _deprecation_source(version: str, key: str, entry: dict[str, Any]) -> str | None:
    if not entry.get("deprecation_date"):
        return None
    url = entry.get("deprecation_source")
    where = f" ({url})" if isinstance(url, str) and url.startswith("http") else ""
    return f"LiteLLM model_prices {version} deprecation_date of '{key}'{where}"


def parse(raw: Raw) -> Parsed:
    version = raw.version or "unversioned"
    out = Parsed(kind=KIND, source=f"LiteLLM model_prices {version}", as_of=raw.as_of)
    for key, entry in raw.data.items():
        if key == "sample_spec":
            continue
        out.total += 1
        if not isinstance(entry, dict):
            raise bad(raw.label, str(key), f"expected an object, got {type(entry).__name__}")
        if "models" in entry and "litellm_provider" not in entry:
            raise bad(raw.label, str(key), "not a LiteLLM price entry (is this models.dev's api.json? use `advisor catalog import models-dev`)")
        mode = entry.get("mode")
        if mode not in MODES:
            out.skipped[f"not a chat model (mode {mode})" if mode else "no mode"] += 1
            continue
        lp = entry.get("litellm_provider")
        if not isinstance(lp, str) or not lp:
            raise bad(raw.label, f"{key}.litellm_provider", "missing or not a string")
        if lp not in LITELLM_PROVIDERS:
            out.skipped["provider not imported from LiteLLM (no single base URL/key)"] += 1
            continue
        if str(key).startswith("ft:"):
            out.skipped["fine-tune template"] += 1
            continue
        api_id = key[len(lp) + 1 :] if key.startswith(lp + "/") else key
        if lp == "gemini" and api_id.startswith("gemini/"):
            api_id = api_id[len("gemini/") :]
        context = positive_int(entry.get("max_input_tokens"))
        if context is None:
            out.skipped["no context window"] += 1
            continue
        pid = canonical(lp)
        if pid not in out.providers:
            name, style, base_url, key_env = KNOWN[pid]
            out.providers[pid] = ProviderInfo(id=pid, name=name, api=style, base_url=base_url, key_env=key_env)
        i = _price(raw, key, entry, "input_cost_per_token")
        o = _price(raw, key, entry, "output_cost_per_token")
        free = api_id.endswith((":free", "-free")) and i == 0 and o == 0
        if not free:
            i = None if i == 0 else i
            o = None if o == 0 else o
        def nz(k: str):
            v = _price(raw, key, entry, k)
            return None if v == 0 and not free else v
        supports_schema = entry.get("supports_response_schema")
        structured = "schema" if supports_schema is True or entry.get("supports_native_structured_output") is True else ("prompt" if supports_schema is False else None)
        out.entries.append(
            Entry(
                key=str(key),
                provider=pid,
                source_provider=lp,
                api_id=api_id,
                name=api_id.rsplit("/", 1)[-1],
                family=None,
                context=context,
                max_output=positive_int(entry.get("max_output_tokens")),
                input=i,
                output=o,
                cached_input=nz("cache_read_input_token_cost"),
                batch_input=nz("input_cost_per_token_batches"),
                batch_output=nz("output_cost_per_token_batches"),
                price_note=_tiers(raw, str(key), entry),
                cache_write=nz("cache_creation_input_token_cost"),
                tiers=_tier_list(raw, str(key), entry),
                tool_calling=entry.get("supports_function_calling") is True,
                structured=structured,
                vision=entry.get("supports_vision") is True,
                reasoning=entry.get("supports_reasoning") is True,
                open_weights=False,  # LiteLLM does not say; never assume self-hostable
                released=None,
                deprecated=parse_date(entry.get("deprecation_date")),
                deprecation_source=_deprecation_source(version, str(key), entry),
                successor=entry.get("successor_model") if isinstance(entry.get("successor_model"), str) else None,
                reasoning_modes=(
                    from_litellm(entry, KNOWN[pid][1], pid, f"LiteLLM model_prices {version}", raw.as_of)
                    if entry.get("supports_reasoning") is True
                    else None
                ),
            )
        )
    return out
