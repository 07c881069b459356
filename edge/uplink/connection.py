"""One MQTT connection as the settings describe it: protocol, TLS, credentials, will.

The session is persistent (MQTT 5: clean start off and a session expiry; 3.1.1:
clean session off), so commands sent while the gateway was away are waiting
when it comes back. Outgoing messages do not rely on the broker's session:
the outbox holds them until they are acknowledged.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiomqtt
from paho.mqtt import client as paho_client
from paho.mqtt.client import ConnectFlags
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from edge.uplink.settings import UplinkSettings
from edge.uplink.wire import Publication

CONNECT_TIMEOUT_S = 10.0
PENDING_SLACK = 16
"""Publishes beside the outbox window: live values, replies, subscriptions."""


class SetupError(Exception):
    """The connection cannot even be attempted as configured (a missing password file)."""


def read_password(path: Path) -> str:
    """The first line of ``path``: the password, without its line end."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as e:
        raise SetupError(f"mqtt password_file {path}: {e.strerror or e}") from None
    except UnicodeDecodeError as e:
        raise SetupError(f"mqtt password_file {path}: not UTF-8 text (byte {e.start})") from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise SetupError(f"mqtt password_file {path}: the first line (the password) is empty")
    return lines[0]


def make_client(
    settings: UplinkSettings,
    will: Publication,
    on_receive_maximum: Callable[[int], None] | None = None,
) -> aiomqtt.Client:
    password = None if settings.password_file is None else read_password(settings.password_file)
    tls = None
    if settings.tls is not None:
        for name, path in (
            ("ca_file", settings.tls.ca_file),
            ("cert_file", settings.tls.cert_file),
            ("key_file", settings.tls.key_file),
        ):
            if path is not None and not path.is_file():
                raise SetupError(f"mqtt tls.{name} {path}: no such file")
        tls = aiomqtt.TLSParameters(
            ca_certs=_text(settings.tls.ca_file),
            certfile=_text(settings.tls.cert_file),
            keyfile=_text(settings.tls.key_file),
        )
    v5 = settings.protocol == "5"
    properties = None
    if v5:
        properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        properties.SessionExpiryInterval = settings.session_expiry_s
    client = aiomqtt.Client(
        settings.host,
        settings.port,
        username=settings.username or None,
        password=password,
        identifier=settings.client_id,
        protocol=aiomqtt.ProtocolVersion.V5 if v5 else aiomqtt.ProtocolVersion.V311,
        will=aiomqtt.Will(will.topic, will.payload, will.qos, will.retain),
        clean_session=None if v5 else False,
        # paho refuses the clean start option on 3.1.1 (it has clean session).
        clean_start=False if v5 else paho_client.MQTT_CLEAN_START_FIRST_ONLY,
        keepalive=settings.keepalive_s,
        timeout=CONNECT_TIMEOUT_S,
        max_inflight_messages=settings.max_inflight,
        properties=properties,
        tls_params=tls,
    )
    # A full window is normal here; aiomqtt would log a warning per publish above this.
    client.pending_calls_threshold = settings.max_inflight + PENDING_SLACK
    if v5 and on_receive_maximum is not None:
        _report_receive_maximum(client, on_receive_maximum)
    return client


def _report_receive_maximum(client: aiomqtt.Client, learned: Callable[[int], None]) -> None:
    """Tell ``learned`` the Receive Maximum in the broker's MQTT 5 CONNACK.

    paho neither honours it nor lets its window change once connected, and
    brokers that enforce it (EMQX, HiveMQ) disconnect a client that sends more
    unacknowledged messages; so the uplink narrows its own window to it.
    """
    paho = client._client  # aiomqtt does not pass CONNACK properties on
    forward = paho.on_connect

    def on_connect(
        mqttc: paho_client.Client,
        userdata: Any,
        flags: ConnectFlags,
        reason: ReasonCode,
        properties: Properties | None = None,
    ) -> None:
        maximum = getattr(properties, "ReceiveMaximum", None)
        if isinstance(maximum, int) and maximum > 0:
            learned(maximum)
        if forward is not None:
            forward(mqttc, userdata, flags, reason, properties)  # type: ignore[call-arg,arg-type]

    paho.on_connect = on_connect


def _text(path: Path | None) -> str | None:
    return None if path is None else str(path)
