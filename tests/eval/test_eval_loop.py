"""The bake-off's exit codes, honest counts, money in JSON and kept evidence (loopback server, real files)."""

import json
import re
from decimal import Decimal

from advisor.cli import evidence_cmd
from advisor.cli.eval_cmd import main
from advisor.evidence_store import evidence_dir, load_kept

KEY = "sk-canary-LOOP"


def targets(tmp_path, fake, priced=True):
    price = "  input_price_per_m: 0.15\n  output_price_per_m: 0.60\n" if priced else ""
    p = tmp_path / "targets.yaml"
    p.write_text(
        f"- label: Good\n  model_key: good@openai\n  api: openai\n  base_url: {fake.base}/v1\n  model_id: good-1\n"
        f"  key_env: LOOP_KEY\n{price}"
        f"- label: Weak\n  model_key: weak@openai\n  api: openai\n  base_url: {fake.base}/v2\n  model_id: weak-1\n"
        f"  key_env: LOOP_KEY\n{price}"
    )
    return p


def cases(tmp_path, n=8):
    p = tmp_path / "cases.yaml"
    p.write_text("".join(f"- {{id: c{i}, input: 'case {i}', checks: [{{type: valid_json}}]}}\n" for i in range(n)))
    return p


def run(tmp_path, fake, *extra, priced=True, results="r.jsonl"):
    return main(["--cases", str(cases(tmp_path)), "--target-file", str(targets(tmp_path, fake, priced)),
                 "--results", str(tmp_path / results), "--concurrency", "2", "--timeout", "5", *extra])


def responder(api, body):
    # Good answers every case with JSON; Weak only the even ones
    text = json.dumps(body)
    n = int(re.search(r"case (\d+)", text).group(1))
    return '{"ok": true}' if body.get("model") == "good-1" or n % 2 == 0 else "not json"


