"""Accounts made by programs rather than people: the demo admin, tests' and
scripts' API users."""

from __future__ import annotations

import secrets

from edge.auth.tokens import Tokens
from edge.auth.users import Users
from edge.storage import Storage
from edge.web.access import Role


def issue_token(storage: Storage, name: str, role: Role, label: str = "") -> str:
    """An API token of user ``name``, created with ``role`` and an unguessable
    password nobody knows when missing (an existing user keeps their role)."""
    users = Users(storage)
    if users.find(name) is None:
        users.create(name, role, secrets.token_urlsafe(24))
    _, token = Tokens(storage).create(name, label or f"{name} ({role.label})")
    return token


def demo_admin(storage: Storage, name: str = "demo") -> str:
    """A fresh random password for the demo's admin, created if missing; returned
    so the demo can print it next to its URL."""
    password = secrets.token_urlsafe(12)
    users = Users(storage)
    if users.find(name) is None:
        users.create(name, Role.ADMIN, password)
    else:
        users.set_password(name, password)
        if users.get(name).role is not Role.ADMIN:
            users.set_role(name, Role.ADMIN)
        if users.get(name).disabled:
            users.set_disabled(name, False)
    return password
