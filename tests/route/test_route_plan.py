"""``advisor route`` end to end: a bake-off on the loopback server, where the models pass the
categories differently, then the routing plan, its cost to the cent (worked by hand below) and
its saving against each single-model baseline."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from advisor.cli.eval_cmd import main as eval_main
from advisor.cli.route_cmd import main as route_main

# Three models on three "providers" (three base URLs on the one loopback server). Per request at
# the answers' token mix (1,000 in, 200 out):
#   big   $3.00/M in, $15.00/M out: (1000*3.00 + 200*15.00)/1e6 = (3000 + 3000)/1e6 = $0.006
#   mid   $0.50/M in,  $1.50/M out: (1000*0.50 + 200*1.50)/1e6 = (500 + 300)/1e6   = $0.0008
#   small $0.10/M in,  $0.40/M out: (1000*0.10 + 200*0.40)/1e6 = (100 + 80)/1e6    = $0.00018
PRICES = {"big": ("3.00", "15.00"), "mid": ("0.50", "1.50"), "small": ("0.10", "0.40")}


def write_targets(tmp_path, fake, names=("big", "mid", "small")):
    lines = []
    for name in names:
        pin, pout = PRICES[name]
        lines.append(
            f"- label: {name.title()} model\n  model_key: {name}@{name}-cloud\n  api: openai\n"
            f"  base_url: {fake.base}/{name}/v1\n  model_id: {name}-1\n  key_env: ROUTE_TEST_KEY\n"
            f"  input_price_per_m: {pin}\n  output_price_per_m: {pout}\n"
        )
    p = tmp_path / "targets.yaml"
    p.write_text("".join(lines))
    return p


def scripted(passes):
    """A responder: ``passes[model][kind]`` is how many of that kind's cases (by index) the model gets right."""

    def respond(api, body):
        text = body["messages"][-1]["content"]
        head, _, answer = text.partition(": ")
        kind, idx = head.split()
        model = body["model"].removesuffix("-1")
        return answer if int(idx) < passes[model][kind] else "I am not sure."

    return respond


def tag_cases(tmp_path, counts):
    lines = ["categories: {by: tag, tags: [label, reply, esc]}", "cases:"]
    for kind, n in counts.items():
        for i in range(n):
            answer = f"FACT-{i}" if kind == "reply" else f"answer{i}"
            check = "{type: contains, value: FACT-%d}" % i if kind == "reply" else "{type: equals}"
            lines.append(f"  - {{id: {kind}-{i}, tags: [{kind}], input: '{kind} {i}: {answer}', "
                         f"expected: {answer}, checks: [{check}]}}")
    p = tmp_path / "cases.yaml"
    p.write_text("\n".join(lines) + "\n")
    return p


def answers(tmp_path, extra=""):
    p = tmp_path / "answers.yaml"
    p.write_text("task_type: classification\nmonthly_requests: 1000000\navg_input_tokens: 1000\n"
                 "avg_output_tokens: 200\nquality_floor: 0.7\n" + extra)
    return p


def run_bakeoff(tmp_path, fake, cases, targets, monkeypatch):
    monkeypatch.setenv("ROUTE_TEST_KEY", "sk-route-canary")
    results = tmp_path / "run.jsonl"
    code = eval_main(["--cases", str(cases), "--target-file", str(targets), "--results", str(results),
                      "--concurrency", "8", "--per-provider", "8"])
    assert code == 0
    return results


