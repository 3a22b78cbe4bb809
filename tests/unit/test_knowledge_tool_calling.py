"""Knowledge agrees with the providers on tool calling where they agree among themselves.

A model the shipped knowledge says cannot call tools is removed for every agent and
tool-using task, so a wrong ``tool_calling: false`` silently costs a good candidate
(Qwen3 was marked so while every provider serving it says it calls tools)."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.core.knowledge import load_knowledge

VOTES = json.loads((Path(__file__).parents[1] / "fixtures" / "catalog" / "models-dev-tool-call-votes-2026-07-02.json").read_text())["votes"]
MIN_VOTES, AGREE = 3, 0.9


def test_tool_calling_matches_a_clear_provider_majority():
    kb = load_knowledge()
    checked, wrong = 0, []
    for m in kb.models:
        v = VOTES.get(m.id)
        if not v or v["true"] + v["false"] < MIN_VOTES:
            continue
        share = v["true"] / (v["true"] + v["false"])
        if share >= AGREE or share <= 1 - AGREE:
            checked += 1
            if m.tool_calling != (share >= AGREE):
                wrong.append(f"{m.id}: knowledge {m.tool_calling}, models.dev {v['true']} true / {v['false']} false")
    assert checked >= 30  # the audit covers most of the catalogue
    assert not wrong, wrong
