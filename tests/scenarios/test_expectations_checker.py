"""The scenario checker itself: it must fail where it should, never pass vacuously.

Runs on small stand-ins for the knowledge and the shortlist, so these tests do
not move when the shipped knowledge or the engine changes.
"""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace as NS

import pytest

from .expectations import check, checkable, validate

TODAY = date(2026, 12, 1)


def _model(mid, tier="mid", deprecated=None, endpoints=(), license=None, allows=None, family=None, released=None):
    return NS(id=mid, tier=tier, deprecated=deprecated, endpoints=endpoints, license=license,
              license_allows_production=allows, vendor="acme", family=family or mid,
              released=released or date(2025, 1, 1), released_after=None, successor=None)


def _ep(provider, model_id, deprecated=None, successor=None):
    return NS(provider=provider, model_id=model_id, deprecated=deprecated, successor=successor)


KB = NS(
    model_by_id={
        "alpha": _model("alpha", "frontier", family="alpha", endpoints=(_ep("acme", "alpha-1", successor="alpha-2"),)),
        "beta": _model("beta", "small", endpoints=(_ep("bolt", "beta-1", deprecated=date(2026, 12, 20)),)),
        "gone": _model("gone", "mid", deprecated=date(2026, 11, 1), endpoints=(_ep("acme", "gone-1"),)),
        "weights": _model("weights", "mid", license="Example Non-Production License"),
        "alpha-2": _model("alpha-2", "frontier", family="alpha", released=date(2026, 6, 1),
                          endpoints=(_ep("acme", "alpha-2"),)),
        "alpha-0": _model("alpha-0", "frontier", family="alpha", released=date(2024, 6, 1),
                          endpoints=(_ep("acme", "alpha-0"),)),
        "alpha-mini": _model("alpha-mini", "small", family="alpha", released=date(2026, 6, 1),
                             endpoints=(_ep("acme", "alpha-mini"),)),
    },
    providers={"acme": object(), "bolt": object()},
    node_by_id={"safe_default": NS(is_outcome=True), "root_q": NS(is_outcome=False)},
)


def _cand(role, model_id, provider="acme", deployment="hosted", thinks=None, unproven=False, open_weights=False):
    cand = NS(
        role=role,
        option=NS(model_id=model_id, provider=None if deployment == "self_host" else provider,
                  deployment=deployment, api_model_id=None, key=f"{model_id}@{provider}"),
        open_weights=open_weights,
        unproven=unproven,
    )
    cand.reasoning_mode = None if thinks is None else NS(thinks=thinks, label="effort: low" if thinks else "thinking off")
    return cand


def _result(*cands, warnings=(), node="safe_default"):
    return NS(candidates=tuple(cands), warnings=tuple(NS(code=w, model_id=None) for w in warnings),
              outcome=NS(node=node))


def _run(spec, result):
    assert validate(spec, KB) == []
    return check(checkable(spec, KB), result, KB, TODAY)


ANY_OF = {"recommended_any_of": {"models": ["alpha"], "why": "the right pick"}}


def test_an_empty_shortlist_fails_every_recommendation_check():
    spec = {
        **ANY_OF,
        "recommended_where": {"deployment": "hosted", "why": "w"},
        "recommended_not_retiring_within_days": {"days": 45, "why": "d"},
        "unproven_allowed": {"value": False, "why": "u"},
        "fallback_provider_differs": {"value": True, "why": "f"},
    }
    problems = _run(spec, _result())
    assert len(problems) == 5
    assert all("no recommended candidate" in p or "no fallback" in p for p in problems)
    assert "why this matters: the right pick" in problems[0]


def test_a_matching_shortlist_passes():
    spec = {
        **ANY_OF,
        "recommended_where": {"deployment": "hosted", "tier_in": ["frontier"], "reasoning_thinks": False, "why": "w"},
        "shortlist_never": [{"model": "gone", "why": "retired"}, {"retired": True, "why": "r"}],
        "fallback_provider_differs": {"value": True, "why": "f"},
        "tree_outcome": {"node": "safe_default", "why": "t"},
        "unproven_allowed": {"value": False, "why": "u"},
    }
    result = _result(_cand("recommended", "alpha", thinks=False), _cand("fallback", "weights", deployment="self_host"))
    assert _run(spec, result) == []


def test_wrong_pick_never_hits_and_same_provider_fallback_are_reported():
    spec = {
        **ANY_OF,
        "shortlist_never": [{"provider": "bolt", "why": "no attestation"}, {"retired": True, "why": "r"}],
        "fallback_provider_differs": {"value": True, "why": "outages"},
    }
    result = _result(_cand("recommended", "beta", provider="bolt"), _cand("fallback", "gone", provider="acme"),
                     _cand("alternative", "beta", provider="bolt"))
    problems = "\n".join(_run(spec, result))
    assert "recommended beta (bolt), not one of alpha" in problems
    assert problems.count("is on provider bolt") == 2
    assert "fallback gone (acme) retired 2026-11-01" in problems
    # beta's endpoint retires 2026-12-20 and nothing warned about it
    assert "retires 2026-12-20 (within 90 days) with no retiring_soon warning" in problems


