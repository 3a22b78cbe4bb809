"""advisor catalog import: conversions, identity rules, conflicts, provenance, bad input."""

from __future__ import annotations

import json
import threading
from datetime import date
from decimal import Decimal
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
import yaml

from advisor.catalog import litellm, models_dev
from advisor.catalog.build import build_overlay, differs
from advisor.catalog.entries import per_million, to_decimal
from advisor.catalog.overlay import import_catalog
from advisor.catalog.sources import Raw, read_raw
from advisor.core.engine import shortlist
from advisor.core.knowledge import load_knowledge
from advisor.core.questions import load_answers
from advisor.errors import InputError

from .conftest import CAT, KB_MODELS, KB, LITELLM, MODELS_DEV, TODAY

MD_AS_OF = date(2026, 7, 2)
LL_AS_OF = date(2026, 9, 29)


def _import(kind, path, directory, kb, as_of):
    return import_catalog(kind, str(path), directory, builtin_kb=kb, today=TODAY, as_of=as_of)


def _both(tmp_path, kb):
    d = tmp_path / "ov"
    _import("models-dev", MODELS_DEV, d, kb, MD_AS_OF)
    _import("litellm", LITELLM, d, kb, LL_AS_OF)
    return d


def _model(overlay, mid):
    return next(m for m in overlay["models"] if m["id"] == mid)


def _ep(model, provider):
    return next(e for e in model["endpoints"] if e["provider"] == provider)


# ----------------------------------------------------------------- conversions

@pytest.mark.parametrize(
    "per_token, expected",
    [(2.5e-06, Decimal("2.5")), (1e-05, Decimal("10")), (1.25e-06, Decimal("1.25")), (9e-07, Decimal("0.9")), (1.04e-06, Decimal("1.04")), (0, Decimal("0"))],
)
def test_per_token_to_per_million_is_exact(per_token, expected):
    got = per_million(per_token)
    assert got == expected
    assert str(got) == str(expected)  # no float artefacts, no 1E+1


def test_to_decimal_refuses_non_numbers():
    assert to_decimal(None) is None and to_decimal(True) is None and to_decimal(-1) is None
    assert to_decimal(0.1) == Decimal("0.1")


def test_conflict_boundary_is_more_than_five_percent_of_the_lower():
    assert not differs(Decimal("1.00"), Decimal("1.05"))
    assert differs(Decimal("1.00"), Decimal("1.0501"))
    assert not differs(Decimal("1.05"), Decimal("1.00"))
    assert differs(Decimal("0"), Decimal("0.01"))
    assert not differs(None, Decimal("3"))


# ----------------------------------------------------------------- models.dev

def test_models_dev_mapping(tmp_path, builtin_kb):
    d = tmp_path / "ov"
    report, target = _import("models-dev", MODELS_DEV, d, builtin_kb, MD_AS_OF)
    data = yaml.safe_load(target.read_text())
    # built-in endpoint (openai, gpt-4o-2024-11-20) updated in place, not duplicated
    gpt = _model(data, "gpt-4o")
    assert set(gpt) == {"id", "endpoints"}
    ep = _ep(gpt, "openai")
    assert ep["model_id"] == "gpt-4o-2024-11-20"
    assert Decimal(str(ep["price"]["input"])) == Decimal("2.5") and Decimal(str(ep["price"]["output"])) == Decimal("10")
    assert ep["price"]["source"] == "models.dev api.json 2026-07-02 (openai)"
    assert ep["price"]["as_of"] == MD_AS_OF
    # the alias "gpt-4o" at openai is not a second openai endpoint of gpt-4o
    assert [e["model_id"] for e in gpt["endpoints"]] == ["gpt-4o-2024-11-20"]
    assert report.skipped["another id for a model already served by that provider"] >= 1
    # a model without a context window is skipped and counted, never given a default
    assert report.skipped["no context window"] >= 1
    assert not any("elevenlabs" in m["id"] for m in data["models"])
    # a lone cache_read: 0 next to real prices is unknown, not free
    turbo = _model(data, "gpt-3-5-turbo")
    assert _ep(turbo, "openai")["price"]["cached_input"] is None
    # both input and output 0 in models.dev (free tier, subscription or placeholder): unknown, with a note
    zero = _model(data, "deepseek-r1-distill-llama-8b")
    price = _ep(zero, "alibaba-cn")["price"]
    assert price["input"] is None and price["output"] is None
    assert "lists input and output at $0" in price["note"] and "verify" in price["note"]
    # no cost at all: unknown (null), never 0
    haiku = _model(data, "claude-haiku-4-5")
    assert _ep(haiku, "anyapi")["price"]["input"] is None and _ep(haiku, "anyapi")["price"]["output"] is None
    # tiered prices are kept in the note, the base tier is the price
    opus = _model(data, "claude-opus-4-7")
    assert "above 200,000 tokens: input 10 / output 37.5" in _ep(opus, "302ai")["price"]["note"]
    # deprecated status: the endpoint is deprecated as of the snapshot date, and says that is not a real date
    minimax = _model(data, "minimax-m2-5")
    assert _ep(minimax, "baseten")["deprecated"] == MD_AS_OF
    assert _ep(minimax, "baseten")["notes"].startswith("deprecated by 2026-07-02:")
    assert "not when it retires" in _ep(minimax, "baseten")["notes"]
    # imported models are unrated and carry no ratings block
    assert "ratings" not in opus


