"""The field page as the server renders it: facts, range picker, chart summaries,
forecast history and sensors; bad ranges answered with the field named."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from drivers.reading import Reading
from edge.service import Service
from edge.web.access import Role
from edge.web.app import create_app
from tests.edge.web.conftest import ClientAs, token_for
from tests.edge.web.village_day import PROBE, fill_village_day

FIELD = "/fields/north-paddy"


@pytest.fixture
def village_day(web_gateway: Service) -> float:
    assert web_gateway.storage is not None
    now = time.time()
    fill_village_day(web_gateway.storage, now)
    return now


@pytest.mark.usefixtures("village_day")
def test_field_page_shows_facts_charts_forecasts_and_sensors(client_as: ClientAs) -> None:
    answer = client_as(Role.VIEWER).get(FIELD)
    assert answer.status_code == 200
    html = answer.text
    assert "<h1>North paddy</h1>" in html
    assert "Planted 2026-05-12" in html
    assert "0.6 ha" in html
    for point in ("moisture", "temperature", "ec", "ph"):
        assert f'class="chart" data-device="{PROBE}" data-point="{point}"' in html
    # The default range is the last 24 h: 144 readings at ten-minute steps.
    assert 'data-range="24h" aria-current="true"' in html
    assert "144 values: lowest" in html
    assert "Every reading as received." in html
    # The newest forecasts are listed without scripts; the chart config is embedded.
    assert html.count("<strong>") >= 8
    assert 'id="field-config"' in html
    assert f'href="/devices/{PROBE}"' in html
    assert f'data-live="{PROBE}/ph"' in html
    # What the newest forecast lacked is said under it.
    assert "Notes on this forecast (inputs missing, dropped or held):" in html
    assert "<li>field north-paddy: no rain gauge; band widened</li>" in html


@pytest.mark.usefixtures("village_day")
def test_a_long_range_is_summarised_from_hourly_rollups(client_as: ClientAs) -> None:
    html = client_as(Role.VIEWER).get(FIELD, params={"range": "7d"}).text
    assert 'data-range="7d" aria-current="true"' in html
    assert "Hourly averages" in html
    assert "144 values: lowest" in html  # same readings, counted through the roll-ups


@pytest.mark.usefixtures("village_day")
def test_custom_dates_fill_the_form_again(client_as: ClientAs) -> None:
    html = client_as(Role.VIEWER).get(FIELD, params={"from": "2026-06-01", "to": "2026-06-07"}).text
    assert 'value="2026-06-01"' in html
    assert 'value="2026-06-07"' in html
    assert "No readings in this time range." in html


@pytest.mark.parametrize(
    ("params", "named"),
    [
        ({"range": "fortnight"}, "range: expected one of 6h, 24h, 7d, 30d, season"),
        ({"from": "2026-13-01"}, "from: expected a date like 2026-06-01"),
        ({"from": "2026-06-10", "to": "2026-06-01"}, "to: must not be before from"),
        ({"to": "2026-06-01"}, "from: give a first day"),
        ({"from": "2020-01-01", "to": "2026-01-01"}, "from: a range can span at most"),
    ],
)
def test_a_bad_range_is_refused_naming_the_parameter(
    client_as: ClientAs, params: dict[str, str], named: str
) -> None:
    answer = client_as(Role.VIEWER).get(FIELD, params=params)
    assert answer.status_code == 422
    assert named in answer.text
    assert 'aria-invalid="true"' in answer.text
    assert "<h1>North paddy</h1>" in answer.text  # still the page, at the default range


def test_an_unknown_field_is_a_404_page(client_as: ClientAs) -> None:
    answer = client_as(Role.VIEWER).get("/fields/south-paddy")
    assert answer.status_code == 404
    assert "There is no field named south-paddy." in answer.text


@pytest.mark.usefixtures("village_day")
def test_field_page_in_japanese(client_as: ClientAs) -> None:
    html = client_as(Role.VIEWER).get(FIELD, headers={"Accept-Language": "ja"}).text
    for text in ("センサーの履歴", "予測の推移", "土壌水分", "作期全体", "2026-05-12 植え付け"):
        assert text in html


def test_field_page_needs_a_signed_in_user(client_as: ClientAs) -> None:
    client_as(Role.VIEWER)
    answer = client_as(None).get(FIELD, headers={"Accept": "text/html"})
    assert answer.status_code in (302, 303, 307)
    assert answer.headers["location"].startswith("/login")


def test_two_probes_in_a_field_are_told_apart_by_name_and_depth_shallow_first(
    web_gateway: Service,
) -> None:
    config = web_gateway.config
    probe = config.devices[PROBE]
    deep = probe.model_copy(update={"unit": 2, "depth_m": 0.45})
    config = config.model_copy(update={"devices": {"soil-north-2": deep, PROBE: probe}})
    service = Service(config)
    service.storage = web_gateway.storage
    assert service.storage is not None
    now = time.time()
    service.storage.write_readings(
        [Reading(dev, "moisture", now - 60, 40.0, "%") for dev in (PROBE, "soil-north-2")]
    )
    token = token_for(service.storage, Role.VIEWER)
    with TestClient(create_app(service), headers={"Authorization": f"Bearer {token}"}) as client:
        html = client.get(FIELD).text
    shallow, deep_at = html.find(f"{PROBE} · 15 cm"), html.find("soil-north-2 · 45 cm")
    assert 0 < shallow < deep_at, "each probe named with its depth, the shallow one first"
