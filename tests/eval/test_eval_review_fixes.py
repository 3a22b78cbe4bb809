"""Regression tests for the eval code review (one section per finding)."""

from __future__ import annotations

from advisor.eval.results import CaseResult, ResultsWriter, read_results


def _result(case_id: str, **kw) -> CaseResult:
    return CaseResult(model_key="m@openai", label="M", case_id=case_id, repeat=0, ok=True, **kw)


# -- 1. a torn last line does not swallow the next result ---------------------------

def test_append_after_a_torn_line_keeps_the_new_result(tmp_path):
    path = tmp_path / "r.jsonl"
    with ResultsWriter(path) as w:
        w.append(_result("c0"))
    with open(path, "a", encoding="utf-8") as fh:  # the crash: half a line, no newline
        fh.write(_result("c1").model_dump_json()[:30])
    with ResultsWriter(path, append=True) as w:
        w.append(_result("c2"))
    assert sorted(r.case_id for r in read_results(path)) == ["c0", "c2"]


def test_append_to_a_clean_or_empty_file_adds_no_blank_line(tmp_path):
    path = tmp_path / "r.jsonl"
    path.write_text("")
    with ResultsWriter(path, append=True) as w:
        w.append(_result("c0"))
    with ResultsWriter(path, append=True) as w:
        w.append(_result("c1"))
    assert path.read_text().count("\n") == 2 and "\n\n" not in path.read_text()
