"""Browser sessions: a random id in a cookie, its digest and a CSRF token in the table.

A session ends after ``idle`` without a request or ``absolute`` after sign-in,
whichever comes first. ``last_seen`` is written at most once a minute per
session: a page polling every two seconds must not turn into a write every
two seconds on the SD card (idle expiry is thus accurate to a minute).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass

from edge.auth.digest import digest
from edge.storage import Storage
from edge.storage.timestamps import now_ms
from edge.web.access import Role

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS


@dataclass(frozen=True, slots=True)
class SessionPolicy:
    idle_ms: int = 12 * HOUR_MS
    absolute_ms: int = 30 * DAY_MS
    touch_every_ms: int = MINUTE_MS

    @classmethod
    def from_hours(cls, idle_hours: float, max_days: float) -> SessionPolicy:
        return cls(round(idle_hours * HOUR_MS), round(max_days * DAY_MS))


@dataclass(frozen=True, slots=True)
class SessionUser:
    """Who a live session belongs to, with the role as it is now (a role changed
    or a user disabled by an admin applies at the next request)."""

    user: str
    role: Role
    csrf: str
    expires: int
    """Absolute end, milliseconds."""


@dataclass(frozen=True, slots=True)
class NewSession:
    id: str
    """The cookie value; shown only here, stored only as a digest."""
    csrf: str
    expires: int


class Sessions:
    def __init__(
        self,
        storage: Storage,
        policy: SessionPolicy = SessionPolicy(),
        clock: Callable[[], int] = now_ms,
    ) -> None:
        self._storage = storage
        self.policy = policy
        self._clock = clock

    def create(self, user: str) -> NewSession:
        now = self._clock()
        sid, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = now + self.policy.absolute_ms
        with self._storage.transaction() as db:
            # Sweep ended sessions here, at sign-in: rare enough to cost nothing.
            db.conn.execute(
                "DELETE FROM sessions WHERE expires <= ? OR last_seen <= ?",
                (now, now - self.policy.idle_ms),
            )
            db.conn.execute(
                "INSERT INTO sessions (id_hash, user, csrf, created, last_seen, expires)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (digest(sid), user, csrf, now, now, expires),
            )
        return NewSession(sid, csrf, expires)

    def resolve(self, sid: str) -> SessionUser | None:
        """The session's user if the session is live and the user enabled."""
        if not sid or len(sid) > 200:
            return None
        now = self._clock()
        key = digest(sid)
        with self._storage.locked() as db:
            row = db.conn.execute(
                "SELECT s.user, s.csrf, s.last_seen, s.expires, u.role, u.disabled"
                " FROM sessions s JOIN users u ON u.name = s.user WHERE s.id_hash = ?",
                (key,),
            ).fetchone()
            if row is None:
                return None
            user, csrf, last_seen, expires, role, disabled = row
            if disabled or now >= expires or now - last_seen >= self.policy.idle_ms:
                return None
            if now - last_seen >= self.policy.touch_every_ms:
                db.conn.execute("UPDATE sessions SET last_seen = ? WHERE id_hash = ?", (now, key))
        return SessionUser(user, Role.parse(role), csrf, expires)

    def end(self, sid: str) -> None:
        with self._storage.transaction() as db:
            db.conn.execute("DELETE FROM sessions WHERE id_hash = ?", (digest(sid),))

    def count(self, user: str) -> int:
        with self._storage.locked() as db:
            return int(
                db.conn.execute("SELECT count(*) FROM sessions WHERE user = ?", (user,)).fetchone()[
                    0
                ]
            )
