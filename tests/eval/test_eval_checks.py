"""Every check kind against hand-written expectations, including partial credit."""

import pytest

from advisor.eval.cases import parse_cases
from advisor.eval.checks import parse_json_answer, run_check, score_case, schema_problems, validate_schema


def case(yaml_text):
    return parse_cases(yaml_text, "c.yaml").cases[0]


def test_equals_string_and_json_value():
    c = case("- {id: a, input: q, expected: Positive, checks: [{type: equals, ignore_case: true}]}")
    assert run_check(c.checks[0], c, "  positive\n").score == 1.0
    assert run_check(c.checks[0], c, "negative").score == 0.0
    c2 = case("- {id: a, input: q, expected: {x: 1}, checks: [{type: equals}]}")
    assert run_check(c2.checks[0], c2, '{"x": 1}').passed
    assert not run_check(c2.checks[0], c2, '{"x": 2}').passed


def test_default_check_is_equals_on_expected():
    c = case("- {id: a, input: q, expected: yes}")
    assert [type(x).__name__ for x in c.effective_checks] == ["EqualsCheck"]


def test_contains_partial_credit():
    c = case("- {id: a, input: q, checks: [{type: contains, value: [Paris, France, Europe]}]}")
    r = run_check(c.checks[0], c, "paris is in france")
    assert r.score == pytest.approx(2 / 3) and not r.passed and "Europe" in r.detail


def test_regex():
    c = case("- {id: a, input: q, checks: [{type: regex, pattern: '^INV-\\d{4}$'}]}")
    assert run_check(c.checks[0], c, "INV-2024").passed
    assert not run_check(c.checks[0], c, "INV-24").passed


def test_valid_json_tolerates_a_code_fence_and_says_so():
    c = case("- {id: a, input: q, checks: [{type: valid_json}]}")
    assert run_check(c.checks[0], c, '{"a": 1}').detail == ""
    fenced = run_check(c.checks[0], c, '```json\n{"a": 1}\n```')
    assert fenced.passed and "code fence" in fenced.detail
    assert not run_check(c.checks[0], c, "{a: 1}").passed
    assert parse_json_answer('```\n[1]\n```') == (True, [1], False)


SCHEMA = {
    "type": "object",
    "properties": {
        "vendor": {"type": "string"},
        "total": {"type": "number"},
        "count": {"type": "integer"},
        "currency": {"enum": ["USD", "EUR"]},
        "lines": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]}},
        "paid": {"type": ["boolean", "null"]},
    },
    "required": ["vendor", "total"],
    "additionalProperties": False,
}


def test_json_schema_keywords():
    ok = {"vendor": "ACME", "total": 12.5, "count": 3, "currency": "USD", "lines": [{"sku": "A"}], "paid": None}
    assert validate_schema(ok, SCHEMA) == []
    assert validate_schema({"vendor": "A"}, SCHEMA) == ["$: missing required property 'total'"]
    assert validate_schema({"vendor": "A", "total": 1, "x": 1}, SCHEMA) == ["$: unexpected property 'x'"]
    assert validate_schema({"vendor": "A", "total": "1"}, SCHEMA) == ["$.total: expected number, got string"]
    assert validate_schema({"vendor": "A", "total": 1, "count": 1.5}, SCHEMA) == ["$.count: expected integer, got number"]
    assert validate_schema({"vendor": "A", "total": 1, "currency": "GBP"}, SCHEMA) == ["$.currency: 'GBP' is not one of ['USD', 'EUR']"]
    assert validate_schema({"vendor": "A", "total": 1, "lines": [{"sku": "A"}, {}]}, SCHEMA) == ["$.lines[1]: missing required property 'sku'"]
    assert validate_schema({"vendor": "A", "total": True}, SCHEMA) == ["$.total: expected number, got boolean"]
    assert validate_schema({"a": 1}, {"type": "object", "additionalProperties": {"type": "string"}}) == ["$.a: expected string, got integer"]


