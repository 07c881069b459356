"""The outside programs the suite relies on are really there and really work.

These fail (never skip) on a machine without them, so a green run cannot hide
a missing broker or browser.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiomqtt


async def test_the_broker_carries_a_qos1_message_round_trip(mqtt_broker: int) -> None:
    async with aiomqtt.Client("127.0.0.1", mqtt_broker, identifier="env-check") as client:
        await client.subscribe("kakashi/test/#", qos=1)
        await client.publish("kakashi/test/ping", b"pong", qos=1)
        async with asyncio.timeout(10):
            async for message in client.messages:
                assert message.payload == b"pong"
                assert str(message.topic) == "kakashi/test/ping"
                break


def test_chromium_is_installed(chromium_path: Path) -> None:
    assert chromium_path.stat().st_mode & 0o111, f"{chromium_path} is not executable"
