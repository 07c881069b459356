"""Connecting: TLS with client certificates, passwords, MQTT 3.1.1, and refusals."""

from __future__ import annotations

import asyncio
import ssl
from pathlib import Path

import aiomqtt

from drivers.reading import Reading
from tests.conftest import Mosquitto, MqttCerts
from tests.edge.uplink.support import (
    BASE,
    T0,
    Subscriber,
    open_storage,
    running,
    site_config,
    until,
)

READINGS = f"{BASE}/devices/soil-1/readings"


async def test_tls_with_a_client_certificate_and_a_password(
    mosquitto_path: Path, mqtt_certs: MqttCerts, tmp_path: Path
) -> None:
    broker = Mosquitto(
        mosquitto_path, tmp_path / "broker", tls=mqtt_certs, users={"gw": "s3cret", "test": "t"}
    )
    broker.start()
    try:
        password = tmp_path / "mqtt-password"
        password.write_text("s3cret\n")
        config = site_config(
            broker.port,
            f'username = "gw"\npassword_file = "{password}"\n'
            f'tls = {{ ca_file = "{mqtt_certs.ca}", cert_file = "{mqtt_certs.client_cert}", '
            f'key_file = "{mqtt_certs.client_key}" }}\n',
        )
        tls = aiomqtt.TLSParameters(
            ca_certs=str(mqtt_certs.ca),
            certfile=str(mqtt_certs.client_cert),
            keyfile=str(mqtt_certs.client_key),
        )
        with open_storage(tmp_path / "k.db", config) as storage:
            async with (
                Subscriber(
                    broker.port, [READINGS], tls_params=tls, username="test", password="t"
                ) as sub,
                running(config, storage) as up,
            ):
                await until(lambda: up.drain_stats.draining)
                await asyncio.to_thread(
                    storage.write_readings, [Reading("soil-1", "moisture", T0, 30.5, "%")]
                )
                await sub.wait_for(lambda ms: len(ms) >= 1)
                assert sub.messages[0].json()["readings"][0]["value"] == 30.5
    finally:
        broker.stop()


async def test_an_untrusted_server_is_refused_and_retried(
    mosquitto_path: Path, mqtt_certs: MqttCerts, tmp_path: Path
) -> None:
    broker = Mosquitto(mosquitto_path, tmp_path / "broker", tls=mqtt_certs)
    broker.start()
    try:
        # The client's own certificate is not the CA that signed the server's.
        config = site_config(
            broker.port,
            f'tls = {{ ca_file = "{mqtt_certs.client_cert}", '
            f'cert_file = "{mqtt_certs.client_cert}", key_file = "{mqtt_certs.client_key}" }}\n',
        )
        with open_storage(tmp_path / "k.db", config) as storage:
            async with running(config, storage) as up:
                await until(lambda: up.attempts >= 2)
                health = up.health()
                assert health["state"] in ("waiting", "connecting")
                assert "certificate verify failed" in health["last_error"]
                assert health["connections"] == 0
    finally:
        broker.stop()
    assert ssl.OPENSSL_VERSION  # the error text above is OpenSSL's


async def test_a_wrong_password_is_reported_and_retried_with_backoff(
    mosquitto_path: Path, tmp_path: Path
) -> None:
    broker = Mosquitto(mosquitto_path, tmp_path / "broker", users={"gw": "s3cret"})
    broker.start()
    try:
        password = tmp_path / "mqtt-password"
        password.write_text("guess\n")
        config = site_config(broker.port, f'username = "gw"\npassword_file = "{password}"\n')
        with open_storage(tmp_path / "k.db", config) as storage:
            async with running(config, storage, reconnect_initial_s=0.2) as up:
                await until(lambda: up.attempts >= 2 and up.state == "waiting")
                health = up.health()
                assert "not authorized" in health["last_error"].lower()
                assert health["retry_in_s"] >= 0.2
                assert health["connections"] == 0
    finally:
        broker.stop()


async def test_a_missing_password_file_is_named(mosquitto: Mosquitto, tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "mqtt-password"
    config = site_config(mosquitto.port, f'username = "gw"\npassword_file = "{missing}"\n')
    with open_storage(tmp_path / "k.db", config) as storage:
        async with running(config, storage) as up:
            await until(lambda: up.attempts >= 1 and up.state == "waiting")
            assert up.health()["last_error"] == (
                f"mqtt password_file {missing}: No such file or directory"
            )


async def test_a_broker_that_is_gone_is_retried_after_a_bounded_wait(tmp_path: Path) -> None:
    config = site_config(1)  # nothing listens on port 1
    with open_storage(tmp_path / "k.db", config) as storage:
        async with running(config, storage, reconnect_initial_s=0.05, reconnect_max_s=0.2) as up:
            await until(lambda: up.attempts >= 4 and up.state == "waiting")
            health = up.health()
            assert "refused" in health["last_error"].lower()
            assert 0.05 <= (health["retry_in_s"] or 0) <= 0.2
            assert up.health()["outbox"] is not None


async def test_mqtt_3_1_1(mosquitto: Mosquitto, tmp_path: Path) -> None:
    config = site_config(mosquitto.port, 'protocol = "3.1.1"\n')
    with open_storage(tmp_path / "k.db", config) as storage:
        async with Subscriber(mosquitto.port, [READINGS]) as sub, running(config, storage) as up:
            await until(lambda: up.drain_stats.draining)
            await asyncio.to_thread(
                storage.write_readings, [Reading("soil-1", "moisture", T0, 1.5, "%")]
            )
            await sub.wait_for(lambda ms: len(ms) >= 1)
            assert sub.messages[0].json()["historical"] is False