def route_json(args, capsys):
    capsys.readouterr()
    code = route_main(args + ["--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    return json.loads(out)["routing_plan"], out + err


@pytest.fixture
def tagged_run(fake, tmp_path, monkeypatch):
    # label: every model passes 10/10; reply: big 10/10, mid 8/10, small 0/10; esc: 3 cases, all pass
    fake.responder = scripted({
        "big": {"label": 10, "reply": 10, "esc": 3},
        "mid": {"label": 10, "reply": 8, "esc": 3},
        "small": {"label": 10, "reply": 0, "esc": 3},
    })
    cases = tag_cases(tmp_path, {"label": 10, "reply": 10, "esc": 3})
    targets = write_targets(tmp_path, fake)
    results = run_bakeoff(tmp_path, fake, cases, targets, monkeypatch)
    ans = answers(tmp_path, "category_shares: [label=60%, reply=30%, esc=10%]\n")
    return ["--answers", str(ans), "--cases", str(cases), "--results", str(results), "--target-file", str(targets)]


def test_each_category_gets_the_cheapest_model_that_meets_the_floor_and_the_saving_is_exact(tagged_run, capsys):
    plan, text = route_json(tagged_run, capsys)
    routes = {r["category"]: r for r in plan["categories"]}
    # label: all three pass 10/10 (Wilson lower bound 10/(10+1.96^2) = 72% >= 70%): the cheapest, small
    assert routes["label"]["model_key"] == "small@small-cloud" and routes["label"]["status"] == "meets_floor"
    assert routes["label"]["fallback_key"] == "mid@mid-cloud"  # the next cheapest that meets it, elsewhere
    # reply: only big's lower bound meets the floor (mid's 8/10 has 49%)
    assert routes["reply"]["model_key"] == "big@big-cloud" and routes["reply"]["status"] == "meets_floor"
    assert routes["reply"]["fallback_key"] == "mid@mid-cloud"  # best of the rest (8/10) on another provider
    # esc: 3 cases (< 5), so it stays on the recommended model (the first target, big) although small passed them all
    assert routes["esc"]["model_key"] == "big@big-cloud" and routes["esc"]["status"] == "too_few_cases"
    # Blended per request: 0.6*0.00018 + 0.3*0.006 + 0.1*0.006 = 0.000108 + 0.0018 + 0.0006 = $0.002508
    # × 1,000,000 requests = $2,508.00 a month; no classifier (the calling code sends the tag)
    assert Decimal(plan["plan"]["cost_per_request_usd"]) == Decimal("0.002508")
    assert Decimal(plan["plan"]["monthly_cost_usd"]) == Decimal("2508.00")
    # money in JSON: exact decimal strings, one precision (a billionth of a dollar) throughout
    assert plan["plan"]["monthly_cost_usd"] == "2508.000000000" and routes["label"]["cost_per_request_usd"] == "0.000180000"
    assert plan["classifier"] is None and plan["mode"] == "tag"
    assert plan["plan"]["pass_rate"] == 1.0  # every chosen model passed every case of its category
    base = {b["baseline"]: b for b in plan["baselines"]}
    # all on big: 0.006 × 1,000,000 = $6,000.00; the plan saves 6000 - 2508 = $3,492.00 (58.2%)
    assert base["recommended"]["name"] == "big@big-cloud"
    assert Decimal(base["recommended"]["monthly_cost_usd"]) == Decimal("6000.00")
    assert Decimal(base["recommended"]["saving_usd"]) == Decimal("3492.00")
    assert Decimal(base["recommended"]["saving_pct"]) == Decimal("58.2")
    # cheapest single model that meets the floor on all traffic: mid, blended 0.6*1 + 0.3*0.8 + 0.1*1 = 94%,
    # lower bound 75% with Kish's n = 1/(0.36/10 + 0.09/10 + 0.01/3) = 20.7 (small's 70% cannot meet it):
    # 0.0008 × 1,000,000 = $800.00, so the plan costs 2508 - 800 = $1,708.00 more (it buys the floor on replies)
    assert base["cheapest_meeting_floor"]["name"] == "mid@mid-cloud"
    assert Decimal(base["cheapest_meeting_floor"]["monthly_cost_usd"]) == Decimal("800.00")
    assert Decimal(base["cheapest_meeting_floor"]["saving_usd"]) == Decimal("-1708.00")
    mid = next(m for m in plan["models"] if m["name"] == "mid@mid-cloud")
    assert round(mid["pass_rate"], 4) == 0.94 and 0.75 < mid["pass_low"] < 0.76
    assert "sk-route-canary" not in text


def test_the_text_plan_names_the_thin_category_threshold_and_the_shares(tagged_run, capsys):
    capsys.readouterr()
    assert route_main(tagged_run) == 0
    out = capsys.readouterr().out
    assert "saves $3,492.00 a month (58.2%)" in out and "costs $1,708.00 a month more" in out
    assert "Too few cases to decide (esc): a category needs at least 5 cases" in out
    assert "traffic split by the answers' category_shares" in out
    assert "esc (10% of traffic, 3 cases) -> Big model" in out


def test_free_text_categories_need_a_classifier_and_its_cost_is_in_the_plan(fake, tmp_path, monkeypatch, capsys):
    # categories written on the cases: 6 simple, 6 hard; no shares in the answers, so 50/50 from the cases
    fake.responder = scripted({"big": {"simple": 6, "hard": 6}, "small": {"simple": 6, "hard": 1}})
    lines = ["cases:"]
    for kind in ("simple", "hard"):
        for i in range(6):
            lines.append(f"  - {{id: {kind}-{i}, category: {kind}, input: '{kind} {i}: ok{i}', expected: ok{i}}}")
    cases = tmp_path / "cases.yaml"
    cases.write_text("\n".join(lines) + "\n")
    targets = write_targets(tmp_path, fake, ("big", "small"))
    results = run_bakeoff(tmp_path, fake, cases, targets, monkeypatch)
    ans = tmp_path / "answers.yaml"
    ans.write_text("task_type: classification\nmonthly_requests: 100000\navg_input_tokens: 500\n"
                   "avg_output_tokens: 100\nquality_floor: 0.6\n")
    plan, _ = route_json(["--answers", str(ans), "--cases", str(cases), "--results", str(results),
                          "--target-file", str(targets)], capsys)
    routes = {r["category"]: r["model_key"] for r in plan["categories"]}
    # 6/6 has a lower bound of 6/(6+3.84) = 61% >= 60%; small's 1/6 on hard does not
    assert routes == {"simple": "small@small-cloud", "hard": "big@big-cloud"}
    assert plan["shares_from"] == "cases" and plan["mode"] == "classifier"
    # per request at 500 in / 100 out: small (50 + 40)/1e6 = $0.00009; big (1500 + 1500)/1e6 = $0.003
    # classifier: the cheapest, small, on 500 + 80 tokens in and 5 out: (580*0.10 + 5*0.40)/1e6 = $0.00006
    c = plan["classifier"]
    assert c["model_key"] == "small@small-cloud" and Decimal(c["cost_per_request_usd"]) == Decimal("0.00006")
    # plan: 0.5*0.00009 + 0.5*0.003 + 0.00006 = 0.000045 + 0.0015 + 0.00006 = $0.001605; × 100,000 = $160.50
    assert Decimal(plan["plan"]["monthly_cost_usd"]) == Decimal("160.50")
    base = {b["baseline"]: b for b in plan["baselines"]}
    # all on big: 0.003 × 100,000 = $300.00 → saves $139.50 (46.5%); small alone (58% expected) meets no floor
    assert Decimal(base["recommended"]["saving_usd"]) == Decimal("139.50")
    assert Decimal(base["recommended"]["saving_pct"]) == Decimal("46.5")
    assert base["cheapest_meeting_floor"]["name"] == "big@big-cloud"


def test_no_model_meets_the_floor_the_best_is_chosen_and_said(fake, tmp_path, monkeypatch, capsys):
    fake.responder = scripted({"big": {"label": 6, "reply": 4}, "mid": {"label": 6, "reply": 5}, "small": {"label": 6, "reply": 2}})
    cases = tag_cases(tmp_path, {"label": 6, "reply": 6})
    cases.write_text(cases.read_text().replace("tags: [label, reply, esc]", "tags: [label, reply]"))
    targets = write_targets(tmp_path, fake)
    results = run_bakeoff(tmp_path, fake, cases, targets, monkeypatch)
    ans = answers(tmp_path)
    plan, _ = route_json(["--answers", str(ans), "--cases", str(cases), "--results", str(results),
                          "--target-file", str(targets), "--floor", "0.6"], capsys)
    reply = next(r for r in plan["categories"] if r["category"] == "reply")
    assert reply["model_key"] == "mid@mid-cloud" and reply["status"] == "below_floor"
    assert "no model's 95% lower bound meets the floor of 60%" in reply["why"]
    assert any("No model meets the floor of 60% on reply" in n for n in plan["notes"])


def test_bad_shares_are_one_located_line_with_exit_2(tagged_run, tmp_path, capsys):
    ans = answers(tmp_path, "category_shares: [label=60%, replies=40%]\n")
    args = list(tagged_run)
    args[1] = str(ans)
    capsys.readouterr()
    assert route_main(args) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("advisor: ") and err[0].endswith(
        "answers.yaml:6: category_shares: no case has category 'replies' (the cases have: label, reply, esc)")


def test_missing_floor_and_missing_results_are_input_errors(tagged_run, tmp_path, capsys):
    ans = tmp_path / "nofloor.yaml"
    ans.write_text("task_type: classification\nmonthly_requests: 1000\n")
    args = list(tagged_run)
    args[1] = str(ans)
    capsys.readouterr()
    assert route_main(args) == 2
    assert "quality_floor: a routing plan needs a quality floor" in capsys.readouterr().err
    args = list(tagged_run)
    args[5] = str(tmp_path / "nope.jsonl")
    assert route_main(args) == 2
    assert "nope.jsonl: --results: no such file" in capsys.readouterr().err


def test_both_exports_follow_the_plan_and_a_50_line_router_reads_the_plain_one(tagged_run, fake, tmp_path, capsys, monkeypatch):
    import sys

    import yaml

    litellm, routes = tmp_path / "litellm.yaml", tmp_path / "routes.yaml"
    capsys.readouterr()
    assert route_main(tagged_run + ["--litellm", str(litellm), "--plain", str(routes)]) == 0
    capsys.readouterr()
    for p in (litellm, routes):
        assert "sk-route-canary" not in p.read_text()
    cfg = yaml.safe_load(litellm.read_text())
    groups = {m["model_name"]: m["litellm_params"] for m in cfg["model_list"]}
    assert list(groups) == ["label", "label-fallback", "reply", "reply-fallback", "esc", "esc-fallback"]
    # not a provider LiteLLM knows by name: the wire format's prefix and the endpoint's base URL
    assert groups["label"] == {"model": "openai/small-1", "api_base": f"{fake.base}/small/v1",
                               "api_key": "os.environ/ROUTE_TEST_KEY"}
    assert groups["reply"]["model"] == "openai/big-1" and groups["reply-fallback"]["model"] == "openai/mid-1"
    assert cfg["router_settings"]["fallbacks"] == [{"label": ["label-fallback"]}, {"reply": ["reply-fallback"]},
                                                   {"esc": ["esc-fallback"]}]
    plan = yaml.safe_load(routes.read_text())
    assert plan["route_by"] == "tag" and plan["routes"]["reply"]["primary"]["model_id"] == "big-1"

    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[2] / "examples" / "router"))
    from tiny_router import Router

    router = Router(str(routes))
    fake.responder = lambda api, body: f"answered by {body['model']}"
    fake.requests.clear()
    assert router.complete("label", [{"role": "user", "content": "hi"}]) == "answered by small-1"
    fake.faults = [{"status": 500}]  # the primary for replies fails once: the fallback on another provider answers
    assert router.complete("reply", [{"role": "user", "content": "hi"}]) == "answered by mid-1"
    assert [path for path, _, _ in fake.requests] == ["/small/v1/chat/completions", "/big/v1/chat/completions",
                                                      "/mid/v1/chat/completions"]
    assert router.complete("nonsense", [{"role": "user", "content": "hi"}]) == "answered by big-1"  # default: reply
    # the exports are the user's files: never replaced without --force
    assert route_main(tagged_run + ["--plain", str(routes)]) == 2
    assert "routes.yaml: already exists" in capsys.readouterr().err


