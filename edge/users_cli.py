"""`kakashi user`: manage who may sign in to the page, from the gateway's shell.

The first admin can be made here instead of on the page's first-run form.
Commands open the database named by ``[storage] path`` in ``--config``
(default ``kakashi.toml``, as for ``kakashi run``); they work while the service
runs (SQLite WAL: a second connection waits briefly for the writer), and a
change applies to the running page at its next request. Every change is
recorded in the event log with the shell user as the actor.
"""

from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from edge.storage import Storage

DEFAULT_CONFIG = Path("kakashi.toml")
ROLES = ("viewer", "operator", "coordinator", "admin")
"""``edge.web.access.Role`` labels, spelled out so that building the command
line does not import the web stack."""


class CliError(Exception):
    pass


def add_user_command(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    cmd = subparsers.add_parser("user", help="manage the web page's users and API tokens")
    users = cmd.add_subparsers(dest="user_command", required=True, metavar="ACTION")

    def with_config(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument(
            "--config",
            type=Path,
            default=DEFAULT_CONFIG,
            help=f"the site's TOML file (default {DEFAULT_CONFIG})",
        )
        return p

    add = with_config(users.add_parser("add", help="add a user (asks for the password twice)"))
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    add.set_defaults(func=user_main)

    with_config(users.add_parser("list", help="list users and their roles")).set_defaults(
        func=user_main
    )

    passwd = with_config(users.add_parser("passwd", help="set a user's password"))
    passwd.add_argument("name")
    passwd.add_argument(
        "--password-stdin", action="store_true", help="read the password from standard input"
    )
    passwd.set_defaults(func=user_main)

    token = with_config(
        users.add_parser("token", help="create an API token for a user (printed once)")
    )
    token.add_argument("name")
    token.add_argument("--label", default="", help="what the token is for, e.g. 'dispatch system'")
    token.set_defaults(func=user_main)


def user_main(args: argparse.Namespace) -> int:
    from edge.auth.errors import AuthError

    try:
        storage = _open_storage(args.config)
    except CliError as e:
        print(f"kakashi user: {e}", file=sys.stderr)
        return 2
    try:
        return _run(args, storage, sys.stdin, sys.stdout)
    except CliError as e:
        print(f"kakashi user {args.user_command}: {e}", file=sys.stderr)
        return 1
    except AuthError as e:
        print(f"kakashi user {args.user_command}: {e}", file=sys.stderr)
        return 1
    finally:
        storage.close()


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return f"cli:uid{os.getuid()}"


def _open_storage(config_path: Path) -> Storage:
    from edge.config import ConfigError, load_config
    from edge.storage import Storage, StorageError

    if not config_path.exists():
        raise CliError(
            f"configuration file {config_path} not found (give the site's file with --config)"
        )
    try:
        config = load_config(config_path)
    except ConfigError as e:
        issues = "\n".join(str(i) for i in e.issues)
        raise CliError(f"{config_path} is not a valid configuration:\n{issues}") from e
    db_path = Path(config.storage.path)
    # The service's own warnings (unsent uplink messages...) are not this command's business.
    logging.getLogger("edge.storage").setLevel(logging.ERROR)
    try:
        return Storage.open(db_path)
    except StorageError as e:
        raise CliError(f"cannot open the database {db_path} (from {config_path}): {e}") from e


def _read_password(from_stdin: bool, stdin: TextIO) -> str:
    if from_stdin:
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password (at least 10 characters): ")
    second = getpass.getpass("Password again: ")
    if first != second:
        raise CliError("the two passwords differ; nothing changed")
    return first


def _run(args: argparse.Namespace, storage: Storage, stdin: TextIO, out: TextIO) -> int:
    from edge.auth.tokens import Tokens
    from edge.auth.users import Users

    users = Users(storage)
    actor = _actor()
    action = args.user_command
    if action == "list":
        rows = users.list()
        if not rows:
            print(
                "no users yet: add the first admin with `kakashi user add NAME --role admin`",
                file=out,
            )
        for u in rows:
            state = " (disabled)" if u.disabled else ""
            print(f"{u.name}\t{u.role.label}{state}", file=out)
        return 0
    if action == "add":
        password = _read_password(args.password_stdin, stdin)
        user = users.create(args.name, args.role, password)
        storage.record_event(
            "user",
            f"user {user.name} added as {user.role.label} from the command line",
            source="cli",
            actor=actor,
            data={"target": user.name, "action": "add", "role": user.role.label},
        )
        print(f"user {user.name} added with role {user.role.label}", file=out)
        return 0
    if action == "passwd":
        users.get(args.name)  # names the missing user before asking for a password
        password = _read_password(args.password_stdin, stdin)
        users.set_password(args.name, password)
        storage.record_event(
            "user",
            f"password of {args.name} set from the command line",
            source="cli",
            actor=actor,
            data={"target": args.name, "action": "password"},
        )
        print(f"password of {args.name} changed; their browser sessions have ended", file=out)
        return 0
    if action == "token":
        info, token = Tokens(storage).create(args.name, args.label)
        storage.record_event(
            "token",
            f"API token {info.id} created for {info.user} from the command line",
            source="cli",
            actor=actor,
            data={
                "token_id": info.id,
                "target": info.user,
                "action": "create",
                "label": info.label,
            },
        )
        print(token, file=out)
        print(
            f"API token {info.id} for {info.user} ({info.label or 'no label'}): "
            "shown only now, store it in the other system's settings",
            file=sys.stderr,
        )
        return 0
    raise CliError(f"unknown action {action!r}")
