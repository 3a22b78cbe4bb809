"""Results files are advisor's own: a marker on the first line; ``--results`` never
appends to anything else; ``--resume`` runs again what ended in an error."""

from __future__ import annotations

import hashlib
import json

import pytest

from advisor.cli.eval_cmd import main
from advisor.eval.results import CaseResult, ResultsWriter, is_results_file, read_results

KEY = "sk-canary-results-0000"


def _targets(tmp_path, fake):
    p = tmp_path / "targets.yaml"
    p.write_text(
        f"- {{label: Fake, model_key: fake@openai, api: openai, base_url: '{fake.base}/v1', model_id: fake-1,\n"
        "   key_env: CANARY_KEY, input_price_per_m: 0.15, output_price_per_m: 0.60, tokenizer: o200k_base}\n"
    )
    return p


def _cases(tmp_path, n=3):
    p = tmp_path / "cases.yaml"
    p.write_text("".join(f"- {{id: c{i}, input: 'Say hello {i}', checks: [{{type: contains, value: hello}}]}}\n"
                         for i in range(n)))
    return p


def _sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _eval(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


def _result(case_id, ok=True):
    return CaseResult(model_key="m@openai", label="M", case_id=case_id, repeat=0, ok=ok,
                      error_kind=None if ok else "rate_limited", error=None if ok else "429")


def test_a_new_results_file_starts_with_the_marker_and_reads_back(tmp_path):
    path = tmp_path / "r.jsonl"
    with ResultsWriter(path, append=False) as w:
        w.append(_result("c0"))
    first = path.read_text().splitlines()[0]
    assert json.loads(first) == {"record": "marker", "advisor": "eval-results", "format": 1}
    assert is_results_file(path)
    assert [r.case_id for r in read_results(path)] == ["c0"]


def test_a_results_file_from_before_the_marker_is_still_ours(tmp_path):
    path = tmp_path / "old.jsonl"
    path.write_text(_result("c0").model_dump_json() + "\n")
    assert is_results_file(path)
    with ResultsWriter(path, append=True) as w:
        w.append(_result("c1"))
    assert sorted(r.case_id for r in read_results(path)) == ["c0", "c1"]


@pytest.mark.parametrize("resume", [False, True])
def test_results_refuses_a_file_that_is_not_a_results_file_and_leaves_it_alone(fake, tmp_path, monkeypatch, capsys,
                                                                                resume):
    monkeypatch.setenv("CANARY_KEY", KEY)
    answers = tmp_path / "answers.yaml"
    answers.write_text("task_type: extraction\nmonthly_requests: 500000\n")
    before = _sha(answers)
    args = ["--cases", str(_cases(tmp_path)), "--target-file", str(_targets(tmp_path, fake)), "--results", str(answers)]
    code, out, err = _eval(args + (["--resume"] if resume else []), capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "answers.yaml" in err and "--results" in err and "not an advisor results file" in err
    assert _sha(answers) == before and fake.requests == []


def test_results_refuses_a_directory_with_and_without_resume(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CANARY_KEY", KEY)
    folder = tmp_path / "out"
    folder.mkdir()
    base = ["--cases", str(_cases(tmp_path)), "--target-file", str(_targets(tmp_path, fake)), "--results", str(folder)]
    for extra in ([], ["--resume"]):
        code, _, err = _eval(base + extra, capsys)
        assert code == 2 and err.count("\n") == 1 and "is a directory" in err and "--results" in err
    assert list(folder.iterdir()) == [] and fake.requests == []


def test_report_on_the_results_path_is_refused_before_anything_runs(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CANARY_KEY", KEY)
    monkeypatch.chdir(tmp_path)
    targets, cases = _targets(tmp_path, fake), _cases(tmp_path)
    assert _eval(["--cases", str(cases), "--target-file", str(targets), "--results", "r.jsonl"], capsys)[0] == 0
    before, n = _sha(tmp_path / "r.jsonl"), len(fake.requests)
    code, _, err = _eval(["--cases", str(cases), "--target-file", str(targets), "--results", "r.jsonl", "--resume",
                          "--report", "./r.jsonl"], capsys)
    assert code == 2 and err.count("\n") == 1 and "--report" in err and "also the --results file" in err
    assert _sha(tmp_path / "r.jsonl") == before and len(fake.requests) == n


def test_resume_runs_errored_results_again_unless_told_not_to(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CANARY_KEY", KEY)
    targets, cases = _targets(tmp_path, fake), _cases(tmp_path)
    results = tmp_path / "r.jsonl"
    base = ["--cases", str(cases), "--target-file", str(targets), "--results", str(results),
            "--concurrency", "1", "--per-provider", "1"]
    fake.faults = [{"status": 400, "body": json.dumps({"error": {"message": "bad request"}})}]  # not retried in-run
    assert _eval(base, capsys)[0] == 0
    errored = [r for r in read_results(results) if not r.ok]
    assert len(errored) == 1 and len(read_results(results)) == 3

    n = len(fake.requests)
    code, _, _ = _eval(base + ["--resume", "--no-retry-errors"], capsys)
    assert code == 0 and len(fake.requests) == n  # nothing missing, the error kept
    assert [r.case_id for r in read_results(results) if not r.ok] == [errored[0].case_id]

    code, _, _ = _eval(base + ["--resume"], capsys)
    assert code == 0 and len(fake.requests) == n + 1  # only the errored one again
    assert all(r.ok for r in read_results(results)) and len(read_results(results)) == 3


def test_no_retry_errors_needs_resume(tmp_path, capsys):
    code, _, err = _eval(["--cases", "x.yaml", "--target-file", "t.yaml", "--no-retry-errors"], capsys)
    assert code == 2 and err.count("\n") == 1 and "--no-retry-errors" in err


def test_a_hostile_line_in_a_results_file_is_skipped_not_a_crash(tmp_path):
    path = tmp_path / "r.jsonl"
    with ResultsWriter(path, append=False) as w:
        w.append(_result("c0"))
    with open(path, "a", encoding="utf-8") as fh:
        fh.write("[" * 100_000 + "]" * 100_000 + "\n")  # json.loads alone: RecursionError
        fh.write('{"model_key": "m", "repeat": ' + "9" * 5000 + "}\n")  # int(): ValueError past 4,300 digits
    with ResultsWriter(path, append=True) as w:
        w.append(_result("c1"))
    assert sorted(r.case_id for r in read_results(path)) == ["c0", "c1"]


def test_a_spend_record_never_waits_for_a_result_lines_fsync(tmp_path, monkeypatch):
    """The result thread's fsync (slow on some disks) must not hold the lock the event
    loop takes to record spend: the loop would stall every stream in flight."""
    import threading
    from decimal import Decimal

    from advisor.eval import results as results_mod
    from advisor.eval.results import CaseResult, ResultsWriter, read_spend

    w = ResultsWriter(tmp_path / "r.jsonl", redact=lambda s: s)
    in_fsync, release = threading.Event(), threading.Event()
    real_fsync = results_mod.os.fsync

    def slow_fsync(fd):
        in_fsync.set()
        release.wait(10)
        real_fsync(fd)

    monkeypatch.setattr(results_mod.os, "fsync", slow_fsync)
    t = threading.Thread(target=w.append, args=(CaseResult(model_key="m", label="M", case_id="c", repeat=0, ok=True),))
    t.start()
    assert in_fsync.wait(10)
    done = threading.Event()
    s = threading.Thread(target=lambda: (w.append_spend(Decimal("0.5"), "m|c|0"), done.set()))
    s.start()
    finished_while_fsync_blocked = done.wait(5)
    release.set()
    t.join(10)
    s.join(10)
    monkeypatch.setattr(results_mod.os, "fsync", real_fsync)
    w.close()
    assert finished_while_fsync_blocked
    assert read_spend(tmp_path / "r.jsonl") == Decimal("0.5")
