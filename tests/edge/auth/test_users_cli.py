"""`kakashi user` as a real subprocess against a real configuration and database."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from edge.auth.tokens import Tokens
from edge.auth.users import Users
from edge.storage import Storage

CONFIG = """
[site]
id = "cli-site"
name = "CLI site"

[storage]
path = "{db}"
"""


def kakashi(*args: str, stdin: str = "", cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "edge.cli", "user", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def test_add_list_passwd_and_token(tmp_path: Path) -> None:
    db = tmp_path / "k.db"
    (tmp_path / "kakashi.toml").write_text(CONFIG.format(db=db))
    added = kakashi(
        "add",
        "owner",
        "--role",
        "admin",
        "--password-stdin",
        stdin="owner-password\n",
        cwd=tmp_path,
    )
    assert added.returncode == 0, added.stderr
    assert "owner added with role admin" in added.stdout
    listed = kakashi("list", cwd=tmp_path)
    assert listed.stdout.splitlines() == ["owner\tadmin"]
    changed = kakashi("passwd", "owner", "--password-stdin", stdin="a new password\n", cwd=tmp_path)
    assert changed.returncode == 0, changed.stderr
    token = kakashi("token", "owner", "--label", "dispatch", cwd=tmp_path)
    assert token.returncode == 0, token.stderr
    printed = token.stdout.strip()
    assert printed.startswith("kk_")
    with Storage.open(db) as storage:
        assert Users(storage).authenticate("owner", "a new password") is not None
        assert Users(storage).authenticate("owner", "owner-password") is None
        found = Tokens(storage).resolve(printed)
        assert found is not None
        assert found.user == "owner"
        actors = {e.actor for e in storage.events(10) if e.kind in ("user", "token")}
    assert len(actors) == 1
    assert actors.pop().startswith("cli:")


def test_errors_name_the_file_the_user_or_the_rule(tmp_path: Path) -> None:
    missing = kakashi("list", "--config", "nowhere.toml", cwd=tmp_path)
    assert missing.returncode == 2
    assert "nowhere.toml not found" in missing.stderr
    (tmp_path / "kakashi.toml").write_text(CONFIG.format(db=tmp_path / "k.db"))
    short = kakashi(
        "add", "taro", "--role", "viewer", "--password-stdin", stdin="short\n", cwd=tmp_path
    )
    assert short.returncode == 1
    assert "password: must be at least 10 characters" in short.stderr
    nobody = kakashi("passwd", "jiro", "--password-stdin", stdin="long enough pw\n", cwd=tmp_path)
    assert nobody.returncode == 1
    assert "no user named 'jiro'" in nobody.stderr
