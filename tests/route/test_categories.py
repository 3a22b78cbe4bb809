"""Case categories: written on the cases or given by one rule (tag, input length, task type), with located errors."""

from __future__ import annotations

from decimal import Decimal

import pytest

from advisor.errors import InputError
from advisor.eval.cases import load_cases, parse_cases
from advisor.eval.categories import category_of, routing_mode
from advisor.eval.route import RouteInputError, parse_shares


def cats(cf, **kw):
    return {c.id: category_of(c, cf.categories, **kw) for c in cf.cases}


def test_the_shipped_triage_set_has_three_categories_by_tag():
    cf = load_cases("examples/cases/triage.yaml")
    got = cats(cf)
    assert {v for v in got.values()} == {"label", "reply", "escalate"}
    assert sum(1 for v in got.values() if v == "label") == 16 and sum(1 for v in got.values() if v == "escalate") == 2
    assert routing_mode(cf.cases, cf.categories) == "tag"


def test_input_length_bands_take_the_first_that_fits():
    cf = parse_cases(
        "categories: {by: input_length, bands: [{category: short, max_chars: 10}, {category: mid, max_chars: 20}, {category: long}]}\n"
        "cases:\n  - {id: a, input: 'tiny', expected: x}\n  - {id: b, input: 'exactly ten', expected: x}\n"
        "  - {id: c, input: 'a good deal longer than twenty', expected: x}\n"
        "  - id: d\n    messages: [{role: user, content: '12345'}, {role: assistant, content: '67890'}, {role: user, content: 'z'}]\n"
        "    expected: x\n",
        "c.yaml",
    )
    # 'exactly ten' has 11 characters; d's messages add up to 11 (the shared system prompt is not counted)
    assert cats(cf) == {"a": "short", "b": "mid", "c": "long", "d": "mid"}
    assert routing_mode(cf.cases, cf.categories) == "input_length"


def test_task_type_rule_uses_a_task_tag_else_the_answers_task():
    cf = parse_cases("categories: {by: task_type}\ncases:\n  - {id: a, input: x, expected: y, tags: [extraction, hard]}\n"
                     "  - {id: b, input: x, expected: y, tags: [hard]}\n", "c.yaml")
    assert cats(cf, task_types=("classification", "extraction"), main_task="classification") == {"a": "extraction", "b": "classification"}


def test_written_categories_mean_a_classifier_and_none_means_one_category():
    cf = parse_cases("- {id: a, input: x, expected: y, category: easy}\n- {id: b, input: x, expected: y, category: hard}\n", "c.yaml")
    assert routing_mode(cf.cases, cf.categories) == "classifier" and cats(cf) == {"a": "easy", "b": "hard"}
    plain = parse_cases("- {id: a, input: x, expected: y}\n", "c.jsonl.yaml")
    assert routing_mode(plain.cases, plain.categories) == "none" and cats(plain) == {"a": "all"}


@pytest.mark.parametrize("text, line, message", [
    # a case without a category among cases that have one
    ("- {id: a, input: x, expected: y, category: easy}\n- {id: b, input: x, expected: y}\n", 2,
     "has no category while other cases have one"),
    # a category beside the file's rule
    ("categories: {by: tag, tags: [easy]}\ncases:\n  - {id: a, input: x, expected: y, tags: [easy]}\n"
     "  - {id: b, input: x, expected: y, tags: [easy], category: hard}\n", 4,
     "give each case a category or the file a categories rule, not both"),
    # the tag rule gives a case nothing
    ("categories: {by: tag, tags: [easy, hard]}\ncases:\n  - {id: a, input: x, expected: y, tags: [other]}\n", 3,
     "has none of the categories' tags (easy, hard); add one or give the rule a default"),
    # a category a router cannot use as a model group name
    ("- {id: a, input: x, expected: y, category: 'two words'}\n", 1, "category"),
])
def test_category_mistakes_are_located(text, line, message):
    with pytest.raises(InputError) as exc:
        parse_cases(text, "c.yaml")
    lines = exc.value.lines()
    assert len(lines) == 1 and lines[0].startswith(f"c.yaml:{line}:") and message in lines[0]


def test_length_bands_must_grow_and_end_open():
    with pytest.raises(InputError) as exc:
        parse_cases("categories: {by: input_length, bands: [{category: a, max_chars: 20}, {category: b, max_chars: 10}, "
                    "{category: c}]}\ncases:\n  - {id: a, input: x, expected: y}\n", "c.yaml")
    assert "max_chars must grow from band to band" in exc.value.lines()[0]
    with pytest.raises(InputError) as exc:
        parse_cases("categories: {by: input_length, bands: [{category: a, max_chars: 20}]}\ncases:\n  - {id: a, input: x, expected: y}\n", "c.yaml")
    assert "leave out its max_chars" in exc.value.lines()[0]


