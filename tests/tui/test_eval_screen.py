"""The bake-off screen: from the results to a live eval against a loopback server, cancel, skipped keys.

The targets point at the fake OpenAI-compatible server from tests/providers;
the key is a canary that must never show on screen or in the results file.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, ProgressBar, Static

from advisor.eval.cases import parse_cases
from advisor.eval.results import read_results
from advisor.eval.target import Target
from advisor.tui.screens.eval import EvalScreen
from advisor.tui.screens.modals import PathModal

from .conftest import FULL_ANSWERS, on_screen, until


CANARY = "sk-canary-tui-9f3b2"
KEY_ENV = "ADVISOR_TUI_TEST_KEY"
SIZE = (110, 44)

CASES = """\
- {id: greet, input: 'Say hello', expected: 'Hello from the fake server.'}
- {id: shout, input: 'Shout hello', expected: 'HELLO'}
- {id: wave, input: 'Wave hello', checks: [{type: contains, value: Hello}]}
"""


def fake_targets(fake, key_env=KEY_ENV):
    """A factory like targets_for_shortlist, pointing two 'models' at the loopback server."""

    def factory(kb, shortlist):
        base = fake.base + "/v1"
        ts = [
            Target("Pricey model", "pricey@fake", "openai", base, "pricey", key_env, Decimal("10"), Decimal("30"), "o200k_base"),
            Target("Cheap model", "cheap@fake", "openai", base, "cheap", key_env, Decimal("0.1"), Decimal("0.4"), "o200k_base"),
        ]
        return ts, []

    return factory


def screen_text(app) -> str:
    """Everything the screen shows as plain text (statics and table cells)."""
    parts = []
    for w in app.screen.query(Static):
        parts.append(str(w.render()))
    for t in app.screen.query(DataTable):
        for row in t.ordered_rows:
            parts.append(" ".join(str(c) for c in t.get_row(row.key)))
    return "\n".join(parts)


async def open_bake_off(pilot, cases_path: str, spend: str = "", concurrency: str = "", target_file: str = "") -> None:
    """ctrl+b, the cases file, then the settings dialog (its defaults unless given)."""
    from advisor.tui.screens.bake_off_settings import BakeOffSettingsModal

    await on_screen(pilot, "ResultsScreen")
    await pilot.press("ctrl+b")
    await until(pilot, lambda: isinstance(pilot.app.screen, PathModal), tries=200)
    inp = pilot.app.screen.query_one("#path-input", Input)
    inp.value = cases_path
    await pilot.press("enter")
    await pilot.pause()
    if type(pilot.app.screen) is not PathModal:  # (a bad cases file keeps the path dialog open)
        await until(pilot, lambda: isinstance(pilot.app.screen, BakeOffSettingsModal), tries=200)
        dialog = pilot.app.screen
        for field, value in (("#settings-spend", spend), ("#settings-concurrency", concurrency),
                             ("#settings-targets", target_file)):
            if value:
                dialog.query_one(field, Input).value = value
        await pilot.press("enter")


async def on_eval_screen(pilot) -> None:
    """The eval screen is up (planning counts tokens with tiktoken, which can take a moment the first time)."""
    await until(pilot, lambda: isinstance(pilot.app.screen, EvalScreen), tries=400)


async def finished(pilot) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, EvalScreen) and pilot.app.screen.state in ("finished", "cancelled", "failed"), tries=400)
    await pilot.pause()


@pytest.fixture
def cases_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    p = tmp_path / "cases.yaml"
    p.write_text(CASES)
    return p


async def test_bake_off_runs_live_and_reranks(app_for, fake, cases_file, tmp_path):
    fake.input_tokens, fake.output_tokens = 20, 5
    # five cases, so the evidence is not too thin to move the order (rerank.MIN_SAMPLES)
    cases_file.write_text(CASES + "- {id: greet2, input: 'Say hello again', expected: 'Hello from the fake server.'}\n"
                          "- {id: wave2, input: 'Wave again', checks: [{type: contains, value: Hello}]}\n")
    ids = ("greet", "shout", "wave", "greet2", "wave2")
    app = app_for(FULL_ANSWERS, targets_factory=fake_targets(fake), env={KEY_ENV: CANARY})
    async with app.run_test(size=SIZE) as pilot:
        await open_bake_off(pilot, "cases.yaml")
        await on_eval_screen(pilot)
        await finished(pilot)
        screen = app.screen
        assert screen.state == "finished"
        bars = list(screen.query(ProgressBar))
        assert len(bars) == 2 and all(b.progress == b.total == 5 for b in bars)
        table = screen.query_one("#eval-table", DataTable)
        assert table.row_count == 10
        rows = {(str(table.get_row(k)[0]), str(table.get_row(k)[1])) for k in table.rows}
        assert rows == {(m, c) for m in ("Pricey model", "Cheap model") for c in ids}
        rerank = screen.query_one("#eval-rerank", DataTable)
        order = [str(rerank.get_row(r.key)[2]) for r in rerank.ordered_rows]
        # both pass the same 4 of 5 cases; the cheap one is cheaper per success, so it moves up
        assert order == ["Cheap model", "Pricey model"]
        text = screen_text(app)
        assert screen.report.rerank.sentence in text and "Re-ranked shortlist" in text
        assert "costs less per success" in screen.report.rerank.sentence
        assert "Finished: 10/10" in text
        assert CANARY not in text
        # results file in the cwd, named advisor-eval-<timestamp>.jsonl
        files = list(tmp_path.glob("advisor-eval-*.jsonl"))
        assert len(files) == 1
        assert CANARY not in files[0].read_text()
        assert len(read_results(files[0])) == 10
        # the key went to the server (it is real), never anywhere shown
        assert all(h.get("authorization") == f"Bearer {CANARY}" for _, h, _ in fake.requests)

        # export: the report embeds the evaluation
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, PathModal))
        app.screen.query_one("#path-input", Input).value = "report.md"
        await pilot.press("enter")
        await until(pilot, lambda: (tmp_path / "report.md").exists(), tries=200)
        md = (tmp_path / "report.md").read_text()
        assert "Live eval" in md and "Cheap model" in md and CANARY not in md
        # and never overwrites without asking
        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, PathModal))
        app.screen.query_one("#path-input", Input).value = "report.md"
        await pilot.press("enter")
        await until(pilot, lambda: type(app.screen).__name__ == "ConfirmModal")
        await pilot.press("n")
        await on_eval_screen(pilot)

        await pilot.press("escape")  # finished: escape goes back
        await on_screen(pilot, "ResultsScreen")


async def test_cancel_keeps_completed_results(app_for, fake, cases_file, tmp_path):
    fake.latency = 0.8  # two at a time (same endpoint): six requests take ~2.4 s, ample time to cancel
    app = app_for(FULL_ANSWERS, targets_factory=fake_targets(fake), env={KEY_ENV: CANARY})
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "ResultsScreen")
        palette = [c.title for c in app.get_system_commands(app.screen)]
        assert "Bake-off (^b)" in palette
        await open_bake_off(pilot, "cases.yaml")
        await on_eval_screen(pilot)
        screen = app.screen
        await until(pilot, lambda: screen.done >= 1, tries=200)
        footer = {b.binding.id for b in screen.active_bindings.values() if screen.check_action(b.binding.action, ()) }
        assert "eval-cancel" in footer and "eval-back" not in footer
        await pilot.press("escape")  # running: escape cancels (it does not leave)
        await finished(pilot)
        assert app.screen is screen and screen.state == "cancelled"
        kept = read_results(next(tmp_path.glob("advisor-eval-*.jsonl")))
        assert 1 <= len(kept) < 6
        table = screen.query_one("#eval-table", DataTable)
        assert table.row_count == len(kept)
        assert {r.key for r in kept} == {str(k.value) for k in table.rows}
        text = screen_text(app)
        assert f"Cancelled: {len(kept)} of 6 results kept" in text
        assert "interrupted" in text  # the report's note; the re-ranking still shows
        assert screen.query_one("#eval-rerank", DataTable).row_count == 2
        assert CANARY not in text


async def test_ctrl_c_cancels_too(app_for, fake, cases_file):
    fake.latency = 0.4
    app = app_for(FULL_ANSWERS, targets_factory=fake_targets(fake), env={KEY_ENV: CANARY})
    async with app.run_test(size=SIZE) as pilot:
        await open_bake_off(pilot, "cases.yaml")
        await on_eval_screen(pilot)
        await pilot.press("ctrl+c")
        await finished(pilot)
        assert app.screen.state == "cancelled"


async def test_missing_key_is_skipped_with_one_line(app_for, fake, cases_file):
    def factory(kb, shortlist):
        ts, notes = fake_targets(fake)(kb, shortlist)
        lost = Target("Keyless model", "keyless@fake", "openai", fake.base + "/v1", "x", "ADVISOR_TUI_NO_SUCH_KEY",
                      Decimal("1"), Decimal("1"))
        return ts + [lost], ["Some self-hosted model: no hosted endpoint serves these weights"]

    app = app_for(FULL_ANSWERS, targets_factory=factory, env={KEY_ENV: CANARY})
    async with app.run_test(size=SIZE) as pilot:
        await open_bake_off(pilot, "cases.yaml")
        await on_eval_screen(pilot)
        await finished(pilot)
        skipped = str(app.screen.query_one("#eval-skipped", Static).render()).splitlines()
        assert skipped == [
            "Skipped Keyless model (keyless@fake): $ADVISOR_TUI_NO_SUCH_KEY is not set",
            "Skipped Some self-hosted model: no hosted endpoint serves these weights",
        ]
        assert len(app.screen.query(ProgressBar)) == 2
        assert app.screen.query_one("#eval-table", DataTable).row_count == 6


async def test_no_model_can_run(app_for, fake, cases_file, tmp_path):
    app = app_for(FULL_ANSWERS, targets_factory=fake_targets(fake), env={})
    async with app.run_test(size=SIZE) as pilot:
        await open_bake_off(pilot, "cases.yaml")
        await on_eval_screen(pilot)
        await pilot.pause()
        screen = app.screen
        assert screen.state == "nothing"
        text = screen_text(app)
        assert "No model can run" in text
        assert text.count(f"${KEY_ENV} is not set") == 2
        assert fake.count() == 0 and not list(tmp_path.glob("advisor-eval-*.jsonl"))
        await pilot.press("escape")
        await on_screen(pilot, "ResultsScreen")


async def test_bad_cases_file_is_shown_inline(app_for, fake, cases_file, tmp_path):
    (tmp_path / "bad.yaml").write_text("- {id: a, input: hi}\n- {id: b}\n")
    app = app_for(FULL_ANSWERS, targets_factory=fake_targets(fake), env={KEY_ENV: CANARY})
    async with app.run_test(size=SIZE) as pilot:
        await open_bake_off(pilot, "bad.yaml")
        await pilot.pause()
        assert isinstance(app.screen, PathModal)
        error = str(app.screen.query_one("#path-error", Static).render())
        assert "bad.yaml:2" in error and "Traceback" not in error
        app.screen.query_one("#path-input", Input).value = "missing.yaml"
        await pilot.press("enter")
        await pilot.pause()
        assert "missing.yaml" in str(app.screen.query_one("#path-error", Static).render())
        await pilot.press("escape")
        await on_screen(pilot, "ResultsScreen")


# -- snapshot: the finished screen, from a scripted run (fixed timings, no network) ----------

class ScriptedRunner:
    """A real EvalRunner's plan, with results replayed instead of requested: timings are fixed."""

    LATENCY = {"pricey@fake": (840.0, 310.0), "cheap@fake": (420.0, 150.0)}

    def __init__(self, targets, cases, results_path, env):
        from advisor.eval.runner import EvalRunner

        self.inner = EvalRunner(targets, cases, results_path=None, env=env)

    def plan(self):
        return self.inner.plan()

    def cancel(self):
        pass

    async def run(self, on_event, plan=None):
        from advisor.eval.results import CaseResult
        from advisor.eval.runner import Progress, ResultReady, RunFinished, RunStarted, RunSummary

        plan = self.plan() if plan is None else plan
        total = len(plan.requests)
        on_event(RunStarted(total, 0, plan.targets, plan.skipped_targets))
        results, spent = [], Decimal(0)
        by_model = {t.model_key: [0, sum(r.target.model_key == t.model_key for r in plan.requests)] for t in plan.targets}
        for i, req in enumerate(plan.requests):
            t, case = req.target, req.case
            latency, ttft = self.LATENCY[t.model_key]
            passed = case.id != "shout" or t.model_key == "pricey@fake"
            cost = t.cost(20, 5)
            r = CaseResult(model_key=t.model_key, label=t.label, case_id=case.id, repeat=0, ok=True, passed=passed,
                           score=1.0 if passed else 0.0, output="[b]not markup[/b] <script>",
                           input_tokens=20, output_tokens=5, tokens_reported=True,
                           ttft_ms=ttft + i, latency_ms=latency + 10 * i, cost_usd=cost)
            results.append(r)
            spent += cost
            by_model[t.model_key][0] += 1
            on_event(ResultReady(r, Progress(i + 1, total, spent, {k: tuple(v) for k, v in by_model.items()})))
        summary = RunSummary(results=results, new_results=len(results), cancelled=False, not_run_budget=0,
                             spent_usd=spent, max_spend_usd=None, skipped_targets=plan.skipped_targets,
                             targets=plan.targets)
        on_event(RunFinished(summary))
        return summary


