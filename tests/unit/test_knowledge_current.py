"""Real properties of the shipped knowledge: prices with provenance, retired
models pointing somewhere, live first choices, reasoning as modes with a
control, mixtures of experts sized by their active parameters."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from advisor.core.knowledge import load_knowledge

TODAY = date(2026, 12, 1)
from advisor.core.knowledge import builtin_dir

KNOWLEDGE = builtin_dir()


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


def _live(model, day: date) -> bool:
    if model.deprecated is not None and model.deprecated <= day:
        return False
    if model.open_weights:
        return True
    return any(e.deprecated is None or e.deprecated > day for e in model.endpoints)


def test_every_price_names_its_source_and_date(kb):
    for m in kb.models:
        for e in m.endpoints:
            assert e.price.source.strip(), f"{m.id} at {e.provider}: price has no source"
            assert e.price.as_of is not None, f"{m.id} at {e.provider}: price has no as_of"
            assert e.price.as_of <= TODAY, f"{m.id} at {e.provider}: as_of {e.price.as_of} is in the future"


def test_long_prompt_tiers_from_the_catalogue_are_carried(kb):
    gem = next(e for e in kb.model_by_id["gemini-3-1-pro"].endpoints if e.provider == "google")
    assert [(t.above_input_tokens, t.input, t.output) for t in gem.price.tiers] == [(200000, 4, 18)]
    gpt = next(e for e in kb.model_by_id["gpt-5-5"].endpoints if e.provider == "openai")
    assert [(t.above_input_tokens, t.input, t.output) for t in gpt.price.tiers] == [(272000, 10, 45)]


def test_retired_models_point_to_a_live_successor_or_explain(kb):
    for m in kb.models:
        if m.deprecated is not None and m.deprecated <= TODAY:
            assert m.successor or m.notes, f"{m.id} retired {m.deprecated} with neither successor nor note"
        if m.successor is not None:
            assert m.successor in kb.model_by_id, f"{m.id}: successor '{m.successor}' is not a knowledge model"
            assert _live(kb.model_by_id[m.successor], TODAY), f"{m.id}: successor '{m.successor}' is not live"
        if m.deprecated is not None:
            assert m.deprecation_source, f"{m.id}: deprecated {m.deprecated} without deprecation_source"
        for e in m.endpoints:
            if e.deprecated is not None:
                assert e.deprecation_source, f"{m.id} at {e.provider}: deprecated without deprecation_source"
            if e.successor is not None:
                assert e.successor in kb.model_by_id, f"{m.id} at {e.provider}: unknown successor {e.successor}"


@pytest.mark.parametrize(
    "model_id, day",
    [("gpt-4o", date(2027, 1, 14)), ("gpt-4o-mini", date(2027, 1, 14)), ("o3", date(2026, 12, 11))],
)
def test_retirement_dates_the_issue_names(kb, model_id, day):
    assert kb.model_by_id[model_id].deprecated == day


def test_task_first_choices_and_fallbacks_are_live(kb):
    for t in kb.tasks.tasks:
        for role, mid in (("first_choice", t.first_choice), ("fallback", t.fallback)):
            assert mid in kb.model_by_id, f"task {t.id}: {role} '{mid}' is not a knowledge model"
            assert _live(kb.model_by_id[mid], TODAY), f"task {t.id}: {role} '{mid}' is retired on {TODAY}"


def test_models_the_tree_names_are_live(kb):
    for node in kb.tree.nodes:
        if node.candidates is None:
            continue
        for mid in node.candidates.models:
            assert mid in kb.model_by_id, f"tree node {node.id}: '{mid}' is not a knowledge model"
            assert _live(kb.model_by_id[mid], TODAY), f"tree node {node.id}: '{mid}' is retired on {TODAY}"


def _reasonings(m):
    yield m.id, m.reasoning
    for e in m.endpoints:
        if e.reasoning is not None:
            yield f"{m.id} at {e.provider}", e.reasoning


def test_every_thinking_model_has_modes_and_a_control(kb):
    for m in kb.models:
        for where, r in _reasonings(m):
            if r is None:
                continue
            assert r.source and "no modes given" not in r.source, f"{where}: reasoning without a real source"
            if len(r.modes) == 1:
                # one mode: a model that always thinks and has no control; say so
                assert r.control is None and "no control" in r.modes[0].label, where
            else:
                assert r.control, f"{where}: several modes and no control"
                for mode in r.modes:
                    if mode.id != "default" or mode.request:
                        assert mode.request, f"{where}: mode '{mode.id}' sends nothing to choose it"


def test_no_reasoning_true_left_in_the_shipped_yaml():
    text = (KNOWLEDGE / "models.yaml").read_text(encoding="utf-8")
    assert not re.search(r"^\s*reasoning:\s*true\b", text, re.M)


def test_thinking_controls_the_vendors_document(kb):
    o3 = kb.model_by_id["o3"].reasoning
    assert o3.lightest().thinks  # o-series cannot turn thinking off
    assert kb.model_by_id["gpt-5-4"].reasoning.default_mode.request == {"reasoning_effort": "none"}
    assert "minimal" in {m.id for m in kb.model_by_id["gpt-5"].reasoning.modes}
    sonnet = kb.model_by_id["claude-sonnet-4-6"].reasoning
    assert sonnet.lightest().request == {"thinking": {"type": "disabled"}}
    assert kb.model_by_id["claude-sonnet-5-5"].reasoning.lightest().thinks  # thinking always on
    flash = kb.model_by_id["gemini-2-5-flash"].reasoning
    assert flash.lightest().request == {"generationConfig": {"thinkingConfig": {"thinkingBudget": 0}}}
    assert kb.model_by_id["gemini-2-5-pro"].reasoning.lightest().thinks  # Pro cannot turn it off
    ds = kb.model_by_id["deepseek-v4-pro"].reasoning
    assert ds.thinks_by_default and not ds.lightest().thinks
    fw = next(e for e in kb.model_by_id["qwen3-32b"].endpoints if e.provider == "fireworks")
    assert fw.reasoning is not None and fw.reasoning.control != kb.model_by_id["qwen3-32b"].reasoning.control


MOE = {
    "llama-4-scout": (109, 17),
    "llama-4-maverick": (400, 17),
    "gpt-oss-120b": (117, 5.1),
    "gpt-oss-20b": (21, 3.6),
    "qwen3-235b-a22b": (235, 22),
    "deepseek-v4-pro": (1600, 49),
    "deepseek-v4-flash": (284, 13),
    "mixtral-8x7b": (46.7, 12.9),
    "mistral-large-3": (675, 41),
}


def test_mixtures_of_experts_have_total_and_active_parameters(kb):
    for mid, (total, active) in MOE.items():
        m = kb.model_by_id[mid]
        assert float(m.params_b) == total and float(m.active_params_b) == active, mid
    for m in kb.models:
        if "moe" in m.tags:
            assert m.params_b and m.active_params_b, f"{m.id} is tagged moe without total and active parameters"
        if m.active_params_b is not None:
            assert "moe" in m.tags, f"{m.id} has active_params_b but no moe tag"


def test_open_weights_say_whether_production_is_allowed(kb):
    assert kb.model_by_id["codestral"].license_allows_production is False
    assert kb.model_by_id["mistral-large"].license_allows_production is False
    assert kb.model_by_id["llama-4-scout"].license_allows_production is True
    for m in kb.models:
        if m.open_weights and m.license_allows_production is not None:
            assert m.license_source, f"{m.id}: licence verdict without a source"


def test_every_provider_listed_has_a_current_model(kb):
    for p in kb.providers.values():
        live = [
            m.id
            for m in kb.models
            for e in m.endpoints
            if e.provider == p.id and (e.deprecated is None or e.deprecated > TODAY) and _live(m, TODAY)
            and (m.released is None or m.released >= date(2025, 1, 1))
        ]
        assert live, f"provider {p.id} has no live model released in 2025 or later"
