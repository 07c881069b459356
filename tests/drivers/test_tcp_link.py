"""The TCP link to a serial server, against real loopback servers."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from drivers.modbus.errors import TransportError
from drivers.serial_settings import SerialSettings
from drivers.tcp_link import TcpLink
from tests.rtu_support import eventually, free_port


@pytest.fixture
async def links() -> AsyncIterator[list[TcpLink]]:
    made: list[TcpLink] = []
    yield made
    for link in made:
        link.close()


def make(made: list[TcpLink], port: int, **backoff: float) -> TcpLink:
    link = TcpLink(
        "127.0.0.1",
        port,
        name="srv",
        settings=SerialSettings(19200, "E", 1),
        backoff_initial_s=backoff.get("initial", 0.05),
        backoff_max_s=backoff.get("max", 5.0),
    )
    made.append(link)
    return link


def soon(seconds: float = 1.0) -> float:
    return asyncio.get_running_loop().time() + seconds


async def test_bytes_go_both_ways_and_the_line_sets_the_timing(links: list[TcpLink]) -> None:
    async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(await reader.readexactly(4))
        await writer.drain()
        await reader.read()

    server = await asyncio.start_server(echo, "127.0.0.1", 0)
    async with server:
        link = make(links, server.sockets[0].getsockname()[1])
        assert link.char_time_s == pytest.approx(11 / 19200)
        await link.open()
        await link.write(b"\x01\x02\x03\x04")
        assert await link.read_exact(4, deadline=soon()) == b"\x01\x02\x03\x04"
        assert link.connects == 1


async def test_server_closing_fails_the_pending_read(links: list[TcpLink]) -> None:
    async def hang_up(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(1)
        writer.close()

    server = await asyncio.start_server(hang_up, "127.0.0.1", 0)
    async with server:
        link = make(links, server.sockets[0].getsockname()[1])
        await link.open()
        await link.write(b"\x01")
        with pytest.raises(TransportError, match=r"srv: 127\.0\.0\.1:\d+: connection"):
            await link.read_exact(1, deadline=soon(30))
        assert not link.is_open
        assert link.breaks == 1


async def test_refused_connection_backs_off_then_reconnects(links: list[TcpLink]) -> None:
    port = free_port()
    link = make(links, port, initial=0.05, max=0.1)
    with pytest.raises(TransportError, match="connect failed"):
        await link.open()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"\x42")
        await writer.drain()
        await reader.read()

    server = await asyncio.start_server(serve, "127.0.0.1", port)
    async with server:
        async with asyncio.timeout(5):
            await link.open()  # sleeps out the backoff, then connects
        assert await link.read_exact(1, deadline=soon()) == b"\x42"
        assert (link.connect_failures, link.connects) == (1, 1)


async def test_discard_input_drops_what_arrived(links: list[TcpLink]) -> None:
    async def chatter(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        writer.write(b"stale")
        await writer.drain()
        await reader.read()

    server = await asyncio.start_server(chatter, "127.0.0.1", 0)
    async with server:
        link = make(links, server.sockets[0].getsockname()[1])
        await link.open()
        await eventually(lambda: link.buffered == 5)
        assert link.discard_input() == 5
        assert link.buffered == 0


def test_port_must_be_a_tcp_port() -> None:
    with pytest.raises(ValueError, match=r"srv: port: expected 1\.\.65535, found 0"):
        TcpLink("127.0.0.1", 0, name="srv")