def test_snapshot_finished(snap_compare, app_for):
    def targets(kb, shortlist):
        ts, _ = fake_targets(type("F", (), {"base": "http://127.0.0.1:9"})())(kb, shortlist)
        lost = Target("Keyless model", "keyless@fake", "openai", "http://127.0.0.1:9/v1", "x",
                      "ADVISOR_TUI_NO_SUCH_KEY", Decimal("1"), Decimal("1"))
        return ts + [lost], []

    async def run_before(pilot):
        app = pilot.app
        await on_screen(pilot, "ResultsScreen")
        ts, notes = targets(app.kb, app.shortlist)
        app.push_screen(EvalScreen(app.shortlist, ts, parse_cases(CASES, "cases.yaml"), notes=notes,
                                   env={KEY_ENV: CANARY}, results_path=Path("advisor-eval-20250101-120000.jsonl"),
                                   runner_factory=ScriptedRunner))
        await on_eval_screen(pilot)
        await until(pilot, lambda: app.screen.state == "finished", tries=200)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()  # (a loaded machine: let the last table rows and the outcome render)

    # (not kept as evidence: its "kept" toast would come and go with the timing)
    assert snap_compare(app_for(FULL_ANSWERS, keep_evidence=False), terminal_size=(110, 44), run_before=run_before)