def test_json_schema_check_and_schema_problems():
    c = parse_cases("- id: a\n  input: q\n  checks:\n    - type: json_schema\n      schema: {type: object, required: [a]}\n", "c.yaml").cases[0]
    assert run_check(c.checks[0], c, '{"a": 1}').passed
    r = run_check(c.checks[0], c, '{"b": 1}')
    assert not r.passed and "missing required property 'a'" in r.detail
    assert run_check(c.checks[0], c, "nope").detail == "not valid JSON"
    assert schema_problems({"type": "obj", "minLength": 2}) == [
        "unsupported keyword 'minLength' (supported: type, properties, required, enum, items, additionalProperties)",
        "type: unknown type 'obj'",
    ]


def test_fields_partial_credit_with_normalisation():
    c = case(
        "- id: a\n  input: q\n  expected: {vendor: ACME Corp, total: 1200.5, date: '2024-03-01', po: null}\n"
        "  checks: [{type: fields, numeric_tolerance: 0.01}]\n"
    )
    r = run_check(c.checks[0], c, '{"vendor": "acme  corp", "total": "1,200.50", "date": "2024-03-02"}')
    # vendor ok (case/space), total ok (string number), date wrong, po expected null and absent: ok
    assert r.score == pytest.approx(3 / 4) and r.detail == "3/4 fields; wrong: date"
    assert run_check(c.checks[0], c, "not json").score == 0.0


def test_fields_subset_and_nested():
    c = case("- id: a\n  input: q\n  expected: {a: {b: 1}, c: 2}\n  checks: [{type: fields, fields: [a.b]}]\n")
    assert run_check(c.checks[0], c, '{"a": {"b": 1}, "c": 99}').passed


def test_max_length():
    c = case("- {id: a, input: q, checks: [{type: max_length, chars: 10, words: 2}]}")
    assert run_check(c.checks[0], c, "two words").passed
    r = run_check(c.checks[0], c, "three short words")
    assert not r.passed and r.detail == "17 characters > 10; 3 words > 2"


async def test_weighted_score_and_threshold():
    c = case(
        "- id: a\n  input: q\n  threshold: 0.7\n  checks:\n"
        "    - {type: contains, value: [a, b], weight: 2}\n    - {type: max_length, chars: 3}\n"
    )
    score, passed, results = await score_case(c, "a c")  # contains 0.5 (w2), max_length 1 (w1)
    assert score == pytest.approx((0.5 * 2 + 1) / 3) and not passed
    score, passed, _ = await score_case(c, "a b")
    assert score == 1.0 and passed


async def test_llm_judge_uses_the_judge_and_maps_scores():
    c = case("- {id: a, input: q, checks: [{type: llm_judge, rubric: Is it polite?, pass_score: 4}]}")

    async def judge(check, cs, answer):
        return 0.75, "judge 4/5: polite"

    score, passed, results = await score_case(c, "thanks!", judge)
    assert score == 0.75 and passed and results[0].detail == "judge 4/5: polite"
    score, passed, results = await score_case(c, "thanks!", None)
    assert score == 0.0 and results[0].detail == "no judge model available"


def test_parse_judge_reply():
    from advisor.eval.checks import parse_judge_reply

    assert parse_judge_reply('{"score": 5, "reason": "great"}') == (1.0, "judge 5/5: great")
    assert parse_judge_reply("I give it a 2.")[0] == 0.25
    with pytest.raises(ValueError):
        parse_judge_reply("no idea")


# -- answers no check can parse must fail the case, never end the run --------------------

DEEP = "[" * 100_000 + "]" * 100_000
NESTED_990 = '{"a": ' + "[" * 990 + "]" * 990 + "}"


async def test_deeply_nested_or_huge_answers_fail_with_a_reason():
    from advisor.eval.cases import parse_cases
    from advisor.eval.checks import score_case

    cs = parse_cases(
        "- id: j\n  input: x\n  expected: {a: 1}\n  checks:\n"
        "    - {type: valid_json}\n    - {type: json_schema, schema: {type: object, properties: {a: {type: array, items: {type: array}}}}}\n"
        "    - {type: fields}\n    - {type: equals}\n",
        "c.yaml",
    )
    case = cs.cases[0]
    for answer in (DEEP, NESTED_990, '{"a": ' + "9" * 5000 + "}", '{"a": 1e999}'):
        score, passed, results = await score_case(case, answer)
        assert not passed and len(results) == 4
        assert all(isinstance(r.detail, str) for r in results)
