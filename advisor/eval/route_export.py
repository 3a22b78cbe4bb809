"""A routing plan handed on: a LiteLLM router config and plain YAML a small router can read.

Both are plain data (dicts) for :func:`advisor.catalog.yamlout.dump`. API keys are
never written, only the names of the variables holding them (LiteLLM
``os.environ/NAME``; ``key_env`` in the plain form).

LiteLLM: one model group per category (``model_name`` = the category, so a
request asks for ``model: <category>``) and, where the plan has one, a fallback
group ``<category>-fallback`` served by another provider, listed under
``router_settings.fallbacks``.

Plain YAML (version 1)::

    route_by: tag | input_length | task_type | classifier | none
    default: <category>           # for a request whose category is unknown
    bands: [...]                  # route_by input_length: {category, max_chars} in order
    classifier: {...}             # route_by classifier: the model and its prompt
    routes:
      <category>: {primary: {api, base_url, model_id, key_env, label}, fallback: {...} | null}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.eval.categories import CategoryRule, LengthRule
from advisor.eval.route import RoutePlan
from advisor.eval.target import Target

__all__ = ["litellm_route_config", "plain_route_config", "litellm_model", "reasoning_params"]

_NATIVE_HOSTS = {"openai": "api.openai.com", "anthropic": "api.anthropic.com", "gemini": "generativelanguage.googleapis.com"}


def reasoning_params(api: str, request: Mapping[str, Any] | None) -> dict[str, Any]:
    """A reasoning mode's request fragment as LiteLLM parameters: OpenAI-style and
    Anthropic fragments are request fields LiteLLM passes on as they are; a Gemini
    fragment becomes LiteLLM's ``thinking`` budget or ``reasoning_effort``."""
    if not request:
        return {}
    if api != "gemini":
        return dict(request)
    thinking = (request.get("generationConfig") or {}).get("thinkingConfig") or {}
    if isinstance(thinking.get("thinkingBudget"), int):
        budget = thinking["thinkingBudget"]
        return {"thinking": {"type": "enabled", "budget_tokens": budget}} if budget > 0 else {"reasoning_effort": "disable"}
    if isinstance(thinking.get("thinkingLevel"), str):
        return {"reasoning_effort": thinking["thinkingLevel"].lower()}
    return {}


def litellm_model(t: Target, prefixes: Mapping[str, str]) -> dict[str, Any]:
    """``litellm_params`` for a target: the provider's LiteLLM prefix when its key names a known
    provider (``model@provider``), else the wire format's prefix with ``api_base``."""
    provider = t.model_key.rpartition("@")[2] if "@" in t.model_key else ""
    prefix = prefixes.get(provider)
    params: dict[str, Any]
    if prefix is not None:
        params = {"model": f"{prefix}/{t.model_id}"}
    else:
        params = {"model": f"{t.api}/{t.model_id}"}
        if _NATIVE_HOSTS[t.api] not in t.base_url:
            params["api_base"] = t.base_url
    if t.key_env:
        params["api_key"] = f"os.environ/{t.key_env}"
    # the mode the bake-off measured: a router without it runs the API's default
    params.update(reasoning_params(t.api, t.reasoning.request if t.reasoning is not None else None))
    return params


def litellm_route_config(plan: RoutePlan, targets: Mapping[str, Target], prefixes: Mapping[str, str]) -> dict[str, Any]:
    model_list: list[dict[str, Any]] = []
    fallbacks: list[dict[str, list[str]]] = []
    for r in plan.categories:
        model_list.append({"model_name": r.category, "litellm_params": litellm_model(targets[r.model_key], prefixes)})
        if r.fallback_key:
            name = f"{r.category}-fallback"
            model_list.append({"model_name": name, "litellm_params": litellm_model(targets[r.fallback_key], prefixes)})
            fallbacks.append({r.category: [name]})
    if plan.classifier is not None:
        model_list.append({"model_name": "classifier",
                           "litellm_params": litellm_model(targets[plan.classifier.model_key], prefixes)})
    out: dict[str, Any] = {"model_list": model_list}
    if fallbacks:
        out["router_settings"] = {"fallbacks": fallbacks}
    return out


def _endpoint(t: Target) -> dict[str, Any]:
    out = {"label": t.label, "api": t.api, "base_url": t.base_url, "model_id": t.model_id, "key_env": t.key_env}
    if t.reasoning is not None and t.reasoning.request:
        out["request"] = dict(t.reasoning.request)  # merged into every request: the mode the bake-off measured
    return out


def default_category(plan: RoutePlan) -> str:
    """For a request the router cannot place: the category on the recommended model with the largest share,
    else the largest share."""
    safe = [r for r in plan.categories if r.model_key == plan.recommended_key]
    pool = safe or plan.categories
    return max(pool, key=lambda r: r.share).category


def plain_route_config(plan: RoutePlan, targets: Mapping[str, Target], rule: CategoryRule | None) -> dict[str, Any]:
    out: dict[str, Any] = {"version": 1, "route_by": plan.mode, "default": default_category(plan)}
    if isinstance(rule, LengthRule):
        out["bands"] = [{"category": b.category, "max_chars": b.max_chars} for b in rule.bands]
    if plan.classifier is not None:
        names = ", ".join(r.category for r in plan.categories)
        out["classifier"] = {
            **_endpoint(targets[plan.classifier.model_key]),
            "max_tokens": plan.classifier.output_tokens,
            "prompt": f"Answer with exactly one of these categories for the request below: {names}.",
        }
    out["routes"] = {
        r.category: {
            "primary": _endpoint(targets[r.model_key]),
            "fallback": _endpoint(targets[r.fallback_key]) if r.fallback_key else None,
        }
        for r in plan.categories
    }
    return out
