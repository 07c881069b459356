"""Device health transitions and counters."""

from __future__ import annotations

import json
import random

from drivers.device_state import DeviceState, ErrorKind, Health
from drivers.modbus.backoff import Backoff


class FixedRandom(random.Random):
    def random(self) -> float:
        return 1.0


def state() -> DeviceState:
    return DeviceState("probe-1", backoff=Backoff(1.0, 8.0, FixedRandom()))


def health(s: DeviceState) -> Health:
    # A call, not the attribute: mypy would otherwise keep the state narrowed
    # from the previous assert across the calls that change it.
    return s.state


def fail(s: DeviceState, ts: float) -> None:
    s.record_request()
    s.record_error(ErrorKind.TIMEOUT, f"no reply at {ts}", ts)
    s.end_poll(False, ts)


def test_starts_unconfirmed_and_success_brings_it_up() -> None:
    s = state()
    assert health(s) is Health.PROBING
    s.record_request()
    s.record_latency(0.02)
    s.end_poll(True, 100.0)
    assert health(s) is Health.UP
    assert s.last_success_ts == 100.0


def test_three_consecutive_failed_polls_make_it_down() -> None:
    s = state()
    s.end_poll(True, 1.0)
    fail(s, 2.0)
    fail(s, 3.0)
    assert health(s) is Health.UP  # two lost replies are not an outage
    assert s.consecutive_failures == 2
    fail(s, 4.0)
    assert health(s) is Health.DOWN
    assert s.is_down
    assert s.errors[ErrorKind.TIMEOUT] == 3
    assert s.last_error == "no reply at 4.0"
    assert s.last_error_ts == 4.0


def test_a_success_in_between_resets_the_count() -> None:
    s = state()
    fail(s, 1.0)
    fail(s, 2.0)
    s.end_poll(True, 3.0)
    fail(s, 4.0)
    fail(s, 5.0)
    assert health(s) is Health.UP
    assert s.consecutive_failures == 2


def test_down_device_is_probed_on_growing_delays_and_recovers() -> None:
    s = state()
    for ts in (1.0, 2.0, 3.0):
        fail(s, ts)
    delays = []
    for ts in (4.0, 5.0, 6.0, 7.0, 8.0):
        delays.append(s.retry_delay_s())
        s.start_probe()
        assert health(s) is Health.PROBING
        fail(s, ts)
        assert health(s) is Health.DOWN
    assert delays == [1.0, 2.0, 4.0, 8.0, 8.0]
    s.start_probe()
    s.end_poll(True, 9.0)
    assert health(s) is Health.UP
    assert s.retry_delay_s() == 1.0  # the backoff starts afresh after a recovery


def test_latency_keeps_last_and_smoothed_average() -> None:
    s = state()
    s.record_latency(0.1)
    assert s.latency_ewma_s == 0.1
    s.record_latency(0.2)
    assert s.latency_last_s == 0.2
    assert s.latency_ewma_s is not None
    assert abs(s.latency_ewma_s - 0.12) < 1e-12


def test_as_dict_is_json_ready() -> None:
    s = state()
    fail(s, 5.0)
    s.record_error(ErrorKind.EXCEPTION, "illegal data address", 6.0)
    data = json.loads(json.dumps(s.as_dict()))
    assert data["device"] == "probe-1"
    assert data["state"] == "probing"
    assert data["requests"] == 1
    assert data["errors"] == {"timeout": 1, "exception": 1, "frame": 0, "transport": 0}
    assert data["last_error"] == "illegal data address"
    assert data["last_success_ts"] is None
    assert data["latency_last_s"] is None
    assert (data["writes"], data["write_errors"], data["last_write_error"]) == (0, 0, "")


def test_writes_are_counted_apart_from_health() -> None:
    s = state()
    s.end_poll(True, 1.0)
    s.record_write(True, 2.0)
    s.record_write(False, 3.0, "pump: setpoint: no reply")
    s.record_write(True, 4.0)
    assert (s.writes, s.write_errors) == (3, 1)
    assert s.last_write_error == "pump: setpoint: no reply"
    assert s.last_write_ts == 4.0
    # A failed write is neither a failed poll nor an error of the device's reads.
    assert health(s) is Health.UP
    assert s.consecutive_failures == 0
    assert sum(s.errors.values()) == 0
    data = json.loads(json.dumps(s.as_dict()))
    assert (data["writes"], data["write_errors"], data["last_write_ts"]) == (3, 1, 4.0)
