"""Answers files: each mistake is one line naming file:line: field."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest

from advisor.core.questions import answers_from_mapping, load_answers, parse_answers
from advisor.errors import InputError


def _lines(kb, text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        parse_answers(kb, text, "answers.yaml")
    return info.value.lines()


OK = "task_type: chat\nmonthly_requests: 5000\n"


def test_minimal_answers_get_the_defaults(kb):
    a, _ = parse_answers(kb, OK, "answers.yaml")
    assert (a.task_type, a.monthly_requests) == ("chat", 5000)
    assert (a.avg_input_tokens, a.avg_output_tokens, a.context_tokens) == (1000, 300, 8000)
    assert a.quality_floor is None and a.latency_target_ms is None
    assert a.languages == ("en",) and a.compliance == ()


def test_unknown_key_did_you_mean(kb):
    assert _lines(kb, OK + "avg_input_token: 5\n") == [
        "answers.yaml:3: avg_input_token: unknown key (did you mean 'avg_input_tokens'?)"
    ]


def test_unknown_key_no_suggestion(kb):
    assert _lines(kb, OK + "colour: blue\n") == ["answers.yaml:3: colour: unknown key"]


def test_wrong_type(kb):
    lines = _lines(kb, "task_type: chat\nmonthly_requests: lots\n")
    assert len(lines) == 1
    assert lines[0].startswith("answers.yaml:2: monthly_requests: input should be a valid integer")
    assert lines[0].endswith("; got 'lots'")


def test_bool_is_not_a_number(kb):
    assert _lines(kb, "task_type: chat\nmonthly_requests: true\n") == [
        "answers.yaml:2: monthly_requests: must be a number, not true/false"
    ]


def test_wrong_bool(kb):
    assert _lines(kb, OK + "user_facing: maybe\n") == ["answers.yaml:3: user_facing: input should be a valid boolean; got 'maybe'"]


def test_bad_choice(kb):
    lines = _lines(kb, OK + "data_privacy: secret\n")
    assert lines == ["answers.yaml:3: data_privacy: must be one of 'standard', 'strict' or 'air_gapped'; got 'secret'"]


def test_bad_item_in_a_list(kb):
    assert _lines(kb, OK + "compliance: [soc2, hipa]\n") == [
        "answers.yaml:3: compliance[1]: must be one of 'gdpr_eu_residency', 'hipaa' or 'soc2'; got 'hipa'"
    ]


def test_negative_volume(kb):
    assert _lines(kb, "task_type: chat\nmonthly_requests: -5\n") == ["answers.yaml:2: monthly_requests: must be >= 1; got -5"]


def test_zero_tokens(kb):
    assert _lines(kb, OK + "avg_output_tokens: 0\n") == ["answers.yaml:3: avg_output_tokens: must be >= 1; got 0"]


def test_latency_target_zero(kb):
    assert _lines(kb, OK + "latency_target_ms: 0\n") == ["answers.yaml:3: latency_target_ms: must be >= 1; got 0"]


def test_budget_zero_is_not_a_budget(kb):
    assert _lines(kb, OK + "budget_per_request_usd: 0\n") == ["answers.yaml:3: budget_per_request_usd: must be > 0; got 0"]


def test_quality_floor_above_one(kb):
    assert _lines(kb, OK + "quality_floor: 1.5\n") == ["answers.yaml:3: quality_floor: must be <= 1; got 1.5"]


def test_missing_required_answer(kb):
    assert _lines(kb, "# my answers\ntask_type: chat\n") == ["answers.yaml:2: monthly_requests: is required and has no default"]


def test_several_problems_one_line_each(kb):
    lines = _lines(kb, "task_type: chat\nmonthly_requests: 0\navg_input_tokens: -1\ncolour: red\n")
    assert lines == [
        "answers.yaml:2: monthly_requests: must be >= 1; got 0",
        "answers.yaml:3: avg_input_tokens: must be >= 1; got -1",
        "answers.yaml:4: colour: unknown key",
    ]


def test_empty_file(kb):
    assert _lines(kb, "") == ["answers.yaml:1: the file is empty"]


def test_not_a_mapping(kb):
    assert _lines(kb, "- chat\n") == [
        "answers.yaml:1: must be a mapping of question ids to answers (see `advisor init`)"
    ]


def test_malformed_yaml(kb):
    lines = _lines(kb, "task_type: chat\nmonthly_requests: [1, 2\n")
    assert len(lines) == 1
    assert lines[0].startswith("answers.yaml:")
    assert "malformed YAML" in lines[0]


def test_malformed_yaml_line_number(kb):
    lines = _lines(kb, "task_type: chat\nmonthly_requests: 5\nbad: a: b\n")
    assert len(lines) == 1 and lines[0].startswith("answers.yaml:3: malformed YAML: ")


def test_duplicate_key(kb):
    assert _lines(kb, "task_type: chat\nmonthly_requests: 5\ntask_type: code\n") == [
        "answers.yaml:3: task_type: key given twice (first on line 1); the second would silently win"
    ]


def test_load_answers_from_a_file(kb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("a.yaml").write_text("task_type: chat\nmonthly_requests: 0\n")
    with pytest.raises(InputError) as info:
        load_answers(kb, "a.yaml")
    assert info.value.lines() == ["a.yaml:2: monthly_requests: must be >= 1; got 0"]


def test_load_answers_a_directory(kb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("dir.yaml").mkdir()
    with pytest.raises(InputError) as info:
        load_answers(kb, "dir.yaml")
    assert info.value.lines() == ["dir.yaml: is a directory, not a file"]


def test_load_answers_missing_file(kb, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError) as info:
        load_answers(kb, "nope.yaml")
    assert info.value.lines() == ["nope.yaml: no such file"]


def test_stdin(kb, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("task_type: code\nmonthly_requests: 42\n"))
    a = load_answers(kb, "-")
    assert (a.task_type, a.monthly_requests) == ("code", 42)


def test_stdin_errors_name_stdin(kb, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("task_type: code\nmonthly_requests: -1\n"))
    with pytest.raises(InputError) as info:
        load_answers(kb, "-")
    assert info.value.lines() == ["<stdin>:2: monthly_requests: must be >= 1; got -1"]


def test_answers_are_frozen(answers):
    a = answers()
    with pytest.raises(Exception):
        a.monthly_requests = 1  # type: ignore[misc]


def test_money_answers_are_decimal(answers):
    a = answers(budget_per_request_usd=0.01)
    assert isinstance(a.budget_per_request_usd, Decimal)


def test_answers_from_mapping_unknown_key(kb):
    with pytest.raises(InputError) as info:
        answers_from_mapping(kb, {"task_type": "chat", "monthly_requests": 1, "tool_usage": True})
    assert info.value.lines() == ["answers: tool_usage: unknown key (did you mean 'tool_use'?)"]


def test_numbers_beyond_any_real_workload_are_refused_with_their_bound(kb):
    lines = _lines(
        kb,
        "task_type: extraction\nmonthly_requests: 1000000000000000000000000000000\n"
        "avg_input_tokens: 99999999999999999999999999999999\n",
    )
    assert lines == [
        "answers.yaml:2: monthly_requests: must be <= 1000000000000; got 1000000000000000000000000000000",
        "answers.yaml:3: avg_input_tokens: must be <= 100000000; got 99999999999999999999999999999999",
    ]


def test_numbers_yaml_reads_as_text_are_taken_as_numbers(kb):
    # YAML 1.1 reads 1e6 (no dot) and 1,500 as strings
    answers, _ = parse_answers(kb, "task_type: extraction\nmonthly_requests: 1e6\navg_input_tokens: 1,500\n", "a.yaml")
    assert answers.monthly_requests == 1_000_000
    assert answers.avg_input_tokens == 1500
    assert _lines(kb, "task_type: extraction\nmonthly_requests: 1e40\n") == [
        "answers.yaml:2: monthly_requests: 1e40 is out of range"
    ]


def test_a_list_answer_may_not_repeat_itself(kb):
    assert _lines(kb, "task_type: extraction\nmonthly_requests: 5\ncompliance: [hipaa, hipaa]\n") == [
        "answers.yaml:3: compliance: lists 'hipaa' more than once"
    ]


def test_an_alias_that_contains_itself_is_refused(kb):
    assert _lines(kb, "task_type: &a [*a]\nmonthly_requests: 5\n") == [
        "answers.yaml:1: an alias refers to a value that contains it (a loop)"
    ]


def test_an_alias_bomb_is_refused_before_it_expands(kb):
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for i in range(ord("b"), ord("i")):
        prev = chr(i - 1)
        lines.append(f"{chr(i)}: &{chr(i)} [" + ",".join(["*" + prev] * 9) + "]")  # 9**8 values in all
    lines += ["task_type: extraction", "monthly_requests: 5", "languages: *h"]
    out = _lines(kb, "\n".join(lines) + "\n")
    assert len(out) == 1 and "once aliases are expanded; refusing to read it" in out[0]


def test_the_app_the_prompts_and_answers_files_read_numbers_alike(kb):
    from advisor.core.questions import parse_value

    monthly = kb.question_by_id["monthly_requests"]
    budget = kb.question_by_id["budget_per_request_usd"]
    for text, expected in (("1e6", 1_000_000), ("1,000", 1000), ("1_000", 1000), ("500000", 500_000)):
        typed = parse_value(monthly, text)
        from_file, _ = parse_answers(kb, f"task_type: chat\nmonthly_requests: {text}\n", "a.yaml")
        assert typed == from_file.monthly_requests == expected
    typed = parse_value(budget, "$0.01")
    from_file, _ = parse_answers(kb, 'task_type: chat\nmonthly_requests: 5\nbudget_per_request_usd: "$0.01"\n', "a.yaml")
    assert typed == from_file.budget_per_request_usd == Decimal("0.01")
    with pytest.raises(ValueError, match="whole number"):
        parse_value(monthly, "1.5")
