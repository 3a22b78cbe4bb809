"""Glue from the shortlist to the eval: each candidate becomes a :class:`Target`.

A hosted candidate is called where it is hosted. A self-hosted candidate has
no server to call yet, so it is measured through the cheapest hosted endpoint
serving the same open weights (labelled as such); when none exists it is left
out with a reason. The order is the shortlist's, which is the "before" order
the re-ranking compares against.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal

from advisor.core.knowledge import KnowledgeBase
from advisor.core.result import Candidate, Shortlist
from advisor.core.profiles import resolve_profile
from advisor.core.schema import Endpoint, ModelSpec, ReasoningMode
from advisor.errors import InputError, Location, Problem
from advisor.eval.target import Target


def _target(
    kb: KnowledgeBase,
    model: ModelSpec,
    ep: Endpoint,
    label: str,
    key: str,
    reasoning: ReasoningMode | None = None,
    *,
    base_url: str | None = None,
    key_env: str | None | Literal["default"] = "default",
) -> Target:
    """The target for ``model`` at endpoint ``ep``: its request profile, prices,
    tokenizer and reasoning mode (``reasoning``, else the mode the API runs by default)."""
    prov = kb.providers[ep.provider]
    structured = ep.structured_output or model.structured_output
    modes = ep.reasoning or model.reasoning
    if reasoning is None and modes is not None:
        reasoning = modes.default_mode
    return Target(
        label=label,
        model_key=key,
        api=prov.api,
        base_url=base_url or prov.base_url,
        model_id=ep.model_id,
        key_env=prov.key_env if key_env == "default" else key_env,
        input_price_per_m=ep.price.input,
        output_price_per_m=ep.price.output,
        tokenizer=model.tokenizer,
        supports_json_schema=structured == "schema",
        supports_json_mode=structured in ("schema", "json_mode"),
        profile=resolve_profile(kb.request_profiles, prov.api, prov.id, model.id),
        reasoning=reasoning,
        cached_input_price_per_m=ep.price.cached_input,
        cache_write_price_per_m=ep.price.cache_write,
        price_source=ep.price.source,
        price_as_of=ep.price.as_of,
    )


def reasoning_mode(model: ModelSpec, ep: Endpoint | None, mode_id: str | None) -> ReasoningMode | None:
    """The named mode of ``model`` (at ``ep``), or ``None`` when ``mode_id`` is None;
    raises KeyError naming the modes there are."""
    if mode_id is None:
        return None
    modes = (ep.reasoning if ep is not None else None) or model.reasoning
    for m in modes.modes if modes else ():
        if m.id == mode_id:
            return m
    known = ", ".join(m.id for m in modes.modes) if modes else "none: the model does not think"
    raise KeyError(f"unknown reasoning mode '{mode_id}' for {model.id} (modes: {known})")


def target_for(kb: KnowledgeBase, c: Candidate) -> tuple[Target | None, str | None]:
    """The target for one candidate, or ``None`` and why not."""
    model = kb.model_by_id[c.option.model_id]
    mode = c.reasoning_mode  # the mode the advice assumes (None: the API's default)
    if c.option.deployment == "hosted":
        ep = next(e for e in model.endpoints if e.provider == c.option.provider and e.model_id == c.option.api_model_id)
        return _target(kb, model, ep, c.option.label, c.option.key, mode), None
    priced = [e for e in model.endpoints if e.price.known]
    if not priced:
        return None, f"{c.option.label}: no hosted endpoint serves these weights; point a targets file at your own server"
    ep = min(priced, key=lambda e: (e.price.input + e.price.output, e.provider))  # type: ignore[operator]
    prov = kb.providers[ep.provider]
    label = f"{model.name} (self-host, measured via {prov.name})"
    return _target(kb, model, ep, label, c.option.key, mode), None


def targets_for_shortlist(kb: KnowledgeBase, shortlist: Shortlist) -> tuple[list[Target], list[str]]:
    targets: list[Target] = []
    notes: list[str] = []
    for c in shortlist.candidates:
        t, why = target_for(kb, c)
        if t is not None:
            targets.append(t)
        elif why:
            notes.append(why)
    return targets, notes


def targets_for_answers(
    answers_path: str, knowledge_dirs: list[str], models: list[str] | None = None, today: date | None = None,
    *, kb: KnowledgeBase | None = None, kept: Any = (), on_note: Callable[[str], None] = lambda line: None,
) -> tuple[list[Target], Any]:
    """Load knowledge (unless ``kb`` is given) and answers, shortlist, and return (targets, shortlist).

    ``kept`` (earlier bake-offs) are cited in the shortlist, as ``advisor --answers`` does;
    ``on_note`` hears each shortlisted option that cannot be a target, and why."""
    from advisor.userdirs import knowledge_dirs as with_user_overlay
    from advisor.core.engine import shortlist as make_shortlist
    from advisor.core.questions import load_answers
    from advisor.knowledge_cache import load_knowledge_cached

    kb = kb if kb is not None else load_knowledge_cached(with_user_overlay(knowledge_dirs))
    answers = load_answers(kb, answers_path)
    day = today or date.today()
    result = make_shortlist(answers, kb, day)
    if kept:
        from advisor.evidence_store import cite_kept

        result = cite_kept(result, kept, day)
    targets, notes = targets_for_shortlist(kb, result)
    for note in notes:
        on_note(f"skipping {note}")
    if models:
        known = {t.model_key: t for t in targets}
        missing = [m for m in models if m not in known]
        if missing:
            raise InputError(
                [
                    Problem(f"{m!r} is not on the shortlist (shortlisted: {', '.join(known) or 'none'})", Location("command line", None, "--models"))
                    for m in missing
                ]
            )
        targets = [known[m] for m in models]
    return targets, result
