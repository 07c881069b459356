"""Sign-in, sessions, CSRF, tokens and the users API over HTTP (the real app, a
real SQLite file, no mocks)."""

from __future__ import annotations

import re

import pytest
from fastapi import FastAPI
from starlette.testclient import TestClient

from edge.auth.users import Users
from edge.service import Service
from edge.web.access import Role
from tests.edge.web.conftest import ClientAs, ensure_user, password_for

HTML = {"accept": "text/html"}


def storage_of(gateway: Service) -> Users:
    assert gateway.storage is not None
    return Users(gateway.storage)


def form_token(client: TestClient, path: str = "/login") -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', client.get(path, headers=HTML).text)
    assert found, f"no csrf field on {path}"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str) -> TestClient:
    token = form_token(client)
    res = client.post(
        "/login", data={"name": name, "password": password, "csrf": token, "next": "/admin"}
    )
    assert res.status_code == 303, res.text
    return client


def session_client(app: FastAPI, gateway: Service, role: Role, **kw: str) -> TestClient:
    assert gateway.storage is not None
    name = ensure_user(gateway.storage, role)
    return sign_in(TestClient(app, follow_redirects=False, **kw), name, password_for(role))  # type: ignore[arg-type]


def csrf_of(client: TestClient) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', client.get("/account").text)
    assert found
    return found.group(1)


def auth_events(gateway: Service, kind: str) -> list[tuple[str, str, str]]:
    assert gateway.storage is not None
    return [(e.actor, e.message, e.severity) for e in gateway.storage.events(200) if e.kind == kind]


# -- anonymous and first run --------------------------------------------------


def test_with_no_user_every_page_leads_to_setup_and_the_api_says_so(
    client_as: ClientAs,
) -> None:
    anon = client_as(None)
    assert anon.get("/", headers=HTML).headers["location"] == "/setup"
    assert anon.get("/login", headers=HTML).headers["location"] == "/setup"
    res = anon.get("/api/readings/latest")
    assert res.status_code == 401
    assert "/setup" in res.json()["detail"]


def test_anonymous_gets_401_on_the_api_and_a_redirect_on_pages(
    client_as: ClientAs, web_gateway: Service
) -> None:
    client_as(Role.ADMIN)  # a user exists: no first run any more
    anon = client_as(None)
    res = anon.get("/api/readings/latest")
    assert res.status_code == 401
    assert res.headers["www-authenticate"] == "Bearer"
    page = anon.get("/admin?tab=users", headers=HTML)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/admin%3Ftab%3Dusers"
    assert anon.post("/api/users", json={}).status_code == 401
    assert anon.get("/metrics").status_code == 401
    for public in ("/login", "/static/app.css", "/openapi.json"):
        assert anon.get(public, headers=HTML).status_code == 200, public


def test_setup_creates_the_first_admin_once(client_as: ClientAs, web_gateway: Service) -> None:
    anon = client_as(None)
    token = form_token(anon, "/setup")
    short = anon.post(
        "/setup", data={"name": "owner", "password": "short", "password2": "short", "csrf": token}
    )
    assert short.status_code == 422
    assert "at least 10 characters" in short.text
    no_token = TestClient(anon.app, follow_redirects=False).post(
        "/setup", data={"name": "x", "password": "p" * 12, "password2": "p" * 12, "csrf": "x" * 30}
    )
    assert no_token.status_code == 403
    good = {"name": "owner", "password": "p" * 12, "password2": "p" * 12, "csrf": token}
    res = anon.post("/setup", data=good)
    assert res.status_code == 303
    assert res.headers["location"] == "/login?created=owner"
    again = anon.post("/setup", data={**good, "name": "intruder"})
    assert again.headers["location"] == "/login"
    assert [u.name for u in storage_of(web_gateway).list()] == ["owner"]
    assert anon.get("/setup", headers=HTML).headers["location"] == "/login"
    assert ("owner", "first admin owner created at setup from testclient", "info") in [
        e[:3] for e in auth_events(web_gateway, "user")
    ]


# -- sign-in, cookies, sessions -------------------------------------------------


def test_sign_in_sets_an_httponly_lax_session_cookie_not_secure_over_http(
    web_app: FastAPI, web_gateway: Service
) -> None:
    client = TestClient(web_app, follow_redirects=False)
    assert web_gateway.storage is not None
    ensure_user(web_gateway.storage, Role.OPERATOR)
    token = form_token(client)
    res = client.post(
        "/login",
        data={"name": "operator", "password": password_for(Role.OPERATOR), "csrf": token},
    )
    cookie = next(c for c in res.headers.get_list("set-cookie") if "kakashi_session=" in c)
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert "Secure" not in cookie
    assert client.get("/api/me").json() == {
        "name": "operator",
        "role": "operator",
        "via": "session",
    }
    assert ("operator", "operator signed in from testclient", "info") in auth_events(
        web_gateway, "auth"
    )