# -- planning happens off the UI thread, once -------------------------------------------------

async def test_planning_runs_in_a_thread_once_and_the_screen_is_up_meanwhile(app_for, fake, cases_file, tmp_path):
    import threading

    from advisor.eval.runner import EvalRunner

    release = threading.Event()
    calls: list[int] = []

    class SlowPlanRunner:
        def __init__(self, targets, cases, results_path, env):
            self.inner = EvalRunner(targets, cases, results_path=results_path, env=env)

        def plan(self):
            calls.append(threading.get_ident())
            release.wait(10)  # a slow plan (a big results file, many cases) must not freeze the UI
            return self.inner.plan()

        def cancel(self):
            self.inner.cancel()

        async def run(self, on_event, plan=None):
            return await self.inner.run(on_event=on_event, plan=self.plan() if plan is None else plan)

    app = app_for(FULL_ANSWERS)
    async with app.run_test(size=SIZE) as pilot:
        await on_screen(pilot, "ResultsScreen")
        ts, _ = fake_targets(fake)(app.kb, app.shortlist)
        app.push_screen(EvalScreen(app.shortlist, ts, parse_cases(CASES, "cases.yaml"), env={KEY_ENV: CANARY},
                                   results_path=tmp_path / "r.jsonl", runner_factory=SlowPlanRunner))
        await until(pilot, lambda: isinstance(app.screen, EvalScreen) and app.screen.state == "planning", tries=200)
        assert "Planning" in screen_text(app)
        release.set()
        await finished(pilot)
        assert app.screen.state == "finished"
        assert len(calls) == 1 and calls[0] != threading.main_thread().ident
        assert len(list(app.screen.query(ProgressBar))) == 2
        assert "against 2 models" in screen_text(app)
