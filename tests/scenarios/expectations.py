"""Expectations for the scenario answers files, and the code that checks them.

Each ``<name>.expect.yaml`` beside ``<name>.yaml`` says what an experienced
engineer accepts for that answers file (see README.md for the vocabulary). Every
item carries a ``why``; a failed check quotes it. ``validate`` checks the file
itself (unknown keys, unknown model, provider or node ids, a missing ``why``);
``check`` compares it with a real shortlist. Both return a list of problems, so a
scenario reports everything that is wrong at once.

The checker reads the shortlist and the knowledge only through attributes, so
its own tests can hand it small stand-ins.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

WARNING_CODES = frozenset(
    {
        "retiring_soon",
        "unverified",
        "self_host_without_gpu_ops",
        "beyond_practical_context",
        "no_quality_floor",
        "tree_outcome_empty",
        "no_survivors",
        "no_fallback",
    }
)
TOP_KEYS = frozenset(
    {
        "recommended_any_of",
        "recommended_where",
        "recommended_not_retiring_within_days",
        "shortlist_never",
        "warnings_include",
        "unproven_allowed",
        "fallback_provider_differs",
        "tree_outcome",
    }
)
WHERE_KEYS = frozenset({"deployment", "provider_in", "provider_not_in", "tier_in", "open_weights", "reasoning_thinks"})
NEVER_SELECTORS = frozenset(
    {"model", "deployment", "provider", "retired", "retiring_within_days", "license_forbids_production"}
)
DEPLOYMENTS = frozenset({"hosted", "self_host"})
TIERS = frozenset({"frontier", "mid", "small"})
#: a shortlisted candidate retiring this soon must carry a retiring_soon warning
RETIRING_WARNING_DAYS = 90
SELF_HOST = "self-host"  # how a self-hosted option's "provider" is named in messages

_MISSING = object()


# --------------------------------------------------------------------------- the file itself


def validate(spec: Any, kb: Any) -> list[str]:
    """Problems with the expectations file itself: shape, vocabulary and ids."""
    if not isinstance(spec, dict) or not spec:
        return ["the expectations file is empty or not a mapping"]
    problems: list[str] = []
    for key, value in spec.items():
        if key not in TOP_KEYS:
            problems.append(f"unknown expectation key '{key}' (known: {', '.join(sorted(TOP_KEYS))})")
        elif key in ("shortlist_never", "warnings_include"):
            if not isinstance(value, list) or not value:
                problems.append(f"{key}: must be a non-empty list")
                continue
            for n, item in enumerate(value, 1):
                problems += item_problems(key, item, kb, f"{key}[{n}]")
        else:
            problems += item_problems(key, value, kb, key)
    no_survivors = any(
        isinstance(w, dict) and w.get("code") == "no_survivors" for w in spec.get("warnings_include") or []
    )
    if not ({"recommended_any_of", "recommended_where"} & set(spec)) and not no_survivors:
        problems.append(
            "says nothing about the recommendation (needs recommended_any_of or recommended_where, or expects no_survivors)"
        )
    return problems


def checkable(spec: dict, kb: Any) -> dict:
    """The well-formed part of a spec, so one bad item does not hide the other checks.

    ``validate`` reports what is dropped here. Unknown model ids are dropped from
    an any-of set (the set is dropped if nothing known is left).
    """
    out: dict = {}
    for key, value in spec.items():
        if key not in TOP_KEYS:
            continue
        if key in ("shortlist_never", "warnings_include"):
            kept = [i for i in value or [] if not item_problems(key, i, kb, key)] if isinstance(value, list) else []
            if kept:
                out[key] = kept
        elif key == "recommended_any_of" and isinstance(value, dict):
            known = [m for m in value.get("models") or [] if m in kb.model_by_id]
            trimmed = {**value, "models": known}
            if known and not item_problems(key, trimmed, kb, key):
                out[key] = trimmed
        elif not item_problems(key, value, kb, key):
            out[key] = value
    return out


def item_problems(key: str, item: Any, kb: Any, where: str) -> list[str]:
    """Problems with one expectation item (a top-level value, or one list entry)."""
    problems: list[str] = []
    if not isinstance(item, dict):
        return [f"{where}: must be a mapping with a 'why'"]
    if not isinstance(item.get("why"), str) or not item["why"].strip():
        problems.append(f"{where}: has no 'why'")

    def known(ids: Any, table: Any, kind: str) -> None:
        if not isinstance(ids, list) or not ids:
            problems.append(f"{where}: must name a non-empty list of {kind} ids")
            return
        for one in ids:
            if one not in table:
                problems.append(f"{where}: {kind} id '{one}' is not in knowledge (a typo, or one knowledge lacks)")

    def known_models(ids: Any) -> None:
        known(ids, kb.model_by_id, "model")

    def known_providers(ids: Any) -> None:
        known(ids, kb.providers, "provider")

    def flag(value: Any, name: str) -> None:
        if not isinstance(value, bool):
            problems.append(f"{where}: '{name}' must be true or false")

    def days(value: Any) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            problems.append(f"{where}: days must be a whole number >= 0")

    if key == "recommended_any_of":
        _only(problems, where, item, {"models", "why"})
        known_models(item.get("models"))
    elif key == "recommended_where":
        _only(problems, where, item, WHERE_KEYS | {"why"})
        if not WHERE_KEYS & set(item):
            problems.append(f"{where}: names no condition")
        if "deployment" in item and item["deployment"] not in DEPLOYMENTS:
            problems.append(f"{where}.deployment: '{item['deployment']}' is not hosted or self_host")
        for name in ("provider_in", "provider_not_in"):
            if name in item:
                known_providers(item[name])
        if "tier_in" in item:
            tiers = item["tier_in"]
            if not isinstance(tiers, list) or not tiers or set(tiers) - TIERS:
                problems.append(f"{where}.tier_in: must list tiers from {sorted(TIERS)}")
        for name in ("open_weights", "reasoning_thinks"):
            if name in item:
                flag(item[name], name)
    elif key == "recommended_not_retiring_within_days":
        _only(problems, where, item, {"days", "why"})
        days(item.get("days"))
    elif key == "shortlist_never":
        selectors = set(item) - {"why"}
        if len(selectors) != 1 or not selectors <= NEVER_SELECTORS:
            problems.append(f"{where}: needs exactly one of {', '.join(sorted(NEVER_SELECTORS))} besides 'why'")
            return problems
        (sel,) = selectors
        value = item[sel]
        if sel == "model":
            known_models([value])
        elif sel == "provider":
            known_providers([value])
        elif sel == "deployment" and value not in DEPLOYMENTS:
            problems.append(f"{where}: deployment '{value}' is not hosted or self_host")
        elif sel in ("retired", "license_forbids_production") and value is not True:
            problems.append(f"{where}: '{sel}' can only be true")
        elif sel == "retiring_within_days":
            days(value)
    elif key == "warnings_include":
        _only(problems, where, item, {"code", "why"})
        if item.get("code") not in WARNING_CODES:
            problems.append(f"{where}: unknown warning code '{item.get('code')}'")
    elif key in ("unproven_allowed", "fallback_provider_differs"):
        _only(problems, where, item, {"value", "why"})
        flag(item.get("value"), "value")
        if key == "fallback_provider_differs" and item.get("value") is False:
            problems.append(f"{where}: only 'true' is checkable; leave it out otherwise")
    elif key == "tree_outcome":
        _only(problems, where, item, {"node", "why"})
        node = kb.node_by_id.get(item.get("node"))
        if node is None:
            problems.append(f"{where}: node '{item.get('node')}' is not in the decision tree")
        elif not getattr(node, "is_outcome", True):
            problems.append(f"{where}: node '{item.get('node')}' is a question, not an outcome")
    return problems


def _declared_successor_of(model_id: str, accepted: list[str], models: dict) -> str | None:
    """The accepted model ``model_id`` succeeds, by the vendor's own word: knowledge
    records, with its source, which model a vendor points users to when it retires
    one (``successor`` on the model or an endpoint; Mistral Large 3 -> Large 4, GPT-5.4
    nano -> GPT-6 Luna), followed transitively. The engineer named the newest model
    they knew of; the one its vendor names as its replacement stands on the same
    reasons. Never the reverse, and never a model merely of the same family."""
    for start in accepted:
        seen, current = set(), start
        while current is not None and current not in seen:
            seen.add(current)
            model = models.get(current)
            if model is None:
                break
            nexts = [getattr(model, "successor", None)] + [getattr(e, "successor", None) for e in getattr(model, "endpoints", ())]
            current = next((n for n in nexts if n), None)
            if current == model_id:
                return start
    return None


def _only(problems: list[str], where: str, item: dict, allowed: set[str] | frozenset[str]) -> None:
    for key in item:
        if key not in allowed:
            problems.append(f"{where}: unknown key '{key}' (known: {', '.join(sorted(allowed))})")


# --------------------------------------------------------------------------- against a shortlist


def check(spec: dict, result: Any, kb: Any, today: date) -> list[str]:
    """Problems with ``result`` against the expectations (pass it ``checkable(spec, kb)``)."""
    problems: list[str] = []
    rec = _recommended(result)
    models = kb.model_by_id

    def fail(key: str, why: str, what: str) -> None:
        problems.append(f"{key}: {what}\n    why this matters: {why.strip()}")

    def need_rec(key: str, why: str) -> bool:
        if rec is None:
            fail(key, why, f"no recommended candidate (the shortlist has {len(result.candidates)} candidates)")
            return False
        return True

    if "recommended_any_of" in spec:
        item = spec["recommended_any_of"]
        if (
            need_rec("recommended_any_of", item["why"])
            and rec.option.model_id not in item["models"]
            and not _declared_successor_of(rec.option.model_id, item["models"], models)
        ):
            fail("recommended_any_of", item["why"], f"recommended {_describe(rec)}, not one of {', '.join(item['models'])}"
                 " (nor the declared successor of one)")

    if "recommended_where" in spec:
        item = spec["recommended_where"]
        if need_rec("recommended_where", item["why"]):
            for what in _where_problems(item, rec, models):
                fail("recommended_where", item["why"], f"recommended {_describe(rec)}: {what}")

    if "recommended_not_retiring_within_days" in spec:
        item = spec["recommended_not_retiring_within_days"]
        if need_rec("recommended_not_retiring_within_days", item["why"]):
            when = retires_on(kb, rec)
            if when is not None and when <= today + timedelta(days=item["days"]):
                fail(
                    "recommended_not_retiring_within_days",
                    item["why"],
                    f"recommended {_describe(rec)} retires {when.isoformat()}, within {item['days']} days of {today.isoformat()}",
                )

    for item in spec.get("shortlist_never") or []:
        for cand in result.candidates:
            hit = _never_hit(item, cand, kb, today)
            if hit:
                fail("shortlist_never", item["why"], f"{cand.role} {_describe(cand)} {hit}")

    codes = {w.code for w in result.warnings}
    for item in spec.get("warnings_include") or []:
        if item["code"] not in codes:
            fail("warnings_include", item["why"], f"no '{item['code']}' warning (warnings: {', '.join(sorted(codes)) or 'none'})")

    if "unproven_allowed" in spec and spec["unproven_allowed"]["value"] is False:
        item = spec["unproven_allowed"]
        if need_rec("unproven_allowed", item["why"]):
            unproven = getattr(rec, "unproven", _MISSING)
            if unproven is _MISSING:
                fail("unproven_allowed", item["why"], "the engine result has no Candidate.unproven field yet")
            elif unproven:
                fail("unproven_allowed", item["why"], f"recommended {_describe(rec)} is unproven")

    if "fallback_provider_differs" in spec:
        item = spec["fallback_provider_differs"]
        fallback = next((c for c in result.candidates if c.role == "fallback"), None)
        if fallback is None:
            fail("fallback_provider_differs", item["why"], "the shortlist has no fallback")
        elif need_rec("fallback_provider_differs", item["why"]) and _provider(fallback) == _provider(rec):
            fail(
                "fallback_provider_differs",
                item["why"],
                f"fallback {_describe(fallback)} is on the same provider as the recommended {_describe(rec)}",
            )

    if "tree_outcome" in spec:
        item = spec["tree_outcome"]
        if result.outcome.node != item["node"]:
            fail("tree_outcome", item["why"], f"the tree ended at '{result.outcome.node}', not '{item['node']}'")

    problems.extend(invariants(result, kb, today))
    return problems


def invariants(result: Any, kb: Any, today: date) -> list[str]:
    """Checks every scenario makes, whatever its file says (README: 'always checked')."""
    problems = []
    for cand in result.candidates:
        when = retires_on(kb, cand)
        if when is None or when > today + timedelta(days=RETIRING_WARNING_DAYS):
            continue
        warned = any(
            w.code == "retiring_soon" and getattr(w, "model_id", None) in (None, cand.option.model_id)
            for w in result.warnings
        )
        if not warned:
            problems.append(
                f"always checked: {cand.role} {_describe(cand)} retires {when.isoformat()} "
                f"(within {RETIRING_WARNING_DAYS} days) with no retiring_soon warning\n"
                "    why this matters: a team must never integrate a model without being told it is about to go"
            )
    return problems


# --------------------------------------------------------------------------- helpers


def _recommended(result: Any) -> Any:
    return next((c for c in result.candidates if c.role == "recommended"), None)


def _provider(cand: Any) -> str:
    return SELF_HOST if cand.option.deployment == "self_host" else (cand.option.provider or "")


def _describe(cand: Any) -> str:
    return f"{cand.option.model_id} ({_provider(cand)})"


def retires_on(kb: Any, cand: Any) -> date | None:
    """When this option stops working: the earlier of the model's and its endpoint's date.

    Self-hosted weights do not retire (the vendor's API retiring does not take
    your copy of the weights away).
    """
    if cand.option.deployment == "self_host":
        return None
    model = kb.model_by_id.get(cand.option.model_id)
    if model is None:
        return None
    dates = [model.deprecated] if model.deprecated else []
    api_id = getattr(cand.option, "api_model_id", None)
    for ep in model.endpoints:
        if ep.provider == cand.option.provider and api_id in (None, ep.model_id) and ep.deprecated:
            dates.append(ep.deprecated)
    return min(dates) if dates else None


def licence_forbids_production(model: Any) -> bool:
    """Knowledge's ``license_allows_production``; where it says nothing, the licence's name.

    The name rule keeps the check from passing just because a model's entry has
    not been given the field yet: "Mistral Non-Production License" and "Mistral
    Research License" say in their names that production use is not allowed.
    """
    allowed = getattr(model, "license_allows_production", None)
    if allowed is not None:
        return allowed is False
    name = (getattr(model, "license", None) or "").lower()
    return "non-production" in name or "research license" in name


def _where_problems(item: dict, rec: Any, models: dict) -> list[str]:
    out = []
    if "deployment" in item and rec.option.deployment != item["deployment"]:
        out.append(f"deployment is {rec.option.deployment}, not {item['deployment']}")
    provider = _provider(rec)
    if "provider_in" in item and provider not in item["provider_in"]:
        out.append(f"provider {provider} is not one of {', '.join(item['provider_in'])}")
    if "provider_not_in" in item and provider in item["provider_not_in"]:
        out.append(f"provider {provider} is one of {', '.join(item['provider_not_in'])}")
    if "tier_in" in item:
        model = models.get(rec.option.model_id)
        tier = model.tier if model is not None else "unknown"
        if tier not in item["tier_in"]:
            out.append(f"tier {tier} is not one of {', '.join(item['tier_in'])}")
    if "open_weights" in item and bool(rec.open_weights) != item["open_weights"]:
        out.append(f"open_weights is {bool(rec.open_weights)}, not {item['open_weights']}")
    if "reasoning_thinks" in item:
        mode = getattr(rec, "reasoning_mode", _MISSING)
        if mode is _MISSING:
            out.append("the engine result has no Candidate.reasoning_mode field yet")
        else:
            thinks = bool(mode.thinks) if mode is not None else False
            if thinks != item["reasoning_thinks"]:
                label = getattr(mode, "label", None) or "no reasoning mode"
                out.append(f"its assumed mode ({label}) {'thinks' if thinks else 'does not think'}")
    return out


def _never_hit(item: dict, cand: Any, kb: Any, today: date) -> str | None:
    """Why ``cand`` matches a never-item, or None."""
    if "model" in item:
        return "is shortlisted" if cand.option.model_id == item["model"] else None
    if "deployment" in item:
        return f"is {item['deployment']}" if cand.option.deployment == item["deployment"] else None
    if "provider" in item:
        return f"is on provider {item['provider']}" if cand.option.provider == item["provider"] else None
    if "retired" in item:
        when = retires_on(kb, cand)
        return f"retired {when.isoformat()}" if when is not None and when <= today else None
    if "retiring_within_days" in item:
        when = retires_on(kb, cand)
        limit = today + timedelta(days=item["retiring_within_days"])
        return f"retires {when.isoformat()}, within {item['retiring_within_days']} days" if when is not None and when <= limit else None
    if "license_forbids_production" in item:
        if cand.option.deployment != "self_host":
            return None
        model = kb.model_by_id.get(cand.option.model_id)
        if model is not None and licence_forbids_production(model):
            return f"is self-hosted under a licence that forbids production ({model.license})"
        return None
    return None
