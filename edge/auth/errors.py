"""Errors of the user store, each naming the field (or user) at fault so the page
and the API can put the message next to the right input."""

from __future__ import annotations


class AuthError(ValueError):
    """A refused change; ``field`` is the input it concerns, ``code`` a stable key
    the page translates (``message`` is the English text for logs and the API)."""

    def __init__(self, field: str, code: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.code = code
        self.message = message


class FieldError(AuthError):
    """An input that breaks a rule (name format, password length, unknown role)."""


class UnknownUserError(AuthError, LookupError):
    def __init__(self, name: str) -> None:
        super().__init__("name", "unknown_user", f"no user named {name!r}")
        self.name = name


class LastAdminError(AuthError):
    """Removing, disabling or demoting the last enabled admin would lock everyone
    out of users and settings."""

    def __init__(self, name: str) -> None:
        super().__init__(
            "role",
            "last_admin",
            f"{name!r} is the last enabled admin: make another admin first",
        )
        self.name = name
