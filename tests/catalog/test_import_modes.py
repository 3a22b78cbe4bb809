"""What the importers carry beyond a base price: long-prompt tiers, cache writes,
deprecation sources, successors that map to our ids, and reasoning modes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import yaml

from advisor.catalog.overlay import import_catalog
from advisor.core.knowledge import load_knowledge
from advisor.core.schema import Reasoning

from .conftest import CAT, TODAY

LL = CAT / "litellm-model-prices-1.110.2.json"
MD = CAT / "models-dev-reasoning-2026-07-02.json"


def _overlay(tmp_path, kind, path, kb, as_of):
    _report, target = import_catalog(kind, str(path), tmp_path / "ov", builtin_kb=kb, today=TODAY, as_of=as_of)
    data = yaml.safe_load(target.read_text())
    return {m["id"]: m for m in data["models"]}


def _ep(model, provider):
    return next(e for e in model["endpoints"] if e["provider"] == provider)


def test_litellm_tiers_cache_writes_and_deprecations(tmp_path, builtin_kb):
    models = _overlay(tmp_path, "litellm", LL, builtin_kb, date(2026, 10, 17))
    gpt55 = _ep(models["gpt-5-5"], "openai")["price"]
    assert gpt55["tiers"] == [{"above_input_tokens": 272000, "input": 10, "output": 45, "cached_input": 1}]
    pro = _ep(models["gemini-3-1-pro-preview"], "google")["price"]
    assert [(t["above_input_tokens"], t["input"], t["output"]) for t in pro["tiers"]] == [(200000, 4, 18)]
    sonnet = _ep(models["claude-sonnet-5"], "anthropic")["price"]
    assert Decimal(str(sonnet["cache_write"])) == Decimal("2.5") and "tiers" not in sonnet
    gpt4o = _ep(models["gpt-4o"], "openai")
    assert gpt4o["deprecated"] == date(2027, 1, 14)
    assert gpt4o["deprecation_source"].startswith("LiteLLM model_prices 1.110.2 deprecation_date of 'gpt-4o-2024-11-20'")
    assert "successor" not in gpt4o  # gpt-6-luna is no model of the test catalogue: left out, not guessed


def test_litellm_successor_kept_only_when_it_is_a_known_model(tmp_path):
    kb = load_knowledge()  # the shipped knowledge has gpt-6-luna, GPT-4o's successor in LiteLLM
    models = _overlay(tmp_path, "litellm", LL, kb, date(2026, 10, 17))
    gpt4o = _ep(models["gpt-4o"], "openai")
    assert gpt4o["successor"] == "gpt-6-luna"
    assert "developers.openai.com/api/docs/deprecations" in gpt4o["deprecation_source"]


def test_litellm_reasoning_flags_become_modes(tmp_path, builtin_kb):
    models = _overlay(tmp_path, "litellm", LL, builtin_kb, date(2026, 10, 17))
    opus = Reasoning.model_validate(models["claude-opus-5-5"]["reasoning"])
    assert opus.control == "thinking" and opus.default == "adaptive-high"
    assert all(m.thinks for m in opus.modes)  # thinking_always_on: no off mode
    sonnet = Reasoning.model_validate(models["claude-sonnet-5"]["reasoning"])
    assert sonnet.lightest().request == {"thinking": {"type": "disabled"}} and sonnet.thinks_by_default
    small = Reasoning.model_validate(models["mistral-small-2603"]["reasoning"])
    assert {m.id for m in small.modes} >= {"off", "high"}
    assert small.default == "default" and "does not say" in small.default_mode.label  # LiteLLM gives no default


def test_models_dev_reasoning_options_tiers_and_cache_writes(tmp_path, builtin_kb):
    models = _overlay(tmp_path, "models-dev", MD, builtin_kb, date(2026, 7, 2))
    flash = Reasoning.model_validate(models["gemini-2-5-flash"]["reasoning"])
    assert flash.lightest().request == {"generationConfig": {"thinkingConfig": {"thinkingBudget": 0}}}
    assert flash.control == "generationConfig.thinkingConfig.thinkingBudget"
    ds = Reasoning.model_validate(models["deepseek-v4-pro"]["reasoning"])
    assert {m.id for m in ds.modes} == {"off", "high", "max", "default"}
    assert ds.lightest().request == {"thinking": {"type": "disabled"}}
    assert "not stated" in ds.source  # models.dev does not say which mode is the default
    mag = Reasoning.model_validate(models["magistral-small"]["reasoning"])
    assert len(mag.modes) == 1 and mag.control is None and mag.modes[0].thinks
    sonnet = Reasoning.model_validate(models["claude-sonnet-4-6"]["reasoning"])
    assert sonnet.modes[0].request == {"thinking": {"type": "adaptive"}, "output_config": {"effort": "low"}}
    assert Decimal(str(_ep(models["claude-sonnet-4-6"], "anthropic")["price"]["cache_write"])) == Decimal("3.75")
    (tier,) = _ep(models["gemini-3-1-pro-preview"], "google")["price"]["tiers"]
    assert (tier["above_input_tokens"], tier["input"], tier["output"], str(tier["cached_input"])) == (200000, 4, 18, "0.4")
