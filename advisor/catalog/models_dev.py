"""models.dev ``api.json``: provider id -> {id, name, env, api, doc, npm, models: {id: {...}}}.

Costs are USD per 1M tokens already. See :mod:`advisor.catalog` for the rules.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from advisor.catalog.entries import Entry, Parsed, ProviderInfo, parse_date, positive_int, to_decimal
from advisor.catalog.providers import KNOWN, api_style, canonical
from advisor.catalog.reasoning import from_models_dev
from advisor.catalog.sources import Raw, bad

KIND = "models-dev"

ZERO_NOTE = (
    "models.dev lists input and output at $0 (a free tier, a subscription plan or a placeholder): "
    "verify the price with the provider before relying on it"
)


def is_free_id(api_id: str) -> bool:
    """The model id itself names a free variant (``...:free``, ``...-free``)."""
    return api_id.lower().endswith((":free", "-free"))


def deprecated_by(as_of) -> str:
    """Wording for a deprecation a snapshot shows without a date: the catalogue's date is not a retirement date."""
    return (
        f"deprecated by {as_of.isoformat()}: models.dev marks it deprecated without a retirement date; "
        f"{as_of.isoformat()} is the catalogue's date, not when it retires"
    )


def _num(raw: Raw, where: str, value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad(raw.label, where, f"expected a number, got {type(value).__name__}")
    return to_decimal(value)


def _tiers_note(raw: Raw, where: str, cost: dict[str, Any]) -> str | None:
    parts: list[str] = []
    tiers = cost.get("tiers")
    if isinstance(tiers, list):
        for t in tiers:
            if not isinstance(t, dict):
                continue
            size = (t.get("tier") or {}).get("size") if isinstance(t.get("tier"), dict) else None
            i, o = _num(raw, where + ".tiers.input", t.get("input")), _num(raw, where + ".tiers.output", t.get("output"))
            label = f"above {size:,} tokens" if isinstance(size, int) else "another tier"
            parts.append(f"{label}: input {i if i is not None else 'unknown'} / output {o if o is not None else 'unknown'} per 1M")
    over = cost.get("context_over_200k")
    if isinstance(over, dict):
        i = _num(raw, where + ".context_over_200k.input", over.get("input"))
        o = _num(raw, where + ".context_over_200k.output", over.get("output"))
        parts.append(f"above 200,000 tokens: input {i if i is not None else 'unknown'} / output {o if o is not None else 'unknown'} per 1M")
    return "; ".join(parts) or None


def _tier_list(raw: Raw, where: str, cost: dict[str, Any]) -> list[dict[str, Any]]:
    """models.dev ``tiers`` (``tier.size``) and ``context_over_200k`` as PriceTier dicts."""
    found: dict[int, dict[str, Any]] = {}
    tiers = cost.get("tiers") if isinstance(cost.get("tiers"), list) else []
    over = cost.get("context_over_200k")
    pairs = [((t.get("tier") or {}).get("size") if isinstance(t, dict) and isinstance(t.get("tier"), dict) else None, t) for t in tiers]
    if isinstance(over, dict):
        pairs.append((200_000, over))
    for size, t in pairs:
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0 or not isinstance(t, dict):
            continue
        i, o = _num(raw, where + ".tiers.input", t.get("input")), _num(raw, where + ".tiers.output", t.get("output"))
        if not i or not o:
            continue
        tier: dict[str, Any] = {"above_input_tokens": size, "input": i, "output": o}
        for ours, theirs in (("cached_input", "cache_read"), ("cache_write", "cache_write")):
            v = _num(raw, where + f".tiers.{theirs}", t.get(theirs))
            if v:
                tier[ours] = v
        found.setdefault(size, tier)
    return [found[k] for k in sorted(found)]


def _structured(value: Any) -> str | None:
    if value is True:
        return "schema"
    if value is False:
        return "prompt"
    return None


def parse(raw: Raw) -> Parsed:
    out = Parsed(kind=KIND, source=f"models.dev api.json {raw.as_of.isoformat()}", as_of=raw.as_of)
    for pkey, prov in raw.data.items():
        if not isinstance(prov, dict) or not isinstance(prov.get("models"), dict):
            hint = " (is this LiteLLM's file? use `advisor catalog import litellm`)" if isinstance(prov, dict) and "litellm_provider" in prov else ""
            raise bad(raw.label, str(pkey), "not a models.dev provider: expected an object with a 'models' object" + hint)
        pid = canonical(str(prov.get("id") or pkey))
        known = KNOWN.get(pid)
        base_url = prov.get("api") if isinstance(prov.get("api"), str) and prov.get("api", "").startswith("http") else None
        env = prov.get("env")
        key_env = env[0] if isinstance(env, list) and env and isinstance(env[0], str) else None
        if known and base_url is None:
            name, style, base_url, key_env = known[0], known[1], known[2], key_env or known[3]
        else:
            style = api_style(prov.get("npm") if isinstance(prov.get("npm"), str) else None)
            name = str(prov.get("name") or pkey)
        out.providers[pid] = ProviderInfo(id=pid, name=name, api=style, base_url=base_url, key_env=key_env)
        for mkey, m in prov["models"].items():
            out.total += 1
            where = f"{pkey}.models.{mkey}"
            if not isinstance(m, dict):
                raise bad(raw.label, where, f"expected an object, got {type(m).__name__}")
            cost = m.get("cost")
            if cost is not None and not isinstance(cost, dict):
                raise bad(raw.label, where + ".cost", f"expected an object, got {type(cost).__name__}")
            limit = m.get("limit")
            if limit is not None and not isinstance(limit, dict):
                raise bad(raw.label, where + ".limit", f"expected an object, got {type(limit).__name__}")
            cost = cost or {}
            limit = limit or {}
            context = positive_int(limit.get("context"))
            if context is None:
                out.skipped["no context window"] += 1
                continue
            if base_url is None:
                out.skipped["provider has no API base URL"] += 1
                continue
            i = _num(raw, where + ".cost.input", cost.get("input"))
            o = _num(raw, where + ".cost.output", cost.get("output"))
            cached = _num(raw, where + ".cost.cache_read", cost.get("cache_read", cost.get("cached_input")))
            api_id = str(m.get("id") or mkey)
            zero_note = None
            if i == 0 and o == 0:
                # models.dev lists free tiers, subscription plans and placeholders as 0/0: unknown,
                # never $0, unless the id itself names a free variant
                zero_note = ZERO_NOTE
                if not is_free_id(api_id):
                    i = o = cached = None
            else:  # a lone 0 next to a real price means "not offered", not free
                i = None if i == 0 else i
                o = None if o == 0 else o
                cached = None if cached == 0 else cached
            tiers = _tiers_note(raw, where + ".cost", cost)
            cache_write = _num(raw, where + ".cost.cache_write", cost.get("cache_write"))
            reasoning = m.get("reasoning") is True
            deprecated = m.get("status") == "deprecated"
            modalities = m.get("modalities") if isinstance(m.get("modalities"), dict) else {}
            inputs = modalities.get("input") if isinstance(modalities.get("input"), list) else []
            family = m.get("family") if isinstance(m.get("family"), str) and m.get("family") else None
            out.entries.append(
                Entry(
                    key=where,
                    provider=pid,
                    source_provider=str(pkey),
                    api_id=api_id,
                    name=str(m.get("name") or api_id),
                    family=family,
                    context=context,
                    max_output=positive_int(limit.get("output")),
                    input=i,
                    output=o,
                    cached_input=cached,
                    price_note="; ".join(x for x in (zero_note, tiers) if x) or None,
                    tool_calling=m.get("tool_call") is True,
                    structured=_structured(m.get("structured_output")),
                    vision="image" in inputs,
                    cache_write=cache_write if cache_write and i is not None else None,
                    tiers=_tier_list(raw, where + ".cost", cost) if i is not None else [],
                    reasoning=reasoning,
                    reasoning_modes=(
                        from_models_dev(m.get("reasoning_options"), style, pid, f"models.dev {raw.as_of.isoformat()}", raw.as_of)
                        if reasoning
                        else None
                    ),
                    open_weights=m.get("open_weights") is True,
                    released=parse_date(m.get("release_date")),
                    # models.dev flags a deprecation without a date: the snapshot date is when it was seen
                    deprecated=raw.as_of if deprecated else None,
                    endpoint_note=deprecated_by(raw.as_of) if deprecated else None,
                    deprecated_date_known=not deprecated,
                )
            )
    return out
