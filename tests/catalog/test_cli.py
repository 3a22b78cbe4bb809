"""The catalog and export commands end to end (in process; stdout/stderr/exit codes)."""

from __future__ import annotations

import json

import yaml

from advisor.cli import catalog_cmd, export_cmd

from .conftest import CAT, LITELLM, MODELS_DEV


def _run(mod, argv, capsys):
    code = mod.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _imported(data_dir, capsys):
    assert _run(catalog_cmd, ["import", "models-dev", str(MODELS_DEV), "--as-of", "2026-07-02", "--format", "json"], capsys)[0] == 0
    code, out, _ = _run(catalog_cmd, ["import", "litellm", str(LITELLM), "--as-of", "2026-09-29", "--format", "json"], capsys)
    assert code == 0
    return json.loads(out)


def test_import_writes_user_overlay(data_dir, capsys):
    report = _imported(data_dir, capsys)
    assert (data_dir / "models.yaml").is_file()
    assert report["written"] is True and report["conflicts"] >= 1


def test_dry_run_writes_nothing(data_dir, capsys):
    code, out, _ = _run(catalog_cmd, ["import", "models-dev", str(MODELS_DEV), "--dry-run"], capsys)
    assert code == 0 and "would write" in out
    assert not (data_dir / "models.yaml").exists()