def test_retiring_dates_come_from_the_endpoint_and_self_hosting_never_retires():
    spec = {**ANY_OF, "shortlist_never": [{"retiring_within_days": 45, "why": "soon"}]}
    hosted = _run(spec, _result(_cand("recommended", "alpha"), _cand("alternative", "beta", provider="bolt"),
                                warnings=["retiring_soon"]))
    assert len(hosted) == 1 and "retires 2026-12-20, within 45 days" in hosted[0]
    assert _run(spec, _result(_cand("recommended", "alpha"), _cand("alternative", "beta", deployment="self_host"))) == []


def test_missing_engine_fields_are_failures_not_passes():
    spec = {"recommended_where": {"reasoning_thinks": False, "why": "w"}, "unproven_allowed": {"value": False, "why": "u"}}
    cand = _cand("recommended", "alpha")
    del cand.reasoning_mode, cand.unproven
    problems = "\n".join(_run(spec, _result(cand)))
    assert "no Candidate.reasoning_mode field" in problems
    assert "no Candidate.unproven field" in problems


def test_thinking_unproven_licence_tree_and_warnings_are_checked():
    spec = {
        **ANY_OF,
        "recommended_where": {"reasoning_thinks": False, "why": "w"},
        "unproven_allowed": {"value": False, "why": "u"},
        "shortlist_never": [{"license_forbids_production": True, "why": "licence"}],
        "warnings_include": [{"code": "no_fallback", "why": "nf"}],
        "tree_outcome": {"node": "safe_default", "why": "t"},
    }
    result = _result(_cand("recommended", "alpha", thinks=True, unproven=True),
                     _cand("alternative", "weights", deployment="self_host", open_weights=True),
                     warnings=["no_quality_floor"], node="fast_models")
    problems = "\n".join(_run(spec, result))
    assert "assumed mode (effort: low) thinks" in problems
    assert "is unproven" in problems
    assert "licence that forbids production (Example Non-Production License)" in problems
    assert "no 'no_fallback' warning (warnings: no_quality_floor)" in problems
    assert "ended at 'fast_models', not 'safe_default'" in problems


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"recommended_any_of": {"models": ["alpah"], "why": "w"}}, "model id 'alpah' is not in knowledge"),
        ({**ANY_OF, "shortlist_never": [{"model": "omega", "why": "w"}]}, "model id 'omega' is not in knowledge"),
        ({**ANY_OF, "shortlist_never": [{"provider": "nope", "why": "w"}]}, "provider id 'nope' is not in knowledge"),
        ({**ANY_OF, "recommended_bogus": {"why": "w"}}, "unknown expectation key 'recommended_bogus'"),
        ({"recommended_where": {"deployment": "hosted", "colour": "red", "why": "w"}}, "unknown key 'colour'"),
        ({"recommended_any_of": {"models": ["alpha"]}}, "has no 'why'"),
        ({**ANY_OF, "shortlist_never": [{"model": "alpha", "retired": True, "why": "w"}]}, "needs exactly one of"),
        ({**ANY_OF, "warnings_include": [{"code": "retiring", "why": "w"}]}, "unknown warning code 'retiring'"),
        ({**ANY_OF, "tree_outcome": {"node": "root_q", "why": "w"}}, "is a question, not an outcome"),
        ({"shortlist_never": [{"retired": True, "why": "w"}]}, "says nothing about the recommendation"),
        ({}, "empty or not a mapping"),
    ],
)
def test_malformed_expectations_are_reported(spec, expected):
    problems = validate(spec, KB)
    assert any(expected in p for p in problems), problems


def test_a_typo_in_one_item_does_not_hide_the_other_checks():
    spec = {"recommended_any_of": {"models": ["alpah", "alpha"], "why": "w"},
            "shortlist_never": [{"model": "omega", "why": "typo"}, {"model": "beta", "why": "never beta"}]}
    assert validate(spec, KB)  # the typos are reported ...
    kept = checkable(spec, KB)
    assert kept["recommended_any_of"]["models"] == ["alpha"]
    problems = check(kept, _result(_cand("recommended", "beta", provider="bolt"), warnings=["retiring_soon"]), KB, TODAY)
    # ... and the rest is still checked
    assert any("not one of alpha" in p for p in problems)
    assert any("never beta" in p for p in problems)


def test_the_declared_successor_of_an_accepted_model_is_accepted_but_not_a_sibling_or_an_older_one():
    # alpha's vendor names alpha-2 as its replacement (knowledge's `successor`, on an endpoint):
    # the engineer's reasons for alpha stand for it. alpha-0 (older) and alpha-mini (same
    # family, no declaration) are not accepted
    assert _run(ANY_OF, _result(_cand("recommended", "alpha-2"))) == []
    for other in ("alpha-0", "alpha-mini"):
        problems = _run(ANY_OF, _result(_cand("recommended", other)))
        assert len(problems) == 1 and problems[0].startswith("recommended_any_of:"), other
