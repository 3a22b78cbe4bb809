"""Evidence claims: loading (built-in and overlays), located errors, order, citations."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURE_KB  # tests/conftest.py (on sys.path under pytest)

from advisor.core import knowledge as knowledge_mod
from advisor.core.evidence import cite, claims_for, disagreement, matrix_claims, model_evidence
from advisor.core.knowledge import load_knowledge
from advisor.core.schema import DIMENSIONS, EvidenceClaim
from advisor.errors import KnowledgeError

REPO = Path(__file__).resolve().parents[2]


def claim(**kw) -> EvidenceClaim:
    base = dict(model="gpt-4o", dimension="hallucination_calibration", level="good", source="Vectara HHEM")
    base.update(kw)
    return EvidenceClaim(**base)


GOOD = """\
claims:
  - model: gpt-4o
    dimension: hallucination_calibration
    level: moderate
    source: Vectara HHEM
    as_of: 2026-03-10
    value: 9.6
    unit: "%"
    label: grounded hallucination
"""


@pytest.fixture
def here(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _overlay(root: Path, text: str, name: str = "extra.yaml") -> Path:
    (root / "overlay" / "evidence").mkdir(parents=True, exist_ok=True)
    (root / "overlay" / "evidence" / name).write_text(text)
    return root / "overlay"


# --------------------------------------------------------------------------- built-in

def test_builtin_evidence_loads_and_names_only_known_models():
    kb = load_knowledge()
    files = sorted(p.name for p in (REPO / "knowledge" / "evidence").glob("*.yaml"))
    assert files == ["aider.yaml", "ruler.yaml", "vectara.yaml"]
    assert {c.source for c in kb.claims} == {"Vectara HHEM", "Aider polyglot", "RULER"}
    assert {c.model for c in kb.claims} <= set(kb.model_by_id)
    assert all(c.kind == "benchmark" and c.measures and c.url for c in kb.claims)


def test_a_builtin_claim_about_an_unknown_model_is_refused(tmp_path, monkeypatch):
    copy = tmp_path / "knowledge"
    shutil.copytree(REPO / "knowledge", copy)
    (copy / "evidence" / "vectara.yaml").write_text(GOOD.replace("model: gpt-4o", "model: gpt-4oo"))
    monkeypatch.setattr(knowledge_mod, "builtin_dir", lambda: copy)
    with pytest.raises(KnowledgeError) as info:
        load_knowledge()
    assert info.value.lines() == [
        "knowledge/evidence/vectara.yaml:2: claims[0].model: unknown model 'gpt-4oo' (did you mean 'gpt-4o'?)"
    ]


def test_matrix_ratings_are_undated_claims():
    kb = load_knowledge()
    gpt4o = kb.model_by_id["gpt-4o"]
    matrix = matrix_claims(gpt4o)
    assert {c.dimension for c in matrix} == set(gpt4o.ratings.rated())
    assert all(c.kind == "matrix" and c.as_of is None and c.source == "seed-000 capability matrix" for c in matrix)
    got = claims_for(kb, "gpt-4o", "hallucination_calibration")
    assert got[-1].kind == "matrix" and cite(got[-1]) == "hallucination calibration: good — seed-000 capability matrix, undated"


def test_sources_that_disagree_are_both_kept():
    kb = load_knowledge()
    got = claims_for(kb, "llama-3-3-70b", "hallucination_calibration")
    assert [cite(c) for c in got] == [
        "grounded hallucination: good — Vectara HHEM 4.1%, 2026-03-10",
        "hallucination calibration: moderate — seed-000 capability matrix, undated",
    ]
    assert disagreement(got) == "good (Vectara HHEM) vs moderate (seed-000 capability matrix)"


def test_model_evidence_runs_dimension_by_dimension():
    kb = load_knowledge()
    dims = [c.dimension for c in model_evidence(kb, "gpt-4o")]
    assert dims == sorted(dims, key=DIMENSIONS.index) and "coding" in dims


# --------------------------------------------------------------------------- order and extra claims

def test_order_bake_off_then_benchmarks_newest_first_then_matrix():
    kb = load_knowledge(replace=FIXTURE_KB)
    kb = kb.with_claims(
        [
            claim(source="old", as_of=date(2025, 1, 1)),
            claim(source="undated benchmark"),
            claim(source="new", as_of=date(2026, 3, 10)),
            claim(source="my bake-off", kind="bake_off", as_of=date(2026, 11, 30)),
        ]
    )
    got = [c.source for c in claims_for(kb, "gpt-4o", "hallucination_calibration")]
    assert got == ["my bake-off", "new", "old", "undated benchmark", "test"]


def test_extra_claims_at_load_time():
    extra = [claim(kind="bake_off", source="bake-off", as_of=date(2026, 11, 30), value=Decimal("0.92"))]
    kb = load_knowledge(replace=FIXTURE_KB, extra_claims=extra)
    assert claims_for(kb, "gpt-4o", "hallucination_calibration")[0].source == "bake-off"
    assert claims_for(kb, "gpt-4o-mini", "hallucination_calibration") == ()


def test_with_claims_refuses_an_unknown_model():
    kb = load_knowledge(replace=FIXTURE_KB)
    with pytest.raises(KnowledgeError) as info:
        kb.with_claims([claim(model="nope")], origin="bakeoffs/summary.json")
    assert info.value.lines() == ["bakeoffs/summary.json: model: claim 1 names unknown model 'nope'"]


def test_swapping_models_drops_the_builtin_evidence():
    kb = load_knowledge(replace=FIXTURE_KB)
    assert kb.claims == ()


# --------------------------------------------------------------------------- overlays

def test_an_overlay_adds_claims(here):
    overlay = _overlay(here, GOOD)
    kb = load_knowledge([overlay])
    got = claims_for(kb, "gpt-4o", "hallucination_calibration")
    builtin = load_knowledge()
    assert len(got) == len(claims_for(builtin, "gpt-4o", "hallucination_calibration")) + 1
    assert "overlay/evidence/extra.yaml" in kb.sources


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("level: moderate", "level: great",
         "overlay/evidence/extra.yaml:4: claims[0].level: must be one of 'best', 'excellent', 'good', 'moderate', 'limited' or 'none'; got 'great'"),
        ("dimension: hallucination_calibration", "dimension: calibration",
         "overlay/evidence/extra.yaml:3: claims[0].dimension: unknown dimension 'calibration'"),
        ("as_of: 2026-03-10", "as_of: 2026-13-10",
         "overlay/evidence/extra.yaml:6: claims[0].as_of:"),
        ("model: gpt-4o", "model: gpt-9",
         "overlay/evidence/extra.yaml:2: claims[0].model: unknown model 'gpt-9'"),
        ("    label: grounded hallucination\n", "    lable: x\n",
         "overlay/evidence/extra.yaml:9: claims[0].lable: unknown key (did you mean 'label'?)"),
    ],
)
def test_bad_overlay_evidence_is_located(here, old, new, expected):
    assert old in GOOD
    overlay = _overlay(here, GOOD.replace(old, new))
    with pytest.raises(KnowledgeError) as info:
        load_knowledge([overlay])
    lines = info.value.lines()
    assert len(lines) == 1 and lines[0].startswith(expected), lines


def test_bad_evidence_exits_2_from_the_cli(here):
    overlay = _overlay(here, GOOD.replace("level: moderate", "level: great").replace("model: gpt-4o", "model: gpt-9"))
    _overlay(here, GOOD.replace("as_of: 2026-03-10", "as_of: someday"), name="second.yaml")
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env.update({"PYTHONPATH": str(REPO), "ADVISOR_DATA_DIR": str(here / "data")})
    run = subprocess.run(
        [sys.executable, "-m", "advisor", "--answers", str(REPO / "examples" / "answers" / "7-safe-default.yaml"),
         "--knowledge", str(overlay)],
        cwd=here, env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
    )
    assert run.returncode == 2, run.stderr
    assert "Traceback" not in run.stderr and run.stdout == ""
    assert "overlay/evidence/extra.yaml:4: claims[0].level: must be one of" in run.stderr
    assert "overlay/evidence/second.yaml:6: claims[0].as_of:" in run.stderr


# --------------------------------------------------------------------------- citations

@pytest.mark.parametrize(
    ("kw", "text"),
    [
        (dict(label="grounded hallucination", value=Decimal("4.1"), unit="%", as_of=date(2026, 3, 10)),
         "grounded hallucination: good — Vectara HHEM 4.1%, 2026-03-10"),
        (dict(dimension="coding", label="code editing", source="Aider polyglot", value=Decimal("61.3"), unit="%",
              setting="32k thinking", as_of=date(2025, 5, 24)),
         "code editing: good — Aider polyglot 61.3% (32k thinking), 2025-05-24"),
        (dict(dimension="long_context", source="RULER", value=Decimal("64"), unit="K tokens"),
         "long-context faithfulness: good — RULER 64K tokens, undated"),
        (dict(kind="bake_off", source="your bake-off", value=Decimal("18"), unit="cases", as_of=date(2026, 11, 30)),
         "hallucination calibration: good — your bake-off 18 cases, 2026-11-30"),
    ],
)
def test_cite(kw, text):
    assert cite(claim(**kw)) == text


def test_one_source_with_two_settings_is_no_disagreement():
    a = claim(source="Aider polyglot", level="good", setting="no thinking")
    b = claim(source="Aider polyglot", level="excellent", setting="32k thinking")
    assert disagreement([a, b]) is None
    # against another source, each source is named once, with its levels together
    matrix = claim(source="seed-000 capability matrix", level="good", kind="matrix")
    assert disagreement([a, b, matrix]) == "good/excellent (Aider polyglot) vs good (seed-000 capability matrix)"
    assert disagreement([a, claim(source="Vectara HHEM", level="good")]) is None  # two sources, one level


# --------------------------------------------------------------------------- shared fields

SHARED = """\
defaults:
  source: Vectara HHEM
  as_of: 2026-03-10
