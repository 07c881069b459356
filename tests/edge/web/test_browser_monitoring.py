"""The monitoring pages in a real browser: live values, field charts, devices,
Japanese, the overview's weight, and a whole desktop render.

Headless Debian Chromium driven by Playwright against the gateway's own
uvicorn on a loopback socket, over a storage file filled with a village day.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from drivers.reading import Reading
from edge.storage import Storage
from edge.web.access import Role
from tests.edge.web.conftest import LiveWeb
from tests.edge.web.village_day import PROBE, fill_village_day

REPO = Path(__file__).resolve().parents[3]
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
OVERVIEW_BUDGET_BYTES = 200_000

# Bytes of every same-origin response the page loaded (the document and its
# subresources), and when it was ready, from the Navigation and Resource Timing APIs.
WEIGHT_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const size = e => e.transferSize || e.encodedBodySize || 0;
  const res = performance.getEntriesByType('resource');
  return {
    document: size(nav),
    resources: res.map(e => ({name: e.name, bytes: size(e)})),
    total: size(nav) + res.reduce((s, e) => s + size(e), 0),
    dom_ms: nav.domContentLoadedEventEnd,
    load_ms: nav.loadEventEnd,
  };
}"""


def with_village_day(live_web: LiveWeb) -> Storage:
    """The served gateway's storage, holding a day of village data up to now."""
    storage = live_web.gateway.storage
    assert storage is not None
    fill_village_day(storage, time.time())
    return storage


def signed_in_page(browser: Browser, live_web: LiveWeb, viewport: dict[str, int]) -> Page:
    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    live_web.login(page, Role.VIEWER)
    return page


def test_a_live_reading_changes_on_the_phone_overview_without_reload(
    browser: Browser, live_web: LiveWeb
) -> None:
    storage = with_village_day(live_web)
    page = signed_in_page(browser, live_web, PHONE)
    try:
        page.goto(f"{live_web.url}/")
        moisture = page.locator(f'.field-card [data-live="{PROBE}/moisture"]')
        expect(moisture).not_to_have_text("—")
        expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
        page.evaluate("window.__sameDocument = true")
        reading = Reading(PROBE, "moisture", time.time(), 47.3, "%")
        storage.write_readings([reading])
        live_web.publish(reading)
        expect(moisture).to_have_text("47.3")
        assert page.evaluate("window.__sameDocument") is True, "the page was reloaded"
        # Nothing wider than the phone: no sideways scrolling of the whole page.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"page is {width} px wide on a {PHONE['width']} px phone"
        # Navigation tabs stay usable touch targets at 360 px.
        heights = page.eval_on_selector_all(".nav a", "els => els.map(e => e.offsetHeight)")
        assert heights
        assert min(heights) >= 44
    finally:
        page.close()


def test_the_overview_weighs_under_its_budget(browser: Browser, live_web: LiveWeb) -> None:
    with_village_day(live_web)
    context = browser.new_context(viewport=PHONE)  # type: ignore[arg-type]
    page = context.new_page()
    try:
        live_web.login(page, Role.VIEWER)
        # A fresh context holds no cache, so every byte below crossed the socket.
        page.goto(f"{live_web.url}/")
        page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
        weight = page.evaluate(WEIGHT_JS)
        print(
            f"\noverview: {weight['total']} bytes in total (document {weight['document']}), "
            f"DOMContentLoaded {weight['dom_ms']:.0f} ms, load {weight['load_ms']:.0f} ms"
        )
        for res in weight["resources"]:
            print(f"  {res['bytes']:>7} {res['name']}")
        assert all(r["name"].startswith(live_web.url) for r in weight["resources"]), (
            "every asset must come from the gateway"
        )
        assert 0 < weight["total"] < OVERVIEW_BUDGET_BYTES
    finally:
        context.close()


