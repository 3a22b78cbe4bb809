"""``advisor eval`` end to end against the loopback server (in process, real files)."""

import json
from pathlib import Path

import pytest

from advisor.cli.eval_cmd import main

KEY = "sk-canary-XXXX"
EVIL = "<script>alert('x')</script> [bold red]boom[/bold red] | pipe"


def write_targets(tmp_path, fake, extra=""):
    p = tmp_path / "targets.yaml"
    p.write_text(
        f"""- label: Fake OpenAI
  model_key: fake@openai
  api: openai
  base_url: {fake.base}/v1
  model_id: fake-1
  key_env: CANARY_KEY
  input_price_per_m: 0.15
  output_price_per_m: 0.60
  tokenizer: o200k_base
- label: Fake Gemini
  model_key: fake@gemini
  api: gemini
  base_url: {fake.base}
  model_id: fake-2
  key_env: CANARY_KEY
  input_price_per_m: 0.10
  output_price_per_m: 0.40
{extra}"""
    )
    return p


def write_cases(tmp_path):
    p = tmp_path / "cases.yaml"
    p.write_text(
        "- {id: hello, input: Say hello, expected: Hello from the fake server.}\n"
        "- {id: json, input: Give JSON, checks: [{type: valid_json}]}\n"
        "- id: leak\n  input: 'Echo this: sk-canary-XXXX'\n  checks: [{type: contains, value: sk-canary-XXXX}]\n"
    )
    return p


def test_run_writes_results_and_reports_and_never_leaks_the_key(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CANARY_KEY", KEY)
    monkeypatch.chdir(tmp_path)

    def responder(api, body):
        text = json.dumps(body)
        if "Echo this" in text:
            return f"Sure: {KEY}"  # a server echoing the key back must not leak it
        return EVIL if "Give JSON" in text else "Hello from the fake server."

    fake.responder = responder
    fake.faults = [{"status": 401, "body": json.dumps({"error": {"message": f"Incorrect API key: {KEY}"}})}]
    targets, cases = write_targets(tmp_path, fake), write_cases(tmp_path)
    outputs = {}
    for ext in ("md", "html", "json"):
        results = tmp_path / f"r-{ext}.jsonl"
        code = main(["--cases", str(cases), "--target-file", str(targets), "--results", str(results),
                     "--report", str(tmp_path / f"report.{ext}"), "--monthly-requests", "100000",
                     "--concurrency", "1", "--per-provider", "1"])
        assert code == 0
        outputs[ext] = capsys.readouterr()
    # every header carried the key, and it reached the server ...
    assert all(h.get("authorization") == f"Bearer {KEY}" or h.get("x-goog-api-key") == KEY for _, h, _ in fake.requests)
    # ... but it is nowhere in what we wrote or printed
    files = [f for f in tmp_path.glob("*") if f not in (targets, cases)]  # inputs excluded
    assert len(files) == 6
    for f in files:
        assert KEY not in f.read_text(errors="replace"), f
    for o in outputs.values():
        assert KEY not in o.out and KEY not in o.err
    html_text = (tmp_path / "report.html").read_text()
    assert "<script>" not in html_text and "&lt;script&gt;" in html_text
    md = (tmp_path / "report.md").read_text()
    assert "<script>" not in md and "\\| pipe" in md
    data = json.loads((tmp_path / "report.json").read_text())
    assert {m["model_key"] for m in data["models"]} == {"fake@openai", "fake@gemini"}
    assert data["rerank"]["monthly_requests"] == 100000
    assert "Live eval" in outputs["md"].out and "wrote report.md" in outputs["md"].err
    assert not list(tmp_path.glob(".report*"))  # no temp files left behind


def test_dry_run_prints_plan_and_calls_nothing(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CANARY_KEY", KEY)
    code = main(["--cases", str(write_cases(tmp_path)), "--target-file", str(write_targets(tmp_path, fake)),
                 "--dry-run", "--repeat", "3", "--results", str(tmp_path / "r.jsonl")])
    out = capsys.readouterr().out
    assert code == 0 and fake.count() == 0
    assert "Dry run" in out and "18 requests planned" in out
    assert not (tmp_path / "r.jsonl").exists()


def test_missing_key_skips_one_target_with_one_line(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("CANARY_KEY", raising=False)
    extra = f"""- label: Local
  model_key: local@openai
  api: openai
  base_url: {fake.base}/v1
  model_id: local
  input_price_per_m: 0
  output_price_per_m: 0
"""
    code = main(["--cases", str(write_cases(tmp_path)), "--target-file", str(write_targets(tmp_path, fake, extra)),
                 "--results", str(tmp_path / "r.jsonl"), "--models", "local@openai,fake@openai"])
    err = capsys.readouterr().err
    assert code == 0
    assert err.count("skipping") == 1 and "advisor: skipping Fake OpenAI (fake@openai): $CANARY_KEY is not set" in err
    assert fake.count() == 3


@pytest.mark.parametrize(
    ("argv_extra", "expected"),
    [
        (["--concurrency", "0"], "advisor: argument --concurrency: --concurrency must be >= 1; got 0"),
        (["--max-spend", "lots"], "advisor: argument --max-spend: --max-spend must be an amount in USD; got 'lots'"),
        (["--report", "out.pdf"], "advisor: out.pdf: --report: unknown report format; use one of .htm, .html, .json, .markdown, .md"),
        (["--models", "fake@opena"], "advisor: --models: no target with model key 'fake@opena' (did you mean 'fake@openai'?)"),
    ],
)
def test_bad_flags_exit_2_with_one_line(fake, tmp_path, capsys, argv_extra, expected):
    code = main(["--cases", str(write_cases(tmp_path)), "--target-file", str(write_targets(tmp_path, fake))] + argv_extra)
    err = capsys.readouterr().err
    assert code == 2 and err.strip() == expected and "Traceback" not in err


def test_bad_cases_and_target_files_are_located(fake, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    bad_cases = tmp_path / "bad.yaml"
    bad_cases.write_text("- id: a\n  input: x\n  max_tokens: -1\n")
    bad_targets = tmp_path / "t.yaml"
    bad_targets.write_text("- label: X\n  model_key: x\n  api: openia\n  base_url: http://127.0.0.1:1\n  model_id: m\n")
    assert main(["--cases", "bad.yaml", "--target-file", "t.yaml"]) == 2
    assert capsys.readouterr().err.strip() == "advisor: bad.yaml:3: [0].max_tokens: must be > 0; got -1"
    (tmp_path / "good.yaml").write_text("- {id: a, input: x}\n")
    assert main(["--cases", "good.yaml", "--target-file", "t.yaml"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("advisor: t.yaml:3: targets[0].api: must be one of 'openai', 'anthropic' or 'gemini'")


def test_existing_results_need_resume(fake, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CANARY_KEY", KEY)
    monkeypatch.chdir(tmp_path)
    args = ["--cases", str(write_cases(tmp_path)), "--target-file", str(write_targets(tmp_path, fake)), "--results", "r.jsonl"]
    assert main(args) == 0
    n = fake.count()
    capsys.readouterr()
    assert main(args) == 2
    assert "r.jsonl: already exists; pass --resume" in capsys.readouterr().err
    assert main(args + ["--resume"]) == 0 and fake.count() == n


def test_answers_without_glue_or_targets(tmp_path, capsys):
    (tmp_path / "c.yaml").write_text("- {id: a, input: x}\n")
    assert main(["--cases", str(tmp_path / "c.yaml")]) == 2
    assert "give --answers" in capsys.readouterr().err
