"""The devices pages as the server renders them."""

from __future__ import annotations

import time

from edge.service import Service
from edge.web.access import Role
from tests.edge.web.conftest import ClientAs
from tests.edge.web.village_day import PROBE, fill_village_day


def test_devices_table_lists_each_device_with_state_value_and_place(
    web_gateway: Service, client_as: ClientAs
) -> None:
    assert web_gateway.storage is not None
    readings = fill_village_day(web_gateway.storage, time.time())
    html = client_as(Role.VIEWER).get("/devices").text
    row = html[html.index(f'<tr data-device="{PROBE}">') :]
    row = row[: row.index("</tr>")]
    # The pollers are not running in tests: nobody knows the state yet.
    assert f'data-dev-state="{PROBE}">unknown<' in row
    first = next(r for r in reversed(readings) if r.point == "moisture")
    assert f'data-live="{PROBE}/moisture">{first.value:g}<' in row
    assert '<a href="/fields/north-paddy">North paddy</a>' in row
    assert "sim-tcp" in row
    assert "never" in row  # no successful poll yet


def test_device_page_lists_points_with_values_quality_and_time(
    web_gateway: Service, client_as: ClientAs
) -> None:
    assert web_gateway.storage is not None
    fill_village_day(web_gateway.storage, time.time())
    answer = client_as(Role.VIEWER).get(f"/devices/{PROBE}")
    assert answer.status_code == 200
    html = answer.text
    for point in ("moisture", "temperature", "ec", "ph"):
        assert f'<tr data-key="{PROBE}/{point}">' in html
        assert f'class="q q-good" data-live-q="{PROBE}/{point}">good<' in html
    assert "dfrobot_sen0604" in html
    assert "Polled every 10 s" in html


def test_device_page_before_any_reading(client_as: ClientAs) -> None:
    html = client_as(Role.VIEWER).get(f"/devices/{PROBE}").text
    assert f'data-live="{PROBE}/moisture">—<' in html


def test_an_unknown_device_is_a_404_page(client_as: ClientAs) -> None:
    answer = client_as(Role.VIEWER).get("/devices/no-such-probe")
    assert answer.status_code == 404
    assert "There is no device named no-such-probe." in answer.text


def test_devices_pages_in_japanese(client_as: ClientAs) -> None:
    viewer = client_as(Role.VIEWER)
    html = viewer.get("/devices", headers={"Accept-Language": "ja"}).text
    assert "<h1>機器</h1>" in html
    assert ">不明<" in html
    html = viewer.get(f"/devices/{PROBE}", headers={"Accept-Language": "ja"}).text
    assert "測定項目" in html
    assert "10 秒ごとに読み取り" in html


def test_devices_pages_need_a_signed_in_user(client_as: ClientAs) -> None:
    client_as(Role.VIEWER)
    for path in ("/devices", f"/devices/{PROBE}"):
        answer = client_as(None).get(path, headers={"Accept": "text/html"})
        assert answer.status_code in (302, 303, 307)
        assert answer.headers["location"].startswith("/login")
