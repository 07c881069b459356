"""Who may use the gateway: users, their passwords, browser sessions and API tokens.

Everything here is synchronous and works on the service's ``Storage`` (its lock
serialises the one SQLite connection); the web layer calls it through
``asyncio.to_thread``. Only digests of passwords, session ids and tokens are
stored, so a copied database file lets nobody in.
"""

from edge.auth.errors import AuthError, FieldError, LastAdminError, UnknownUserError
from edge.auth.passwords import hash_password, verify_password
from edge.auth.ratelimit import LoginLimiter
from edge.auth.sessions import SessionPolicy, Sessions
from edge.auth.tokens import TokenInfo, Tokens
from edge.auth.users import User, Users

__all__ = [
    "AuthError",
    "FieldError",
    "LastAdminError",
    "LoginLimiter",
    "SessionPolicy",
    "Sessions",
    "TokenInfo",
    "Tokens",
    "UnknownUserError",
    "User",
    "Users",
    "hash_password",
    "verify_password",
]
