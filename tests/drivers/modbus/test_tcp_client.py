"""The TCP client against pymodbus's server, and against hand-made misbehaving servers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from drivers.modbus.errors import (
    FrameError,
    ModbusException,
    RequestTimeoutError,
    TransportError,
)
from drivers.modbus.pdu import parse_registers, read_request
from drivers.modbus.tcp_client import ModbusTcpClient
from sim.modbus_server import SimModbusServer
from tests.drivers.modbus.conftest import REFERENCE_REGISTERS, PeerServer

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]
READ_4 = read_request(3, 0, 4)


def reply_to(request: bytes, pdu: bytes, *, unit: int | None = None, protocol: int = 0) -> bytes:
    """An MBAP reply written out by hand from the request's header bytes."""
    unit_byte = request[6:7] if unit is None else bytes([unit])
    return (
        request[0:2]
        + protocol.to_bytes(2, "big")
        + (len(pdu) + 1).to_bytes(2, "big")
        + unit_byte
        + pdu
    )


async def start(handler: Handler) -> tuple[asyncio.Server, int]:
    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


@pytest.fixture
async def clients() -> AsyncIterator[list[ModbusTcpClient]]:
    made: list[ModbusTcpClient] = []
    yield made
    for client in made:
        await client.close()


def make_client(
    made: list[ModbusTcpClient],
    port: int,
    *,
    backoff_initial_s: float = 0.5,
    backoff_max_s: float = 30.0,
) -> ModbusTcpClient:
    client = ModbusTcpClient(
        "127.0.0.1",
        port,
        timeout_s=0.2,
        name="t",
        backoff_initial_s=backoff_initial_s,
        backoff_max_s=backoff_max_s,
    )
    made.append(client)
    return client


# ---- against pymodbus ----


async def test_reads_registers_from_pymodbus(
    peer: PeerServer, clients: list[ModbusTcpClient]
) -> None:
    client = make_client(clients, peer.port)
    response = await client.request(1, READ_4)
    assert parse_registers(READ_4, response) == REFERENCE_REGISTERS
    peer.banks[1].set("ec", 1234)
    assert parse_registers(READ_4, await client.request(1, READ_4))[2] == 1234
    assert client.stats().connects == 1


async def test_exception_code_from_pymodbus(
    peer: PeerServer, clients: list[ModbusTcpClient]
) -> None:
    client = make_client(clients, peer.port)
    request = read_request(3, 0, 5)  # register 4 is not mapped
    response = await client.request(1, request)
    assert response == bytes([0x83, 0x02])
    with pytest.raises(ModbusException) as info:
        parse_registers(request, response)
    assert (info.value.code, info.value.name) == (2, "illegal data address")


async def test_silent_unit_times_out_then_the_next_request_works(
    peer: PeerServer, clients: list[ModbusTcpClient]
) -> None:
    client = make_client(clients, peer.port)
    with pytest.raises(
        RequestTimeoutError, match=r"t: unit 2: no reply to transaction 1 within 0\.2 s"
    ):
        await client.request(2, READ_4)
    assert parse_registers(READ_4, await client.request(1, READ_4)) == REFERENCE_REGISTERS
    assert client.stats().connects == 1  # a timeout does not cost the connection


async def test_reconnects_after_the_server_restarts(
    peer: PeerServer, clients: list[ModbusTcpClient]
) -> None:
    client = make_client(clients, peer.port)
    await client.request(1, READ_4)
    await peer.server.stop()
    with pytest.raises(TransportError):
        await client.request(1, READ_4)
    again = SimModbusServer(peer.banks, port=peer.port)
    await again.start()
    try:
        assert parse_registers(READ_4, await client.request(1, READ_4)) == REFERENCE_REGISTERS
        assert client.stats().connects == 2
    finally:
        await again.stop()


# ---- against hand-made servers ----


