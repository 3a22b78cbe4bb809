"""A successor inherits its predecessor's evidence only where successors have not
been worse, and the rules that rank evidence under a high floor.

What an engineer accepts, written first:
- Claude Sonnet 4.6 has no code-editing row of its own; Claude Sonnet 4 has one
  (Aider). On code editing every successor in the shipped benchmarks held or
  improved, so 4.6 may count "no worse than Sonnet 4", cited as such, at less
  weight than its own benchmark would carry; never on grounded hallucination,
  where successors often got worse;
- a user's bake-off is about the model it measured, never inherited;
- evidence that says "moderate" on average is poor for a 0.9 floor: it ranks
  below a model with no evidence;
- a coding assistant whose candidate has evidence on code editing (its heaviest
  dimension) is not "unproven" for want of evidence elsewhere.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from advisor.core.engine import shortlist
from advisor.core.evidence import cite, predecessors, released_on
from advisor.core.knowledge import load_knowledge
from advisor.core.questions import answers_from_mapping
from advisor.core.schema import EvidenceClaim

KB_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "kb" / "judgement"
REPLACE = {name: KB_DIR / name for name in ("models.yaml", "tasks.yaml", "decision_tree.yaml", "hosting.yaml")}
TODAY = date(2026, 12, 1)


@pytest.fixture(scope="module")
def shipped():
    return load_knowledge([])


def test_the_shipped_evidence_supports_each_inherited_dimension(shipped):
    # the reason lineage lists only some dimensions, re-checked against the data:
    # every successive pair of a line with benchmark rows must have held or improved
    values = shipped.scoring.level_values
    lines: dict[tuple, list] = {}
    for m in shipped.models:
        lines.setdefault((m.vendor, m.family, m.tier), []).append(m)

    def own(model_id, dim):
        return [c for c in shipped.claims_for(model_id, dim) if c.kind == "benchmark" and not c.inherited_from]

    for dim in shipped.scoring.lineage.dimensions:
        pairs = []
        for models in lines.values():
            rated = sorted((m for m in models if own(m.id, dim)), key=released_on)
            for older, newer in zip(rated, rated[1:]):
                best = lambda mid: max(values[c.level] for c in own(mid, dim))  # noqa: E731
                pairs.append((older.id, newer.id, best(newer.id) >= best(older.id)))
        assert len(pairs) >= 3, f"{dim}: too few successive pairs to justify inheritance: {pairs}"
        assert all(ok for *_, ok in pairs), f"{dim}: a successor was worse: {[p for p in pairs if not p[2]]}"
    assert "hallucination_calibration" not in shipped.scoring.lineage.dimensions


def test_a_successor_inherits_code_editing_and_says_so(shipped):
    claims = shipped.claims_for("claude-sonnet-4-6", "coding")
    assert claims and all(c.inherited_from == "claude-sonnet-4" for c in claims)
    own = shipped.claims_for("claude-sonnet-4", "coding")
    assert [c.value for c in claims] == [c.value for c in own]
    text = cite(claims[0])
    assert "Aider" in text and "predecessor claude-sonnet-4" in text and "assumed no worse" in text
    # not on grounded hallucination, and a model's own claim is never replaced
    assert not any(c.inherited_from for c in shipped.claims_for("claude-sonnet-5", "hallucination_calibration"))
    assert not any(c.inherited_from for c in shipped.claims_for("claude-sonnet-4", "coding"))


def test_predecessors_are_the_same_line_only_and_never_newer(shipped):
    sonnet_5 = shipped.model_by_id["claude-sonnet-5"]
    before = [m.id for m in predecessors(shipped.models, sonnet_5)]
    assert before[0] == "claude-sonnet-4-6" and "claude-sonnet-5-5" not in before
    assert not any(m.startswith(("claude-opus", "claude-haiku")) for m in before)


def test_a_bake_off_is_never_inherited(shipped):
    measured = EvidenceClaim(model="claude-sonnet-4", dimension="coding", level="none", source="your bake-off",
                             kind="bake_off", as_of=TODAY)
    kb = shipped.with_claims([measured])
    assert kb.claims_for("claude-sonnet-4", "coding")[0].kind == "bake_off"
    inherited = kb.claims_for("claude-sonnet-4-6", "coding")
    assert inherited and all(c.kind == "benchmark" for c in inherited)


def _kb_with(tmp_path, models: str, evidence: str, scoring: str | None = None):
    """The judgement fixture with ``models`` and ``evidence`` laid over it."""
    (tmp_path / "models.yaml").write_text(models)
    (tmp_path / "evidence").mkdir()
    (tmp_path / "evidence" / "line.yaml").write_text(evidence)
    if scoring is not None:
        (tmp_path / "scoring.yaml").write_text(scoring)
    # code editing is what a coding assistant weighs most (as the shipped tasks.yaml has it)
    (tmp_path / "tasks.yaml").write_text("tasks:\n  - {id: code, weights: {coding: 6}}\n")
    return load_knowledge([tmp_path], replace=REPLACE)


ONLY_DELTA = {"excluded_providers": ["alpha", "beta", "gamma"]}  # leaves the two coders


LINE = """\
providers:
  - {id: delta, name: Delta, api: openai, base_url: https://delta.test/v1, key_env: DELTA_API_KEY, compliance: {soc2: true}}
models:
  - id: coder-1
    name: Coder 1
    family: coder
    vendor: alpha
    tier: mid
    released: 2025-01-01
    context_window: 128000
    tags: [code]
    endpoints:
      - {provider: delta, model_id: coder-1, price: {input: 1, output: 4, as_of: 2026-11-01, source: test}}
  - id: coder-2
    name: Coder 2
    family: coder
    vendor: alpha
    tier: mid
    released: 2026-10-01
    context_window: 128000
    tags: [code]
    endpoints:
      - {provider: delta, model_id: coder-2, price: {input: 1, output: 4, as_of: 2026-11-01, source: test}}
"""
CODING_ROW = """\
defaults: {source: Test bench, kind: benchmark, as_of: 2025-06-01}
claims:
  - {model: coder-1, dimension: coding, level: excellent, value: 80, unit: '%'}
"""


def _code_answers(kb):
    return answers_from_mapping(kb, {"task_type": "code", "monthly_requests": 100_000, "output_format": "code",
                                     "quality_floor": Decimal("0.9"), **ONLY_DELTA})


def test_inherited_code_editing_ranks_a_successor_but_never_proves_it(tmp_path):
    kb = _kb_with(tmp_path, LINE, CODING_ROW)
    s = shortlist(_code_answers(kb), kb, TODAY)
    by = {c.option.model_id: c for c in s.candidates}
    assert {"coder-1", "coder-2"} <= set(by)
    # coder-2's only evidence is its predecessor's code-editing row: it ranks with the
    # evidenced (and first, on the generation part), but is labelled unproven
    assert s.recommended.option.model_id == "coder-2"
    assert by["coder-2"].unproven is True and by["coder-1"].unproven is False
    cited = [c for c in by["coder-2"].evidence if c.dimension == "coding"]
    assert cited and cited[0].inherited_from == "coder-1"


def test_without_inheritance_the_successor_ranks_below_the_evidenced(tmp_path):
    kb = _kb_with(tmp_path, LINE, CODING_ROW, scoring="lineage: {dimensions: [], weight: 0.5}\n")
    s = shortlist(_code_answers(kb), kb, TODAY)
    assert s.recommended.option.model_id == "coder-1"  # evidence beats none under a 0.9 floor


WEAK_ROW = """\
defaults: {source: Test bench, kind: benchmark, as_of: 2025-06-01}
claims:
  - {model: coder-1, dimension: coding, level: limited, value: 20, unit: '%', setting: no thinking}
  - {model: coder-1, dimension: coding, level: excellent, value: 80, unit: '%', setting: high effort}
"""


def test_only_the_weakest_setting_is_inherited_and_a_poor_one_never_marks_the_successor_poor(tmp_path):
    kb = _kb_with(tmp_path, LINE, WEAK_ROW)
    inherited = kb.claims_for("coder-2", "coding")
    assert [c.level for c in inherited] == ["limited"]  # "no worse than" its cheapest run, not its best
    s = shortlist(_code_answers(kb), kb, TODAY)
    # coder-1's own evidence averages below good: poor for a 0.9 floor; coder-2 inherits
    # only "no worse than limited", which says nothing bad about it
    ranked = [r.option.model_id for r in s.ranking]
    assert ranked.index("coder-2") < ranked.index("coder-1")


def test_the_matrix_is_never_inherited(tmp_path):
    matrix = LINE.replace("    tags: [code]\n    endpoints:\n      - {provider: delta, model_id: coder-1,",
                          "    tags: [code]\n    ratings: {coding: excellent, source: test matrix}\n    endpoints:\n"
                          "      - {provider: delta, model_id: coder-1,", 1)
    kb = _kb_with(tmp_path, matrix, "claims: []\n")
    assert kb.claims_for("coder-1", "coding") and not kb.claims_for("coder-2", "coding")


def test_an_evidence_file_cannot_claim_inheritance(tmp_path):
    from advisor.errors import KnowledgeError

    bad = CODING_ROW + "  - {model: coder-2, dimension: coding, level: best, inherited_from: coder-1}\n"
    with pytest.raises(KnowledgeError) as err:
        _kb_with(tmp_path, LINE, bad)
    lines = [str(p) for p in err.value.problems]
    assert any("evidence/line.yaml:4" in line and "claims[1].inherited_from" in line and "set by advisor" in line
               for line in lines), lines


MODERATE = """\
models:
  - id: steady
    ratings: {instruction_following: moderate, structured_output: moderate, hallucination_calibration: moderate, long_context: moderate, source: test matrix}
"""


def test_moderate_evidence_is_poor_for_a_high_floor_but_not_without_one(tmp_path):
    (tmp_path / "models.yaml").write_text(MODERATE)
    kb = load_knowledge([tmp_path], replace=REPLACE)

    def ranked(**extra):
        answers = answers_from_mapping(kb, {"task_type": "summarization", "monthly_requests": 100_000, **extra})
        keys = [r.option.key for r in shortlist(answers, kb, TODAY).ranking]
        return keys.index("steady@alpha"), keys.index("mystery@beta")

    steady, mystery = ranked(quality_floor=Decimal("0.95"))
    assert mystery < steady  # "moderate" says it will likely miss a 0.95 floor
    steady, mystery = ranked()
    assert steady < mystery  # with no floor, moderate evidence beats none (the prior is below it)


def test_a_reasoning_outcome_counts_a_model_only_in_a_thinking_mode(shipped):
    # Mistral Large 4 can think, but for a maths tutor with a 3 s target its thinking is
    # off: then it is not "a model that reasons before answering" for the tree's outcome
    from types import SimpleNamespace as NS

    from advisor.core.tree import in_outcome

    sel = shipped.node_by_id["reasoning_models"].candidates
    model = shipped.model_by_id["mistral-large-4"]
    modes = {m.id: m for m in model.reasoning.modes}

    def opt(mode):
        return NS(model=model, hosted=True, mode=mode, context_window=model.context_window, ttft=None,
                  cost_per_request=None)

    assert in_outcome(sel, opt(modes["high"]))
    assert not in_outcome(sel, opt(modes["none"]))


def test_a_reason_never_calls_an_inherited_rating_the_models_own(shipped):
    # GPT-5.4's "best" code editing is GPT-5's Aider figure: the reasons must say so
    from advisor.core.questions import load_answers

    s = shortlist(load_answers(shipped, "examples/answers/6-code-and-instructions.yaml"), shipped, TODAY)
    rec = s.recommended
    assert any(c.inherited_from for c in rec.evidence if c.dimension == "coding")
    rated = [r for r in rec.reasons if r.startswith("rated excellent or better on:")]
    assert rated and "Code editing (of its predecessor, assumed no worse)" in rated[0]