def test_same_model_under_several_providers_is_one_model(tmp_path, builtin_kb):
    d = tmp_path / "ov"
    _import("models-dev", MODELS_DEV, d, builtin_kb, MD_AS_OF)
    data = yaml.safe_load((d / "models.yaml").read_text())
    qwen = [m for m in data["models"] if m["id"].startswith("qwen3-235b-a22b-instruct-2507")]
    assert len(qwen) == 1
    assert {e["provider"] for e in qwen[0]["endpoints"]} == {"abacus", "friendli"}
    assert qwen[0]["open_weights"] is True and qwen[0]["vendor"] == "alibaba"


def test_overlay_loads_and_engine_shortlists_imported_models(tmp_path, builtin_kb):
    d = _both(tmp_path, builtin_kb)
    kb = load_knowledge([d], replace=KB)
    imported = {m.id for m in kb.models} - {m.id for m in builtin_kb.models}
    assert "llama-3-3-70b-instruct-turbo" in imported
    answers = load_answers(kb, CAT / "answers.yaml")
    result = shortlist(answers, kb, TODAY)
    mine = [c for c in result.candidates if c.option.model_id in imported]
    assert mine, "an imported model should make the shortlist when every built-in provider is excluded"
    for cand in mine:
        assert all(level == "unrated" for level in cand.ratings.values())
        assert cand.score.unrated  # every weighted dimension is unrated ...
        assert any(r.startswith("no evidence on") and "unknown is a risk" in r for r in cand.reasons)  # ... and named
    # every imported price in the knowledge base has provenance
    for m in kb.models:
        for ep in m.endpoints:
            assert ep.price.source and ep.price.as_of


def test_conflict_between_sources_is_kept_and_warned(tmp_path, builtin_kb):
    d = _both(tmp_path, builtin_kb)
    data = yaml.safe_load((d / "models.yaml").read_text())
    ep = _ep(_model(data, "llama-3-3-70b-instruct-turbo"), "together")
    assert Decimal(str(ep["price"]["input"])) == Decimal("1.04")  # LiteLLM, the import just run
    assert ep["price"]["source"] == "LiteLLM model_prices 1.109.1 (together_ai)"
    (claim,) = ep["price"]["conflicts"]
    assert Decimal(str(claim["input"])) == Decimal("0.88") and claim["source"].startswith("models.dev api.json 2026-07-02")
    assert ep["deprecated"] == date(2026, 10, 22)
    # agreeing sources make no conflict (gpt-4o: 2.5 / 10 in both)
    assert _ep(_model(data, "gpt-4o"), "openai")["price"]["conflicts"] == []
    kb = load_knowledge([d], replace=KB)
    model = kb.model_by_id["llama-3-3-70b-instruct-turbo"]
    assert model.endpoints[0].price.conflicts[0].input == Decimal("0.88")


def test_litellm_rules(tmp_path, builtin_kb):
    d = tmp_path / "ov"
    report, target = _import("litellm", LITELLM, d, builtin_kb, LL_AS_OF)
    data = yaml.safe_load(target.read_text())
    gpt = _ep(_model(data, "gpt-4o"), "openai")
    p = gpt["price"]
    assert [Decimal(str(p[k])) for k in ("input", "output", "cached_input", "batch_input", "batch_output")] == [
        Decimal("2.5"), Decimal("10"), Decimal("1.25"), Decimal("1.25"), Decimal("5")
    ]
    assert p["source"] == "LiteLLM model_prices 1.109.1 (openai)" and p["as_of"] == LL_AS_OF
    pro = _model(data, "gemini-2-5-pro")
    assert "above 200k tokens" in _ep(pro, "google")["price"]["note"]
    assert _ep(pro, "google")["model_id"] == "gemini-2.5-pro"
    assert report.skipped["not a chat model (mode embedding)"] == 1
    assert "sample_spec" not in json.dumps(data, default=str)