def test_the_session_cookie_is_secure_over_https(web_app: FastAPI, web_gateway: Service) -> None:
    client = session_client(web_app, web_gateway, Role.VIEWER, base_url="https://gateway.local")
    cookie = client.cookies.jar
    session = next(c for c in cookie if c.name == "kakashi_session")
    assert session.secure


def test_logout_ends_the_session(web_app: FastAPI, web_gateway: Service) -> None:
    client = session_client(web_app, web_gateway, Role.VIEWER)
    sid = client.cookies["kakashi_session"]
    res = client.post("/logout", data={"csrf": csrf_of(client)})
    assert res.headers["location"] == "/login?signed_out=1"
    stale = TestClient(web_app, cookies={"kakashi_session": sid})
    assert stale.get("/api/me").status_code == 401


def test_the_sixth_bad_password_is_answered_429_with_retry_after(
    client_as: ClientAs, web_gateway: Service
) -> None:
    client_as(Role.ADMIN)
    anon = client_as(None)
    token = form_token(anon)
    bad = {"name": "admin", "password": "not the password", "csrf": token}
    for _ in range(5):
        assert anon.post("/login", data=bad).status_code == 401
    refused = anon.post("/login", data={**bad, "password": password_for(Role.ADMIN)})
    assert refused.status_code == 429
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    assert "Too many failed sign-ins" in refused.text
    failures = [e for e in auth_events(web_gateway, "auth") if e[2] == "warning"]
    assert len(failures) == 5
    assert all("not the password" not in e[1] for e in failures)


def test_a_disabled_user_cannot_sign_in_and_their_token_stops_working(
    web_app: FastAPI, client_as: ClientAs, web_gateway: Service
) -> None:
    operator = client_as(Role.OPERATOR)
    assert operator.get("/api/me").status_code == 200
    client_as(Role.ADMIN)
    storage_of(web_gateway).set_disabled("operator", True)
    res = operator.get("/api/me")
    assert res.status_code == 401
    assert "not valid" in res.json()["detail"]
    anon = TestClient(web_app, follow_redirects=False)
    token = form_token(anon)
    login = anon.post(
        "/login",
        data={"name": "operator", "password": password_for(Role.OPERATOR), "csrf": token},
    )
    assert login.status_code == 401


def test_a_revoked_token_is_refused(client_as: ClientAs) -> None:
    admin = client_as(Role.ADMIN)
    created = admin.post("/api/tokens", json={"user": "admin", "label": "dispatch"})
    assert created.status_code == 201
    body = created.json()
    assert body["token"].startswith(f"kk_{body['id']}_")
    other = TestClient(admin.app, headers={"Authorization": f"Bearer {body['token']}"})
    assert other.get("/api/me").json()["via"] == "token"
    assert admin.delete(f"/api/tokens/{body['id']}").json()["revoked"] is True
    assert other.get("/api/me").status_code == 401
    listed = {t["id"]: t for t in admin.get("/api/tokens").json()}
    assert "token" not in listed[body["id"]]


# -- CSRF ---------------------------------------------------------------------------


