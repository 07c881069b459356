"""`kakashi probe modbus` against the simulator's Modbus TCP server on loopback."""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import sys
import textwrap
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drivers.profile import Function, load_profile
from drivers.tools.probe import (
    UsageError,
    add_probe_command,
    format_value,
    main,
    parse_host,
    probe_modbus_main,
)
from sim.modbus_server import SimModbusServer, SimRequest
from sim.register_bank import RegisterBank
from tests.drivers.tools.rtu_peer import PtySlave, serve_tcp

SEN0604, CART, SEN0605, SILENT = 1, 2, 3, 4


def bank(profile: str, values: dict[str, float]) -> RegisterBank:
    b = RegisterBank(load_profile(profile))
    for name, value in values.items():
        b.set(name, value)
    return b


@dataclass
class Sim:
    server: SimModbusServer
    host: str
    port: int
    banks: dict[int, RegisterBank]

    @property
    def endpoint(self) -> str:
        return f"{self.host}:{self.port}"


@pytest.fixture
async def sim() -> AsyncIterator[Sim]:
    banks = {
        SEN0604: bank(
            "dfrobot_sen0604", {"moisture": 65.8, "temperature": -10.1, "ec": 1000, "ph": 5.6}
        ),
        CART: bank(
            "kakashi_cart_controller",
            {
                "battery_voltage": 52.31,
                "battery_current": -12.5,
                "odometer": 123456.7,
                "estop_active": 1,
                "estop_remote": 1,
                "mode": 5,
                "watchdog_timeout": 2.0,
                "remote_estop": 1,
            },
        ),
        SEN0605: bank("dfrobot_sen0605", {"nitrogen": 32, "moisture": 20.5}),
        SILENT: bank("dfrobot_sen0604", {}),
    }
    # The cart's temperature sensor is missing: the firmware serves the sentinel.
    banks[CART].write(Function.INPUT, 0x0003, [0x8000])
    server = SimModbusServer(banks)
    server.silent.add(SILENT)
    host, port = await server.start()
    yield Sim(server, host, port, banks)
    await server.stop()


@dataclass
class Run:
    status: int
    out: str
    err: str

    def rows(self) -> dict[str, list[str]]:
        """Table rows by point name, split into columns."""
        lines = self.out.splitlines()
        assert lines[0].split() == ["point", "value", "unit", "quality", "raw"]
        return {line.split()[0]: line.split()[1:] for line in lines[1:]}

    def records(self) -> dict[str, dict[str, Any]]:
        records = [json.loads(line) for line in self.out.splitlines()]
        return {r["point"]: r for r in records}