def test_a_field_chart_draws_the_stored_readings_and_switches_range(
    browser: Browser, live_web: LiveWeb
) -> None:
    storage = live_web.gateway.storage
    assert storage is not None
    now = time.time()
    readings = fill_village_day(storage, now)
    moisture = [r for r in readings if r.point == "moisture"]
    page = signed_in_page(browser, live_web, PHONE)
    try:
        page.goto(f"{live_web.url}/")
        page.click('.field-card a[href="/fields/north-paddy"]')
        expect(page).to_have_url(re.compile(r"/fields/north-paddy$"))
        chart = page.locator('.chart[data-point="moisture"] svg')
        in_24h = sum(1 for r in moisture if r.ts >= now - 86_400)
        expect(chart).to_have_attribute("data-points", str(in_24h))
        page.click('#ranges a[data-range="6h"]')
        expect(page).to_have_url(re.compile(r"\?range=6h$"))
        in_6h = sum(1 for r in moisture if r.ts >= time.time() - 6 * 3600)
        expect(chart).to_have_attribute("data-points", re.compile(rf"^({in_6h}|{in_6h - 1})$"))
        # The line has one vertex per reading drawn.
        path = chart.locator("path.line").get_attribute("d") or ""
        assert len(re.findall(r"[ML]", path)) == int(chart.get_attribute("data-points") or 0)
        # A week is drawn from hourly roll-ups: a line and its min-max band.
        page.click('#ranges a[data-range="7d"]')
        expect(chart.locator("path.band")).to_have_count(1)
        hours = len(storage.rollup_history(PROBE, "moisture", now - 7 * 86_400, now + 1))
        expect(chart).to_have_attribute("data-points", str(hours))
        # A tap shows the value and time.
        box = chart.bounding_box()
        assert box is not None
        page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] / 2)
        expect(page.locator('.chart[data-point="moisture"] .tip')).to_contain_text("%")
        # The forecast history is drawn too, its newest band outlined.
        expect(page.locator("#forecast-chart rect.fc-latest")).to_have_count(1)
        # The range survives a reload: the server renders it from the URL.
        page.reload()
        expect(page.locator('#ranges a[aria-current="true"]')).to_have_attribute("data-range", "7d")
    finally:
        page.close()


def test_devices_page_and_switching_to_japanese(browser: Browser, live_web: LiveWeb) -> None:
    with_village_day(live_web)
    page = signed_in_page(browser, live_web, PHONE)
    try:
        page.goto(f"{live_web.url}/")
        page.click('.nav a[href="/devices"]')
        row = page.locator(f'tr[data-device="{PROBE}"]')
        expect(row).to_be_visible()
        expect(row.locator(f'[data-dev-state="{PROBE}"]')).to_be_visible()
        row.locator("a").first.click()
        expect(page.locator("h1")).to_have_text(PROBE)
        expect(page.locator(f'[data-live="{PROBE}/ph"]')).not_to_have_text("—")
        page.click("#lang-ja")
        expect(page.locator("html")).to_have_attribute("lang", "ja")
        expect(page.locator("h2").first).to_have_text("測定項目")
        page.goto(f"{live_web.url}/")
        expect(page.locator("#fields-h")).to_have_text("圃場")
        expect(page.locator("#alerts-h")).to_have_text("発生中のアラート")
        texts = json.loads(page.locator("#kakashi-text").text_content() or "{}")
        assert texts["live.live"] == "ライブ"
        expect(page.locator("#live-indicator")).to_have_text("ライブ")
    finally:
        page.close()


def test_the_overview_renders_whole_on_a_desktop(
    browser: Browser, live_web: LiveWeb, tmp_path: Path
) -> None:
    with_village_day(live_web)
    page = signed_in_page(browser, live_web, DESKTOP)
    try:
        page.goto(f"{live_web.url}/")
        expect(page.locator("#live-indicator")).to_have_attribute("data-state", "live")
        expect(page.locator("#health-badge")).to_be_visible()
        expect(page.locator(".spark path").first).to_have_attribute("d", re.compile(r"L"))
        # The README's screenshot is the running demo's (tests/edge/test_demo.py);
        # this one only proves the page renders whole with a day of data.
        shot = tmp_path / "overview.png"
        page.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        page.close()


def test_a_field_chart_takes_new_readings_from_the_live_stream(
    browser: Browser, live_web: LiveWeb
) -> None:
    storage = with_village_day(live_web)
    page = signed_in_page(browser, live_web, PHONE)
    try:
        page.goto(f"{live_web.url}/fields/north-paddy?range=6h")
        chart = page.locator('.chart[data-point="moisture"] svg')
        expect(chart).to_have_attribute("data-points", re.compile(r"^\d+$"))
        before = int(chart.get_attribute("data-points") or 0)
        # A chart refreshes at most every 10 s from the stream: readings keep
        # coming, as from a probe, until one of them is drawn (bounded).
        for attempt in range(40):
            reading = Reading(PROBE, "moisture", time.time(), 44.0 + attempt / 10, "%")
            storage.write_readings([reading])
            live_web.publish(reading)
            try:
                expect(chart).not_to_have_attribute("data-points", str(before), timeout=1000)
                break
            except AssertionError:
                continue
        assert int(chart.get_attribute("data-points") or 0) > before
    finally:
        page.close()
