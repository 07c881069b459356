"""Configuration issues and the wording of every message about them.

pydantic finds the problems; the words are Kakashi's, so an operator reads
"expected an integer from 1 to 247, found 'one' (string)" and the TOML key path,
never a validator's internal names.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from edge.config.keypath import KeyPath, is_model, resolve, tags_of, union_members

CUSTOM_ERROR = "kakashi"
"""pydantic error type of the messages written in this package (see ``types``)."""

_FOUND_TEXT_MAX = 40


@dataclass(frozen=True, slots=True)
class ConfigIssue:
    """One problem in one file: where it is and what is wrong."""

    file: str
    line: int | None
    key: str
    """The TOML key path, e.g. ``devices.soil-1.unit``; empty for the file as a whole."""
    message: str
    column: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        return f"{where}: {self.key}: {self.message}" if self.key else f"{where}: {self.message}"


class ConfigError(Exception):
    """The file cannot be used; ``issues`` lists every problem found, in file order."""

    def __init__(self, issues: Sequence[ConfigIssue]) -> None:
        self.issues = list(issues)
        super().__init__("\n".join(str(issue) for issue in self.issues))


@dataclass(frozen=True, slots=True)
class Problem:
    """An issue before it is placed in a file: a key path and a message."""

    path: KeyPath
    message: str


def describe_found(value: object) -> str:
    """A value as the file spelled it, with its TOML type: ``'one' (string)``."""
    if isinstance(value, bool):
        return f"{'true' if value else 'false'} (boolean)"
    if isinstance(value, int):
        return f"{value} (integer)"
    if isinstance(value, float):
        return f"{value} (float)"
    if isinstance(value, str):
        shown = value if len(value) <= _FOUND_TEXT_MAX else value[: _FOUND_TEXT_MAX - 1] + "…"
        return f"{shown!r} (string)"
    if isinstance(value, dt.datetime):
        return f"{value.isoformat()} (date-time)"
    if isinstance(value, dt.date):
        return f"{value.isoformat()} (date)"
    if isinstance(value, dt.time):
        return f"{value.isoformat()} (time)"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"an array of {len(value)} item{'' if len(value) == 1 else 's'}"
    return f"{value!r}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'baudrate'?"`` when one choice is close, else ``""``."""
    options = list(choices)
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if not close:
        # Catches what edit distance misses: "mqtt_broker" for "mqtt".
        close = [c for c in options if len(c) >= 3 and (word.startswith(c) or c.startswith(word))]
    return f"; did you mean {close[0]!r}?" if close else ""


def one_of(choices: Iterable[str]) -> str:
    return ", ".join(choices)


def problems_from_validation(error: ValidationError, root: type[BaseModel]) -> list[Problem]:
    return [_explain(detail, root) for detail in error.errors()]


def _explain(detail: ErrorDetails, root: type[BaseModel]) -> Problem:
    loc = detail["loc"]
    kind = detail["type"]
    found = detail["input"]
    if kind == CUSTOM_ERROR:
        return Problem(resolve(root, loc).path, detail["msg"])
    if kind == "missing":
        return Problem(resolve(root, loc[:-1]).path, f"missing required key {loc[-1]!r}")
    if kind == "extra_forbidden":
        return _unknown_key(root, loc)
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        return _bad_tag(root, loc, detail)
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return Problem(resolve(root, loc).path, f"expected a table, found {describe_found(found)}")
    if kind in ("list_type", "tuple_type", "iterable_type"):
        return Problem(resolve(root, loc).path, f"expected an array, found {describe_found(found)}")
    # Every value type in the schema words its own errors, so this is a safety net
    # for a type added without one: still name the key and the value.
    return Problem(resolve(root, loc).path, f"invalid value {describe_found(found)}")


def _unknown_key(root: type[BaseModel], loc: Sequence[str | int]) -> Problem:
    key = str(loc[-1])
    table = resolve(root, loc[:-1])
    path = (*table.path, key)
    allowed = sorted(table.node.model_fields) if is_model(table.node) else []
    message = f"unknown key {key!r}"
    if table.kind is not None:
        message += f" for type {table.kind!r}"
    if allowed:
        message += f"; expected one of {one_of(allowed)}" + did_you_mean(key, allowed)
    return Problem(path, message)


def _bad_tag(root: type[BaseModel], loc: Sequence[str | int], detail: ErrorDetails) -> Problem:
    table = resolve(root, loc)
    tags = [tag for member in union_members(table.node) for tag in tags_of(member)]
    key = str(detail.get("ctx", {}).get("discriminator", "'type'")).strip("'")
    found = detail["input"]
    listed = one_of(repr(tag) for tag in tags)
    if detail["type"] == "union_tag_not_found" or not isinstance(found, dict):
        return Problem(table.path, f"missing required key {key!r} (one of {listed})")
    value = found.get(key)
    hint = did_you_mean(value, tags) if isinstance(value, str) else ""
    return Problem(
        (*table.path, key), f"expected one of {listed}, found {describe_found(value)}{hint}"
    )
