"""The web layer's handle on authentication: stores, rate limiter, cookies.

One :class:`AuthGate` per app, shared by the auth middleware (who is asking)
and the account, admin and users pages (sign-in, sign-out, changes). Storage
calls block, so everything that touches the database goes through
``asyncio.to_thread``.
"""

from __future__ import annotations

import asyncio
from typing import Any

from fastapi import HTTPException
from starlette.requests import HTTPConnection
from starlette.responses import Response

from edge.auth.errors import AuthError
from edge.auth.passwords import MIN_LENGTH
from edge.auth.ratelimit import LoginLimiter
from edge.auth.sessions import NewSession, SessionPolicy, Sessions
from edge.auth.tokens import TokenInfo, Tokens
from edge.auth.users import Users
from edge.storage import Storage
from edge.web.access import Principal
from edge.web.view import ServiceView

SESSION_COOKIE = "kakashi_session"
FORM_CSRF_COOKIE = "kakashi_form"
"""Double-submit token for the two forms posted before there is a session
(sign-in and first-run setup), so another site cannot post them either."""
CSRF_FIELD = "csrf"
CSRF_HEADER = "x-csrf-token"


class AuthGate:
    def __init__(self, view: ServiceView, limiter: LoginLimiter | None = None) -> None:
        self.view = view
        web = view.config.web
        self.policy = SessionPolicy.from_hours(web.session_hours, web.session_max_days)
        self.limiter = limiter or LoginLimiter()
        self._has_users = False
        """Once true it stays true: the last admin can never be removed."""

    @property
    def storage(self) -> Storage:
        storage = self.view.storage
        if storage is None:
            raise HTTPException(status_code=503, detail="the gateway is still starting: try again")
        return storage

    def users(self) -> Users:
        return Users(self.storage)

    def sessions(self) -> Sessions:
        return Sessions(self.storage, self.policy)

    def tokens(self) -> Tokens:
        return Tokens(self.storage)

    async def has_users(self) -> bool:
        if not self._has_users:
            self._has_users = await asyncio.to_thread(lambda: self.users().count() > 0)
        return self._has_users

    def forget_has_users(self) -> None:
        self._has_users = False

    async def principal_from_token(self, token: str) -> Principal | None:
        found = await asyncio.to_thread(self.tokens().resolve, token)
        return None if found is None else Principal(found.user, found.role, "token")

    async def principal_from_session(self, sid: str) -> Principal | None:
        found = await asyncio.to_thread(self.sessions().resolve, sid)
        return None if found is None else Principal(found.user, found.role, "session", found.csrf)

    async def audit(
        self,
        kind: str,
        message: str,
        *,
        actor: str,
        data: dict[str, Any],
        severity: str = "info",
    ) -> None:
        await asyncio.to_thread(
            self.storage.record_event,
            kind,
            message,
            severity=severity,
            source="web",
            actor=actor,
            data=data,
        )

    async def create_token(self, user: str, label: str, who: Principal) -> tuple[TokenInfo, str]:
        """A new API token for ``user``, audited; raises AuthError naming the field."""
        info, token = await asyncio.to_thread(self.tokens().create, user, label)
        await self.audit(
            "token",
            f"API token {info.id} created for {info.user} by {who.name}",
            actor=who.actor,
            data={
                "token_id": info.id,
                "target": info.user,
                "action": "create",
                "label": info.label,
            },
        )
        return info, token

    def set_session_cookie(
        self, response: Response, conn: HTTPConnection, session: NewSession
    ) -> None:
        # Lax, not Strict: a link to the page shared in a chat app must open
        # signed in; Lax still keeps the cookie off cross-site POSTs.
        response.set_cookie(
            SESSION_COOKIE,
            session.id,
            max_age=self.policy.absolute_ms // 1000,
            path="/",
            httponly=True,
            samesite="lax",
            secure=is_https(conn),
        )

    @staticmethod
    def clear_session_cookie(response: Response, conn: HTTPConnection) -> None:
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=is_https(conn)
        )


def is_https(conn: HTTPConnection) -> bool:
    return conn.url.scheme in ("https", "wss")


def client_address(conn: HTTPConnection) -> str:
    return conn.client.host if conn.client is not None else "unknown"


def safe_next(target: str | None) -> str:
    """A path on this gateway to go to after signing in; never another site."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if target.startswith(("/login", "/logout", "/setup")):
        return "/"
    return target


def error_key(code: str) -> str:
    """The catalog key of an auth error code (``edge.auth.errors.AuthError.code``)."""
    return f"auth.err.{code}"


def error_values(error: AuthError) -> dict[str, object]:
    """Placeholders the translated messages may use."""
    values: dict[str, object] = {"min": MIN_LENGTH}
    name = getattr(error, "name", None)
    if isinstance(name, str):
        values["name"] = name
    return values
