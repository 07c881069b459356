"""The simulated RS-485 bus, spoken to byte by byte through a real pty."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from drivers.profile import Function
from sim.register_bank import RegisterBank
from sim.rtu_bus import RtuBus
from sim.rtu_slave import SimSlave
from tests.rtu_support import (
    DFROBOT_REPLY,
    DFROBOT_REQUEST,
    PtyPeer,
    RawPort,
    all_tables_profile,
    dfrobot_bank,
    eventually,
    simulated_bus,
)

CHAR_9600 = 10 / 9600
TIMER_SLACK_S = 1e-4
"""asyncio may run a timer a clock tick early; lower bounds allow for that much."""
ROOT = Path(__file__).resolve().parents[2]


def h(text: str) -> bytes:
    return bytes.fromhex(text)


@pytest.fixture
async def bus() -> AsyncIterator[RtuBus]:
    """Units 1..3: DFRobot probes holding the documented values, 1 ms latency."""
    slaves = [SimSlave(unit, dfrobot_bank(), latency_s=0.001) for unit in (1, 2, 3)]
    async with simulated_bus(slaves) as running:
        yield running


@pytest.fixture
async def master(bus: RtuBus) -> AsyncIterator[RawPort]:
    port = RawPort.open(bus.path)
    yield port
    port.close()


async def test_documented_dfrobot_exchange_byte_for_byte(master: RawPort) -> None:
    master.write(DFROBOT_REQUEST)
    assert await master.read_exact(len(DFROBOT_REPLY)) == DFROBOT_REPLY


async def test_reply_takes_the_wire_time_of_both_frames(bus: RtuBus, master: RawPort) -> None:
    # A lower bound only: the reply cannot be complete before request, silence,
    # latency and reply have crossed a 9600-baud line; a slow machine only adds.
    loop = asyncio.get_running_loop()
    sent = loop.time()
    master.write(DFROBOT_REQUEST)
    await master.read_exact(len(DFROBOT_REPLY))
    wire = (len(DFROBOT_REQUEST) + 3.5 + len(DFROBOT_REPLY)) * CHAR_9600 + 0.001
    assert loop.time() - sent >= wire - TIMER_SLACK_S


async def test_other_units_and_bad_crcs_get_no_answer(bus: RtuBus, master: RawPort) -> None:
    master.write(h("05 03 00 00 00 04 45 8D"))  # unit 5: nobody
    await eventually(lambda: bus.frames == 1)
    master.write(h("01 03 00 00 00 04 44 0A"))  # CRC off by one
    await eventually(lambda: bus.frames == 2)
    master.write(DFROBOT_REQUEST)
    # The first bytes back are the answer to the third request: nothing else was sent.
    assert await master.read_exact(len(DFROBOT_REPLY)) == DFROBOT_REPLY
    assert (bus.ignored, bus.bad_frames, bus.replies) == (1, 1, 1)


async def test_frames_are_cut_by_silence_not_by_length(bus: RtuBus, master: RawPort) -> None:
    # Two requests without the 3.5-character gap are one (bad) frame to every slave.
    master.write(DFROBOT_REQUEST + DFROBOT_REQUEST)
    await eventually(lambda: bus.frames == 1)
    assert bus.bad_frames == 1
    assert bus.replies == 0


async def test_exception_reply_on_the_wire(master: RawPort) -> None:
    master.write(h("01 03 00 00 00 05 85 C9"))  # register 4 is not mapped
    assert await master.read_exact(5) == h("01 83 02 C0 F1")


async def test_silent_slave_says_nothing_while_the_others_answer(
    bus: RtuBus, master: RawPort
) -> None:
    bus.slaves[2].faults.silent = True
    master.write(h("02 03 00 00 00 04 44 3A"))
    await eventually(lambda: bus.slaves[2].requests == 1)
    master.write(h("03 03 00 00 00 04 45 EB"))
    reply = await master.read_exact(13)
    assert reply[:3] == h("03 03 08")
    assert bus.replies == 1


async def test_wrong_unit_fault_answers_with_a_valid_crc(bus: RtuBus, master: RawPort) -> None:
    bus.slaves[1].faults.wrong_unit = 9
    master.write(DFROBOT_REQUEST)
    assert await master.read_exact(13) == h("09 03 08 02 92 FF 9B 03 E8 00 38 7D D6")


async def test_corrupt_crc_fault_inverts_the_crc(bus: RtuBus, master: RawPort) -> None:
    bus.slaves[1].faults.corrupt_crc = True
    master.write(DFROBOT_REQUEST)
    assert await master.read_exact(13) == DFROBOT_REPLY[:-2] + h("A8 49")


async def test_truncate_fault_stops_mid_frame(bus: RtuBus, master: RawPort) -> None:
    bus.slaves[1].faults.truncate_to = 6
    master.write(DFROBOT_REQUEST)
    assert await master.read_frame() == DFROBOT_REPLY[:6]


async def test_late_fault_answers_after_the_delay(bus: RtuBus, master: RawPort) -> None:
    bus.slaves[1].faults.late_s = 0.15
    loop = asyncio.get_running_loop()
    sent = loop.time()
    master.write(DFROBOT_REQUEST)
    assert await master.read_exact(13) == DFROBOT_REPLY
    assert loop.time() - sent >= 0.15 - TIMER_SLACK_S


async def test_broadcast_write_reaches_every_slave_and_nobody_answers(
    tmp_path: Path,
) -> None:
    profile = all_tables_profile(tmp_path)
    slaves = [SimSlave(unit, RegisterBank(profile), latency_s=0.001) for unit in (1, 2)]
    async with simulated_bus(slaves) as bus:
        port = RawPort.open(bus.path)
        try:
            port.write(h("00 06 00 14 01 F4 C8 08"))  # holding 20 := 500, to all
            await eventually(lambda: bus.frames == 1)
            port.write(h("01 06 00 14 01 F4 C9 D9"))  # then to unit 1 alone
            assert await port.read_exact(8) == h("01 06 00 14 01 F4 C9 D9")
        finally:
            port.close()
    assert [s.bank.read(Function.HOLDING, 20, 1) for s in slaves] == [[500], [500]]
    assert bus.replies == 1


async def test_serves_on_an_existing_tty() -> None:
    line = PtyPeer()  # stands for one end of a socat pair or a USB adapter
    try:
        slaves = [SimSlave(1, dfrobot_bank(), latency_s=0.001)]
        async with simulated_bus(slaves, device=line.path):
            line.write(DFROBOT_REQUEST)
            assert await line.read_exact(13) == DFROBOT_REPLY
    finally:
        line.close()


def test_two_slaves_cannot_share_a_unit_id() -> None:
    with pytest.raises(ValueError, match="two slaves with unit id 4"):
        RtuBus([SimSlave(4, dfrobot_bank()), SimSlave(4, dfrobot_bank())])


def test_line_timing_follows_the_framing() -> None:
    assert RtuBus([], baudrate=9600, parity="E").char_time_s == pytest.approx(11 / 9600)
    assert RtuBus([], baudrate=9600).silence_s == pytest.approx(3.5 * 10 / 9600)
    assert RtuBus([], baudrate=115200).silence_s == 0.00175


# ---- as a program ----


async def start_cli(*args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "sim.rtu_bus",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=ROOT,
    )


async def test_cli_creates_the_link_serves_and_cleans_up(tmp_path: Path) -> None:
    link = tmp_path / "rs485"
    proc = await start_cli(
        "--link", str(link), "--probes", "3", "--silent", "2", "--latency-ms", "1"
    )
    try:
        assert proc.stdout is not None
        async with asyncio.timeout(10):
            line = await proc.stdout.readline()
        assert line.decode() == f"listening {link}\n"
        assert os.readlink(link).startswith("/dev/pts/")
        port = RawPort.open(str(link))
        try:
            port.write(h("03 03 00 00 00 04 45 EB"))
            reply = await port.read_exact(13)
            assert reply[:3] == h("03 03 08")
            port.write(h("02 03 00 00 00 04 44 3A"))
            with pytest.raises(TimeoutError):  # unit 2 plays dead
                await port.read_exact(1, timeout_s=0.3)
        finally:
            port.close()
    finally:
        proc.send_signal(signal.SIGTERM)
        async with asyncio.timeout(10):
            code = await proc.wait()
    assert code == 0
    assert not link.is_symlink()


async def test_cli_refuses_a_fault_for_a_unit_it_does_not_have(tmp_path: Path) -> None:
    proc = await start_cli("--link", str(tmp_path / "x"), "--probes", "2", "--silent", "5")
    async with asyncio.timeout(10):
        _, err = await proc.communicate()
    assert proc.returncode == 2
    assert "fault given for units [5], but the bus has units 1..2" in err.decode()


async def test_cli_names_an_unknown_profile(tmp_path: Path) -> None:
    proc = await start_cli("--link", str(tmp_path / "x"), "--profile", "no_such_probe")
    async with asyncio.timeout(10):
        _, err = await proc.communicate()
    assert proc.returncode == 2
    assert "no_such_probe" in err.decode()