def test_untrusted_labels_are_escaped_in_html_and_markdown_and_stripped_for_the_terminal():
    from advisor.eval.results import CaseResult
    from advisor.eval.route import plan_routes
    from advisor.eval.target import Target
    from advisor.render.route_html import render_route_html_page
    from advisor.render.route_markdown import render_route_markdown, render_route_text
    from advisor.eval.cases import parse_cases

    evil = "<script>alert(1)</script> | [x](y) \x1b[31mred"
    cf = parse_cases("".join(f"- {{id: c{i}, input: x, expected: y, category: cat{i % 2}}}\n" for i in range(10)), "c.yaml")
    t = Target(evil, "evil@x", "openai", "http://127.0.0.1:1/v1", "m", None, Decimal("1"), Decimal("2"))
    results = [CaseResult(model_key="evil@x", label=evil, case_id=c.id, repeat=0, ok=True, passed=True) for c in cf.cases]
    plan = plan_routes(results, cf.cases, None, [t], floor=Decimal("0.5"), monthly_requests=1000, avg_input_tokens=10,
                       avg_output_tokens=10, recommended_key="evil@x")
    page = render_route_html_page(plan)
    assert "<script>" not in page and "&lt;script&gt;" in page and '<svg class="frontier"' in page
    md = render_route_markdown(plan)
    assert "<script>" not in md and "\\|" in md and "\\[x\\]" in md and "\x1b" not in md and "\x1b" not in page
    assert "\x1b" not in render_route_text(plan)