by_dimension:
  hallucination_calibration:
    label: grounded hallucination
    unit: "%"
claims:
  - {model: gpt-4o, dimension: hallucination_calibration, level: moderate, value: 9.6}
  - {model: gpt-4o, dimension: coding, level: good, source: Aider polyglot, value: 61}
"""


def test_defaults_fill_each_claim_unless_it_sets_its_own(here):
    kb = load_knowledge([_overlay(here, SHARED)])
    vectara = [c for c in claims_for(kb, "gpt-4o", "hallucination_calibration") if c.source == "Vectara HHEM"]
    assert any(cite(c) == "grounded hallucination: moderate — Vectara HHEM 9.6%, 2026-03-10" for c in vectara)
    mine = [c for c in claims_for(kb, "gpt-4o", "coding") if c.value == 61]
    assert [(c.source, c.unit, c.label, c.as_of) for c in mine] == [("Aider polyglot", None, None, date(2026, 3, 10))]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("  source: Vectara HHEM\n", "  sorce: Vectara HHEM\n", "overlay/evidence/extra.yaml:2: defaults.sorce: unknown key (did you mean 'source'?)"),
        ("  hallucination_calibration:\n", "  calibration:\n", "overlay/evidence/extra.yaml:4: by_dimension: unknown dimension 'calibration'"),
        ("level: good,", "level: fine,", "overlay/evidence/extra.yaml:10: claims[1].level: must be one of"),
    ],
)
def test_bad_shared_fields_are_located(here, old, new, expected):
    assert old in SHARED
    with pytest.raises(KnowledgeError) as info:
        load_knowledge([_overlay(here, SHARED.replace(old, new))])
    assert any(line.startswith(expected) for line in info.value.lines()), info.value.lines()
