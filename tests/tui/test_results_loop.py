"""The app after a bake-off: the results re-rank, the export carries the evidence, the evidence is kept;
the bake-off's settings; eliminated reasons in full; the palette; the cost chart's volume mark."""

from __future__ import annotations

import json
from decimal import Decimal

from textual.widgets import DataTable, Input, Static

from advisor.eval.target import Target
from advisor.evidence_store import load_kept
from advisor.tui.screens.bake_off_settings import BakeOffSettingsModal, parse_settings
from advisor.tui.screens.eval import EvalScreen
from advisor.tui.screens.modals import PathModal
from advisor.tui.screens.results import ReasonModal, ResultsScreen
from advisor.tui.widgets.cost_chart import CostChart

from .conftest import FULL_ANSWERS, on_screen, until
from .test_eval_screen import CANARY, KEY_ENV, finished, on_eval_screen, open_bake_off

CASES = "".join(f"- {{id: c{i}, input: 'case {i}', checks: [{{type: valid_json}}]}}\n" for i in range(6))


def candidate_targets(fake):
    """One target per shortlisted candidate, keyed like the candidates, all on the fake server."""

    def factory(kb, shortlist):
        return [Target(c.option.label, c.option.key, "openai", fake.base + "/v1", f"m{i}", KEY_ENV,
                       Decimal("1"), Decimal("2"), "o200k_base") for i, c in enumerate(shortlist.candidates)], []

    return factory


def first_fails(api, body):  # the shortlist's #1 (model m0) never answers in JSON
    return "no json" if body.get("model") == "m0" else '{"ok": 1}'


def shortlist_rows(screen) -> list[list[str]]:
    table = screen.query_one("#shortlist-table", DataTable)
    return [[str(c) for c in table.get_row(r.key)] for r in table.ordered_rows]


def kb_with_providers_at(fake, tmp_path, kb):
    """The fixture knowledge with every provider's API at the fake server (as a user's
    --knowledge overlay pointing them at a gateway would): runs there are about those APIs."""
    from pathlib import Path

    from advisor.core.knowledge import load_knowledge

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "kb"
    replace = {name: fixture / name for name in ("models.yaml", "tasks.yaml", "decision_tree.yaml")}  # tests/conftest.py's
    over = tmp_path / "over"
    over.mkdir()
    (over / "models.yaml").write_text("providers:\n" + "".join(
        f"  - {{id: {p}, base_url: '{fake.base}/v1'}}\n" for p in kb.providers))
    return load_knowledge([over], replace=replace)


async def test_a_bake_off_reranks_the_results_exports_with_them_and_is_kept(fixture_kb, today, fake, tmp_path, monkeypatch):
    from advisor.core.questions import answers_from_mapping
    from advisor.tui.app import make_app

    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.yaml").write_text(CASES)
    fake.responder = first_fails
    kb = kb_with_providers_at(fake, tmp_path, fixture_kb)
    app = make_app(kb, answers_from_mapping(kb, FULL_ANSWERS), today=today,
                   targets_factory=candidate_targets(fake), env={KEY_ENV: CANARY})
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "ResultsScreen")
        results = app.screen
        first = app.shortlist.candidates[0].option.model_name
        assert shortlist_rows(results)[0][1] == first
        await open_bake_off(pilot, "cases.yaml", spend="5", concurrency="2")
        await on_eval_screen(pilot)
        assert app.screen.runner.config.concurrency == 2 and app.screen.runner.config.max_spend == Decimal("5")
        await finished(pilot)
        await pilot.press("escape")
        await on_screen(pilot, "ResultsScreen")
        rows = shortlist_rows(results)
        assert rows[-1][1] == first and rows[-1][2] == "0/6 (0%)"  # #1 failed every case: last now
        assert rows[0][0].startswith("#1 ↑")
        decision = str(results.query_one("#decision-text", Static).render())
        assert "moves from #2 to #1" in decision and CANARY not in decision
        # kept as evidence (the user data folder is per test: tests/conftest.py)
        kept, _ = load_kept()
        assert len(kept) == 1 and {m.model_key for m in kept[0].models} == {c.option.key for c in app.shortlist.candidates}
        # the app's export leads with the decision and carries the evidence
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, PathModal))
        app.screen.query_one("#path-input", Input).value = "out.json"
        await pilot.press("enter")
        await until(pilot, lambda: (tmp_path / "out.json").exists(), tries=200)
        data = json.loads((tmp_path / "out.json").read_text())
        assert data["evaluation"]["rerank"]["order"][-1]["label"].startswith(first)
        assert data["evaluation"]["rerank"]["changed"] is True