async def test_late_reply_is_discarded_not_taken_for_the_next_answer(
    clients: list[ModbusTcpClient],
) -> None:
    release_first = asyncio.Event()
    requests: list[bytes] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        first = await reader.readexactly(12)
        requests.append(first)
        await release_first.wait()  # answer only once the client has given up
        writer.write(reply_to(first, bytes.fromhex("03 08 00 01 00 01 00 01 00 01")))
        second = await reader.readexactly(12)
        requests.append(second)
        writer.write(reply_to(second, bytes.fromhex("03 08 00 02 00 02 00 02 00 02")))
        await writer.drain()
        await reader.read()

    server, port = await start(handler)
    async with server:
        client = make_client(clients, port)
        with pytest.raises(RequestTimeoutError):
            await client.request(1, READ_4)
        release_first.set()
        response = await client.request(1, READ_4)
        assert parse_registers(READ_4, response) == [2, 2, 2, 2]
        assert client.stats().discarded == 1
        first_tid = int.from_bytes(requests[0][:2], "big")
        assert int.from_bytes(requests[1][:2], "big") == first_tid + 1


async def test_reply_from_another_unit_is_discarded(clients: list[ModbusTcpClient]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readexactly(12)
        writer.write(reply_to(request, bytes.fromhex("03 02 00 63"), unit=99))
        writer.write(reply_to(request, bytes.fromhex("03 02 00 07")))
        await writer.drain()
        await reader.read()

    server, port = await start(handler)
    async with server:
        client = make_client(clients, port)
        request = read_request(3, 0, 1)
        assert parse_registers(request, await client.request(1, request)) == [7]
        assert client.stats().discarded == 1


async def test_reply_split_into_single_bytes_is_reassembled(clients: list[ModbusTcpClient]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        request = await reader.readexactly(12)
        for byte in reply_to(request, bytes.fromhex("03 08 02 92 FF 9B 03 E8 00 38")):
            writer.write(bytes([byte]))
            await writer.drain()
        await reader.read()

    server, port = await start(handler)
    async with server:
        client = make_client(clients, port)
        assert parse_registers(READ_4, await client.request(1, READ_4)) == REFERENCE_REGISTERS


async def test_corrupt_stream_drops_the_connection_and_the_next_request_reconnects(
    clients: list[ModbusTcpClient],
) -> None:
    connections = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        request = await reader.readexactly(12)
        protocol = 1 if connections == 1 else 0
        writer.write(reply_to(request, bytes.fromhex("03 02 00 05"), protocol=protocol))
        await writer.drain()
        await reader.read()

    server, port = await start(handler)
    async with server:
        client = make_client(clients, port)
        request = read_request(3, 0, 1)
        with pytest.raises(FrameError, match="MBAP protocol id: expected 0, found 1"):
            await client.request(1, request)
        assert parse_registers(request, await client.request(1, request)) == [5]
        assert client.stats().connects == 2


async def test_peer_closing_gives_transport_error(clients: list[ModbusTcpClient]) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readexactly(12)
        writer.close()

    server, port = await start(handler)
    async with server:
        client = make_client(clients, port)
        with pytest.raises(TransportError, match="connection closed by peer"):
            await client.request(1, READ_4)
        assert not client.stats().connected


async def test_refused_connection_backs_off_and_fails_fast_meanwhile(
    clients: list[ModbusTcpClient],
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    client = make_client(clients, free_port, backoff_initial_s=30.0, backoff_max_s=60.0)
    with pytest.raises(TransportError, match="connect failed"):
        await client.request(1, READ_4)
    with pytest.raises(TransportError, match="next attempt in"):
        await client.request(1, READ_4)
    assert client.stats().connect_failures == 1  # the second request did not try


async def test_closed_client_refuses_requests(
    peer: PeerServer, clients: list[ModbusTcpClient]
) -> None:
    client = make_client(clients, peer.port)
    await client.request(1, READ_4)
    await client.close()
    with pytest.raises(TransportError, match="client is closed"):
        await client.request(1, READ_4)


async def test_requests_are_serialised(peer: PeerServer, clients: list[ModbusTcpClient]) -> None:
    client = make_client(clients, peer.port)
    responses = await asyncio.gather(*(client.request(1, READ_4) for _ in range(10)))
    assert all(parse_registers(READ_4, r) == REFERENCE_REGISTERS for r in responses)
    assert client.stats().discarded == 0


async def test_bad_unit_is_refused(clients: list[ModbusTcpClient]) -> None:
    client = make_client(clients, 1)
    with pytest.raises(ValueError, match=r"t: unit: expected 0\.\.255, found 300"):
        await client.request(300, READ_4)