async def probe(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    # The probe runs its own event loop, as it does from the command line, so it
    # runs in a thread while this loop serves the simulated devices.
    status = await asyncio.to_thread(main, ["modbus", *argv])
    out, err = capsys.readouterr()
    return Run(status, out, err)


async def test_reads_once_with_the_read_plan_and_prints_a_table(
    sim: Sim, capsys: pytest.CaptureFixture[str]
) -> None:
    run = await probe(capsys, "--host", sim.endpoint, "--profile", "dfrobot_sen0604")

    assert run.status == 0, run.err
    assert run.rows() == {
        "moisture": ["65.8", "%", "good", "0292"],
        "temperature": ["-10.1", "°C", "good", "FF9B"],
        "ec": ["1000", "µS/cm", "good", "03E8"],
        "ph": ["5.6", "pH", "good", "0038"],
    }
    # The profile's default unit (1) was used; one request read all four points.
    assert sim.server.requests == [SimRequest(SEN0604, 3, 0, 4)]
    assert "4 of 4 points read in 1 request" in run.err


async def test_json_lines_carry_every_table_bits_and_sentinels(
    sim: Sim, capsys: pytest.CaptureFixture[str]
) -> None:
    run = await probe(
        capsys, "--host", sim.endpoint, "--profile", "kakashi_cart_controller", "--unit", "2",
        "--json",
    )  # fmt: skip

    assert run.status == 0, run.err
    records = run.records()
    assert list(records) == [p.name for p in load_profile("kakashi_cart_controller").points]
    assert records["battery_voltage"] == {
        "point": "battery_voltage",
        "value": 52.31,
        "unit": "V",
        "quality": "good",
        "raw": ["146F"],
        "function": "input",
        "address": 0,
    }
    assert records["battery_current"]["value"] == -12.5
    assert (records["odometer"]["value"], records["odometer"]["raw"]) == (
        123456.7,
        ["0012", "D687"],
    )
    assert records["battery_temperature"]["value"] is None
    assert records["battery_temperature"]["quality"] == "invalid"
    assert records["battery_temperature"]["raw"] == ["8000"]
    # Bits 0 and 2 of register 0x000A: both points show the whole register.
    assert records["estop_active"]["value"] == 1.0
    assert records["estop_button"]["value"] == 0.0
    assert records["estop_remote"]["raw"] == ["0005"]
    assert (records["mode"]["value"], records["mode"]["unit"]) == (5.0, "enum")
    coil = records["remote_estop"]
    assert (coil["value"], coil["raw"], coil["function"]) == (1.0, [1], "coil")
    assert records["watchdog_timeout"]["value"] == 2.0
    assert [(r.function, r.address, r.count) for r in sim.server.requests] == [
        (1, 0x0000, 1),
        (3, 0x0100, 2),
        (4, 0x0000, 13),
    ]


async def test_a_refused_merged_read_is_split_as_the_service_will(
    sim: Sim, capsys: pytest.CaptureFixture[str]
) -> None:
    # The simulated SEN0605 refuses reads touching 0x0021, which no point maps.
    run = await probe(capsys, "--host", sim.endpoint, "--profile", "dfrobot_sen0605", "--unit", "3")

    assert run.status == 0, run.err
    assert (
        "request 2 (FC03 holding 0x001e..0x0024, 7 registers): function 3: exception 0x02 "
        "(illegal data address); read as 0x001e..0x0020, 0x0022..0x0024 instead, "
        "as the service will (max_gap = 0 would avoid the refused request)"
    ) in run.err
    assert "14 of 14 points read in 5 requests" in run.err
    rows = run.rows()
    assert rows["nitrogen"] == ["32", "mg/kg", "good", "0020"]
    assert rows["moisture"] == ["20.5", "%", "good", "00CD"]
    assert [(r.address, r.count) for r in sim.server.requests] == [
        (0x0000, 4),
        (0x001E, 7),
        (0x001E, 3),
        (0x0022, 3),
        (0x0050, 4),
    ]


async def test_points_the_device_does_not_serve_fail_and_name_the_profile(
    sim: Sim, capsys: pytest.CaptureFixture[str]
) -> None:
    # A SEN0604 has no N/P/K or coefficients: probing it as a SEN0605 shows which.
    run = await probe(capsys, "--host", sim.endpoint, "--profile", "dfrobot_sen0605", "--unit", "1")

    assert run.status == 1
    rows = run.rows()
    assert rows["moisture"] == ["65.8", "%", "good", "0292"]
    for name in ("nitrogen", "phosphorus", "potassium", "tds_coefficient", "ph_calibration"):
        assert rows[name][2] == "failed", name
    assert "request 3 (FC03 holding 0x001e..0x0020, 3 registers)" in run.err
    assert "request 4 (FC03 holding 0x001e..0x001e, 1 register)" in run.err
    assert "the device does not serve this address; check profile dfrobot_sen0605" in run.err
    assert "4 of 14 points read" in run.err


async def test_with_no_gap_the_same_device_answers_everything(
    sim: Sim, capsys: pytest.CaptureFixture[str]
) -> None:
    run = await probe(
        capsys, "--host", sim.endpoint, "--profile", "dfrobot_sen0605", "--unit", "3",
        "--max-gap", "0", "--json",
    )  # fmt: skip

    assert run.status == 0, run.err
    records = run.records()
    assert records["nitrogen"]["value"] == 32.0
    assert all(r["quality"] != "failed" for r in records.values())
    # Unset registers read 0, below the pH range: decoded and flagged, not lost.
    assert (records["ph"]["value"], records["ph"]["quality"]) == (0.0, "out_of_range")


async def test_a_silent_unit_is_reported_as_no_reply(
    sim: Sim, capsys: pytest.CaptureFixture[str]
) -> None:
    run = await probe(
        capsys, "--host", sim.endpoint, "--profile", "dfrobot_sen0604", "--unit", "4",
        "--timeout", "0.2", "--json",
    )  # fmt: skip

    assert run.status == 1
    assert "request 1 (FC03 holding 0x0000..0x0003, 4 registers)" in run.err
    assert "no reply" in run.err
    records = run.records()
    assert {(r["value"], r["quality"]) for r in records.values()} == {(None, "failed")}
    assert all("no reply" in r["error"] for r in records.values())


async def test_nothing_listening_is_a_failure_not_a_crash(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    # Nothing listens on the port once the socket is closed.
    run = await probe(capsys, "--host", f"127.0.0.1:{port}", "--profile", "xunchip_xm8589")

    assert run.status == 1
    assert "connect failed" in run.err
    assert run.rows()["wind_speed"] == ["-", "m/s", "failed"]


async def test_runs_as_a_module_in_its_own_process(sim: Sim) -> None:
    sim.banks[SEN0604].set("moisture", 31.4)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "drivers.tools.probe", "modbus", "--host", sim.endpoint,
        "--profile", "dfrobot_sen0604", "--json",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)

    assert proc.returncode == 0, err.decode()
    first = json.loads(out.decode().splitlines()[0])
    assert (first["point"], first["value"], first["quality"]) == ("moisture", 31.4, "good")


# ---- arguments ----


def run_sync(capsys: pytest.CaptureFixture[str], *argv: str) -> Run:
    status = main(["modbus", *argv])
    out, err = capsys.readouterr()
    return Run(status, out, err)


def test_unknown_profile_lists_the_available_ones(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_sync(capsys, "--host", "127.0.0.1", "--profile", "acme_nothing")
    assert run.status == 2
    assert "no such profile" in run.err
    assert "dfrobot_sen0604" in run.err
    assert "kakashi_cart_controller" in run.err
    assert run.out == ""


def test_profile_without_a_default_unit_asks_for_one(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_sync(capsys, "--host", "127.0.0.1", "--profile", "victron_gx_battery")
    assert run.status == 2
    assert "give --unit" in run.err


def test_serial_settings_with_a_plain_tcp_host_are_refused(
    capsys: pytest.CaptureFixture[str],
) -> None:
    run = run_sync(capsys, "--host", "127.0.0.1", "--profile", "dfrobot_sen0604", "--baud", "4800")
    assert run.status == 2
    assert "--baud: serial settings apply to --port, or to --host with --rtu" in run.err


def test_rtu_flag_is_for_a_tcp_serial_server(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_sync(capsys, "--port", "/dev/ttyUSB0", "--rtu", "--profile", "dfrobot_sen0604")
    assert run.status == 2
    assert "--rtu is for a TCP serial server" in run.err


def test_unit_0_is_refused_on_rtu(capsys: pytest.CaptureFixture[str]) -> None:
    run = run_sync(capsys, "--port", "/dev/null", "--profile", "dfrobot_sen0604", "--unit", "0")
    assert run.status == 2
    assert "broadcast" in run.err


# ---- Modbus RTU: a serial port (a real pty) and a TCP serial server ----


@pytest.fixture
def rtu_banks() -> dict[int, RegisterBank]:
    return {
        1: bank("renke_rs_fx_n01", {"direction_sector": 2, "direction": 90}),
        7: bank("kakashi_cart_controller", {"remote_estop": 1, "speed": 1.25}),
    }


async def test_reads_a_device_on_a_serial_port(
    rtu_banks: dict[int, RegisterBank], capsys: pytest.CaptureFixture[str]
) -> None:
    slave = PtySlave(rtu_banks)
    try:
        # No --baud: the Renke profile's factory setting (4800 8N1) is used.
        run = await probe(capsys, "--port", slave.path, "--profile", "renke_rs_fx_n01")
    finally:
        slave.close()

    assert run.status == 0, run.err
    assert run.rows() == {
        "direction_sector": ["2", "enum", "good", "0002"],
        "direction": ["90", "°", "good", "005A"],
    }
    assert f"on {slave.path}" in run.err


async def test_reads_coils_and_registers_through_a_tcp_serial_server(
    rtu_banks: dict[int, RegisterBank], capsys: pytest.CaptureFixture[str]
) -> None:
    server = await serve_tcp(rtu_banks)
    host, port = server.sockets[0].getsockname()[:2]
    try:
        run = await probe(
            capsys, "--host", f"{host}:{port}", "--rtu", "--baud", "115200",
            "--profile", "kakashi_cart_controller", "--unit", "7", "--json",
        )  # fmt: skip
    finally:
        server.close()
        await server.wait_closed()

    assert run.status == 0, run.err
    records = run.records()
    assert (records["remote_estop"]["value"], records["remote_estop"]["raw"]) == (1.0, [1])
    assert records["speed"]["value"] == 1.25


async def test_a_missing_serial_port_is_a_named_failure(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "ttyUSB9"
    run = await probe(capsys, "--port", str(missing), "--profile", "xunchip_xm8589")

    assert run.status == 1
    assert "request 1 (FC03 holding 0x0000..0x0000, 1 register)" in run.err
    assert str(missing) in run.err
    assert run.rows()["wind_speed"] == ["-", "m/s", "failed"]


def test_a_non_modbus_profile_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "acme_gps.toml"
    path.write_text(
        textwrap.dedent("""\
            [device]
            manufacturer = "Acme"
            model = "GPS"
            protocol = "nmea"
            """)
    )
    run = run_sync(capsys, "--host", "127.0.0.1", "--profile", str(path))
    assert run.status == 2
    assert "speaks nmea, not modbus" in run.err


async def test_a_profile_from_an_extra_directory_overrides_the_shipped_one(
    sim: Sim, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A technician's corrected map: only moisture, read as hundredths.
    (tmp_path / "dfrobot_sen0604.toml").write_text(
        textwrap.dedent("""\
            [device]
            manufacturer = "DFRobot"
            model = "SEN0604 (site copy)"
            protocol = "modbus"
            defaults = { unit = 1 }

            [points.moisture]
            function = "holding"
            address = 0
            type = "u16"
            scale = 0.01
            unit = "%"
            """)
    )
    run = await probe(
        capsys, "--host", sim.endpoint, "--profile", "dfrobot_sen0604",
        "--profile-dir", str(tmp_path),
    )  # fmt: skip
    assert run.status == 0, run.err
    assert run.rows() == {"moisture": ["6.58", "%", "good", "0292"]}


@pytest.mark.parametrize(
    "argv",
    [
        pytest.param(["--profile", "dfrobot_sen0604"], id="no-host-or-port"),
        pytest.param(["--host", "h", "--port", "/dev/x", "--profile", "p"], id="host-and-port"),
        pytest.param(["--host", "h", "--profile", "p", "--unit", "256"], id="unit-too-big"),
        pytest.param(["--host", "h", "--profile", "p", "--timeout", "0"], id="zero-timeout"),
        pytest.param(["--host", "h", "--profile", "p", "--max-gap", "-1"], id="negative-gap"),
        pytest.param(["--host", "h", "--profile", "p", "--parity", "X"], id="bad-parity"),
    ],
)
def test_bad_arguments_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["modbus", *argv])
    assert info.value.code == 2
    assert capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gateway.local", ("gateway.local", 502)),
        ("10.0.0.7:1502", ("10.0.0.7", 1502)),
        ("[::1]:5020", ("::1", 5020)),
        ("[fe80::1]", ("fe80::1", 502)),
    ],
)
def test_parse_host(text: str, expected: tuple[str, int]) -> None:
    assert parse_host(text, 502) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("h:0", "port must be 1..65535"),
        ("h:http", "port must be 1..65535"),
        ("::1", "in brackets"),
        ("[::1", r"expected \[IPv6\]"),
        (":502", "no host name"),
    ],
)
def test_parse_host_rejects(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_host(text, 502)


def test_registers_probe_modbus_on_the_kakashi_parser() -> None:
    parser = argparse.ArgumentParser(prog="kakashi")
    add_probe_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(
        ["probe", "modbus", "--host", "h:1502", "--profile", "renke_rs_fx_n01", "--unit", "0x10"]
    )
    assert args.func is probe_modbus_main
    assert (args.command, args.probe_protocol) == ("probe", "modbus")
    assert (args.host, args.unit, args.timeout, args.max_gap, args.json) == (
        "h:1502",
        16,
        1.0,
        8,
        False,
    )


@pytest.mark.parametrize(
    ("value", "shown"),
    [(None, "-"), (1000.0, "1000"), (65.8, "65.8"), (-10.1, "-10.1"), ("KKS-1", "KKS-1")],
)
def test_format_value(value: float | str | None, shown: str) -> None:
    assert format_value(value) == shown
