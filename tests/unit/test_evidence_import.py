"""tools/import_evidence.py on trimmed copies of the three public tables
(tests/fixtures/evidence, licences beside them) against the small test catalogue."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest

from conftest import FIXTURE_KB  # tests/conftest.py (on sys.path under pytest)
import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "evidence"
DATA = FIXTURES / "data"
MODELS = REPO / "tests" / "fixtures" / "kb" / "models.yaml"
LEVELS = REPO / "knowledge" / "evidence_levels.yaml"
SCRIPT = REPO / "tools" / "import_evidence.py"


def _tool():
    spec = importlib.util.spec_from_file_location("import_evidence", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("import_evidence", module)
    spec.loader.exec_module(module)
    return module


tool = _tool()


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    where = tmp_path_factory.mktemp("evidence")
    assert tool.main(["--data", str(DATA), "--out", str(where), "--models", str(MODELS)]) == 0
    return where


def _claims(out: Path, source: str) -> list[dict]:
    """The claims as knowledge reads them (each with its file's defaults filled in)."""
    from advisor.core.schema import EvidenceFile

    parsed = EvidenceFile.model_validate(yaml.safe_load((out / f"{source}.yaml").read_text()))
    return [c.model_dump(exclude_none=True) for c in parsed.claims]


def _one(claims, **where):
    found = [c for c in claims if all(c.get(k) == v for k, v in where.items())]
    assert len(found) == 1, (where, found)
    return found[0]


# --------------------------------------------------------------------------- what is written

def test_vectara_claim_says_what_it_measures(out):
    c = _one(_claims(out, "vectara"), model="mistral-large")  # endpoint mistral-large-2411
    assert c["dimension"] == "hallucination_calibration"
    assert c["level"] == "good"  # 4.5% <= 7.0
    assert c["value"] == Decimal("4.5") and c["unit"] == "%"
    assert c["source"] == "Vectara HHEM" and str(c["as_of"]) == "2026-03-10"
    assert c["label"] == "grounded hallucination" and c["kind"] == "benchmark"
    assert "not calibration in general" in c["measures"]
    assert c["url"].startswith("https://github.com/vectara/")


def test_a_snapshot_other_than_the_served_one_is_named(out):
    # knowledge serves gpt-4o-2024-11-20; Vectara measured 2024-08-06
    c = _one(_claims(out, "vectara"), model="gpt-4o")
    assert c["setting"] == "snapshot 2024-08-06" and c["level"] == "moderate"


def test_each_aider_setting_is_its_own_claim(out):
    aider = _claims(out, "aider")
    opus = [c for c in aider if c["model"] == "claude-opus-4" and c["dimension"] == "coding"]
    assert sorted((c["setting"], c["value"]) for c in opus) == [
        ("32k thinking, diff edit format", Decimal("72.0")),
        ("no think, diff edit format", Decimal("70.7")),
    ]
    o3 = _one(aider, model="o3", dimension="coding")
    assert o3["setting"] == "reasoning effort: high, diff edit format" and o3["level"] == "best"
    assert str(o3["as_of"]) == "2025-06-25"  # the row's own date
    wf = _one(aider, model="o3", dimension="instruction_following")
    assert wf["label"] == "format adherence" and wf["level"] == "moderate"  # 94.7%


def test_whole_file_runs_give_no_format_claim(out):
    mini = [c for c in _claims(out, "aider") if c["model"] == "gpt-4o-mini"]
    assert [c["dimension"] for c in mini] == ["coding"]


def test_ruler_levels_and_qualifiers(out):
    ruler = _claims(out, "ruler")
    llama = _one(ruler, model="llama-3-1-70b")  # alias "Llama3.1 (70B)"
    assert (llama["level"], llama["value"], llama["unit"]) == ("good", 64, "K tokens")
    assert "66.6% at 128K" in llama["metric"]
    gemini = _one(ruler, model="gemini-1-5-pro")
    assert gemini["level"] == "excellent" and "longest tested" in gemini["setting"]
    assert "as_of" not in gemini  # RULER's table carries no date


def test_shared_fields_are_written_once(out):
    text = (out / "aider.yaml").read_text()
    assert text.count("https://aider.chat/docs/leaderboards/") == 1
    assert text.count("Share of 225 Exercism exercises") == 1
    raw = yaml.safe_load(text)["claims"]
    assert all("measures" not in c and "source" not in c for c in raw)
    assert len(raw) == len(_claims(out, "aider"))


def test_header_names_licence_and_provenance(out):
    for source, commit in (("vectara", "2e09859"), ("aider", "5dc9490"), ("ruler", "c3f5e3b")):
        head = (out / f"{source}.yaml").read_text().split("defaults:")[0]
        assert "Licence: Apache-2.0" in head and commit in head and "import_evidence.py" in head
        assert all(line.startswith("#") for line in head.strip().splitlines())


# --------------------------------------------------------------------------- what is not matched

def test_unmatched_rows_are_listed_not_guessed(out):
    matched = {(c["model"]) for s in ("vectara", "aider", "ruler") for c in _claims(out, s)}
    assert matched == {"gpt-4o", "gpt-4o-mini", "o3", "claude-opus-4", "mistral-large", "llama-3-1-70b", "gemini-1-5-pro"}
    text = (out / "UNMATCHED.md").read_text()
    for name in (
        "antgroup/finix_s1_32b",
        "meta-llama/Llama-3.3-70B-Instruct-Turbo",  # no llama-3-3-70b in the test catalogue
        "Gemini 2.0 Pro exp-02-05",
        "DeepSeek R1 + claude-3-5-sonnet-20241022",
        "Mistral (7B)",
        "Llama2 (7B)",
        "Phi3-mini (3.8B)",
    ):
        assert f"| {name} |" in text, name
    assert "| openai/gpt-5.4-2026-03-05 | gpt-5-4 |" in text  # LiteLLM (beside the data) names gpt-5.4
    assert "| Qwen3-235B-A22B* (235B) | qwen3-235b-a22b |" in text  # the id convention's list
    assert "v0.2" in text  # the recorded reason Mistral (7B) is not knowledge's mistral-7b
    assert "12 rows are listed" in text


def test_the_importer_prints_every_unmatched_row(tmp_path):
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(DATA), "--out", str(tmp_path), "--models", str(MODELS), "--litellm", "none"],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stderr
    printed = [line for line in run.stdout.splitlines() if line.startswith("unmatched ")]
    assert len(printed) == 12
    assert "unmatched vectara: openai/gpt-5.4-2026-03-05" in run.stdout
    assert "would be gpt-5-4" not in run.stdout  # without LiteLLM, gpt-5-4 is not an expected id


