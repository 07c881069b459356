from __future__ import annotations

from edge.auth.digest import digest
from edge.auth.sessions import MINUTE_MS, SessionPolicy, Sessions
from edge.auth.users import Users
from edge.storage import Storage
from edge.web.access import Role
from tests.edge.auth.conftest import Clock

HOUR = 3_600_000
POLICY = SessionPolicy(idle_ms=12 * HOUR, absolute_ms=30 * 24 * HOUR)


def _sessions(storage: Storage, clock: Clock) -> Sessions:
    Users(storage).create("taro", Role.OPERATOR, "a long enough password")
    return Sessions(storage, POLICY, clock)


def test_only_a_digest_of_the_session_id_is_stored(storage: Storage, clock: Clock) -> None:
    sessions = _sessions(storage, clock)
    new = sessions.create("taro")
    with storage.locked() as db:
        rows = db.conn.execute("SELECT id_hash, csrf FROM sessions").fetchall()
    assert rows == [(digest(new.id), new.csrf)]
    found = sessions.resolve(new.id)
    assert found is not None
    assert (found.user, found.role) == ("taro", Role.OPERATOR)
    assert sessions.resolve(new.id + "x") is None


def test_idle_expiry(storage: Storage, clock: Clock) -> None:
    sessions = _sessions(storage, clock)
    new = sessions.create("taro")
    clock.advance(12 * HOUR - 1)
    assert sessions.resolve(new.id) is not None  # this request also counts as activity
    clock.advance(12 * HOUR - 1)
    assert sessions.resolve(new.id) is not None
    clock.advance(12 * HOUR)
    assert sessions.resolve(new.id) is None


def test_absolute_expiry_however_active(storage: Storage, clock: Clock) -> None:
    sessions = _sessions(storage, clock)
    new = sessions.create("taro")
    for _ in range(30 * 2 - 1):
        clock.advance(12 * HOUR - MINUTE_MS)
        assert sessions.resolve(new.id) is not None
    clock.advance(12 * HOUR)
    assert sessions.resolve(new.id) is None


def test_last_seen_is_written_at_most_once_a_minute(storage: Storage, clock: Clock) -> None:
    sessions = _sessions(storage, clock)
    new = sessions.create("taro")
    start = clock.now

    def last_seen() -> int:
        with storage.locked() as db:
            return int(db.conn.execute("SELECT last_seen FROM sessions").fetchone()[0])

    clock.advance(59_000)
    sessions.resolve(new.id)
    assert last_seen() == start
    clock.advance(2_000)
    sessions.resolve(new.id)
    assert last_seen() == start + 61_000


def test_ending_a_session_and_a_role_change_apply_at_once(storage: Storage, clock: Clock) -> None:
    sessions = _sessions(storage, clock)
    new = sessions.create("taro")
    Users(storage).set_role("taro", Role.VIEWER)
    found = sessions.resolve(new.id)
    assert found is not None
    assert found.role is Role.VIEWER
    sessions.end(new.id)
    assert sessions.resolve(new.id) is None