async def test_settings_are_checked_and_a_targets_file_replaces_the_shortlist(app_for, fake, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.yaml").write_text(CASES)
    (tmp_path / "local.yaml").write_text(
        f"- {{label: My local server, model_key: local, api: openai, base_url: '{fake.base}/v1', model_id: loc}}\n")
    app = app_for(FULL_ANSWERS, targets_factory=candidate_targets(fake), env={KEY_ENV: CANARY})
    async with app.run_test(size=(80, 24)) as pilot:
        await open_bake_off(pilot, "cases.yaml", spend="lots", concurrency="0")
        await until(pilot, lambda: isinstance(app.screen, BakeOffSettingsModal))
        error = str(app.screen.query_one("#path-error", Static).render())
        assert "Spend cap: an amount in US dollars" in error and "Requests at once: a whole number" in error
        app.screen.query_one("#settings-spend", Input).value = ""
        app.screen.query_one("#settings-concurrency", Input).value = "1"
        app.screen.query_one("#settings-targets", Input).value = "local.yaml"
        await pilot.press("enter")
        await on_eval_screen(pilot)
        assert [t.label for t in app.screen.targets] == ["My local server"]
        await finished(pilot)
        assert app.screen.state == "finished"


def test_parse_settings_reports_a_bad_targets_file_with_its_line(tmp_path):
    bad = tmp_path / "t.yaml"
    bad.write_text("- {label: x, model_key: k, api: nope, base_url: u, model_id: m}\n")
    settings, problems = parse_settings("1.5", "3", str(bad))
    assert settings is None and any("t.yaml:1" in p and "api" in p for p in problems)
    ok, none = parse_settings("$0.25", "", "")
    assert none == [] and ok.max_spend == Decimal("0.25") and ok.concurrency == 4 and ok.targets == []


async def test_a_cancelled_run_resumes_from_the_app(app_for, fake, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.yaml").write_text(CASES)
    fake.latency = 0.5
    app = app_for(FULL_ANSWERS, targets_factory=candidate_targets(fake), env={KEY_ENV: CANARY})
    async with app.run_test(size=(100, 30)) as pilot:
        await open_bake_off(pilot, "cases.yaml", concurrency="1")
        await on_eval_screen(pilot)
        screen = app.screen
        await until(pilot, lambda: screen.done >= 1, tries=300)
        await pilot.press("escape")
        await finished(pilot)
        assert screen.state == "cancelled"
        status = str(screen.query_one("#eval-status", Static).render())
        assert "ctrl+r resumes the run" in status and "--resume" not in status
        from advisor.eval.results import read_results

        kept_before = len(read_results(screen.results_path))
        sent = len(fake.requests)
        fake.latency = 0.0
        await pilot.press("ctrl+r")
        await until(pilot, lambda: screen.state == "finished", tries=500)
        total = 6 * len(app.shortlist.candidates)
        assert 1 <= kept_before < total
        assert sum(m.n for m in screen.report.models) == total  # the report covers the whole run
        assert len(fake.requests) - sent == total - kept_before  # only what the file was missing was sent


async def test_an_eliminated_model_shows_its_reason_and_enter_opens_every_reason(app_for):
    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "ResultsScreen")
        await pilot.press("right")  # the Eliminated tab
        await pilot.pause()
        table = app.screen.query_one("#eliminated-table", DataTable)
        table.focus()
        await pilot.pause()
        e = app.shortlist.eliminated[0]
        line = str(app.screen.query_one("#eliminated-row", Static).render())
        assert e.reasons[0].message[:40] in line
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReasonModal))
        text = str(app.screen.query_one("#reason-text", Static).render())
        assert all(r.message in text for r in e.reasons)
        await pilot.press("escape")
        await on_screen(pilot, "ResultsScreen")


async def test_the_palette_has_no_cursor_or_scroll_commands(app_for):
    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "ResultsScreen")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Bake-off (^b)" in titles
        assert not [t for t in titles if t.lower().startswith(("cursor", "scroll", "page"))], titles


async def test_the_cost_chart_marks_the_users_volume(app_for):
    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=(100, 40)) as pilot:
        await on_screen(pilot, "ResultsScreen")
        chart = app.screen.query_one(CostChart)
        text = str(chart.render())
        assert f"your volume: {FULL_ANSWERS['monthly_requests']:,} requests/month" in text
        assert "│" in text.split("└")[0].split("\n", 1)[1]
        assert isinstance(app.screen, ResultsScreen)


async def test_a_known_model_run_against_another_url_is_not_kept_as_its_evidence(app_for, fake, tmp_path, monkeypatch):
    # the same run with the shipped providers' URLs: the candidates' keys name real APIs,
    # but the answers came from the loopback server, so they say nothing about those models
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.yaml").write_text(CASES)
    fake.responder = first_fails
    app = app_for(FULL_ANSWERS, targets_factory=candidate_targets(fake), env={KEY_ENV: CANARY})
    async with app.run_test(size=(80, 24)) as pilot:
        await on_screen(pilot, "ResultsScreen")
        await open_bake_off(pilot, "cases.yaml", spend="5", concurrency="2")
        await on_eval_screen(pilot)
        await finished(pilot)
        await until(pilot, lambda: app.evaluation is not None)
        await pilot.pause(0.1)
        kept, _ = load_kept()
        assert kept == []
        said = " ".join(str(n.message) for n in app._notifications)
        assert "Not kept as evidence for" in said and fake.base in said
