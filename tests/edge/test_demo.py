"""The thin slice end to end: `kakashi demo` starts the simulated probe as a child
process, polls it over real Modbus TCP, stores the readings in SQLite and serves
them over HTTP; the page shows them updating in a real headless Chromium.

The demo prints a fresh password for its admin ``demo`` next to its URL; every
request here signs in with it, through the same login form a person uses."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from playwright.sync_api import Page, expect, sync_playwright

DEMO_START_TIMEOUT_S = 60


ANNOUNCEMENT = re.compile(r"open (http://\S+?)/?\s+sign in as (\S+) / (\S+)")


@dataclass
class Demo:
    proc: subprocess.Popen[str]
    url: str
    data_dir: Path
    user: str
    password: str
    http: httpx.Client
    """Signed in as the demo admin (session cookie)."""


SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "overview.png"
"""The README's picture of the page: the demo village, running."""
LOGISTICS_SCREENSHOT = SCREENSHOT.with_name("logistics.png")


def sign_in(url: str, user: str, password: str) -> httpx.Client:
    """A client signed in through the login form, as a browser would."""
    client = httpx.Client(base_url=url, timeout=10)
    form = client.get("/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert token, f"no CSRF field on the login page: {form.text[:500]}"
    res = client.post(
        "/login",
        data={"name": user, "password": password, "csrf": token.group(1), "next": "/"},
    )
    assert res.status_code == 303, f"sign-in as {user} refused: {res.status_code} {res.text[:300]}"
    return client


def _get_json(demo: Demo, path: str) -> Any:
    res = demo.http.get(path)
    res.raise_for_status()
    return res.json()


def _wait_for(condition: Any, what: str, attempts: int = 600) -> Any:
    """Poll ``condition`` until it returns something truthy (bounded, not timed)."""
    for _ in range(attempts):
        result = condition()
        if result:
            return result
        # A pause between checks of a condition, not a guess at how long
        # something takes: the loop ends as soon as the condition holds.
        time.sleep(0.1)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    data_dir = tmp_path_factory.mktemp("demo") / "var"
    proc = subprocess.Popen(
        [sys.executable, "-m", "edge.cli", "demo", "--port", "0", "--data-dir", str(data_dir)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    found = ANNOUNCEMENT.search(line)
    if found is None:
        proc.kill()
        _, err = proc.communicate(timeout=DEMO_START_TIMEOUT_S)
        raise AssertionError(
            f"demo did not announce its URL and password; said {line!r}; stderr:\n{err}"
        )
    url, user, password = found.group(1), found.group(2), found.group(3)
    http = sign_in(url, user, password)
    try:
        yield Demo(proc, url, data_dir, user, password, http)
    finally:
        http.close()
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def test_the_demo_needs_its_printed_password(demo: Demo) -> None:
    assert demo.user == "demo"
    assert len(demo.password) >= 12
    with httpx.Client(base_url=demo.url, timeout=10) as anonymous:
        assert anonymous.get("/api/readings/latest").status_code == 401
    assert _get_json(demo, "/api/me") == {"name": "demo", "role": "admin", "via": "session"}


def _soil_readings(demo: Demo) -> dict[str, dict[str, Any]]:
    rows = _get_json(demo, "/api/readings/latest")
    return {r["point"]: r for r in rows if r["device"] == "soil-north-1"}


def _live_soil_readings(demo: Demo) -> dict[str, dict[str, Any]]:
    """The probe's latest values once they come from live polls: until the first
    poll, the latest are the loaded history's last hour, flagged stale."""
    found = _soil_readings(demo)
    live = len(found) == 4 and all(r["quality"] != "stale" for r in found.values())
    return found if live else {}


def test_latest_readings_come_from_the_simulated_probe_and_update(demo: Demo) -> None:
    first = _wait_for(lambda: _live_soil_readings(demo), "live readings")
    assert set(first) == {"moisture", "temperature", "ec", "ph"}
    for row in first.values():
        assert set(row) >= {"device", "point", "ts", "value", "unit", "quality"}
        assert row["quality"] == "good"
        assert isinstance(row["value"], float | int)
    assert first["moisture"]["unit"] == "%"
    assert 0 <= first["moisture"]["value"] <= 100
    assert 3 <= first["ph"]["value"] <= 9

    newer = _wait_for(
        lambda: (r := _soil_readings(demo))["moisture"]["ts"] > first["moisture"]["ts"] and r,
        "a newer reading",
    )
    assert newer["temperature"]["ts"] > first["temperature"]["ts"]


def test_health_reports_the_device_up_and_every_task_running(demo: Demo) -> None:
    health = _wait_for(
        lambda: (h := _get_json(demo, "/api/health"))["devices"].get("soil-north-1") and h,
        "device health",
    )
    assert health["devices"]["soil-north-1"]["state"] == "up"
    states = {t["name"]: t["state"] for t in health["tasks"]}
    assert set(states.values()) == {"running"}
    assert {"storage-writer", "maintenance", "planner-worker", "forecaster", "web"} <= set(states)
    pollers = [name for name in states if name.startswith("poller:")]
    assert len(pollers) >= 2, "the village has Modbus TCP and RS-485 buses and GPS lines"
    assert all(c["dropped"] == 0 for c in health["bus"]["consumers"])


def _sign_in_form(page: Page, demo: Demo) -> None:
    page.fill("#login-name", demo.user)
    page.fill("#login-password", demo.password)
    page.click("form.auth-form button[type=submit]")
    expect(page.locator("form.signout")).to_be_visible()


def test_page_shows_readings_updating_in_a_real_browser(demo: Demo, chromium_path: Path) -> None:
    _wait_for(lambda: _soil_readings(demo), "readings")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium_path),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.goto(demo.url + "/")
            # Not signed in: the page asks for the printed password first.
            expect(page).to_have_url(re.compile(r"/login"))
            _sign_in_form(page, demo)
            slots = '[data-live^="soil-north-1/"]'
            expect(page.locator(slots).first).to_be_visible()
            first = page.eval_on_selector_all(slots, "ns => ns.map(n => n.textContent).join('|')")
            # live.js updates the values in place from the stream; wait for one
            # of the probe's values to change without reloading the page.
            page.wait_for_function(
                "([sel, before]) => Array.from(document.querySelectorAll(sel))"
                ".map(n => n.textContent).join('|') !== before",
                arg=[slots, first],
                timeout=30_000,
            )
            expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 360, f"page overflows a 360 px phone: {width} px"
        finally:
            browser.close()


def test_forecasts_come_at_start_up_from_the_season_so_far(demo: Demo) -> None:
    # The forecaster runs once at start-up (then hourly), on the history the demo
    # loaded before the service started: no waiting for an hour or a season.
    def forecasts() -> dict[str, dict[str, Any]]:
        found = {f["field"]: f for f in _get_json(demo, "/api/forecasts/latest")}
        return found if {"north-paddy", "terrace-maize"} <= set(found) else {}

    latest = _wait_for(forecasts, "forecasts for the rice and maize fields")
    assert "river-garden" not in latest, "vegetables have no yield model"
    for field in ("north-paddy", "terrace-maize"):
        band = latest[field]
        assert band["p10"] is not None, band
        assert 0 < band["p10"] <= band["p50"] <= band["p90"], band
        assert 0 < band["progress"] < 1, band
    # The village's station has a rain gauge: the rainfed terrace gets the root-zone
    # water balance (rain, no irrigation meter taken as none), not the wider fallback.
    used = set(latest["terrace-maize"]["features_used"])
    assert {"rain_cum", "rootzone_depletion", "water_demand_met"} <= used, used


def test_the_season_chart_starts_at_planting(demo: Demo) -> None:
    # Planting dates are moved onto today's calendar: the paddy is at the scenario's
    # day 50, and its probe has hourly readings back to its planting.
    now = time.time()
    series = _get_json(
        demo,
        f"/api/readings/soil-north-1/moisture?start={now - 60 * 86400}&end={now}"
        "&resolution=hour&max_points=2000",
    )
    points = series["points"]
    assert points, series
    season_days = (now - points[0]["ts"]) / 86400
    assert 49 <= season_days <= 51, season_days


def test_the_villages_orders_wait_on_the_logistics_page(demo: Demo) -> None:
    orders = {o["id"]: o for o in _get_json(demo, "/api/orders")}
    demo_orders = {oid for oid in orders if oid.startswith("demo-")}
    assert len(demo_orders) == 5, sorted(orders)
    assert orders["demo-sato"]["status"] == "new"


def _csrf(demo: Demo) -> str:
    page = demo.http.get("/logistics")
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', page.text)
    assert found, "the signed-in page carries its CSRF token for scripts"
    return found.group(1)


def test_a_plan_dispatched_on_the_page_sets_the_simulated_cart_moving(demo: Demo) -> None:
    # No broker in the demo: the relay hands the missions to the simulator.
    headers = {"X-CSRF-Token": _csrf(demo)}
    asked = demo.http.post("/api/plans", json={"budget_s": 3}, headers=headers)
    assert asked.status_code == 202, asked.text
    plan_id = asked.json()["id"]

    def settled() -> dict[str, Any] | None:
        plan: dict[str, Any] = _get_json(demo, f"/api/plans/{plan_id}")
        return plan if plan["status"] != "requested" else None

    plan = _wait_for(settled, "the planner to answer", attempts=1200)
    assert plan["status"] == "proposed", plan
    sent = demo.http.post(f"/api/plans/{plan_id}/dispatch", headers=headers)
    assert sent.status_code == 200, sent.text

    def cart_speed() -> float:
        for row in _get_json(demo, "/api/readings/latest"):
            if (row["device"], row["point"]) == ("cart-1-controller", "speed"):
                return float(row["value"] or 0.0)
        return 0.0

    assert _wait_for(lambda: cart_speed() > 0.1, "the cart to drive off") > 0.1


def test_the_running_village_is_the_readmes_screenshots(demo: Demo, chromium_path: Path) -> None:
    _wait_for(lambda: len(_get_json(demo, "/api/forecasts/latest")) >= 2, "forecasts")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(chromium_path),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(demo.url + "/login")
            _sign_in_form(page, demo)
            # Forecast bands of the rice and the maize field, the season's sparklines
            # and the live stream: what an operator sees when the demo is running.
            expect(page.locator(".field-card .range")).to_have_count(2)
            expect(page.locator(".spark path").first).to_have_attribute("d", re.compile(r"L"))
            expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
            SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOT), full_page=True)
            # The plan dispatched above, on the map: the cart on the lanes, the
            # drone across the river, the vehicles where they are now.
            page.goto(demo.url + "/logistics")
            expect(page.locator("#plan-map path.route")).to_have_count(2)
            expect(page.locator("#progress tr[data-vehicle]")).to_have_count(2)
            page.evaluate("document.getElementById('plan-detail').scrollIntoView()")
            page.screenshot(path=str(LOGISTICS_SCREENSHOT))
        finally:
            browser.close()
    assert SCREENSHOT.stat().st_size > 10_000
    assert LOGISTICS_SCREENSHOT.stat().st_size > 10_000


# Last in this module on purpose: it ends the shared demo process.
def test_sigterm_stops_the_demo_cleanly_and_its_simulator_with_it(demo: Demo) -> None:
    _wait_for(lambda: _soil_readings(demo), "readings")
    children = psutil.Process(demo.proc.pid).children(recursive=True)
    assert children, "the simulator should run as a child process"
    demo.proc.send_signal(signal.SIGTERM)
    assert demo.proc.wait(60) == 0
    _, still_alive = psutil.wait_procs(children, timeout=10)
    assert not still_alive