def test_cookie_authenticated_writes_need_the_csrf_token(
    web_app: FastAPI, web_gateway: Service
) -> None:
    client = session_client(web_app, web_gateway, Role.ADMIN)
    new_user = {"name": "hanako", "role": "viewer", "password": "p" * 12}
    missing = client.post("/api/users", json=new_user)
    assert missing.status_code == 403
    assert "CSRF" in missing.json()["detail"]
    wrong = client.post("/api/users", json=new_user, headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    ok = client.post("/api/users", json=new_user, headers={"X-CSRF-Token": csrf_of(client)})
    assert ok.status_code == 201
    form = {"name": "jiro", "role": "viewer", "password": "p" * 12}
    assert client.post("/admin/users", data=form).status_code == 403
    assert client.post("/admin/users", data={**form, "csrf": "forged"}).status_code == 403
    done = client.post("/admin/users", data={**form, "csrf": csrf_of(client)})
    assert done.status_code == 303
    multipart = client.post(
        "/admin/users",
        files={"name": (None, "saburo"), "role": (None, "viewer"), "password": (None, "p" * 12)},
        data={"csrf": csrf_of(client)},
    )
    assert multipart.status_code == 303
    assert {"hanako", "jiro", "saburo"} <= {u.name for u in storage_of(web_gateway).list()}


def test_bearer_writes_need_no_csrf_token(client_as: ClientAs) -> None:
    admin = client_as(Role.ADMIN)
    res = admin.post("/api/users", json={"name": "hanako", "role": "viewer", "password": "p" * 12})
    assert res.status_code == 201


# -- users API: roles, validation, audit ----------------------------------------------


@pytest.mark.parametrize("role", [Role.VIEWER, Role.OPERATOR, Role.COORDINATOR])
def test_only_admins_may_use_the_users_and_tokens_api(client_as: ClientAs, role: Role) -> None:
    client = client_as(role)
    assert client.get("/api/me").json()["role"] == role.label
    calls = [
        client.get("/api/users"),
        client.post("/api/users", json={"name": "x1", "role": "admin", "password": "p" * 12}),
        client.patch(f"/api/users/{role.label}", json={"role": "admin"}),
        client.delete(f"/api/users/{role.label}"),
        client.get("/api/tokens"),
        client.post("/api/tokens", json={"user": role.label}),
        client.delete("/api/tokens/abc"),
    ]
    for res in calls:
        assert res.status_code == 403, (res.request.method, res.request.url, res.text)
        assert "admin role" in res.json()["detail"]


def test_admins_manage_users_and_every_change_is_audited(
    client_as: ClientAs, web_gateway: Service
) -> None:
    admin = client_as(Role.ADMIN)
    res = admin.post("/api/users", json={"name": "hanako", "role": "viewer", "password": "p" * 12})
    assert res.json()["role"] == "viewer"
    changed = admin.patch("/api/users/hanako", json={"role": "coordinator", "language": "ja"})
    assert changed.status_code == 200
    assert (changed.json()["role"], changed.json()["language"]) == ("coordinator", "ja")
    assert admin.patch("/api/users/hanako", json={"password": "q" * 12}).status_code == 200
    assert admin.delete("/api/users/hanako").status_code == 204
    assert [u["name"] for u in admin.get("/api/users").json()] == ["admin"]
    audit = auth_events(web_gateway, "user")
    assert {actor for actor, _, _ in audit} == {"admin (token)"}
    messages = " | ".join(m for _, m, _ in audit)
    assert "hanako added as viewer" in messages
    assert "hanako deleted" in messages
    assert "p" * 12 not in messages
    assert web_gateway.storage is not None
    data = [e.data for e in web_gateway.storage.events(50) if e.kind == "user"]
    assert all(d is not None and d["target"] == "hanako" for d in data)
    assert not any("q" * 12 in str(d) for d in data)


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"name": "Bad Name", "role": "viewer", "password": "p" * 12}, 422, "name"),
        ({"name": "ok", "role": "viewer", "password": "short"}, 422, "password"),
        ({"name": "ok", "role": "farmer", "password": "p" * 12}, 422, "role"),
        ({"name": "ok", "role": "viewer"}, 422, "password"),
        ({"name": "admin", "role": "viewer", "password": "p" * 12}, 409, "name"),
        ({"name": "ok", "role": "viewer", "password": "p" * 12, "extra": 1}, 422, "extra"),
    ],
)
def test_bad_user_input_is_refused_naming_the_field(
    client_as: ClientAs, body: dict[str, object], status: int, field: str
) -> None:
    res = client_as(Role.ADMIN).post("/api/users", json=body)
    assert res.status_code == status, res.text
    assert field in str(res.json()["detail"])


def test_malformed_bodies_and_unknown_names_are_4xx(client_as: ClientAs) -> None:
    admin = client_as(Role.ADMIN)
    raw = admin.post(
        "/api/users", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert raw.status_code == 422
    assert admin.patch("/api/users/nobody", json={"role": "viewer"}).status_code == 404
    assert admin.delete("/api/users/nobody").status_code == 404
    assert admin.delete("/api/tokens/nothing").status_code == 404
    assert admin.post("/api/tokens", json={"user": "nobody"}).status_code == 404
    assert admin.post("/api/tokens", json={"user": "admin", "label": "x" * 81}).status_code == 422


def test_the_last_admin_cannot_be_removed_through_the_api(client_as: ClientAs) -> None:
    admin = client_as(Role.ADMIN)
    for res in (
        admin.delete("/api/users/admin"),
        admin.patch("/api/users/admin", json={"role": "viewer"}),
        admin.patch("/api/users/admin", json={"disabled": True}),
    ):
        assert res.status_code == 409
        assert "last enabled admin" in res.json()["detail"]


def test_a_change_with_a_bad_password_changes_nothing(client_as: ClientAs) -> None:
    admin = client_as(Role.ADMIN)
    admin.post("/api/users", json={"name": "kenji", "role": "viewer", "password": "p" * 12})
    refused = admin.patch("/api/users/kenji", json={"role": "coordinator", "password": "short"})
    assert refused.status_code == 422
    [kenji] = [u for u in admin.get("/api/users").json() if u["name"] == "kenji"]
    assert kenji["role"] == "viewer", "the role is not half-applied"


def test_a_change_refused_half_way_still_audits_what_it_changed(
    client_as: ClientAs, web_gateway: Service
) -> None:
    # The role is applied first; disabling the only admin is then refused.
    admin = client_as(Role.ADMIN)
    refused = admin.patch("/api/users/admin", json={"role": "admin", "disabled": True})
    assert refused.status_code == 409
    messages = [m for _, m, _ in auth_events(web_gateway, "user")]
    assert any("admin changed by admin: role (then refused" in m for m in messages), messages
