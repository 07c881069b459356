"""Who is asking, for every request, and whether they may ask at all.

Pure ASGI rather than ``BaseHTTPMiddleware``: a server-sent event stream must
pass through unbuffered, and only form posts need their body read here.

- ``Authorization: Bearer kk_...`` is tried first, then the ``kakashi_session``
  cookie; the :class:`~edge.web.access.Principal` (or None) lands in
  ``request.state.principal``.
- Public paths (sign-in, first-run setup, static files, the language switch,
  liveness and readiness, the OpenAPI description) need nobody signed in.
  Everything else does: a page asked for by a browser is redirected to
  ``/login?next=...``, anything else gets 401 JSON. With no user at all yet,
  every page leads to ``/setup``.
- Unsafe methods authenticated by the cookie must carry the session's CSRF
  token, as the form field ``csrf`` or the header ``X-CSRF-Token``; bearer
  tokens are not sent by browsers on their own, so they need none.
"""

from __future__ import annotations

import hmac
import json
from typing import Any
from urllib.parse import parse_qs, quote

from fastapi import HTTPException
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection, Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from edge.web.access import Principal
from edge.web.auth_gate import CSRF_FIELD, CSRF_HEADER, SESSION_COOKIE, AuthGate

PUBLIC_PATHS = frozenset(
    {
        "/login",
        "/setup",
        "/healthz",
        "/readyz",
        "/openapi.json",
        "/docs",
        "/docs/oauth2-redirect",
        "/redoc",
        "/favicon.ico",
    }
)
PUBLIC_PREFIXES = ("/static/", "/lang/")
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_FORM_BYTES = 1024 * 1024
"""Forms here are a few fields; a bigger body is refused before it is parsed."""


def is_public(path: str) -> bool:
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def wants_html(headers: Headers) -> bool:
    return "text/html" in headers.get("accept", "")


class AuthMiddleware:
    def __init__(self, app: ASGIApp, gate: AuthGate) -> None:
        self.app = app
        self.gate = gate

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        path: str = scope["path"]
        public = is_public(path)
        state = scope.setdefault("state", {})
        state["principal"] = None
        try:
            principal, bad_token = await self._identify(conn)
        except HTTPException as e:
            if public:
                await self.app(scope, receive, send)
            else:
                await _json(send, scope, e.status_code, e.detail)
            return
        state["principal"] = principal
        if public:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            if principal is None:
                await send({"type": "websocket.close", "code": 1008})
                return
            await self.app(scope, receive, send)
            return
        if principal is None:
            await self._refuse(conn, scope, send, bad_token)
            return
        method = scope["method"]
        if principal.via == "session" and method in UNSAFE_METHODS:
            checked = await self._check_csrf(conn, scope, receive, send, principal)
            if checked is None:
                return
            receive = checked
        await self.app(scope, receive, send)

    async def _identify(self, conn: HTTPConnection) -> tuple[Principal | None, bool]:
        """The principal, and whether a bearer token was presented and refused."""
        auth = conn.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        if scheme.lower() == "bearer" and token.strip():
            found = await self.gate.principal_from_token(token.strip())
            return found, found is None
        sid = conn.cookies.get(SESSION_COOKIE)
        if sid:
            return await self.gate.principal_from_session(sid), False
        return None, False

    async def _refuse(
        self, conn: HTTPConnection, scope: Scope, send: Send, bad_token: bool
    ) -> None:
        html = wants_html(conn.headers) and not bad_token
        if not await self.gate.has_users():
            if html:
                await _redirect(send, "/setup")
            else:
                await _json(
                    send,
                    scope,
                    401,
                    "no users yet: create the first admin at /setup or with `kakashi user add`",
                )
            return
        if html:
            target = scope["path"]
            if scope["method"] == "GET" and scope.get("query_string"):
                target += "?" + scope["query_string"].decode("latin-1")
            if scope["method"] != "GET":
                # A form posted after the session ended: its body is not
                # replayed after signing in, so start from the front page.
                target = "/"
            await _redirect(send, "/login?next=" + quote(target, safe="/"))
            return
        detail = (
            "the API token is not valid (unknown, revoked, or its user is disabled)"
            if bad_token
            else "sign in first (session cookie or 'Authorization: Bearer <token>')"
        )
        await _json(send, scope, 401, detail, {"www-authenticate": "Bearer"})

    async def _check_csrf(
        self,
        conn: HTTPConnection,
        scope: Scope,
        receive: Receive,
        send: Send,
        principal: Principal,
    ) -> Receive | None:
        """The receive to hand on (replaying a body read here), or None if refused."""
        expected = principal.csrf
        header = conn.headers.get(CSRF_HEADER)
        if header is not None:
            if expected and hmac.compare_digest(header.encode(), expected.encode()):
                return receive
            await _json(send, scope, 403, "CSRF token does not match this session: reload the page")
            return None
        content_type = conn.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
            await _json(
                send,
                scope,
                403,
                "CSRF token missing: send the header X-CSRF-Token "
                "(from <meta name=csrf-token>) or the form field csrf",
            )
            return None
        body = await _read_body(receive, MAX_FORM_BYTES)
        if body is None:
            await _json(send, scope, 413, f"form larger than {MAX_FORM_BYTES} bytes")
            return None
        replay = _replaying(body, receive)
        sent = await _form_field(scope, content_type, body, CSRF_FIELD)
        if not sent or not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
            await _json(
                send,
                scope,
                403,
                "csrf: the form's CSRF token is missing or does not match this session; "
                "reload the page and send it again",
            )
            return None
        return replay


async def _read_body(receive: Receive, limit: int) -> bytes | None:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    done = False

    async def replay() -> Message:
        nonlocal done
        if not done:
            done = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _form_field(scope: Scope, content_type: str, body: bytes, name: str) -> str | None:
    if content_type == "application/x-www-form-urlencoded":
        values = parse_qs(body.decode("latin-1"), keep_blank_values=True).get(name)
        return values[0] if values else None
    request = Request(scope, _replaying(body, _never))
    try:
        form = await request.form()
    except Exception:  # a malformed multipart body is the client's fault: refuse, never 500
        return None
    try:
        value = form.get(name)
        return value if isinstance(value, str) else None
    finally:
        await form.close()


async def _never() -> Message:
    return {"type": "http.disconnect"}


async def _json(
    send: Send, scope: Scope, status: int, detail: Any, headers: dict[str, str] | None = None
) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"detail": detail}).encode()
    raw = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw += [(k.encode(), v.encode()) for k, v in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw})
    await send({"type": "http.response.body", "body": body})


async def _redirect(send: Send, location: str) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", location.encode("latin-1")), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})
