"""``/metrics``: every line parses as Prometheus text format 0.0.4 and the samples
say what the gateway holds."""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from starlette.testclient import TestClient

from drivers.reading import Reading
from edge.service import Service
from edge.web.access import Role
from edge.web.api.metrics import Exposition
from tests.edge.web.monitoring_data import FIELD, forecast, soil_readings

ClientAs = Callable[[Role | None], TestClient]

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\\\|\\"|\\n)*"'
LABELS = (
    rf"\{{(?:[a-zA-Z_][a-zA-Z0-9_]*={LABEL_VALUE})(?:,[a-zA-Z_][a-zA-Z0-9_]*={LABEL_VALUE})*\}}"
)
VALUE = r"(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|NaN|[+-]Inf)"
SAMPLE = re.compile(rf"^({NAME})({LABELS})? ({VALUE})$")
HELP = re.compile(rf"^# HELP ({NAME}) (?:[^\\\n]|\\\\|\\n)*$")
TYPE = re.compile(rf"^# TYPE ({NAME}) (counter|gauge|histogram|summary|untyped)$")
LABEL_PAIR = re.compile(rf"([a-zA-Z_][a-zA-Z0-9_]*)=({LABEL_VALUE})")


def parse(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Samples by metric name; fails on any line that is not HELP, TYPE or a sample,
    on a sample before its TYPE, and on a family declared twice."""
    assert text.endswith("\n")
    typed: dict[str, str] = {}
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for line in text.splitlines():
        if line.startswith("# HELP "):
            assert HELP.match(line), line
        elif line.startswith("# TYPE "):
            match = TYPE.match(line)
            assert match, line
            assert match.group(1) not in typed, f"{match.group(1)} declared twice"
            typed[match.group(1)] = match.group(2)
        else:
            match = SAMPLE.match(line)
            assert match, f"not a sample: {line!r}"
            name = match.group(1)
            assert name in typed, f"{name} has no TYPE before it"
            labels = {
                k: v[1:-1].replace('\\"', '"').replace("\\n", "\n").replace("\\\\", "\\")
                for k, v in LABEL_PAIR.findall(match.group(2) or "")
            }
            samples.setdefault(name, []).append((labels, float(match.group(3))))
    for name, kind in typed.items():
        if kind == "counter":
            assert name.endswith("_total"), f"counter {name} should end in _total"
    return samples


def test_metrics_parse_and_report_the_gateway(web_gateway: Service, client_as: ClientAs) -> None:
    storage = web_gateway.storage
    assert storage is not None
    now = time.time()
    storage.write_readings(soil_readings(now - 60, 3))
    storage.write_forecast(forecast(FIELD, now - 60, 5.25))
    web_gateway.bus.subscribe("slow-consumer", maxsize=1)
    for i in range(3):
        web_gateway.bus.publish(Reading("soil-north-1", "moisture", now + i, 30.0, "%"))

    answer = client_as(Role.VIEWER).get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "text/plain; version=0.0.4; charset=utf-8"
    samples = parse(answer.text)

    assert samples["kakashi_readings_published_total"] == [({}, 3.0)]
    dropped = dict((labels["consumer"], v) for labels, v in samples["kakashi_bus_dropped_total"])
    assert dropped == {"slow-consumer": 2.0}
    p50 = samples["kakashi_forecast_yield_p50_tonnes_per_hectare"]
    assert p50 == [({"field": FIELD}, 5.25)]
    assert samples["kakashi_storage_used_bytes"][0][1] > 0
    assert samples["kakashi_storage_budget_bytes"][0][1] == 1024 * 1024 * 1024
    assert samples["process_resident_memory_bytes"][0][1] > 10_000_000
    assert samples["process_cpu_seconds_total"][0][1] > 0
    assert "kakashi_uplink_connected" not in samples  # no MQTT in the village config


def test_metrics_need_a_viewer(client_as: ClientAs) -> None:
    assert client_as(None).get("/metrics").status_code == 401
    assert client_as(Role.VIEWER).get("/metrics").status_code == 200


def test_label_values_and_help_are_escaped() -> None:
    out = Exposition()
    out.family("kakashi_x", "gauge", "Line one\nback\\slash")
    out.sample("kakashi_x", 1.5, {"device": 'probe "a"\\b\nc'})
    out.sample("kakashi_x", float("nan"), {"device": "n"})
    out.sample("kakashi_x", float("inf"), {"device": "i"})
    out.sample("kakashi_x", None, {"device": "skipped"})
    samples = parse(out.text())
    assert [labels["device"] for labels, _ in samples["kakashi_x"]] == ['probe "a"\\b\nc', "n", "i"]
    assert samples["kakashi_x"][0][1] == 1.5
    assert samples["kakashi_x"][2][1] == float("inf")