def test_from_the_answers_shortlist_with_known_providers_litellm_gets_their_prefixes(tmp_path, capsys):
    """No --target-file: the targets are the answers' shortlist (the shipped triage example), so LiteLLM gets each
    provider's own prefix and no api_base. The results are written by hand here (the plan's choices are tested above);
    the shortlist's own order decides who passes what, so a knowledge update does not break the test."""
    import yaml

    from advisor.cli.export_cmd import LITELLM_PREFIX
    from advisor.eval.cases import load_cases
    from advisor.eval.results import CaseResult
    from advisor.eval.targets_from_shortlist import targets_for_answers

    targets, _ = targets_for_answers("examples/answers/support-triage.yaml", [], None, date(2026, 12, 1))
    assert len(targets) >= 2
    first, second = targets[0], targets[1]
    cases = load_cases("examples/cases/triage.yaml")
    # the first (recommended) passes only the replies, the second only the labels, escalation passes everywhere
    passes = {first.model_key: {"reply", "escalate"}, second.model_key: {"label", "escalate"}}
    lines = [CaseResult(model_key=key, label=key, case_id=c.id, repeat=0, ok=True, passed=c.tags[0] in good).model_dump_json()
             for key, good in passes.items() for c in cases.cases]
    results = tmp_path / "run.jsonl"
    results.write_text("\n".join(lines) + "\n")
    out = tmp_path / "litellm.yaml"
    code = route_main(["--answers", "examples/answers/support-triage.yaml", "--cases", "examples/cases/triage.yaml",
                       "--results", str(results), "--today", "2026-12-01", "--litellm", str(out)])
    assert code == 0, capsys.readouterr().err

    def litellm(t):  # the provider's prefix, its key, and the reasoning mode the advice assumes
        provider = t.model_key.rpartition("@")[2]
        mode = dict(t.reasoning.request) if t.reasoning is not None and t.api != "gemini" else {}
        return {"model": f"{LITELLM_PREFIX[provider]}/{t.model_id}", "api_key": f"os.environ/{t.key_env}", **mode}

    groups = {m["model_name"]: m["litellm_params"] for m in yaml.safe_load(out.read_text())["model_list"]}
    assert groups["label"] == litellm(second) and groups["reply"] == litellm(first)
    assert groups["escalate"] == litellm(first)  # 2 cases: the recommended model
    if first.provider_key != second.provider_key:
        assert groups["escalate-fallback"] == litellm(second)