def test_litellm_zero_is_unknown_unless_marked_free(tmp_path):
    raw = Raw(
        data={
            "groq/paid": {"litellm_provider": "groq", "mode": "chat", "max_input_tokens": 8192, "input_cost_per_token": 0, "output_cost_per_token": 1e-06},
            "openrouter/x/y:free": {"litellm_provider": "openrouter", "mode": "chat", "max_input_tokens": 8192, "input_cost_per_token": 0.0, "output_cost_per_token": 0.0},
        },
        label="t.json", as_of=LL_AS_OF, version="1.0.0",
    )
    parsed = litellm.parse(raw)
    by = {e.api_id: e for e in parsed.entries}
    assert by["paid"].input is None and by["paid"].output == Decimal("1")
    assert by["x/y:free"].input == 0 and by["x/y:free"].output == 0


# ----------------------------------------------------------------- bad input

@pytest.mark.parametrize(
    "content, expect",
    [
        ("{not json", "malformed JSON"),
        ("", "empty"),
        ("[1, 2]", "expected a JSON object"),
        ('{"openai": {"id": "openai", "models": {"m": {"limit": "big"}}}}', "openai.models.m.limit"),
        ('{"openai": {"id": "openai"}}', "not a models.dev provider"),
    ],
)
def test_bad_file_leaves_overlay_byte_identical(tmp_path, builtin_kb, content, expect):
    d = tmp_path / "ov"
    _import("models-dev", MODELS_DEV, d, builtin_kb, MD_AS_OF)
    before = (d / "models.yaml").read_bytes()
    bad = tmp_path / "bad.json"
    bad.write_text(content)
    with pytest.raises(InputError) as exc:
        _import("models-dev", bad, d, builtin_kb, MD_AS_OF)
    lines = exc.value.lines()
    assert len(lines) == 1 and "bad.json" in lines[0] and expect in lines[0]
    assert (d / "models.yaml").read_bytes() == before
    assert [p.name for p in d.iterdir()] == ["models.yaml"]  # no temp file left behind


def test_directory_and_wrong_source(tmp_path, builtin_kb):
    with pytest.raises(InputError, match="is a directory"):
        _import("models-dev", tmp_path, tmp_path / "ov", builtin_kb, MD_AS_OF)
    with pytest.raises(InputError, match="use `advisor catalog import litellm`"):
        _import("models-dev", LITELLM, tmp_path / "ov", builtin_kb, MD_AS_OF)
    assert not (tmp_path / "ov" / "models.yaml").exists()


# ----------------------------------------------------------------- URL

class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep test output clean
        pass


def test_import_from_loopback_url(tmp_path, builtin_kb):
    handler = partial(_Quiet, directory=str(CAT))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{LITELLM.name}"
        report, target = import_catalog("litellm", url, tmp_path / "ov", builtin_kb=builtin_kb, today=TODAY)
        assert report.as_of == TODAY  # fetch date
        assert report.source == "LiteLLM model_prices 1.109.1"
        assert "gpt-4o" in target.read_text()
        with pytest.raises(InputError, match="HTTP 404"):
            read_raw("litellm", url + ".missing", None, TODAY)
    finally:
        server.shutdown()
        server.server_close()


def test_reimport_is_stable(tmp_path, builtin_kb):
    d = tmp_path / "ov"
    _import("models-dev", MODELS_DEV, d, builtin_kb, MD_AS_OF)
    first = (d / "models.yaml").read_text()
    report, _ = _import("models-dev", MODELS_DEV, d, builtin_kb, MD_AS_OF)
    assert (d / "models.yaml").read_text() == first
    assert report.new_models == 0


def test_build_overlay_never_writes_empty_lists(builtin_kb):
    raw = Raw(data={"x": {"id": "x", "models": {}}}, label="x.json", as_of=MD_AS_OF, version=None)
    data, _ = build_overlay(models_dev.parse(raw), builtin_kb.providers, builtin_kb.models, None)
    assert data == {}  # an empty providers list would replace the built-in one
