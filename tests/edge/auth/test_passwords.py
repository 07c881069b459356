from __future__ import annotations

from edge.auth.passwords import DEFAULT_COST, hash_password, password_problem, verify_password


def test_a_hash_verifies_its_password_and_refuses_others() -> None:
    stored = hash_password("correct horse battery")
    assert verify_password("correct horse battery", stored)
    assert not verify_password("correct horse batterz", stored)
    assert not verify_password("", stored)


def test_the_stored_form_names_scrypt_and_its_cost_and_is_salted() -> None:
    first, second = hash_password("same password"), hash_password("same password")
    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**14, 8, 1)
    assert first != second, "each hash has its own salt"
    assert "same password" not in first
    assert DEFAULT_COST.memory_bytes == 16 * 1024 * 1024
    assert len(salt) >= 21
    assert len(digest) >= 42


def test_a_malformed_stored_hash_never_verifies() -> None:
    for stored in ("", "plain", "scrypt$x$8$1$aa$bb", "bcrypt$1$2$3$4$5", "scrypt$16384$8$1$!!$??"):
        assert not verify_password("anything at all", stored)


def test_password_rules() -> None:
    assert password_problem("short") == ("password_short", "must be at least 10 characters")
    assert password_problem(" " * 12) is not None
    assert password_problem("x" * 2000) is not None
    assert password_problem("ten chars!") is None