def test_the_plan_names_the_prices_it_used_and_where_they_come_from(tmp_path, capsys):
    # a cost without its price's source and date cannot be checked by the reader
    from advisor.eval.route import PriceUsed, price_text
    from advisor.eval.targets_from_shortlist import targets_for_answers

    targets, _ = targets_for_answers("examples/answers/support-triage.yaml", [], None, date(2026, 12, 1))
    assert all(t.price_source and t.price_as_of is not None for t in targets)
    one = PriceUsed(model_key="m@p", label="M", input_per_m=Decimal("0.7"), output_per_m=Decimal("2.1"),
                    cached_input_per_m=Decimal("0.07"), source="LiteLLM price map v1.110.2", as_of=date(2026, 10, 17))
    assert price_text(one) == ("$0.7 in / $2.1 out per 1M tokens, cached input $0.07 "
                               "(LiteLLM price map v1.110.2, as of 2026-10-17)")
    bare = one.model_copy(update={"cached_input_per_m": None, "source": None, "as_of": None})
    assert price_text(bare) == "$0.7 in / $2.1 out per 1M tokens (from the target file)"


def test_the_plan_lists_prices_in_every_format(tagged_run, capsys):
    plan, text = route_json(tagged_run, capsys)
    assert [p["model_key"] for p in plan["prices"]] == ["big@big-cloud", "mid@mid-cloud", "small@small-cloud"]
    assert all(p["source"] is None and p["input_per_m"] is not None for p in plan["prices"])  # numbers, not prose
    assert route_main(tagged_run) == 0
    out = capsys.readouterr().out
    assert "Prices used:" in out and "(from the target file)" in out


def test_unknown_model_keys_on_the_command_line_are_located(tagged_run, capsys):
    capsys.readouterr()
    assert route_main(tagged_run + ["--classifier", "nope"]) == 2  # checked even when the rule needs no classifier
    assert capsys.readouterr().err.strip() == "advisor: command line: --classifier: 'nope' is not one of the models measured"
    assert route_main(tagged_run + ["--recommended", "nope"]) == 2
    assert capsys.readouterr().err.strip() == "advisor: command line: --recommended: 'nope' is not one of the models measured"
    assert route_main(["--answers", "a.yaml"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "required" in err[0] and "--cases" in err[0]
