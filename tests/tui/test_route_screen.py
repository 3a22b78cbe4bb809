"""The routing plan in the app: after a bake-off on the loopback server, ctrl+t opens it."""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import DataTable, Input

from advisor.tui.screens.modals import PathModal
from advisor.tui.screens.route import RouteScreen

from .conftest import FULL_ANSWERS, on_screen, until
from .test_eval_screen import CANARY, KEY_ENV, fake_targets, finished, on_eval_screen, open_bake_off, screen_text

CASES = "categories: {by: tag, tags: [simple, hard]}\ncases:\n" + "".join(
    f"  - {{id: {kind}-{i}, tags: [{kind}], input: '{kind} {i}', expected: 'ok {kind} {i}'}}\n"
    for kind in ("simple", "hard") for i in range(6)
)


def responder(api, body):
    # both models answer the simple cases; only the pricey one answers the hard ones
    text = body["messages"][-1]["content"]
    if body["model"] == "cheap" and text.startswith("hard"):
        return "no idea"
    return f"ok {text}"


async def test_after_a_bake_off_the_routing_plan_routes_each_category_and_says_what_it_saves(app_for, fake, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.yaml").write_text(CASES)
    fake.responder = responder
    answers = {**FULL_ANSWERS, "quality_floor": 0.6}
    app = app_for(answers, targets_factory=fake_targets(fake), env={KEY_ENV: CANARY})
    async with app.run_test(size=(100, 40)) as pilot:
        await open_bake_off(pilot, "cases.yaml")
        await on_eval_screen(pilot)
        await finished(pilot)
        await pilot.press("ctrl+t")
        await until(pilot, lambda: isinstance(app.screen, RouteScreen), tries=200)
        screen = app.screen
        cats = screen.query_one("#route-categories", DataTable)
        routes = {str(cats.get_row(k)[0]): str(cats.get_row(k)[2]) for k in cats.rows}
        # 6/6 has a 95% lower bound of 61% >= the 60% floor; the cheap model's 0/6 on hard does not
        assert routes == {"simple": "Cheap model", "hard": "Pricey model"}
        # per request at 2,000 in / 200 out: cheap (2000*0.1 + 200*0.4)/1e6 = $0.00028, pricey (20000 + 6000)/1e6
        # = $0.026; 50/50 from the cases: 0.5*0.00028 + 0.5*0.026 = $0.01314 × 500,000 = $6,570.00 a month;
        # all on the pricey model (the shortlist's first): $13,000.00, so the plan saves $6,430.00 (49.5%)
        assert screen.plan.plan.monthly_cost_usd == Decimal("6570.00")
        text = screen_text(app)
        assert "saves $6,430.00 a month (49.5%)" in text
        assert "Each category's share of traffic is its share of the test cases" in text
        assert CANARY not in text

        await pilot.press("ctrl+e")
        await until(pilot, lambda: isinstance(app.screen, PathModal))
        app.screen.query_one("#path-input", Input).value = "plan.html"
        await pilot.press("enter")
        await until(pilot, lambda: (tmp_path / "plan.html").exists(), tries=200)
        page = (tmp_path / "plan.html").read_text()
        assert '<svg class="frontier"' in page and "<script" not in page and CANARY not in page

        await pilot.press("escape")
        await on_eval_screen(pilot)


async def test_without_a_floor_the_app_says_what_to_answer(app_for, fake, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "cases.yaml").write_text(CASES)
    fake.responder = responder
    app = app_for({**FULL_ANSWERS, "quality_floor": None}, targets_factory=fake_targets(fake), env={KEY_ENV: CANARY})
    async with app.run_test(size=(100, 40)) as pilot:
        await open_bake_off(pilot, "cases.yaml")
        await on_eval_screen(pilot)
        await finished(pilot)
        await pilot.press("ctrl+t")
        await pilot.pause()
        assert not isinstance(app.screen, RouteScreen)
        assert any("needs a quality floor" in str(n.message) and "checklist" in str(n.message)
                   for n in app._notifications)
        await on_screen(pilot, "EvalScreen")
