"""Reviewer's findings on import and export, each pinned by a test.

1. models.dev's 0/0 prices are unknown (with a note), never $0 recommendations.
2. A local file's as_of comes from --as-of or the file name, never its mtime.
3. The promptfoo ``fields`` assertion scores like advisor's own check.
4. ``catalog import`` and ``catalog diff`` count endpoints the same way.
5. An export with no surviving candidate names the answers file.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import date
from decimal import Decimal

import pytest

from advisor.catalog import models_dev
from advisor.catalog.overlay import import_catalog
from advisor.catalog.sources import Raw, date_in_name, read_raw
from advisor.cli import catalog_cmd, export_cmd
from advisor.cli.catalog_cmd import diff_data
from advisor.core.engine import shortlist
from advisor.core.knowledge import load_knowledge
from advisor.core.questions import load_answers
from advisor.errors import InputError

from .conftest import CAT, KB_MODELS, KB, LITELLM, MODELS_DEV, TODAY, copy_fixture

MD_AS_OF = date(2026, 7, 2)


def _run(mod, argv, capsys):
    code = mod.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def _md(models: dict) -> Raw:
    data = {"p": {"id": "p", "name": "P", "api": "https://p.example/v1", "env": ["P_KEY"], "models": models}}
    return Raw(data=data, label="t.json", as_of=MD_AS_OF, version=None)


# ----------------------------------------------------------------- 1. $0 prices


def test_models_dev_zero_zero_is_unknown_unless_the_id_says_free():
    ctx = {"limit": {"context": 8192}}
    parsed = models_dev.parse(
        _md(
            {
                "plan-model": {"id": "plan-model", "cost": {"input": 0, "output": 0, "cache_read": 0}, **ctx},
                "x/y:free": {"id": "x/y:free", "cost": {"input": 0, "output": 0}, **ctx},
                "z-free": {"id": "z-free", "cost": {"input": 0, "output": 0}, **ctx},
                "paid": {"id": "paid", "cost": {"input": 1, "output": 2, "cache_read": 0}, **ctx},
            }
        )
    )
    by = {e.api_id: e for e in parsed.entries}
    plan = by["plan-model"]
    assert plan.input is None and plan.output is None and plan.cached_input is None
    assert "$0" in plan.price_note and "verify" in plan.price_note
    for free_id in ("x/y:free", "z-free"):
        e = by[free_id]
        assert e.input == 0 and e.output == 0
        assert e.price_note == plan.price_note  # the same warning on a kept $0
    paid = by["paid"]
    assert paid.input == Decimal("1") and paid.output == Decimal("2") and paid.cached_input is None and paid.price_note is None


def test_zero_zero_import_never_shortlists_at_zero_cost(tmp_path, builtin_kb):
    d = tmp_path / "ov"
    import_catalog("models-dev", str(MODELS_DEV), d, builtin_kb=builtin_kb, today=TODAY, as_of=MD_AS_OF)
    kb = load_knowledge([d], replace=KB)
    for m in kb.models:
        for ep in m.endpoints:
            if ep.price.input == 0 and ep.price.output == 0:
                assert ep.model_id.lower().endswith((":free", "-free")) and "$0" in (ep.price.note or ""), (m.id, ep.provider)
    ep = next(e for e in kb.model_by_id["deepseek-r1-distill-llama-8b"].endpoints if e.provider == "alibaba-cn")
    assert ep.price.input is None and ep.price.output is None
    result = shortlist(load_answers(kb, CAT / "answers.yaml"), kb, TODAY)
    # the imported 0/0 endpoint is ranked or eliminated, and either way with an unknown cost, never $0
    key = "deepseek-r1-distill-llama-8b@alibaba-cn"
    ranked = [r for r in result.ranking if r.option.key == key]
    dropped = [e for e in result.eliminated_options if e.option.key == key]
    assert ranked or dropped
    for r in ranked:
        assert r.per_request is None and r.per_month is None
    assert not any(c.costs.per_request == 0 for c in result.candidates)


# ----------------------------------------------------------------- 2. as_of


def test_date_in_name():
    assert date_in_name("models.dev-api-2026-07-02.json") == date(2026, 7, 2)
    assert date_in_name("api.json") is None
    assert date_in_name("api-2026-13-40.json") is None  # not a date
    assert date_in_name("a-2026-07-02-b-2026-08-01.json") is None  # two dates: ambiguous


def test_local_file_takes_its_date_from_the_name_not_the_mtime(tmp_path):
    src = copy_fixture(MODELS_DEV, tmp_path / "copy")
    os.utime(src, (time.time(), time.time()))  # a fresh copy: mtime is today
    raw = read_raw("models-dev", str(src), None, TODAY)
    assert raw.as_of == MD_AS_OF
    assert read_raw("models-dev", str(src), date(2026, 7, 5), TODAY).as_of == date(2026, 7, 5)  # --as-of wins


def test_local_file_without_a_date_is_refused(tmp_path, builtin_kb):
    plain = tmp_path / "api.json"
    shutil.copy(MODELS_DEV, plain)
    with pytest.raises(InputError) as exc:
        import_catalog("models-dev", str(plain), tmp_path / "ov", builtin_kb=builtin_kb, today=TODAY)
    (line,) = exc.value.lines()
    assert "api.json" in line and "--as-of YYYY-MM-DD" in line
    assert not (tmp_path / "ov").exists()


def test_cli_import_dates_and_stale_flags(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    plain = tmp_path / "api.json"
    shutil.copy(MODELS_DEV, plain)
    code, out, err = _run(catalog_cmd, ["import", "models-dev", str(plain)], capsys)
    assert code == 2 and out == "" and err.count("\n") == 1 and "--as-of YYYY-MM-DD" in err
    assert not (data_dir / "models.yaml").exists()

    copied = copy_fixture(MODELS_DEV, tmp_path / "clone")  # a clone: mtime is now
    code, out, err = _run(catalog_cmd, ["import", "models-dev", str(copied), "--format", "json"], capsys)
    assert code == 0, err
    assert json.loads(out)["as_of"] == "2026-07-02"
    rows = json.loads(_run(catalog_cmd, ["list", "--search", "minimax-m2-5", "--format", "json", "--today", "2026-11-24"], capsys)[1])
    row = next(r for r in rows if r["provider"] == "baseten")
    assert row["as_of"] == "2026-07-02" and row["stale"] is True  # July prices look July-old
    # a deprecation seen in a snapshot is "deprecated by", not a retirement date
    assert row["deprecated"] == "2026-07-02" and row["deprecated_date_known"] is False
    code, out, _ = _run(catalog_cmd, ["list", "--search", "minimax-m2-5", "--today", "2026-11-24"], capsys)
    assert "deprecated by 2026-07-02" in out
    code, out, _ = _run(catalog_cmd, ["show", "minimax-m2-5", "--today", "2026-11-24"], capsys)
    assert "deprecated by 2026-07-02: models.dev marks it deprecated without a retirement date" in " ".join(out.split())

    # LiteLLM gives a real date: shown as one
    assert _run(catalog_cmd, ["import", "litellm", str(LITELLM), "--as-of", "2026-09-29"], capsys)[0] == 0
    rows = json.loads(_run(catalog_cmd, ["list", "--provider", "together", "--format", "json"], capsys)[1])
    llama = next(r for r in rows if r["model"] == "llama-3-3-70b-instruct-turbo")
    assert llama["deprecated"] == "2026-10-22" and llama["deprecated_date_known"] is True


# ----------------------------------------------------------------- 4. counts


def _two_provider_file(tmp_path):
    """gpt-4o (built-in) at two new providers, and a new model at both."""
    def prov(pid):
        m = {"limit": {"context": 128000}, "cost": {"input": 1, "output": 2}}
        return {"id": pid, "name": pid.upper(), "api": f"https://{pid}.example/v1", "env": [f"{pid.upper()}_KEY"],
                "models": {"openai/gpt-4o": {"id": "openai/gpt-4o", **m}, "acme-7b": {"id": "acme-7b", **m}}}
    f = tmp_path / "api-2026-08-01.json"
    f.write_text(json.dumps({"pone": prov("pone"), "ptwo": prov("ptwo")}))
    return f


def test_import_and_diff_count_the_same_endpoints(tmp_path, builtin_kb):
    d = tmp_path / "ov"
    reports = [
        import_catalog("models-dev", str(_two_provider_file(tmp_path)), d, builtin_kb=builtin_kb, today=TODAY)[0],
        import_catalog("models-dev", str(MODELS_DEV), d, builtin_kb=builtin_kb, today=TODAY, as_of=MD_AS_OF)[0],
        import_catalog("litellm", str(LITELLM), d, builtin_kb=builtin_kb, today=TODAY, as_of=date(2026, 9, 29))[0],
    ]
    diff = diff_data(builtin_kb, load_knowledge([d], replace=KB))
    first = reports[0]
    assert (first.new_models, first.new_endpoints, first.new_imported_endpoints) == (1, 2, 1)
    assert reports[1].new_imported_endpoints == 1  # qwen3 at abacus and friendli: one model, two endpoints
    assert sum(r.new_endpoints for r in reports) == len(diff["new_endpoints"])
    assert sum(r.new_models for r in reports) == len(diff["new_models"])
    assert sum(r.new_models + r.new_imported_endpoints for r in reports) == diff["new_model_endpoints"]
    # a re-import updates what the first one added; it adds nothing again
    again, _ = import_catalog("models-dev", str(MODELS_DEV), d, builtin_kb=builtin_kb, today=TODAY, as_of=MD_AS_OF)
    assert again.new_endpoints == again.new_imported_endpoints == again.new_models == 0


def test_cli_import_and_diff_say_the_same_number(data_dir, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "250")
    code, out, _ = _run(catalog_cmd, ["import", "models-dev", str(_two_provider_file(tmp_path))], capsys)
    assert code == 0
    said = " ".join(out.split())
    code, out, _ = _run(catalog_cmd, ["diff"], capsys)
    diffed = " ".join(out.split())
    for label in ("new models: ", "endpoints added to built-in models: ", "more endpoints for imported models: "):
        n_import = said.split(label, 1)[1].split(";", 1)[0]
        n_diff = diffed.split(label, 1)[1].split(";", 1)[0]
        assert n_import == n_diff, label
    assert "endpoints added to built-in models: 2;" in said


# ----------------------------------------------------------------- 5. export names the answers file


def test_export_with_no_candidates_names_the_answers_file(data_dir, tmp_path, capsys):
    answers = tmp_path / "nothing-fits.yaml"
    answers.write_text(
        "task_type: extraction\nmonthly_requests: 10000\navg_input_tokens: 500\navg_output_tokens: 100\ncontext_tokens: 50000000\n"
    )
    cases = tmp_path / "my-cases.yaml"
    shutil.copy(CAT / "cases.yaml", cases)
    code, out, err = _run(export_cmd, ["promptfoo", "--answers", str(answers), "--cases", str(cases), "--out", str(tmp_path / "pf.yaml")], capsys)
    assert code == 2 and out == ""
    assert "nothing-fits.yaml" in err and "my-cases.yaml" not in err
    assert not (tmp_path / "pf.yaml").exists()
