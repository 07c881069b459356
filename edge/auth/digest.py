"""Secrets are stored as digests: a copied database holds nothing that signs in."""

from __future__ import annotations

import hashlib


def digest(secret: str) -> str:
    # SHA-256 without a salt or stretching is enough here: session ids and
    # tokens are 256-bit random values, not guessable words.
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()
