"""Reasoning modes from a catalogue's hints, in the endpoint's own wire format.

models.dev gives ``reasoning_options`` (``toggle``, ``effort`` with values,
``budget_tokens`` with min/max); LiteLLM gives flags
(``supports_none_reasoning_effort``, ``default_reasoning_effort``,
``supports_adaptive_thinking``, ``thinking_on_by_default``,
``thinking_always_on``, ``reasoning_effort_levels``). Neither says everything:
where the default mode is unknown the default is a mode that sends nothing and
says so in its label, never an invented one. The result is a plain dict in the
shape of :class:`advisor.core.schema.Reasoning`.
"""

from __future__ import annotations

from typing import Any

from advisor.core.schema import EFFORT_ORDER

UNKNOWN_DEFAULT = "API default (the catalogue does not say which mode is the default)"


def _mode(mid: str, label: str, effort: str, request: dict[str, Any]) -> dict[str, Any]:
    return {"id": mid, "label": label, "thinks": effort != "none", "effort": effort, "request": request}


def _effort_request(api: str, value: str) -> dict[str, Any]:
    if api == "anthropic":
        return {"thinking": {"type": "adaptive"}, "output_config": {"effort": value}}
    if api == "gemini":
        return {"generationConfig": {"thinkingConfig": {"thinkingLevel": value}}}
    return {"reasoning_effort": value}


def _off_request(api: str, provider: str) -> dict[str, Any]:
    if api == "anthropic" or provider == "deepseek":
        return {"thinking": {"type": "disabled"}}
    if api == "gemini":
        return {"generationConfig": {"thinkingConfig": {"thinkingBudget": 0}}}
    return {"enable_thinking": False}


def _budget_request(api: str, tokens: int) -> dict[str, Any]:
    if api == "anthropic":
        return {"thinking": {"type": "enabled", "budget_tokens": tokens}}
    if api == "gemini":
        return {"generationConfig": {"thinkingConfig": {"thinkingBudget": tokens}}}
    return {"thinking_budget": tokens}


def _control(request: dict[str, Any]) -> str:
    """The dotted path of the field a request fragment sets: ``thinking`` when it
    sets Anthropic/DeepSeek's thinking object, else the single-key path down."""
    if "thinking" in request:
        return "thinking"
    path: list[str] = []
    node: Any = request
    while isinstance(node, dict) and len(node) == 1:
        key = next(iter(node))
        path.append(key)
        node = node[key]
    return ".".join(path)


def _finish(modes: list[dict[str, Any]], default: str | None, source: str, as_of) -> dict[str, Any] | None:
    seen: set[str] = set()
    modes = [m for m in modes if not (m["id"] in seen or seen.add(m["id"]))]
    if not modes:
        return None
    if default is None or default not in seen:
        modes.append(_mode("default", UNKNOWN_DEFAULT, "medium", {}))
        default = "default"
    chosen = [m for m in modes if m["request"]]
    control = None
    if len(modes) > 1:
        effort_modes = [m for m in chosen if m["thinks"]]
        control = _control((effort_modes or chosen)[0]["request"]) if chosen else None
    out: dict[str, Any] = {"default": default, "modes": modes, "source": source}
    if control:
        out["control"] = control
    if as_of is not None:
        out["as_of"] = as_of
    return out


def always_thinks(source: str, as_of) -> dict[str, Any]:
    return {
        "default": "thinks",
        "modes": [_mode("thinks", "thinks (no control listed in the catalogue)", "medium", {})],
        "source": source,
        "as_of": as_of,
    }


def from_models_dev(options: Any, api: str, provider: str, source: str, as_of) -> dict[str, Any] | None:
    """Modes from models.dev ``reasoning_options``; None when there is nothing usable."""
    if not isinstance(options, list):
        return None
    if not options:
        return always_thinks(f"{source}: reasoning true, reasoning_options [] (no control)", as_of)
    modes: list[dict[str, Any]] = []
    for opt in options:
        if not isinstance(opt, dict):
            continue
        kind = opt.get("type")
        if kind == "toggle":
            modes.append(_mode("off", "thinking off", "none", _off_request(api, provider)))
        elif kind == "effort" and isinstance(opt.get("values"), list):
            for v in opt["values"]:
                if v == "none":
                    modes.append(_mode("off", "thinking off (effort: none)", "none", _effort_request(api, "none")))
                elif isinstance(v, str) and v in EFFORT_ORDER:
                    modes.append(_mode(v, f"effort: {v}", v, _effort_request(api, v)))
        elif kind == "budget_tokens":
            for key, effort in (("min", "low"), ("max", "high")):
                n = opt.get(key)
                if isinstance(n, int) and not isinstance(n, bool) and n > 0:
                    modes.append(_mode(f"budget-{n}", f"thinking budget {n:,} tokens", effort, _budget_request(api, n)))
    return _finish(modes, None, f"{source} reasoning_options (which mode is the default is not stated)", as_of)


def from_litellm(entry: dict[str, Any], api: str, provider: str, source: str, as_of) -> dict[str, Any] | None:
    """Modes from LiteLLM's reasoning flags; None when the entry gives none beyond supports_reasoning."""
    if entry.get("supports_adaptive_thinking") is True and api == "anthropic":
        efforts = ["low", "medium", "high"]
        efforts += [e for e, flag in (("xhigh", "supports_xhigh_reasoning_effort"), ("max", "supports_max_reasoning_effort")) if entry.get(flag) is True]
        modes = [] if entry.get("thinking_always_on") is True else [_mode("off", "thinking off", "none", _off_request(api, provider))]
        modes += [_mode(f"adaptive-{e}", f"adaptive thinking, effort: {e}", e, _effort_request(api, e)) for e in efforts]
        on = entry.get("thinking_always_on") is True or entry.get("thinking_on_by_default") is True
        # Anthropic documents high as the default effort; off unless the flags say thinking is on
        return _finish(modes, "adaptive-high" if on else "off", f"{source} (supports_adaptive_thinking, thinking_on_by_default, thinking_always_on)", as_of)
    levels = entry.get("reasoning_effort_levels")
    if not isinstance(levels, list):
        flags = {
            "none": entry.get("supports_none_reasoning_effort"),
            "minimal": entry.get("supports_minimal_reasoning_effort"),
            "xhigh": entry.get("supports_xhigh_reasoning_effort"),
            "max": entry.get("supports_max_reasoning_effort"),
        }
        if not any(isinstance(v, bool) for v in flags.values()):
            return None
        levels = [e for e in EFFORT_ORDER if e in ("low", "medium", "high") or flags.get(e) is True]
    modes = []
    for v in levels:
        if v == "none":
            modes.append(_mode("off", "thinking off (effort: none)", "none", _effort_request(api, "none")))
        elif isinstance(v, str) and v in EFFORT_ORDER:
            modes.append(_mode(v, f"effort: {v}", v, _effort_request(api, v)))
    default = entry.get("default_reasoning_effort")
    default = "off" if default == "none" else default
    return _finish(modes, default if isinstance(default, str) else None, f"{source} reasoning flags", as_of)
