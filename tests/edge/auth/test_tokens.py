from __future__ import annotations

import pytest

from edge.auth.digest import digest
from edge.auth.tokens import TokenNotFoundError, Tokens, split_token
from edge.auth.users import Users
from edge.storage import Storage
from edge.web.access import Role
from tests.edge.auth.conftest import Clock


def test_a_token_is_shown_once_and_only_its_digest_is_stored(
    storage: Storage, clock: Clock
) -> None:
    Users(storage).create("coop", Role.COORDINATOR, "a long enough password")
    tokens = Tokens(storage, clock)
    info, token = tokens.create("coop", "JA dispatch")
    parts = split_token(token)
    assert parts is not None
    assert parts[0] == info.id
    assert token.startswith(f"kk_{info.id}_")
    with storage.locked() as db:
        row = db.conn.execute("SELECT * FROM api_tokens").fetchone()
    assert digest(token) in row
    assert not any(isinstance(v, str) and parts[1] in v for v in row)
    found = tokens.resolve(token)
    assert found is not None
    assert (found.user, found.role) == ("coop", Role.COORDINATOR)
    assert tokens.resolve(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert tokens.resolve("kk_nothing_here") is None
    assert tokens.resolve("") is None


def test_revoked_tokens_and_disabled_users_are_refused(storage: Storage, clock: Clock) -> None:
    users = Users(storage)
    users.create("coop", Role.COORDINATOR, "a long enough password")
    tokens = Tokens(storage, clock)
    first, token1 = tokens.create("coop", "one")
    _, token2 = tokens.create("coop", "two")
    assert tokens.revoke(first.id).revoked
    assert tokens.resolve(token1) is None
    assert tokens.resolve(token2) is not None
    users.set_disabled("coop", True)
    assert tokens.resolve(token2) is None
    with pytest.raises(TokenNotFoundError):
        tokens.revoke("nope")


def test_last_used_is_written_at_most_once_a_minute(storage: Storage, clock: Clock) -> None:
    Users(storage).create("coop", Role.COORDINATOR, "a long enough password")
    tokens = Tokens(storage, clock)
    info, token = tokens.create("coop", "")
    assert info.last_used is None
    start = clock.now
    tokens.resolve(token)
    clock.advance(30_000)
    tokens.resolve(token)
    assert tokens.get(info.id).last_used == start / 1000
    clock.advance(31_000)
    tokens.resolve(token)
    assert tokens.get(info.id).last_used == (start + 61_000) / 1000
