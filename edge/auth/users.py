"""The users table: names, roles, password hashes, preferred language, disabled flag."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from edge.auth.errors import FieldError, LastAdminError, UnknownUserError
from edge.auth.passwords import burn_time, hash_password, password_problem, verify_password
from edge.storage import Storage
from edge.storage.lean_import import Database
from edge.storage.timestamps import from_ms, now_ms
from edge.web.access import Role

NAME_RULE = re.compile(r"[a-z0-9][a-z0-9._-]{0,31}")
NAME_RULE_TEXT = (
    "1 to 32 characters: lower-case letters, digits, '.', '_' or '-', "
    "starting with a letter or digit"
)
LANGUAGES = ("en", "ja")


@dataclass(frozen=True, slots=True)
class User:
    name: str
    role: Role
    language: str | None
    disabled: bool
    created: float
    """Seconds since the epoch."""
    updated: float


def check_name(name: str) -> str:
    if not NAME_RULE.fullmatch(name):
        raise FieldError(
            "name", "name_rule", f"{name!r} is not a valid user name: {NAME_RULE_TEXT}"
        )
    return name


def check_password(password: str) -> str:
    problem = password_problem(password)
    if problem is not None:
        raise FieldError("password", problem[0], problem[1])
    return password


def parse_role(text: str | Role) -> Role:
    if isinstance(text, Role):
        return text
    try:
        return Role.parse(text)
    except ValueError as e:
        raise FieldError("role", "role_unknown", str(e).removeprefix("role: ")) from None


_COLUMNS = "name, role, language, disabled, created, updated"


def _user(row: tuple[str, str, str | None, int, int, int]) -> User:
    name, role, language, disabled, created, updated = row
    return User(
        name, Role.parse(role), language, bool(disabled), from_ms(created), from_ms(updated)
    )


class Users:
    """Blocking: call from a thread (``asyncio.to_thread``) inside the service."""

    def __init__(self, storage: Storage, clock: Callable[[], int] = now_ms) -> None:
        self._storage = storage
        self._clock = clock

    def count(self) -> int:
        with self._storage.locked() as db:
            return int(db.conn.execute("SELECT count(*) FROM users").fetchone()[0])

    def list(self) -> list[User]:
        with self._storage.locked() as db:
            rows = db.conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name").fetchall()
        return [_user(r) for r in rows]

    def find(self, name: str) -> User | None:
        with self._storage.locked() as db:
            row = db.conn.execute(
                f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name,)
            ).fetchone()
        return None if row is None else _user(row)

    def get(self, name: str) -> User:
        user = self.find(name)
        if user is None:
            raise UnknownUserError(name)
        return user

    def create(
        self, name: str, role: Role | str, password: str, *, language: str | None = None
    ) -> User:
        check_name(name)
        parsed = parse_role(role)
        check_password(password)
        if language is not None and language not in LANGUAGES:
            raise FieldError(
                "language", "language_unknown", f"expected en or ja, found {language!r}"
            )
        # Hashed before taking the lock: the database is not held for 100 ms.
        hashed = hash_password(password)
        now = self._clock()
        with self._storage.transaction() as db:
            if db.conn.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
                raise FieldError("name", "name_taken", f"a user named {name!r} already exists")
            db.conn.execute(
                "INSERT INTO users"
                " (name, role, password_hash, language, disabled, created, updated)"
                " VALUES (?, ?, ?, ?, 0, ?, ?)",
                (name, parsed.label, hashed, language, now, now),
            )
        return self.get(name)

    def create_first_admin(self, name: str, password: str) -> User:
        """The first-run account: refused once any user exists, checked inside
        the same transaction so two browsers racing cannot both create one."""
        check_name(name)
        check_password(password)
        hashed = hash_password(password)
        now = self._clock()
        with self._storage.transaction() as db:
            if db.conn.execute("SELECT 1 FROM users LIMIT 1").fetchone():
                raise FieldError("name", "setup_done", "the gateway already has users: sign in")
            db.conn.execute(
                "INSERT INTO users"
                " (name, role, password_hash, language, disabled, created, updated)"
                " VALUES (?, 'admin', ?, NULL, 0, ?, ?)",
                (name, hashed, now, now),
            )
        return self.get(name)

    def authenticate(self, name: str, password: str) -> User | None:
        """The user when the name and password match and the user is enabled."""
        with self._storage.locked() as db:
            row = db.conn.execute(
                "SELECT password_hash FROM users WHERE name = ?", (name,)
            ).fetchone()
        if row is None:
            burn_time(password)
            return None
        if not verify_password(password, row[0]):
            return None
        user = self.find(name)
        return user if user is not None and not user.disabled else None

    def set_password(self, name: str, password: str) -> None:
        check_password(password)
        hashed = hash_password(password)
        with self._storage.transaction() as db:
            self._require(db, name)
            db.conn.execute(
                "UPDATE users SET password_hash = ?, updated = ? WHERE name = ?",
                (hashed, self._clock(), name),
            )
            # A new password ends every browser session of that user (a reset
            # after a lost phone must lock the phone out).
            db.conn.execute("DELETE FROM sessions WHERE user = ?", (name,))

    def set_role(self, name: str, role: Role | str) -> User:
        parsed = parse_role(role)
        with self._storage.transaction() as db:
            current = self._require(db, name)
            if current.role is Role.ADMIN and parsed is not Role.ADMIN:
                self._keep_an_admin(db, name)
            db.conn.execute(
                "UPDATE users SET role = ?, updated = ? WHERE name = ?",
                (parsed.label, self._clock(), name),
            )
        return self.get(name)

    def set_disabled(self, name: str, disabled: bool) -> User:
        with self._storage.transaction() as db:
            current = self._require(db, name)
            if disabled and current.role is Role.ADMIN:
                self._keep_an_admin(db, name)
            db.conn.execute(
                "UPDATE users SET disabled = ?, updated = ? WHERE name = ?",
                (int(disabled), self._clock(), name),
            )
            if disabled:
                db.conn.execute("DELETE FROM sessions WHERE user = ?", (name,))
        return self.get(name)

    def set_language(self, name: str, language: str | None) -> User:
        if language is not None and language not in LANGUAGES:
            raise FieldError(
                "language", "language_unknown", f"expected en or ja, found {language!r}"
            )
        with self._storage.transaction() as db:
            self._require(db, name)
            db.conn.execute(
                "UPDATE users SET language = ?, updated = ? WHERE name = ?",
                (language, self._clock(), name),
            )
        return self.get(name)

    def delete(self, name: str) -> None:
        """Remove the user with their sessions and tokens (ON DELETE CASCADE)."""
        with self._storage.transaction() as db:
            current = self._require(db, name)
            if current.role is Role.ADMIN:
                self._keep_an_admin(db, name)
            # Explicit as well as cascaded: foreign keys may be off on a
            # database opened by another tool.
            db.conn.execute("DELETE FROM sessions WHERE user = ?", (name,))
            db.conn.execute("DELETE FROM api_tokens WHERE user = ?", (name,))
            db.conn.execute("DELETE FROM users WHERE name = ?", (name,))

    @staticmethod
    def _require(db: Database, name: str) -> User:
        conn = db.conn
        row = conn.execute(f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise UnknownUserError(name)
        return _user(row)

    @staticmethod
    def _keep_an_admin(db: Database, name: str) -> None:
        conn = db.conn
        others = conn.execute(
            "SELECT count(*) FROM users WHERE role = 'admin' AND disabled = 0 AND name != ?",
            (name,),
        ).fetchone()[0]
        if others == 0:
            raise LastAdminError(name)
