"""API tokens for coordinators' systems: ``kk_<id>_<secret>``.

The id is visible (lists, audit entries, revocation) and the secret is 32
random bytes; only a SHA-256 digest of the whole token is stored, so the token
is shown once, when created. A token acts as its user, with the user's role
at the time of each request. ``last_used`` is written at most once a minute
per token to spare the SD card.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from edge.auth.digest import digest
from edge.auth.errors import FieldError, UnknownUserError
from edge.storage import Storage
from edge.storage.timestamps import from_ms, now_ms
from edge.web.access import Role

PREFIX = "kk"
LABEL_MAX = 80
TOUCH_EVERY_MS = 60_000


@dataclass(frozen=True, slots=True)
class TokenInfo:
    id: str
    user: str
    label: str
    created: float
    last_used: float | None
    revoked: bool


@dataclass(frozen=True, slots=True)
class TokenUser:
    token_id: str
    user: str
    role: Role


class TokenNotFoundError(FieldError, LookupError):
    def __init__(self, token_id: str) -> None:
        super().__init__("id", "token_unknown", f"no API token with id {token_id!r}")


def split_token(token: str) -> tuple[str, str] | None:
    """``(id, secret)`` of a well-formed token, else None."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1] or len(parts[2]) < 20:
        return None
    return parts[1], parts[2]


def _info(row: tuple[str, str, str, int, int | None, int]) -> TokenInfo:
    tid, user, label, created, last_used, revoked = row
    return TokenInfo(
        tid,
        user,
        label,
        from_ms(created),
        None if last_used is None else from_ms(last_used),
        bool(revoked),
    )


class Tokens:
    def __init__(self, storage: Storage, clock: Callable[[], int] = now_ms) -> None:
        self._storage = storage
        self._clock = clock

    def create(self, user: str, label: str) -> tuple[TokenInfo, str]:
        """A new token for ``user``: its record and the token itself (shown once)."""
        label = label.strip()
        if len(label) > LABEL_MAX:
            raise FieldError("label", "label_long", f"must be at most {LABEL_MAX} characters")
        if any(ord(c) < 32 for c in label):
            raise FieldError("label", "label_control", "must not contain control characters")
        now = self._clock()
        with self._storage.transaction() as db:
            if db.conn.execute("SELECT 1 FROM users WHERE name = ?", (user,)).fetchone() is None:
                raise UnknownUserError(user)
            while True:
                # 8 hex digits: short enough to read out over the phone, and
                # a collision (checked) is only retried.
                tid = secrets.token_hex(4)
                if not db.conn.execute("SELECT 1 FROM api_tokens WHERE id = ?", (tid,)).fetchone():
                    break
            token = f"{PREFIX}_{tid}_{secrets.token_urlsafe(32)}"
            db.conn.execute(
                "INSERT INTO api_tokens (id, token_hash, user, label, created, last_used, revoked)"
                " VALUES (?, ?, ?, ?, ?, NULL, 0)",
                (tid, digest(token), user, label, now),
            )
        return self.get(tid), token

    def get(self, token_id: str) -> TokenInfo:
        with self._storage.locked() as db:
            row = db.conn.execute(
                "SELECT id, user, label, created, last_used, revoked FROM api_tokens WHERE id = ?",
                (token_id,),
            ).fetchone()
        if row is None:
            raise TokenNotFoundError(token_id)
        return _info(row)

    def list(self, user: str | None = None) -> list[TokenInfo]:
        query = "SELECT id, user, label, created, last_used, revoked FROM api_tokens"
        args: tuple[str, ...] = ()
        if user is not None:
            query, args = query + " WHERE user = ?", (user,)
        with self._storage.locked() as db:
            rows = db.conn.execute(query + " ORDER BY created DESC, id", args).fetchall()
        return [_info(r) for r in rows]

    def revoke(self, token_id: str) -> TokenInfo:
        with self._storage.transaction() as db:
            done = db.conn.execute(
                "UPDATE api_tokens SET revoked = 1 WHERE id = ?", (token_id,)
            ).rowcount
        if not done:
            raise TokenNotFoundError(token_id)
        return self.get(token_id)

    def resolve(self, token: str) -> TokenUser | None:
        """Who a presented token acts as; None when unknown, revoked, or its user disabled."""
        parts = split_token(token)
        if parts is None or len(token) > 200:
            return None
        tid = parts[0]
        now = self._clock()
        with self._storage.locked() as db:
            row = db.conn.execute(
                "SELECT t.token_hash, t.revoked, t.last_used, u.name, u.role, u.disabled"
                " FROM api_tokens t JOIN users u ON u.name = t.user WHERE t.id = ?",
                (tid,),
            ).fetchone()
            if row is None:
                return None
            stored, revoked, last_used, user, role, disabled = row
            if not hmac.compare_digest(stored, digest(token)) or revoked or disabled:
                return None
            if last_used is None or now - last_used >= TOUCH_EVERY_MS:
                db.conn.execute("UPDATE api_tokens SET last_used = ? WHERE id = ?", (now, tid))
        return TokenUser(tid, user, Role.parse(role))
