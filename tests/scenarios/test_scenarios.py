"""Acceptance scenarios: each answers file against what an engineer wrote down, blind.

Every ``<name>.yaml`` here is a valid answers file; ``<name>.expect.yaml`` beside
it holds the expectations (README.md). The answers are loaded the way
``advisor --answers`` loads them, the shipped knowledge is used as it is, and the
shortlist is made for 2026-12-01. A failure lists every expectation it broke,
each with the reason the engineer gave.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from .expectations import check, checkable, validate

HERE = Path(__file__).resolve().parent
TODAY = date(2026, 12, 1)
MIN_SCENARIOS = 32


def _answers_files() -> list[Path]:
    return sorted(p for p in HERE.glob("*.yaml") if not p.name.endswith(".expect.yaml"))


def _expect_path(answers: Path) -> Path:
    return answers.with_name(answers.stem + ".expect.yaml")


@pytest.fixture(scope="module")
def shipped_kb():
    from advisor.core.knowledge import load_knowledge

    return load_knowledge([])


def test_every_scenario_has_expectations_and_a_story():
    answers = _answers_files()
    assert len(answers) >= MIN_SCENARIOS, f"only {len(answers)} scenarios; the issue asks for at least {MIN_SCENARIOS}"
    missing = [p.name for p in answers if not _expect_path(p).exists()]
    assert not missing, f"answers files without an .expect.yaml: {missing}"
    stems = {p.stem for p in answers}
    orphans = [p.name for p in HERE.glob("*.expect.yaml") if p.name[: -len(".expect.yaml")] not in stems]
    assert not orphans, f"expectations without an answers file: {orphans}"
    for path in answers:
        head = path.read_text(encoding="utf-8").splitlines()
        comments = [line for line in head[:40] if line.startswith("#")]
        assert head and head[0].startswith("# Who:"), f"{path.name}: must start with a '# Who:' comment block"
        text = " ".join(comments)
        assert "accept" in text and "Never" in text, (
            f"{path.name}: the comment must say what would be accepted and what must never be shortlisted"
        )


def _known_gaps() -> dict[str, str]:
    """Scenarios where advisor's pick and the engineer's expectation still differ,
    each with the lead's reading of why (known_gaps.yml). The expectation itself
    is never edited to match; a gap that closes makes its test fail (strict xfail)
    until its line is removed."""
    path = HERE / "known_gaps.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {} if path.exists() else {}


def test_known_gaps_name_real_scenarios():
    stems = {p.stem for p in _answers_files()}
    unknown = sorted(set(_known_gaps()) - stems)
    assert not unknown, f"known_gaps.yml names scenarios that do not exist: {unknown}"
    assert all(isinstance(v, str) and len(v) > 40 for v in _known_gaps().values()), "each gap needs a real reason"


@pytest.mark.scenarios
@pytest.mark.parametrize("answers_path", _answers_files(), ids=lambda p: p.stem)
def test_scenario(answers_path: Path, shipped_kb, request):
    gap = _known_gaps().get(answers_path.stem)
    if gap:
        request.applymarker(pytest.mark.xfail(reason=gap, strict=True))
    from advisor.core.engine import shortlist
    from advisor.core.questions import load_answers

    expect_path = _expect_path(answers_path)
    spec = yaml.safe_load(expect_path.read_text(encoding="utf-8"))
    problems = [f"{expect_path.name}: {p}" for p in validate(spec, shipped_kb)]
    answers = load_answers(shipped_kb, answers_path)
    result = shortlist(answers, shipped_kb, today=TODAY)
    if isinstance(spec, dict):
        problems += check(checkable(spec, shipped_kb), result, shipped_kb, TODAY)
    shown = ", ".join(f"{c.role}={c.option.key}" for c in result.candidates) or "empty"
    assert not problems, f"{answers_path.name} (shortlist: {shown}):\n- " + "\n- ".join(problems)

