"""The overview page as the server renders it: fields, forecasts, vehicles, alerts, health."""

from __future__ import annotations

import re
import time

from edge.service import Service
from edge.web.access import Role
from tests.edge.web.conftest import ClientAs
from tests.edge.web.village_day import PROBE, WARNING, fill_village_day


def test_overview_shows_each_field_with_readings_trend_and_forecast_band(
    web_gateway: Service, client_as: ClientAs
) -> None:
    assert web_gateway.storage is not None
    now = time.time()
    fill_village_day(web_gateway.storage, now)
    page = client_as(Role.VIEWER).get("/")
    assert page.status_code == 200
    html = page.text
    for name in ("North paddy", "River garden", "Upper terrace maize"):
        assert name in html
    # The probe's latest moisture is in a live slot, with its quality badge.
    assert f'data-live="{PROBE}/moisture"' in html
    assert f'data-live-q="{PROBE}/moisture"' in html
    # The 24 h sparkline is drawn on the server: a path with many segments.
    spark = re.search(r'<svg class="spark"[^>]*><path d="([^"]+)"', html)
    assert spark is not None
    assert spark.group(1).count("L") >= 20
    # North paddy's newest forecast: p50 with its p10-p90 band, progress and harvest date.
    latest = web_gateway.storage.latest_forecasts()
    north = next(f for f in latest if f.field == "north-paddy")
    assert north.p50 is not None
    assert north.p10 is not None
    assert north.p90 is not None
    assert f'<span class="big">{north.p50:.1f}</span> t/ha' in html
    assert f"({north.p10:.1f}–{north.p90:.1f})" in html
    assert f"Harvest expected around {north.expected_harvest}" in html
    assert 'class="fc-bar"' in html


def test_overview_lists_the_warning_as_an_active_alert_and_gateway_health(
    web_gateway: Service, client_as: ClientAs
) -> None:
    assert web_gateway.storage is not None
    fill_village_day(web_gateway.storage, time.time())
    html = client_as(Role.VIEWER).get("/").text
    alerts = html[html.index('id="alerts-list"') : html.index('id="health"')]
    assert WARNING in alerts
    assert "warning" in alerts
    health = html[html.index('id="health"') :]
    assert 'data-health="uplink">off<' in health  # the village runs without MQTT
    assert 'data-health="disk"' in health
    assert " / " in health


def test_overview_without_data_says_so_instead_of_failing(client_as: ClientAs) -> None:
    html = client_as(Role.VIEWER).get("/").text
    assert "No readings yet" in html
    assert "No forecast yet" in html
    assert "No active alerts." in html
    # Vehicles are listed from the configuration even before they report.
    assert "Cart 1" in html
    assert "Drone 1" in html
    assert html.count("not known") == 2


def test_overview_in_japanese_when_the_browser_prefers_it(
    web_gateway: Service, client_as: ClientAs
) -> None:
    assert web_gateway.storage is not None
    fill_village_day(web_gateway.storage, time.time())
    html = client_as(Role.VIEWER).get("/", headers={"Accept-Language": "ja,en;q=0.5"}).text
    assert '<html lang="ja">' in html
    for text in ("圃場", "車両", "発生中のアラート", "ゲートウェイの状態", "収量予測", "水稲"):
        assert text in html
    assert "Active alerts" not in html


def test_alerts_fragment_is_the_list_alone_in_the_readers_language(
    web_gateway: Service, client_as: ClientAs
) -> None:
    assert web_gateway.storage is not None
    fill_village_day(web_gateway.storage, time.time())
    answer = client_as(Role.VIEWER).get("/fragments/alerts", headers={"Accept-Language": "ja"})
    assert answer.status_code == 200
    assert "<ul" in answer.text[:200]
    assert "<html" not in answer.text
    assert "注意" in answer.text
    assert WARNING in answer.text


def test_anonymous_visitors_are_sent_to_sign_in(client_as: ClientAs) -> None:
    client_as(Role.VIEWER)  # a user exists, so the gateway asks to sign in, not to set up
    for path in ("/", "/fragments/alerts"):
        answer = client_as(None).get(path, headers={"Accept": "text/html"})
        assert answer.status_code in (303, 307, 302), path
        assert answer.headers["location"].startswith("/login")


def test_a_field_whose_crop_has_no_model_says_so_instead_of_waiting(
    web_gateway: Service, client_as: ClientAs
) -> None:
    assert web_gateway.storage is not None
    fill_village_day(web_gateway.storage, time.time())
    english = client_as(Role.VIEWER).get("/")
    assert "No yield model for vegetables yet" in english.text
    assert english.text.count("No yield model for") == 1, "rice and maize have models"
    japanese = client_as(Role.VIEWER).get("/", headers={"Accept-Language": "ja"})
    assert "野菜の収量予測モデルはまだありません" in japanese.text