def test_bad_file_one_line_exit_2(data_dir, tmp_path, capsys):
    _imported(data_dir, capsys)
    before = (data_dir / "models.yaml").read_bytes()
    bad = tmp_path / "api.json"
    bad.write_text('{"a": ')
    code, out, err = _run(catalog_cmd, ["import", "models-dev", str(bad)], capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("advisor: ") and "api.json" in err and "malformed JSON" in err
    assert (data_dir / "models.yaml").read_bytes() == before


def test_list_show_diff_validate(data_dir, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    _imported(data_dir, capsys)
    code, out, _ = _run(catalog_cmd, ["list", "--provider", "together", "--format", "json", "--today", "2026-11-24"], capsys)
    rows = json.loads(out)
    assert code == 0 and rows and all(r["provider"] == "together" for r in rows)
    llama = next(r for r in rows if r["model"] == "llama-3-3-70b-instruct-turbo")
    assert llama["input_per_m"] == "1.04" and llama["conflicts"][0]["input_per_m"] == "0.88"
    assert llama["stale"] is False and llama["age_days"] == 56
    old = json.loads(_run(catalog_cmd, ["list", "--search", "gpt-4o-mini", "--format", "json", "--today", "2027-03-01"], capsys)[1])
    assert old and all(r["stale"] for r in old)
    code, out, _ = _run(catalog_cmd, ["list", "--search", "llama-3-3", "--today", "2026-11-24"], capsys)
    assert code == 0 and "conflict" in out

    code, out, _ = _run(catalog_cmd, ["show", "llama-3-3-70b-instruct-turbo", "--format", "json"], capsys)
    facts = json.loads(out)
    assert code == 0 and set(facts["ratings"].values()) == {"unrated"}
    code, out, err = _run(catalog_cmd, ["show", "gpt-4x"], capsys)
    assert code == 2 and "unknown model 'gpt-4x'" in err and "did you mean" in err

    code, out, _ = _run(catalog_cmd, ["diff", "--format", "json"], capsys)
    diff = json.loads(out)
    assert "llama-3-3-70b-instruct-turbo" in diff["new_models"]
    assert any(c["model"] == "llama-3-3-70b-instruct-turbo" for c in diff["conflicts"])
    code, out, _ = _run(catalog_cmd, ["diff"], capsys)
    assert code == 0 and "new models" in out

    code, out, _ = _run(catalog_cmd, ["validate"], capsys)
    assert code == 0 and out.startswith("ok:")


def test_validate_reports_located_errors(data_dir, tmp_path, capsys):
    d = tmp_path / "k"
    d.mkdir()
    (d / "models.yaml").write_text("models:\n  - id: gpt-4o\n    context_window: -5\n")
    code, _, err = _run(catalog_cmd, ["validate", str(d)], capsys)
    assert code == 2 and "models.yaml:3" in err and "context_window" in err


def test_rich_output_escapes_catalog_text(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    src = tmp_path / "api.json"
    src.write_text(json.dumps({"evil": {"id": "evil", "name": "[bold red]Evil[/]", "api": "https://evil.example/v1", "env": ["EVIL_KEY"],
                                         "models": {"m[red]x[/red]": {"id": "m[red]x[/red]", "name": "[link=x]n[/link]", "limit": {"context": 1000}, "cost": {"input": 1, "output": 2}}}}}))
    assert _run(catalog_cmd, ["import", "models-dev", str(src), "--as-of", "2026-11-01"], capsys)[0] == 0
    code, out, _ = _run(catalog_cmd, ["list", "--provider", "evil"], capsys)
    assert code == 0 and "m[red]x[/red]" in out  # shown as text, not taken as markup
    code, out, _ = _run(catalog_cmd, ["show", "m[red]x[/red]"], capsys)
    assert code == 0 and "[link=x]n[/link]" in out


def test_export_promptfoo(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123")
    out_path = tmp_path / "pf.yaml"
    answers = tmp_path / "a.yaml"
    answers.write_text("task_type: extraction\nmonthly_requests: 10000\navg_input_tokens: 500\navg_output_tokens: 100\ncontext_tokens: 2000\n")
    code, out, err = _run(export_cmd, ["promptfoo", "--answers", str(answers), "--cases", str(CAT / "cases.yaml"), "--out", str(out_path), "--today", "2026-11-24"], capsys)
    assert code == 0, err
    text = out_path.read_text()
    assert "sk-secret-value-123" not in text
    cfg = yaml.safe_load(text)
    assert cfg["prompts"] == ["{{ messages | dump }}"]
    ids = [p["id"] for p in cfg["providers"]]
    assert ids and all(i.split(":")[0] in ("openai", "anthropic", "google") for i in ids)
    for p in cfg["providers"]:
        if p["id"].startswith("anthropic:"):
            assert p["id"].startswith("anthropic:messages:") and p["config"]["apiKeyEnvar"] == "ANTHROPIC_API_KEY"
        if p["id"].startswith("openai:chat:") and p["config"].get("apiKeyEnvar") == "OPENAI_API_KEY":
            # every provider's base URL is written (an overlay may point OpenAI at a gateway)
            assert p["config"]["apiBaseUrl"] == "https://api.openai.com/v1"
            assert p["config"]["passthrough"]["max_completion_tokens"] == 200  # the case's own limit
        elif p["id"].startswith("openai:chat:"):
            assert p["config"]["passthrough"]["max_tokens"] == 200
        else:
            assert p["config"]["apiBaseUrl"]
    tests = {t["description"]: t for t in cfg["tests"]}
    eq = tests["c-equals"]
    assert eq["vars"]["messages"] == [{"role": "system", "content": "Answer with JSON only."}, {"role": "user", "content": "Say hi"}]
    # advisor strips the answer before comparing; promptfoo's equals does not: a JS assertion
    assert [a["type"] for a in eq["assert"]] == ["javascript"] and 'const want = "hi"' in eq["assert"][0]["value"]
    assert "threshold" not in eq  # no threshold: every check must pass, as in advisor's eval
    a = tests["c-contains"]["assert"]
    assert a[0]["type"] == "javascript" and '["blue"]' in a[0]["value"]  # partial credit, as advisor's
    assert a[1] == {"type": "regex", "value": "^b"}
    assert a[2] == {"type": "javascript", "value": "[...output].length <= 40"}  # code points, as Python counts
    j = tests["c-json"]
    assert j["threshold"] == 0.75
    assert [m["role"] for m in j["vars"]["messages"]] == ["system", "user", "assistant", "user"]
    from advisor.cli.export_cmd import UNFENCE_JS

    # a fenced JSON answer is unfenced first, as advisor's checks do
    assert j["assert"][0] == {"type": "is-json", "transform": UNFENCE_JS}
    assert j["assert"][1] == {"type": "is-json", "value": {"type": "object", "required": ["number"]}, "transform": UNFENCE_JS}
    assert j["assert"][2]["type"] == "javascript" and "JSON.parse(" in j["assert"][2]["value"] and '"total": 5' in j["assert"][2]["value"]
    assert j["assert"][3]["type"] == "llm-rubric" and j["assert"][3]["weight"] == 2.0
    assert j["assert"][3]["value"].startswith("Rubric:\nIs it polite?") and j["assert"][3]["threshold"] == 4
    judge = cfg["defaultTest"]["options"]
    assert judge["provider"]["id"] == cfg["providers"][0]["id"] and "{{ output }}" in judge["rubricPrompt"]
    # refuses to overwrite without --force
    code, _, err = _run(export_cmd, ["promptfoo", "--answers", str(answers), "--cases", str(CAT / "cases.yaml"), "--out", str(out_path)], capsys)
    assert code == 2 and "--force" in err


def test_export_router_plain_and_litellm(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-value-123")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-secret-456")
    answers = tmp_path / "a.yaml"
    answers.write_text("task_type: extraction\nmonthly_requests: 10000\navg_input_tokens: 500\navg_output_tokens: 100\ncontext_tokens: 2000\navailability: high\n")
    plain = tmp_path / "router.yaml"
    code, _, err = _run(export_cmd, ["router", "--answers", str(answers), "--out", str(plain), "--today", "2026-11-24"], capsys)
    assert code == 0, err
    plan = yaml.safe_load(plain.read_text())
    route = plan["routes"][0]
    assert route["task"] == "extraction" and route["fallback"] is not None
    assert route["primary"]["provider"] != route["fallback"]["provider"]
    assert route["primary"]["key_env"].endswith("_API_KEY")

    # eval results re-rank: the fallback with a perfect pass rate becomes primary
    results = tmp_path / "eval.jsonl"
    primary_key = f"{route['primary']['model']}@{route['primary']['provider']}"
    fallback_key = f"{route['fallback']['model']}@{route['fallback']['provider']}"
    lines = [{"model_key": primary_key, "label": "p", "case_id": "c1", "repeat": 0, "ok": True, "passed": False},
             {"model_key": fallback_key, "label": "f", "case_id": "c1", "repeat": 0, "ok": True, "passed": True}]
    results.write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    lite = tmp_path / "litellm.yaml"
    code, _, err = _run(export_cmd, ["router", "--answers", str(answers), "--results", str(results), "--format", "litellm", "--out", str(lite), "--today", "2026-11-24"], capsys)
    assert code == 0, err
    text = lite.read_text()
    assert "sk-secret-value-123" not in text and "sk-ant-secret-456" not in text
    cfg = yaml.safe_load(text)
    names = [m["model_name"] for m in cfg["model_list"]]
    assert names == ["extraction", "extraction-fallback"]
    first = cfg["model_list"][0]["litellm_params"]
    assert first["model"].endswith("/" + route["fallback"]["api_model_id"])
    assert first["api_key"] == f"os.environ/{route['fallback']['key_env']}"
    assert cfg["router_settings"]["fallbacks"] == [{"extraction": ["extraction-fallback"]}]
    for m in cfg["model_list"]:
        assert m["litellm_params"]["api_key"].startswith("os.environ/")

    code, _, err = _run(export_cmd, ["router", "--answers", str(answers), "--results", str(tmp_path / "nope.jsonl"), "--out", str(tmp_path / "x.yaml")], capsys)
    assert code == 2 and "nope.jsonl" in err