def test_shares_read_percent_or_fraction_and_must_add_up():
    assert parse_shares(["a=70%", "b=0.3"]) == {"a": Decimal("0.70"), "b": Decimal("0.3")}
    with pytest.raises(RouteInputError, match="add up to 90%"):
        parse_shares(["a=60%", "b=30%"])
    with pytest.raises(RouteInputError, match="given twice"):
        parse_shares(["a=50%", "a=50%"])


def _results(cf, passing):
    from advisor.eval.results import CaseResult

    return [CaseResult(model_key=k, label=k, case_id=c.id, repeat=0, ok=True, passed=passing(k, c))
            for k in ("big", "small") for c in cf.cases]


def _targets():
    from advisor.eval.target import Target

    return [Target("big", "big", "openai", "http://b.example/v1", "big-1", "B_KEY", Decimal("3"), Decimal("15")),
            Target("small", "small", "openai", "http://s.example/v1", "small-1", "S_KEY", Decimal("0.1"), Decimal("0.4"))]


def test_the_plain_export_carries_the_length_bands_and_the_classifier():
    from advisor.eval.route import plan_routes
    from advisor.eval.route_export import plain_route_config

    rule = "categories: {by: input_length, bands: [{category: short, max_chars: 5}, {category: long}]}\ncases:\n"
    cf = parse_cases(rule + "".join(f"  - {{id: s{i}, input: 'ab', expected: y}}\n  - {{id: l{i}, input: 'abcdefgh', expected: y}}\n"
                                    for i in range(6)), "c.yaml")
    passing = lambda k, c: k == "big" or c.id.startswith("s")  # noqa: E731
    plan = plan_routes(_results(cf, passing), cf.cases, cf.categories, _targets(), floor=Decimal("0.6"),
                       monthly_requests=1000, avg_input_tokens=100, avg_output_tokens=10, recommended_key="big")
    out = plain_route_config(plan, {t.model_key: t for t in _targets()}, cf.categories)
    assert out["route_by"] == "input_length" and out["bands"] == [{"category": "short", "max_chars": 5},
                                                                  {"category": "long", "max_chars": None}]
    assert out["routes"]["short"]["primary"]["model_id"] == "small-1" and "classifier" not in out

    cf = parse_cases("".join(f"- {{id: s{i}, input: x, expected: y, category: easy}}\n- {{id: h{i}, input: x, expected: y, "
                             f"category: hard}}\n" for i in range(6)), "c.yaml")
    passing = lambda k, c: k == "big" or c.category == "easy"  # noqa: E731
    plan = plan_routes(_results(cf, passing), cf.cases, None, _targets(), floor=Decimal("0.6"), monthly_requests=1000,
                       avg_input_tokens=100, avg_output_tokens=10, recommended_key="big")
    out = plain_route_config(plan, {t.model_key: t for t in _targets()}, None)
    assert out["route_by"] == "classifier" and out["classifier"]["model_id"] == "small-1"
    assert out["classifier"]["prompt"].endswith("easy, hard.") and out["classifier"]["max_tokens"] == 5
    assert out["default"] == "hard"  # the category on the recommended model


def test_both_exports_send_the_reasoning_mode_the_bake_off_measured():
    # a router that drops the mode runs the API's default: other costs and pass rates
    # than the ones the plan was made from
    from dataclasses import replace

    from advisor.core.schema import ReasoningMode
    from advisor.eval.route import plan_routes
    from advisor.eval.route_export import litellm_route_config, plain_route_config

    low = ReasoningMode(id="low", label="effort: low", thinks=True, effort="low", request={"reasoning_effort": "low"})
    targets = [replace(_targets()[0], reasoning=low), _targets()[1]]
    cf = parse_cases("".join(f"- {{id: s{i}, input: x, expected: y, category: easy}}\n- {{id: h{i}, input: x, expected: y, "
                             f"category: hard}}\n" for i in range(6)), "c.yaml")
    passing = lambda k, c: k == "big" or c.category == "easy"  # noqa: E731
    plan = plan_routes(_results(cf, passing), cf.cases, None, targets, floor=Decimal("0.6"), monthly_requests=1000,
                       avg_input_tokens=100, avg_output_tokens=10, recommended_key="big")
    by_key = {t.model_key: t for t in targets}
    lite = litellm_route_config(plan, by_key, {})
    hard = next(m for m in lite["model_list"] if m["model_name"] == "hard")
    assert hard["litellm_params"]["model"] == "openai/big-1"
    assert hard["litellm_params"]["reasoning_effort"] == "low"
    easy = next(m for m in lite["model_list"] if m["model_name"] == "easy")
    assert "reasoning_effort" not in easy["litellm_params"]  # small-1 does not think
    plain = plain_route_config(plan, by_key, None)
    assert plain["routes"]["hard"]["primary"]["request"] == {"reasoning_effort": "low"}
    assert "request" not in plain["routes"]["easy"]["primary"]
