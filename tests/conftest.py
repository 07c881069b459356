"""Fixtures shared by the whole suite: the real outside programs tests rely on.

A missing broker or browser is an error, never a skip: `scripts/test.sh`
installs them, and a run that silently skipped them would prove nothing.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
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


class Mosquitto:
    """A real mosquitto on one loopback port that can be stopped and started again
    on the same port, with its persistence file, optional TLS and passwords."""

    def __init__(
        self,
        exe: Path,
        workdir: Path,
        *,
        tls: MqttCerts | None = None,
        users: dict[str, str] | None = None,
        extra: Sequence[str] = (),
    ) -> None:
        self.exe = exe
        self.workdir = workdir
        self.port = _free_port()
        self.tls = tls
        self.users = users
        self.proc: subprocess.Popen[bytes] | None = None
        self.conf = workdir / "mosquitto.conf"
        self.log = workdir / "mosquitto.log"
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "data").mkdir(exist_ok=True)
        lines = [
            f"listener {self.port} 127.0.0.1",
            f"allow_anonymous {'false' if users else 'true'}",
            "persistence true",
            f"persistence_location {workdir / 'data'}/",
            f"log_dest file {self.log}",
            "log_type all",
        ]
        if os.geteuid() == 0:
            # As root, mosquitto would switch to a user that cannot write here.
            lines.append("user root")
        if users:
            passwords = workdir / "passwords"
            passwords.touch()
            for user, password in users.items():
                subprocess.run(
                    ["mosquitto_passwd", "-b", str(passwords), user, password], check=True
                )
            lines.append(f"password_file {passwords}")
        if tls is not None:
            lines += [
                f"cafile {tls.ca}",
                f"certfile {tls.server_cert}",
                f"keyfile {tls.server_key}",
                "require_certificate true",
            ]
        lines += extra
        self.conf.write_text("\n".join(lines) + "\n")

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None, "mosquitto is running"
        self.proc = subprocess.Popen([str(self.exe), "-c", str(self.conf)])
        _wait_until_listening(self.port, self.proc)

    def stop(self) -> None:
        """Stop it as an operator would (SIGTERM: it saves its persistence file)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


@dataclass(frozen=True)
class MqttCerts:
    ca: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


@pytest.fixture
def mosquitto(mosquitto_path: Path, tmp_path: Path) -> Iterator[Mosquitto]:
    """A started broker that a test may stop and start again on the same port."""
    broker = Mosquitto(mosquitto_path, tmp_path / "broker")
    broker.start()
    try:
        yield broker
    finally:
        broker.stop()


@pytest.fixture(scope="session")
def mqtt_certs(tmp_path_factory: pytest.TempPathFactory) -> MqttCerts:
    """A CA, a server certificate for 127.0.0.1 and a client certificate, by openssl."""
    d = tmp_path_factory.mktemp("mqtt-certs")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True)

    openssl(
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=Kakashi test CA",
        "-keyout",
        str(d / "ca.key"),
        "-out",
        str(d / "ca.crt"),
    )
    (d / "san.cnf").write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    for name, cn in (("server", "127.0.0.1"), ("client", "kakashi-test")):
        openssl(
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-subj",
            f"/CN={cn}",
            "-keyout",
            str(d / f"{name}.key"),
            "-out",
            str(d / f"{name}.csr"),
        )
        extra = ["-extfile", str(d / "san.cnf")] if name == "server" else []
        openssl(
            "x509",
            "-req",
            "-in",
            str(d / f"{name}.csr"),
            "-CA",
            str(d / "ca.crt"),
            "-CAkey",
            str(d / "ca.key"),
            "-CAcreateserial",
            "-days",
            "2",
            "-out",
            str(d / f"{name}.crt"),
            *extra,
        )
    return MqttCerts(
        d / "ca.crt", d / "server.crt", d / "server.key", d / "client.crt", d / "client.key"
    )
