"""The glue from shortlist candidates to eval targets."""

from __future__ import annotations

import os
import subprocess
import sys
from decimal import Decimal

from advisor.core.engine import shortlist
from advisor.eval.targets_from_shortlist import targets_for_shortlist

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_hosted_candidates_become_targets_in_shortlist_order(kb, answers, today):
    result = shortlist(answers(task_type="classification", budget_per_request_usd="0.001"), kb, today)
    targets, notes = targets_for_shortlist(kb, result)
    assert notes == []
    assert [t.model_key for t in targets] == [c.option.key for c in result.candidates]
    first = targets[0]
    cand = result.candidates[0]
    model = kb.model_by_id[cand.option.model_id]
    ep = next(e for e in model.endpoints if e.provider == cand.option.provider)
    prov = kb.providers[ep.provider]
    assert (first.api, first.base_url, first.key_env, first.model_id) == (prov.api, prov.base_url, prov.key_env, ep.model_id)
    assert (first.input_price_per_m, first.output_price_per_m) == (ep.price.input, ep.price.output)


def test_self_hosted_candidate_is_measured_through_the_cheapest_hosted_endpoint(kb, answers, today):
    result = shortlist(answers(data_privacy="strict"), kb, today)
    selfhosted = [c for c in result.candidates if c.option.deployment == "self_host"]
    assert selfhosted
    targets, _ = targets_for_shortlist(kb, result)
    by_key = {t.model_key: t for t in targets}
    for c in selfhosted:
        model = kb.model_by_id[c.option.model_id]
        if not model.endpoints:
            assert c.option.key not in by_key
            continue
        t = by_key[c.option.key]
        cheapest = min(model.endpoints, key=lambda e: e.price.input + e.price.output)
        assert t.model_id == cheapest.model_id
        assert "self-host, measured via" in t.label
        assert t.input_price_per_m == cheapest.price.input


def test_dry_run_from_answers_needs_no_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env["ADVISOR_DATA_DIR"] = str(tmp_path)
    proc = subprocess.run(
        [sys.executable, "-m", "advisor", "eval", "--answers", "examples/answers/5-cost-primary.yaml",
         "--cases", "examples/cases/classification.jsonl", "--dry-run"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "nothing will be called" in proc.stdout
    assert "requests planned" in proc.stdout
    assert Decimal(0) < Decimal(proc.stdout.rsplit("worst case $", 1)[1].split()[0].rstrip("."))


def test_a_target_sends_the_reasoning_mode_the_advice_assumes(kb, answers, today):
    from advisor.core.schema import ReasoningMode
    from advisor.eval.targets_from_shortlist import target_for
    from advisor.providers import ChatRequest, Message, wire_for

    result = shortlist(answers(task_type="classification", budget_per_request_usd="0.001"), kb, today)
    cand = next(c for c in result.candidates if c.option.deployment == "hosted")
    api = kb.providers[cand.option.provider].api
    fragment = {"openai": {"reasoning_effort": "low"}, "anthropic": {"thinking": {"type": "enabled", "budget_tokens": 1500}},
                "gemini": {"generationConfig": {"thinkingConfig": {"thinkingBudget": 1500}}}}[api]
    mode = ReasoningMode(id="low", label="effort: low", thinks=True, effort="low", request=fragment)
    target, _ = target_for(kb, cand.model_copy(update={"reasoning_mode": mode}))
    assert target.reasoning == mode
    _, _, body = wire_for(api).build(target, ChatRequest(messages=(Message("user", "x"),), max_tokens=8), None)
    for key, value in fragment.items():
        if isinstance(value, dict):
            for k, v in value.items():
                assert body[key][k] == {**body[key][k], **v} if isinstance(v, dict) else body[key][k] == v
        else:
            assert body[key] == value
    # the thinking has room: the limit is the case's 8 plus at least the budget or headroom
    limit = body.get("max_completion_tokens") or body.get("max_tokens") or body["generationConfig"]["maxOutputTokens"]
    assert limit > 8 and target.max_output_tokens(8) == limit
