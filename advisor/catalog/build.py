"""Turn parsed catalogue entries into a ``models.yaml`` overlay (see :mod:`advisor.catalog`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from pydantic import ValidationError

from advisor.catalog.entries import Entry, Parsed
from advisor.catalog.providers import guess_vendor, slug
from advisor.core.schema import Endpoint, ModelSpec, Provider

CONFLICT_RATIO = Decimal("0.05")
PRICE_KEYS = ("input", "output", "cached_input", "batch_input", "batch_output")


def base_id(api_id: str) -> str:
    """The last path segment of an API id, as a slug: ``meta-llama/Llama-3.3-70B`` -> ``llama-3-3-70b``."""
    return slug(api_id.rsplit("/", 1)[-1])


def source_kind(source: str) -> str:
    s = source.strip().lower()
    if s.startswith("models.dev"):
        return "models.dev"
    if s.startswith("litellm"):
        return "litellm"
    return s


def _dec(x: Any) -> Decimal | None:
    if x is None:
        return None
    return x if isinstance(x, Decimal) else Decimal(str(x))


def differs(a: Decimal | None, b: Decimal | None) -> bool:
    """True when both are known and differ by more than 5% of the lower one."""
    if a is None or b is None or a == b:
        return False
    low = min(a, b)
    if low == 0:
        return True
    return abs(a - b) / low > CONFLICT_RATIO


def tier_for(output: Decimal | None) -> str:
    """Imported models have no curated tier: from the output price (unknown -> mid)."""
    if output is None:
        return "mid"
    if output >= 10:
        return "frontier"
    if output >= 1:
        return "mid"
    return "small"


@dataclass
class Report:
    kind: str
    source: str
    as_of: date
    total: int = 0
    new_models: int = 0
    new_endpoints: int = 0  # added to built-in models (what `catalog diff` calls "endpoints added to built-in models")
    new_imported_endpoints: int = 0  # added to imported models: a model's second, third... provider
    updated_endpoints: int = 0
    conflicts: int = 0
    new_providers: list[str] = field(default_factory=list)
    skipped: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "entries": self.total,
            "new_models": self.new_models,
            "new_endpoints": self.new_endpoints,
            "new_imported_endpoints": self.new_imported_endpoints,
            "updated_endpoints": self.updated_endpoints,
            "conflicts": self.conflicts,
            "new_providers": self.new_providers,
            "skipped": dict(sorted(self.skipped.items())),
        }


class Builder:
    def __init__(self, builtin_providers: dict[str, Provider], builtin_models: tuple[ModelSpec, ...], overlay: dict[str, Any] | None):
        self.b_providers = builtin_providers
        self.b_models = {m.id: m for m in builtin_models}
        self.b_endpoint: dict[tuple[str, str], str] = {}
        self.b_base: dict[str, str] = {}
        for m in builtin_models:
            self.b_base.setdefault(m.id, m.id)
        for m in builtin_models:
            for ep in m.endpoints:
                self.b_endpoint[(ep.provider, ep.model_id)] = m.id
                self.b_base.setdefault(base_id(ep.model_id), m.id)
        overlay = overlay or {}
        self.providers: dict[str, dict[str, Any]] = {p["id"]: p for p in overlay.get("providers") or [] if isinstance(p, dict) and "id" in p}
        self.models: dict[str, dict[str, Any]] = {m["id"]: m for m in overlay.get("models") or [] if isinstance(m, dict) and "id" in m}
        self.o_endpoint: dict[tuple[str, str], str] = {}
        self.o_base: dict[str, str] = {}
        for mid, m in self.models.items():
            builtin = mid in self.b_models
            if not builtin:
                self.o_base.setdefault(mid, mid)
            for ep in m.get("endpoints") or []:
                if isinstance(ep, dict) and "provider" in ep and "model_id" in ep:
                    # endpoints an earlier import added (to built-in models too): a re-import updates them
                    self.o_endpoint.setdefault((ep["provider"], str(ep["model_id"])), mid)
                    if not builtin:
                        self.o_base.setdefault(base_id(str(ep["model_id"])), mid)

    # ------------------------------------------------------------------ lookups

    def _endpoint_now(self, mid: str, provider: str) -> dict[str, Any] | None:
        """The endpoint as the knowledge base would see it now (overlay over built-in)."""
        for ep in (self.models.get(mid) or {}).get("endpoints") or []:
            if isinstance(ep, dict) and ep.get("provider") == provider:
                base = self._builtin_endpoint(mid, provider) or {}
                merged = {**base, **ep}
                if isinstance(ep.get("price"), dict) and isinstance(base.get("price"), dict):
                    merged["price"] = {**base["price"], **ep["price"]}
                return merged
        return self._builtin_endpoint(mid, provider)

    def _builtin_endpoint(self, mid: str, provider: str) -> dict[str, Any] | None:
        m = self.b_models.get(mid)
        if m is None:
            return None
        for ep in m.endpoints:
            if ep.provider == provider:
                return ep.model_dump()
        return None

    def _model_context(self, mid: str) -> int | None:
        m = self.models.get(mid)
        if m and m.get("context_window"):
            return int(m["context_window"])
        b = self.b_models.get(mid)
        return b.context_window if b else None

    # ------------------------------------------------------------------ building

    def _price(self, e: Entry, parsed: Parsed, now: dict[str, Any] | None, mid: str) -> tuple[dict[str, Any], bool]:
        source = f"{parsed.source} ({e.source_provider})"
        kind = source_kind(source)
        claims: list[dict[str, Any]] = []
        if now is not None and isinstance(now.get("price"), dict):
            p = now["price"]
            ctx = now.get("context_window") or self._model_context(mid)
            claims.append({"input": p.get("input"), "output": p.get("output"), "context_window": ctx, "source": p.get("source"), "as_of": p.get("as_of")})
            for c in p.get("conflicts") or ():
                c = c if isinstance(c, dict) else dict(c)
                claims.append(dict(c))
        kept: list[dict[str, Any]] = []
        kinds: set[str] = set()
        for c in claims:
            ck = source_kind(str(c.get("source") or ""))
            if not c.get("source") or ck == kind or ck in kinds or c.get("as_of") is None:
                continue
            ctx_other = c.get("context_window")
            disagree = (
                differs(e.input, _dec(c.get("input")))
                or differs(e.output, _dec(c.get("output")))
                or (ctx_other is not None and e.context is not None and int(ctx_other) != e.context)
            )
            if disagree:
                kinds.add(ck)
                kept.append(
                    {
                        "input": _dec(c.get("input")),
                        "output": _dec(c.get("output")),
                        "context_window": int(ctx_other) if ctx_other is not None else None,
                        "source": str(c["source"]),
                        "as_of": c["as_of"],
                    }
                )
        price = {
            "input": e.input,
            "output": e.output,
            "cached_input": e.cached_input,
            "cache_write": e.cache_write,
            "batch_input": e.batch_input,
            "batch_output": e.batch_output,
            "as_of": parsed.as_of,
            "source": source,
            "note": e.price_note,
            "conflicts": kept,
        }
        if e.tiers:
            price["tiers"] = e.tiers
        return price, bool(kept)

    def _ensure_provider(self, e: Entry, parsed: Parsed, report: Report) -> None:
        if e.provider in self.b_providers or e.provider in self.providers:
            return
        info = parsed.providers[e.provider]
        d: dict[str, Any] = {"id": info.id, "name": info.name, "api": info.api, "base_url": info.base_url}
        d["key_env"] = info.key_env
        d["notes"] = f"imported from {parsed.source}"
        self.providers[info.id] = d
        report.new_providers.append(info.id)

    def _put_endpoint(self, mid: str, ep: dict[str, Any]) -> None:
        model = self.models.setdefault(mid, {"id": mid, "endpoints": []})
        eps = [x for x in model.setdefault("endpoints", []) if not (isinstance(x, dict) and x.get("provider") == ep["provider"])]
        eps.append(ep)
        model["endpoints"] = eps

    def _endpoint(self, e: Entry, parsed: Parsed, mid: str, curated: bool) -> tuple[dict[str, Any], bool]:
        now = self._endpoint_now(mid, e.provider)
        price, conflict = self._price(e, parsed, now, mid)
        ep: dict[str, Any] = {"provider": e.provider, "model_id": e.api_id}
        if not curated:
            ep["pinned"] = not e.api_id.lower().endswith("latest")
        ep["price"] = price
        ep["context_window"] = e.context
        if not curated and e.structured is not None:
            ep["structured_output"] = e.structured
        if e.deprecated is not None:
            ep["deprecated"] = e.deprecated
            if not e.deprecated_date_known:
                ep["deprecated_date_known"] = False
            if e.deprecation_source:
                ep["deprecation_source"] = e.deprecation_source
            successor = self._known_id(e.successor, e.provider)
            if successor and successor != mid:
                ep["successor"] = successor
        if e.endpoint_note:
            # a curated endpoint keeps its own notes; ours is added after them
            base = (self._builtin_endpoint(mid, e.provider) or {}).get("notes") if curated else None
            ep["notes"] = f"{base} {e.endpoint_note}" if base else e.endpoint_note
        return ep, conflict

    def _new_model(self, e: Entry, parsed: Parsed, mid: str) -> dict[str, Any]:
        family = slug(e.family) if e.family else base_id(e.api_id).split("-")[0]
        d: dict[str, Any] = {
            "id": mid,
            "name": e.name,
            "family": family,
            "vendor": guess_vendor(e.family, e.api_id, e.provider),
            "tier": tier_for(e.output),
        }
        if e.released:
            d["released"] = e.released
        d["open_weights"] = e.open_weights
        d["context_window"] = e.context
        if e.max_output:
            d["max_output"] = e.max_output
        d["structured_output"] = e.structured or "prompt"
        d["tool_calling"] = e.tool_calling
        d["vision"] = e.vision
        d["reasoning"] = e.reasoning_modes if e.reasoning_modes is not None else e.reasoning
        d["notes"] = f"imported from {parsed.source}; capability ratings are unrated"
        d["endpoints"] = []
        return d

    def _known_id(self, catalogue_id: str | None, provider: str) -> str | None:
        """Our model id for a catalogue's successor id, only when it names a model we know."""
        if not catalogue_id:
            return None
        api_id = catalogue_id.split("/", 1)[1] if catalogue_id.startswith(("gemini/", provider + "/")) else catalogue_id
        hit = self.b_endpoint.get((provider, api_id)) or self.o_endpoint.get((provider, api_id))
        return hit or self.b_base.get(base_id(api_id)) or self.o_base.get(base_id(api_id))

    def _has_other_endpoint(self, mid: str, e: Entry) -> bool:
        now = self._endpoint_now(mid, e.provider)
        return now is not None and now.get("model_id") != e.api_id

    def add(self, parsed: Parsed) -> Report:
        report = Report(kind=parsed.kind, source=parsed.source, as_of=parsed.as_of, total=parsed.total, skipped=Counter(parsed.skipped))
        seen: set[tuple[str, str]] = set()
        first_party = sorted(
            parsed.entries,
            key=lambda e: (guess_vendor(e.family, e.api_id, e.provider) != e.provider, e.provider, e.api_id),
        )
        for e in first_party:
            ident = (e.provider, e.api_id)
            if ident in seen:
                report.skipped["duplicate entry"] += 1
                continue
            seen.add(ident)
            b = base_id(e.api_id)
            curated = False
            if ident in self.b_endpoint:
                mid, curated, outcome = self.b_endpoint[ident], True, "updated"
            elif ident in self.o_endpoint:
                mid, outcome = self.o_endpoint[ident], "updated"
            elif b in self.b_base or b in self.o_base:
                mid = self.b_base.get(b) or self.o_base[b]
                fam = (self.models.get(mid) or {}).get("family")
                if mid not in self.b_models and e.family and fam and slug(e.family) != fam:
                    mid = f"{b}-{e.provider}"
                    if mid in self.models or mid in self.b_models:
                        report.skipped["duplicate entry"] += 1
                        continue
                    self._ensure_provider(e, parsed, report)
                    self.models[mid] = self._new_model(e, parsed, mid)
                    self.o_base.setdefault(mid, mid)
                    outcome = "new_model"
                elif self._has_other_endpoint(mid, e):
                    report.skipped["another id for a model already served by that provider"] += 1
                    continue
                else:
                    outcome = "new_endpoint"
            else:
                mid = b
                self._ensure_provider(e, parsed, report)
                self.models[mid] = self._new_model(e, parsed, mid)
                self.o_base[b] = mid
                outcome = "new_model"
            self._ensure_provider(e, parsed, report)
            ep, conflict = self._endpoint(e, parsed, mid, curated)
            self._put_endpoint(mid, ep)
            if mid not in self.b_models:
                self.o_endpoint[ident] = mid
            if outcome == "new_model":
                report.new_models += 1
            elif outcome == "new_endpoint" and mid in self.b_models:
                report.new_endpoints += 1
            elif outcome == "new_endpoint":
                report.new_imported_endpoints += 1
            else:
                report.updated_endpoints += 1
            report.conflicts += conflict
        self._validate(report)
        return report

    def _validate(self, report: Report) -> None:
        """Drop anything the schema would refuse, counting why (never write an overlay that cannot load)."""
        for pid in list(self.providers):
            try:
                Provider.model_validate(self.providers[pid])
            except ValidationError as exc:
                report.skipped[f"provider failed validation: {exc.errors()[0]['msg']}"] += 1
                del self.providers[pid]
        for mid in list(self.models):
            m = self.models[mid]
            try:
                if mid in self.b_models:
                    for ep in m.get("endpoints") or []:
                        base = self._builtin_endpoint(mid, ep["provider"]) or {}
                        merged = {**base, **ep}
                        if isinstance(base.get("price"), dict):
                            merged["price"] = {**base["price"], **ep["price"]}
                        Endpoint.model_validate(merged)
                else:
                    ModelSpec.model_validate(m)
            except ValidationError as exc:
                report.skipped[f"failed validation: {exc.errors()[0]['msg']}"] += 1
                del self.models[mid]

    def overlay(self) -> dict[str, Any]:
        # an empty list would *replace* the built-in list when merged, so leave it out
        out: dict[str, Any] = {}
        if self.providers:
            out["providers"] = list(self.providers.values())
        if self.models:
            out["models"] = list(self.models.values())
        return out


def build_overlay(
    parsed: Parsed, builtin_providers: dict[str, Provider], builtin_models: tuple[ModelSpec, ...], existing: dict[str, Any] | None
) -> tuple[dict[str, Any], Report]:
    b = Builder(builtin_providers, builtin_models, existing)
    report = b.add(parsed)
    return b.overlay(), report