def test_rerunning_gives_the_same_bytes(out, tmp_path):
    assert tool.main(["--data", str(DATA), "--out", str(tmp_path), "--models", str(MODELS)]) == 0
    for name in ("vectara.yaml", "aider.yaml", "ruler.yaml", "UNMATCHED.md"):
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_the_output_loads_as_knowledge(out):
    from advisor.core.evidence import claims_for
    from advisor.core.knowledge import load_knowledge

    kb = load_knowledge(replace={**FIXTURE_KB, "evidence": out})
    got = claims_for(kb, "mistral-large", "hallucination_calibration")
    # the benchmark and the test catalogue's matrix disagree: both kept, benchmark first
    assert [(c.kind, c.level) for c in got] == [("benchmark", "good"), ("matrix", "moderate")]


# --------------------------------------------------------------------------- matching rules

def _kb(ids, endpoints=None):
    endpoints = endpoints or {}
    served = {}
    for api, mid in endpoints.items():
        served.setdefault(mid, set()).add(api.lower())
    return tool.Knowledge(set(ids), {k.lower(): v for k, v in endpoints.items()}, served, set())


def test_aider_setting_in_parentheses_and_date_suffix():
    cfg = yaml.safe_load(LEVELS.read_text())["sources"]["aider"]
    m = tool.match(["claude-sonnet-4-5-20250929"], "32k think", cfg, _kb({"claude-sonnet-4-5"}))
    assert m.model == "claude-sonnet-4-5" and m.settings == ["32k think"]


