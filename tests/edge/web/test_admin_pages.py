"""The admin and account pages over HTTP with a signed-in browser session."""

from __future__ import annotations

from fastapi import FastAPI

from edge.auth.users import Users
from edge.service import Service
from edge.web.access import Role
from tests.edge.web.conftest import password_for
from tests.edge.web.test_auth_http import HTML, csrf_of, session_client


def test_only_admins_see_the_admin_page(web_app: FastAPI, web_gateway: Service) -> None:
    for role in (Role.VIEWER, Role.OPERATOR, Role.COORDINATOR):
        client = session_client(web_app, web_gateway, role)
        assert client.get("/admin", headers=HTML).status_code == 403
        assert client.post("/admin/users", data={"csrf": csrf_of(client)}).status_code == 403
    admin = session_client(web_app, web_gateway, Role.ADMIN)
    page = admin.get("/admin", headers=HTML)
    assert page.status_code == 200
    assert "Gateway settings" in page.text
    assert "Yamakawa" in page.text


def test_a_token_made_on_the_page_is_shown_once_and_never_cached(
    web_app: FastAPI, web_gateway: Service
) -> None:
    admin = session_client(web_app, web_gateway, Role.ADMIN)
    res = admin.post(
        "/admin/tokens", data={"user": "admin", "label": "JA co-op", "csrf": csrf_of(admin)}
    )
    assert res.status_code == 200
    assert res.headers["cache-control"] == "no-store"
    token = res.text.split('id="new-token-value">', 1)[1].split("<", 1)[0]
    assert token.startswith("kk_")
    assert token not in admin.get("/admin").text
    assert "JA co-op" in admin.get("/admin").text


def test_the_last_admin_form_error_is_shown_next_to_the_user(
    web_app: FastAPI, web_gateway: Service
) -> None:
    admin = session_client(web_app, web_gateway, Role.ADMIN)
    res = admin.post("/admin/users/admin/role", data={"role": "viewer", "csrf": csrf_of(admin)})
    assert res.status_code == 409
    assert 'id="err-admin-role"' in res.text
    assert "last enabled admin" in res.text


def test_own_language_and_password(web_app: FastAPI, web_gateway: Service) -> None:
    client = session_client(web_app, web_gateway, Role.VIEWER)
    res = client.post("/account/language", data={"language": "ja", "csrf": csrf_of(client)})
    assert res.headers["location"] == "/account?done=language_saved"
    assert client.cookies["lang"] == "ja"
    assert web_gateway.storage is not None
    users = Users(web_gateway.storage)
    assert users.get("viewer").language == "ja"
    assert "表示言語を保存しました" in client.get("/account?done=language_saved").text
    wrong = client.post(
        "/account/password",
        data={
            "current": "not it at all",
            "password": "n" * 12,
            "password2": "n" * 12,
            "csrf": csrf_of(client),
        },
    )
    assert wrong.status_code == 422
    assert 'id="err-current"' in wrong.text
    ok = client.post(
        "/account/password",
        data={
            "current": password_for(Role.VIEWER),
            "password": "n" * 12,
            "password2": "n" * 12,
            "csrf": csrf_of(client),
        },
    )
    assert ok.headers["location"] == "/account?done=password_changed"
    assert client.get("/api/me").status_code == 200  # this browser stays signed in
    assert users.authenticate("viewer", "n" * 12) is not None
