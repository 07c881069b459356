"""The serial link on real ptys: reads with deadlines, writes, hang-ups and re-opening."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from drivers.modbus.errors import TransportError
from drivers.rx_buffer import LinkTimeoutError
from drivers.serial_link import SerialLink
from tests.rtu_support import PtyPeer, eventually


@pytest.fixture
async def peer() -> AsyncIterator[PtyPeer]:
    peer = PtyPeer()
    yield peer
    peer.close()


@pytest.fixture
async def links() -> AsyncIterator[list[SerialLink]]:
    made: list[SerialLink] = []
    yield made
    for link in made:
        link.close()


def make(
    made: list[SerialLink],
    path: str,
    *,
    baudrate: int = 9600,
    rs485_rts: bool = False,
    backoff_initial_s: float = 0.05,
    backoff_max_s: float = 5.0,
) -> SerialLink:
    link = SerialLink(
        path,
        baudrate=baudrate,
        rs485_rts=rs485_rts,
        name="bus-a",
        backoff_initial_s=backoff_initial_s,
        backoff_max_s=backoff_max_s,
    )
    made.append(link)
    return link


def soon(seconds: float = 1.0) -> float:
    return asyncio.get_running_loop().time() + seconds


# ---- settings ----


@pytest.mark.parametrize(
    ("parity", "stopbits", "bits"),
    [("N", 1, 10), ("E", 1, 11), ("O", 1, 11), ("N", 2, 11), ("E", 2, 12)],
)
def test_char_time_counts_start_data_parity_and_stop_bits(
    parity: str, stopbits: int, bits: int
) -> None:
    link = SerialLink("/dev/null", baudrate=9600, parity=parity, stopbits=stopbits, name="b")
    assert link.settings.bits_per_char == bits
    assert link.char_time_s == pytest.approx(bits / 9600)


def test_bad_settings_name_the_port_and_each_setting() -> None:
    with pytest.raises(
        ValueError,
        match=r"^b: /dev/ttyX: parity: expected one of N, E, O, found "
        r"'Q'; stopbits: expected 1 or 2, found 3$",
    ):
        SerialLink("/dev/ttyX", parity="Q", stopbits=3, name="b")


# ---- reading and writing ----


async def test_read_exact_waits_for_every_byte_and_leaves_the_rest(
    peer: PtyPeer, links: list[SerialLink]
) -> None:
    link = make(links, peer.path)
    await link.open()
    peer.write(b"\x01\x03")
    reading = asyncio.create_task(link.read_exact(4, deadline=soon()))
    await eventually(lambda: link.buffered == 2)
    assert not reading.done()
    peer.write(b"\x08\x02\x92")
    assert await reading == b"\x01\x03\x08\x02"
    assert await link.read_exact(1, deadline=soon()) == b"\x92"


async def test_read_exact_times_out_with_what_arrived(
    peer: PtyPeer, links: list[SerialLink]
) -> None:
    link = make(links, peer.path)
    await link.open()
    peer.write(b"\x01\x03")
    with pytest.raises(LinkTimeoutError, match="waited for 5 bytes, got 2 bytes") as info:
        await link.read_exact(5, deadline=soon(0.05))
    assert info.value.partial == b"\x01\x03"


async def test_read_until_returns_one_line_at_a_time(
    peer: PtyPeer, links: list[SerialLink]
) -> None:
    link = make(links, peer.path, baudrate=4800)
    await link.open()
    peer.write(b"$GPGGA,1*00\r\n$GPRMC")
    assert await link.read_until(b"\r\n", deadline=soon()) == b"$GPGGA,1*00\r\n"
    with pytest.raises(LinkTimeoutError):
        await link.read_until(b"\r\n", deadline=soon(0.05))


async def test_read_until_cuts_a_line_that_never_ends(
    peer: PtyPeer, links: list[SerialLink]
) -> None:
    link = make(links, peer.path)
    await link.open()
    peer.write(b"x" * 50)
    assert await link.read_until(b"\n", deadline=soon(), max_bytes=16) == b"x" * 16


async def test_read_until_silence_returns_once_the_line_is_quiet(
    peer: PtyPeer, links: list[SerialLink]
) -> None:
    link = make(links, peer.path)
    await link.open()
    peer.write(b"\xaa\xbb\xcc")
    await eventually(lambda: link.buffered == 3)
    assert await link.read_until_silence(0.01, deadline=soon()) == b"\xaa\xbb\xcc"
    assert await link.read_until_silence(0.01, deadline=soon()) == b""


async def test_write_reaches_the_other_end_and_marks_the_traffic(
    peer: PtyPeer, links: list[SerialLink]
) -> None:
    link = make(links, peer.path)
    await link.open()
    before = link.last_traffic_s
    await link.write(bytes.fromhex("01 03 00 00 00 04 44 09"))
    assert await peer.read_exact(8) == bytes.fromhex("01 03 00 00 00 04 44 09")
    assert link.last_traffic_s > before


async def test_large_write_is_delivered_whole(peer: PtyPeer, links: list[SerialLink]) -> None:
    link = make(links, peer.path)
    await link.open()
    data = bytes(range(256)) * 64  # more than a pty buffer holds at once
    receiving = asyncio.create_task(peer.read_exact(len(data), timeout_s=5))
    await link.write(data)
    assert await receiving == data


async def test_discard_input_drops_and_counts_stale_bytes(
    peer: PtyPeer, links: list[SerialLink]
) -> None:
    link = make(links, peer.path)
    await link.open()
    peer.write(b"late reply")
    # Bytes still in the kernel are counted too, not only those already read.
    assert link.discard_input() == 10
    peer.write(b"\x05")
    assert await link.read_exact(1, deadline=soon()) == b"\x05"


async def test_opening_flushes_what_was_waiting_in_the_port(
    peer: PtyPeer, links: list[SerialLink]
) -> None:
    peer.write(b"noise from before")
    link = make(links, peer.path)
    await link.open()
    peer.write(b"\x07")
    assert await link.read_exact(1, deadline=soon()) == b"\x07"


# ---- losing and finding the port ----


async def test_hang_up_fails_a_pending_read_at_once(peer: PtyPeer, links: list[SerialLink]) -> None:
    link = make(links, peer.path)
    await link.open()
    reading = asyncio.create_task(link.read_exact(1, deadline=soon(30)))
    await asyncio.sleep(0)
    peer.hang_up()
    with pytest.raises(TransportError, match=r"bus-a: /dev/pts/\d+: .*reopening in"):
        async with asyncio.timeout(5):  # far below the read's own 30 s deadline
            await reading
    assert not link.is_open
    assert link.breaks == 1


async def test_write_after_the_port_is_gone_raises(links: list[SerialLink]) -> None:
    peer = PtyPeer()
    link = make(links, peer.path)
    await link.open()
    peer.hang_up()
    await eventually(lambda: not link.is_open)
    with pytest.raises(TransportError, match="not open"):
        await link.write(b"\x01")


async def test_missing_port_fails_then_waits_out_the_backoff(
    tmp_path: Path, links: list[SerialLink]
) -> None:
    link = make(links, str(tmp_path / "ttyUSB9"), backoff_initial_s=30.0, backoff_max_s=60.0)
    with pytest.raises(TransportError, match=r"cannot open: .*No such file.*retry in"):
        await link.open()
    # The next attempt sleeps instead of failing at once: no busy loop for a caller.
    with pytest.raises(TimeoutError):
        async with asyncio.timeout(0.05):
            await link.open()
    assert link.connect_failures == 1


async def test_reopens_the_same_path_when_the_device_comes_back(
    tmp_path: Path, links: list[SerialLink]
) -> None:
    path = tmp_path / "ttyUSB0"
    first = PtyPeer()
    path.symlink_to(first.path)
    link = make(links, str(path))
    await link.open()
    first.write(b"\x01")
    assert await link.read_exact(1, deadline=soon()) == b"\x01"

    first.hang_up()  # unplugged: the node and its name go away
    path.unlink()
    await eventually(lambda: not link.is_open)

    second = PtyPeer()  # plugged in again, maybe as another node
    path.symlink_to(second.path)
    try:
        async with asyncio.timeout(5):
            await link.open()
        second.write(b"\x02")
        assert await link.read_exact(1, deadline=soon()) == b"\x02"
        assert (link.connects, link.breaks) == (2, 1)
    finally:
        second.close()


async def test_a_second_opener_of_the_port_is_refused(
    peer: PtyPeer, links: list[SerialLink]
) -> None:
    first = make(links, peer.path)
    await first.open()
    second = make(links, peer.path)
    with pytest.raises(TransportError, match="exclusively lock"):
        await second.open()


async def test_rs485_direction_control_needs_a_uart_that_has_rts(
    peer: PtyPeer, links: list[SerialLink]
) -> None:
    # A pty has neither kernel RS-485 mode nor an RTS line: say so, do not
    # pretend the transceiver is being switched.
    link = make(links, peer.path, rs485_rts=True)
    with pytest.raises(TransportError, match="cannot switch the RS-485 transceiver"):
        await link.open()
    assert not link.is_open


async def test_close_then_open_again(peer: PtyPeer, links: list[SerialLink]) -> None:
    link = make(links, peer.path)
    await link.open()
    link.close()
    with pytest.raises(TransportError, match="not open"):
        await link.read_exact(1, deadline=soon())
    await link.open()
    peer.write(b"\x09")
    assert await link.read_exact(1, deadline=soon()) == b"\x09"
