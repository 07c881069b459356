"""With [web] tls_cert_file and tls_key_file the gateway serves HTTPS on a real
socket, and a sign-in over it gets a Secure session cookie."""

from __future__ import annotations

import re
import ssl

import httpx

from edge.service import Service
from edge.web.access import Role
from edge.web.app import create_app
from tests.conftest import MqttCerts
from tests.edge.web.conftest import ensure_user, password_for, serving


def test_https_serves_the_page_and_the_session_cookie_is_secure(
    web_gateway: Service, mqtt_certs: MqttCerts
) -> None:
    web = web_gateway.config.web.model_copy(
        update={"tls_cert_file": mqtt_certs.server_cert, "tls_key_file": mqtt_certs.server_key}
    )
    web_gateway.config = web_gateway.config.model_copy(update={"web": web})
    assert web_gateway.storage is not None
    name = ensure_user(web_gateway.storage, Role.VIEWER)
    with serving(create_app(web_gateway)) as (url, _loop):
        https = url.replace("http://", "https://")
        trust = ssl.create_default_context(cafile=str(mqtt_certs.ca))
        with httpx.Client(base_url=https, verify=trust, timeout=10) as client:
            form = client.get("/login")
            assert form.status_code == 200
            token = re.search(r'name="csrf" value="([^"]+)"', form.text)
            assert token is not None
            signed = client.post(
                "/login",
                data={"name": name, "password": password_for(Role.VIEWER), "csrf": token.group(1)},
            )
            assert signed.status_code == 303, signed.text
            cookie = signed.headers["set-cookie"]
            assert "kakashi_session=" in cookie
            assert "Secure" in cookie
            assert "HttpOnly" in cookie
            assert client.get("/api/me").json()["name"] == name
        # Plain HTTP on the same port is not answered as a page.
        with httpx.Client(base_url=url, timeout=10) as plain:
            try:
                refused = plain.get("/healthz").status_code != 200
            except httpx.HTTPError:
                refused = True
        assert refused