def test_dated_name_to_convention_id():
    cfg = yaml.safe_load(LEVELS.read_text())["sources"]["vectara"]
    served = _kb({"gpt-5-4"}, {"gpt-5.4-2026-03-05": "gpt-5-4"})
    assert tool.match(["openai/gpt-5.4-2026-03-05"], None, cfg, served).model == "gpt-5-4"
    assert tool.match(["openai/gpt-5.4-2026-03-05"], None, cfg, served).settings == []
    alias = _kb({"gpt-5-4"}, {"gpt-5.4": "gpt-5-4"})  # an undated alias: no snapshot to compare
    assert tool.match(["openai/gpt-5.4-2026-03-05"], None, cfg, alias).settings == []
    other = _kb({"gpt-5-4"}, {"gpt-5.4-2026-05-01": "gpt-5-4"})
    assert tool.match(["openai/gpt-5.4-2026-03-05"], None, cfg, other).settings == ["snapshot 2026-03-05"]
    effort = tool.match(["openai/gpt-5.2-low-2025-12-11"], None, cfg, _kb({"gpt-5-2"}))
    assert effort.model == "gpt-5-2" and effort.settings == ["reasoning effort: low"]
    # a different model that merely starts the same is not matched
    assert tool.match(["openai/gpt-5.4-pro-2026-03-05"], None, cfg, served).model is None


# --------------------------------------------------------------------------- thresholds

def _metric(source: str, column: str) -> dict:
    cfg = yaml.safe_load(LEVELS.read_text())["sources"][source]
    return next(m for m in cfg["metrics"] if m["column"] == column)


@pytest.mark.parametrize(
    ("value", "level"),
    [("2.5", "best"), ("2.6", "excellent"), ("4.0", "excellent"), ("4.1", "good"), ("7.0", "good"),
     ("7.1", "moderate"), ("11.0", "moderate"), ("11.1", "limited"), ("30", "limited")],
)
def test_vectara_boundaries(value, level):
    assert tool.level_for(Decimal(value), _metric("vectara", "hallucination_rate_pct")) == level


@pytest.mark.parametrize(
    ("value", "level"),
    [("80.0", "best"), ("79.9", "excellent"), ("70.0", "excellent"), ("69.9", "good"), ("55.0", "good"),
     ("54.9", "moderate"), ("35.0", "moderate"), ("34.9", "limited")],
)
def test_aider_pass_rate_boundaries(value, level):
    assert tool.level_for(Decimal(value), _metric("aider", "pass_rate_2")) == level


@pytest.mark.parametrize(("value", "level"), [("100", "excellent"), ("99.0", "excellent"), ("98.9", "good"), ("89.9", "limited")])
def test_format_adherence_never_best(value, level):
    assert tool.level_for(Decimal(value), _metric("aider", "percent_cases_well_formed")) == level


@pytest.mark.parametrize(("value", "level"), [("128", "excellent"), ("64", "good"), ("32", "moderate"), ("16", "limited")])
def test_ruler_boundaries(value, level):
    assert tool.level_for(Decimal(value), _metric("ruler", "effective_length")) == level


def test_every_threshold_has_a_reason():
    cfg = yaml.safe_load(LEVELS.read_text())
    tool.check_levels(cfg, "evidence_levels.yaml")  # the shipped file passes
    for source in cfg["sources"].values():
        for metric in source["metrics"]:
            assert all(len(t["reason"].split()) >= 5 for t in metric["thresholds"])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t[0].pop("reason"), "every threshold says why"),
        (lambda t: t.reverse(), "run from the best level to the worst"),
        (lambda t: t[0].update(level="superb"), "must be one of best"),
    ],
)
def test_bad_thresholds_are_refused(tmp_path, change, message):
    cfg = yaml.safe_load(LEVELS.read_text())
    change(cfg["sources"]["vectara"]["metrics"][0]["thresholds"])
    bad = tmp_path / "levels.yaml"
    bad.write_text(yaml.safe_dump(cfg))
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--data", str(DATA), "--out", str(tmp_path / "o"), "--models", str(MODELS),
         "--levels", str(bad), "--litellm", "none"],
        capture_output=True, text=True, check=False,
    )
    assert run.returncode == 2
    assert message in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "o").exists()


def test_missing_data_folder_exits_2(tmp_path):
    code = tool.main(["--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o"), "--models", str(MODELS), "--litellm", "none"])
    assert code == 2