def test_a_run_where_every_request_failed_exits_1(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOOP_KEY", KEY)
    fake.faults = [{"status": 400, "body": "{}"}] * 16
    code = run(tmp_path, fake)
    err = capsys.readouterr().err
    assert code == 1 and "no request returned an answer" in err
    assert load_kept()[0] == []  # nothing measured, nothing kept


def test_fail_under_exits_3_when_the_recommended_model_is_below_it(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOOP_KEY", KEY)
    fake.responder = lambda api, body: '{"ok": true}' if body.get("model") == "good-1" else "no"
    assert run(tmp_path, fake, "--fail-under", "90%", "--no-evidence") == 0  # Good: 8/8
    capsys.readouterr()
    fake.responder = lambda api, body: "no"
    code = run(tmp_path, fake, "--fail-under", "0.5", "--no-evidence", results="r2.jsonl")
    err = capsys.readouterr().err
    # every model passed 0/8: none is recommended (a model that passed nothing never is)
    assert code == 3 and "--fail-under 50%: no model passed a case" in err


def test_dry_run_names_the_missing_keys(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("LOOP_KEY", raising=False)
    assert run(tmp_path, fake, "--dry-run") == 0
    out = capsys.readouterr().out
    assert "Missing key: LOOP_KEY is not set, so Good, Weak would be skipped." in out
    monkeypatch.setenv("LOOP_KEY", KEY)
    assert run(tmp_path, fake, "--dry-run") == 0
    assert "Every API key the plan needs is set." in capsys.readouterr().out


def test_retries_count_unknown_spend_reads_unknown_and_failures_say_more(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOOP_KEY", KEY)
    fake.responder = lambda api, body: "not json"
    fake.faults = [{"status": 503, "headers": {"retry-after": "0"}, "body": "busy"}]
    code = run(tmp_path, fake, "--report", str(tmp_path / "r.md"), "--no-evidence", priced=False)
    out = capsys.readouterr().out
    assert code == 0
    assert "Spent unknown" in out and "$0.00" not in out
    assert "+11 more failures" in out  # 16 failures, 5 listed
    md = (tmp_path / "r.md").read_text()
    assert "### Failures (16)" in md and md.count("· case c") == 16
    assert "(1 retried)" in md  # "Errors: none" no more when a request was retried


def test_money_in_json_has_ten_places_and_evidence_is_kept(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("LOOP_KEY", KEY)
    fake.responder = responder
    assert run(tmp_path, fake, "--report", str(tmp_path / "r.json"), "--monthly-requests", "800000") == 0
    data = json.loads((tmp_path / "r.json").read_text())
    amounts = [m["total_cost_usd"] for m in data["models"]] + [m["cost_per_success_usd"] for m in data["models"]]
    amounts += [data["spent_usd"]] + [r["monthly_cost_usd"] for r in data["rerank"]["order"]]
    assert all(re.fullmatch(r"\d+\.\d{10}", a) for a in amounts), amounts
    # exact: the sum of the per-request costs, not a float
    good = next(m for m in data["models"] if m["model_key"] == "good@openai")
    assert Decimal(good["cost_per_success_usd"]) * 8 == Decimal(good["total_cost_usd"]) or good["passes"] != 8
    # kept as evidence, with per-check figures, version and fingerprint; no key, no output text
    kept, problems = load_kept()
    assert problems == [] and len(kept) == 1
    k = kept[0]
    weak = next(m for m in k.models if m.model_key == "weak@openai")
    assert (weak.passes, weak.n, weak.version) == (4, 8, "weak-1")
    assert weak.checks["valid_json"].n == 8 and k.check_types == ["valid_json"] and len(k.cases_fingerprint) == 16
    assert k.settings["temperature"] == "0"
    for f in evidence_dir().glob("*.json"):
        text = f.read_text()
        assert KEY not in text and "not json" not in text
    # advisor evidence list / show / forget
    capsys.readouterr()
    assert evidence_cmd.main(["list"]) == 0
    assert k.id in capsys.readouterr().out
    assert evidence_cmd.main(["show", k.id]) == 0
    shown = capsys.readouterr().out
    assert "Weak (weak@openai, version weak-1)" in shown and "valid_json: 4/8" in shown
    assert evidence_cmd.main(["show", "nope"]) == 2
    assert "no kept bake-off 'nope'" in capsys.readouterr().err
    assert evidence_cmd.main(["forget", k.id]) == 0
    assert load_kept()[0] == []


def test_an_unreadable_evidence_file_is_reported_and_left_alone(tmp_path, capsys):
    folder = evidence_dir()
    folder.mkdir(parents=True)
    bad = folder / "bakeoff-x.json"
    bad.write_text("{not json")
    newer = folder / "bakeoff-y.json"
    newer.write_text(json.dumps({"schema_version": 99}))
    kept, problems = load_kept()
    assert kept == [] and len(problems) == 2
    assert "written by a newer advisor (schema 99); left as it is" in problems[1]
    assert bad.read_text() == "{not json" and newer.exists()


def test_a_dry_run_under_a_cap_says_what_the_cap_covers_and_what_it_skips(fake, tmp_path, monkeypatch, capsys):
    from advisor.eval.cases import parse_cases
    from advisor.eval.runner import EvalRunner
    from advisor.eval.target_file import load_target_file

    monkeypatch.setenv("LOOP_KEY", KEY)
    t = targets(tmp_path, fake)
    with open(t, "a") as fh:  # a third target with no price: the cap cannot bound it
        fh.write(f"- label: Local\n  model_key: local@openai\n  api: openai\n  base_url: {fake.base}/v3\n  model_id: l\n")
    c = cases(tmp_path)
    plan = EvalRunner(load_target_file(str(t)), parse_cases(c.read_text(), "c.yaml")).plan().requests
    priced = [r for r in plan if r.target.model_key != "local@openai"]
    worst = priced[0].target.cost(priced[0].input_tokens, priced[0].max_output_tokens)
    cap = worst * Decimal("3.5")  # three worst cases, not four
    assert main(["--cases", str(c), "--target-file", str(t), "--results", str(tmp_path / "r.jsonl"),
                 "--max-spend", str(cap), "--dry-run"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "16 requests planned" in out
    assert "The cap covers 3 of the 16 requests for certain" in out
    assert "Skipping Local (local@openai): its price is unknown" in out
    assert fake.count() == 0
