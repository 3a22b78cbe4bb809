"""The app's candidate detail says why a lower-ranked shortlist row is not the
recommendation (the rule, or the score parts), as the reports do."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from advisor.core.engine import shortlist
from advisor.core.knowledge import load_knowledge
from advisor.core.questions import answers_from_mapping

KB_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "kb" / "judgement"
REPLACE = {name: KB_DIR / name for name in ("models.yaml", "tasks.yaml", "decision_tree.yaml", "hosting.yaml")}


def run(kb, **answers):
    data = {"task_type": "summarization", "monthly_requests": 100_000, **answers}
    return shortlist(answers_from_mapping(kb, data), kb, date(2026, 12, 1))


def test_every_lower_ranked_candidate_says_why_it_is_not_the_recommendation():
    kb = load_knowledge(replace=REPLACE)
    # the app's detail screen (any shortlist row) and the Markdown report show it
    from advisor.render.markdown import render_markdown
    from advisor.tui.screens.detail import detail_text

    s = run(kb, excluded_providers=["gamma"], availability="high")
    rec, others = s.candidates[0], s.candidates[1:]
    assert rec.below_recommended == ()
    assert others and all(c.below_recommended for c in others)
    dear = next((c for c in others if c.option.model_id == "dear"), None)
    if dear is not None:
        assert dear.below_recommended[0].startswith("cost: ")
    text = detail_text(others[0], s).plain
    assert f"Why not the recommendation ({rec.option.model_name})" in text
    assert others[0].below_recommended[0] in text
    assert "Why not the recommendation:" in render_markdown(s)
