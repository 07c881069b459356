"""Fixtures shared by the whole suite: the real outside programs tests rely on.

A missing broker or browser is an error, never a skip: `scripts/test.sh`
installs them, and a run that silently skipped them would prove nothing.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does it)",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def mosquitto_path() -> Path:
    found = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if found is None:
        pytest.fail(
            "mosquitto is missing: install Debian's mosquitto (scripts/test.sh does it)",
            pytrace=False,
        )
    return Path(found)


@pytest.fixture
def mqtt_broker(mosquitto_path: Path, tmp_path: Path) -> Iterator[int]:
    """A real mosquitto on a loopback port of its own; yields the port."""
    port = _free_port()
    conf = tmp_path / "mosquitto.conf"
    conf.write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
        f"log_dest file {tmp_path / 'mosquitto.log'}\n"
    )
    proc = subprocess.Popen([str(mosquitto_path), "-c", str(conf)])
    try:
        _wait_until_listening(port, proc)
        yield port
    finally:
        proc.terminate()
        proc.wait(10)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_until_listening(port: int, proc: subprocess.Popen[bytes]) -> None:
    for _ in range(200):
        if proc.poll() is not None:
            pytest.fail(f"mosquitto exited with {proc.returncode} before listening", pytrace=False)
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.05)  # between connection attempts; ends as soon as it listens
    pytest.fail(f"mosquitto did not listen on port {port}", pytrace=False)
