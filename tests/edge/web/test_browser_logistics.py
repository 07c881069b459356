"""A coordinator in a real Chromium: orders with validation messages next to the
field, a plan solved by the real planner (child process), its routes on the map,
a run sheet, dispatch with its confirmation, then the page in Japanese and on a
360 px phone."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from edge.logistics.plans import get_plan, list_plans
from edge.planner_worker import pending_requests, solve_request
from edge.storage import Storage
from edge.web.access import Role
from tests.edge.web.conftest import LiveWeb

SOLVE_BUDGET_S = 2.0
WAIT_MS = 60_000
ROUND_TRIP_MS = 20_000
"""A form post and the page after it, on a machine shared with other test runs."""


def _solve_pending(storage: Storage) -> int:
    """What the planner worker does on the service, done here (in a thread of its
    own: Playwright's sync API holds this thread's event loop)."""

    async def solve() -> int:
        # 2 s instead of the 5 s chosen on the page: enough for two stops.
        solved = 0
        for request in pending_requests(storage):
            solved += await solve_request(storage, request, SOLVE_BUDGET_S)
        return solved

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, solve()).result()


def _fill_order(page: Page, *, name: str, kg: str, window: tuple[str, str]) -> None:
    page.fill("#o-name", name)
    page.select_option("#o-place", "")
    page.fill("#o-lat", "33.5690")
    page.fill("#o-lon", "133.5215")
    page.fill("#o-kg", kg)
    page.fill("#o-w0-from", window[0])
    page.fill("#o-w0-to", window[1])
    page.click("#order-submit")


def test_a_coordinator_orders_plans_sees_routes_and_dispatches(
    live_web: LiveWeb, browser: Browser, tmp_path: Path
) -> None:
    storage = live_web.gateway.storage
    assert storage is not None
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    try:
        live_web.login(page, Role.COORDINATOR)
        page.goto(f"{live_web.url}/logistics")
        expect(page.locator("h1")).to_have_text("Logistics", timeout=ROUND_TRIP_MS)

        # A negative weight: refused, the message next to the weight field.
        _fill_order(page, name="Mrs Tanaka, groceries", kg="-3", window=("09:00", "17:00"))
        expect(page.locator("#err-kg")).to_contain_text("kg", timeout=ROUND_TRIP_MS)
        expect(page.locator("#o-kg")).to_have_attribute(
            "aria-invalid", "true", timeout=ROUND_TRIP_MS
        )
        expect(page.locator("#o-name")).to_have_value(
            "Mrs Tanaka, groceries", timeout=ROUND_TRIP_MS
        )

        # A window that ends before it starts: the message names the window.
        page.fill("#o-kg", "4")
        page.fill("#o-w0-from", "18:00")
        page.fill("#o-w0-to", "08:00")
        page.click("#order-submit")
        expect(page.locator("#err-windows-0")).to_contain_text("18:00", timeout=ROUND_TRIP_MS)

        # Wide enough to be plannable whenever the test runs (the shift starts now).
        page.fill("#o-w0-from", "06:00")
        page.fill("#o-w0-to", "22:00")
        page.click("#order-submit")
        expect(page.locator("#flash")).to_be_visible(timeout=ROUND_TRIP_MS)
        expect(page.locator("tr[data-order]")).to_have_count(1, timeout=ROUND_TRIP_MS)

        # A harvest pickup at a configured field, light enough for the drone.
        page.fill("#o-name", "Terrace maize sample")
        page.select_option("#o-kind", "pickup")
        page.select_option("#o-place", "terrace-maize")
        page.fill("#o-kg", "2")
        page.click("#order-submit")
        expect(page.locator("tr[data-order]")).to_have_count(2, timeout=ROUND_TRIP_MS)

        page.select_option("#budget", "5")
        page.click("#plan-now")
        expect(page.locator("#planning")).to_be_visible(timeout=ROUND_TRIP_MS)
        assert _solve_pending(storage) == 1

        # The page notices by itself that the plan is ready.
        expect(page.locator("#plan-status")).to_have_attribute(
            "data-status", "proposed", timeout=WAIT_MS
        )
        [record] = list_plans(storage)
        assert record.budget_s == 5.0, "the budget chosen on the page"
        used = [r["vehicle"] for r in record.routes]
        assert used, "both orders fit the village's vehicles"
        routes = page.locator("#plan-map path.route")
        expect(routes).to_have_count(len(used), timeout=ROUND_TRIP_MS)
        assert sorted(routes.evaluate_all("ps => ps.map(p => p.dataset.vehicle)")) == sorted(used)
        expect(page.locator("#plan-map polygon.no-fly")).to_have_count(1, timeout=ROUND_TRIP_MS)
        expect(page.locator("#plan-map g.stop")).to_have_count(
            sum(len(r["visits"]) - 2 for r in record.routes), timeout=ROUND_TRIP_MS
        )

        # The run sheet of the first vehicle: its stops in order, printable.
        page.click(f'a.runsheet[data-vehicle="{used[0]}"]')
        expect(page.locator("#runsheet tbody tr")).to_have_count(
            len(record.routes[0]["visits"]), timeout=ROUND_TRIP_MS
        )
        expect(page.locator("h1")).to_contain_text(
            live_web.gateway.config.vehicles[used[0]].name, timeout=ROUND_TRIP_MS
        )
        page.go_back()

        # Dispatch asks first, naming the vehicles.
        page.click("#dispatch-open")
        question = page.locator("#dispatch-question")
        for vehicle in used:
            expect(question).to_contain_text(
                live_web.gateway.config.vehicles[vehicle].name, timeout=ROUND_TRIP_MS
            )
        page.click("#dispatch-confirm")
        expect(page.locator("#plan-status")).to_have_attribute(
            "data-status", "dispatched", timeout=ROUND_TRIP_MS
        )
        expect(page.locator("#progress tr[data-vehicle]")).to_have_count(
            len(used), timeout=ROUND_TRIP_MS
        )
        assert get_plan(storage, record.id).status == "dispatched"
        expect(page.locator("#plan-map path.route")).to_have_count(len(used), timeout=ROUND_TRIP_MS)
        # The README's logistics picture is the running demo's (tests/edge/test_demo.py);
        # this one shows the plan drawn here.
        page.evaluate("document.getElementById('plan-detail').scrollIntoView()")
        shot = tmp_path / "logistics.png"
        page.screenshot(path=str(shot))
        assert shot.stat().st_size > 10_000

        page.click("#lang-ja")
        expect(page.locator("h1")).to_have_text("配送", timeout=ROUND_TRIP_MS)
        expect(page.locator("#plan-h")).to_have_text("配送計画", timeout=ROUND_TRIP_MS)
        expect(page.locator("#orders-h")).to_have_text("注文", timeout=ROUND_TRIP_MS)

        # A phone: nothing wider than the screen but the tables' own scrollers.
        page.set_viewport_size({"width": 360, "height": 740})
        page.reload()
        expect(page.locator("#plan-map")).to_be_visible(timeout=ROUND_TRIP_MS)
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        map_width = page.locator("#plan-map").bounding_box()
        assert map_width is not None
        assert map_width["width"] <= 360
    finally:
        page.close()
