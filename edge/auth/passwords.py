"""Password hashing with scrypt from the standard library.

n=2**14, r=8, p=1 costs 128 * n * r = 16 MiB of memory and ~50-100 ms of CPU per
hash on a Raspberry Pi 4: slow enough that a stolen database is expensive to
guess, light enough for a 1 GB gateway. A semaphore keeps at most two hashes
running at once so a burst of sign-ins cannot take 16 MiB each without bound.
The stored form names its parameters (``scrypt$n$r$p$salt$hash``), so they
can be raised later while old hashes still verify.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import threading
from dataclasses import dataclass

SCHEME = "scrypt"
SALT_BYTES = 16
HASH_BYTES = 32
MIN_LENGTH = 10
MAX_LENGTH = 1024
"""Long enough for any passphrase; bounded so a megabyte "password" is refused
before anything is hashed."""
_MAXMEM = 64 * 1024 * 1024
_CONCURRENT_HASHES = threading.BoundedSemaphore(2)


@dataclass(frozen=True, slots=True)
class ScryptCost:
    n: int = 2**14
    r: int = 8
    p: int = 1

    @property
    def memory_bytes(self) -> int:
        return 128 * self.n * self.r * self.p


DEFAULT_COST = ScryptCost()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, cost: ScryptCost) -> bytes:
    with _CONCURRENT_HASHES:
        return hashlib.scrypt(
            password.encode("utf-8"),
            salt=salt,
            n=cost.n,
            r=cost.r,
            p=cost.p,
            maxmem=_MAXMEM,
            dklen=HASH_BYTES,
        )


def hash_password(password: str, cost: ScryptCost = DEFAULT_COST) -> str:
    salt = secrets.token_bytes(SALT_BYTES)
    digest = _scrypt(password, salt, cost)
    return f"{SCHEME}${cost.n}${cost.r}${cost.p}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored``; False for any malformed hash."""
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != SCHEME:
        return False
    try:
        cost = ScryptCost(int(parts[1]), int(parts[2]), int(parts[3]))
        salt, expected = _unb64(parts[4]), _unb64(parts[5])
    except ValueError:
        return False
    if len(password) > MAX_LENGTH:
        return False
    try:
        actual = _scrypt(password, salt, cost)
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


@functools.cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def burn_time(password: str) -> None:
    """Verify against a throw-away hash: an unknown user name then costs the same
    time as a wrong password, so names cannot be probed by timing."""
    verify_password(password, _dummy_hash())


def password_problem(password: str) -> tuple[str, str] | None:
    """``(code, message)`` when the password breaks a rule, else None."""
    if len(password) < MIN_LENGTH:
        return "password_short", f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return "password_long", f"must be at most {MAX_LENGTH} characters"
    if password.strip() == "":
        return "password_short", "must not be only spaces"
    return None
