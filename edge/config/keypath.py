"""Key paths: where a value sits in the TOML file, and which schema type is there.

pydantic reports a location as its own path through the models, which also holds
the tag of a tagged union (``buses.x.modbus_tcp.port``). The file has no such
level, so it is removed here and kept aside to name the kind of table.
"""

from __future__ import annotations

import collections.abc
import types
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

KeyPath = tuple[str | int, ...]

_MAPPINGS = (dict, collections.abc.Mapping)
_SEQUENCES = (list, tuple, collections.abc.Sequence)
_KEY_MARKER = "[key]"  # pydantic's location for a failing mapping key


@dataclass(frozen=True, slots=True)
class Resolved:
    path: KeyPath
    node: Any
    """The schema type at ``path``, or None when the path leaves the schema."""
    kind: str | None
    """The tag of the last tagged union passed through, e.g. ``"modbus_tcp"``."""


def resolve(root: type[BaseModel], loc: Sequence[str | int]) -> Resolved:
    """Translate a pydantic error location into a key path of the file."""
    if loc and loc[-1] == _KEY_MARKER:
        loc = loc[:-1]  # the path of a bad key is the key itself
    path: list[str | int] = []
    node: Any = root
    kind: str | None = None
    for part in loc:
        node = _unwrap(node)
        if is_model(node):
            field = node.model_fields.get(part) if isinstance(part, str) else None
            node = field.annotation if field is not None else None
            path.append(part)
        elif get_origin(node) in _MAPPINGS:
            node = get_args(node)[1]
            path.append(part)
        elif get_origin(node) in _SEQUENCES:
            node = get_args(node)[0]
            path.append(part)
        elif isinstance(part, str) and (member := _union_member(node, part)) is not None:
            node = member
            kind = part
        else:
            node = None
            path.append(part)
    return Resolved(tuple(path), _unwrap(node), kind)


def union_members(node: Any) -> list[type[BaseModel]]:
    """The model classes of a union of models (empty for anything else)."""
    node = _unwrap(node)
    if get_origin(node) not in (Union, types.UnionType):
        return []
    return [arg for arg in get_args(node) if is_model(arg)]


def tags_of(model: type[BaseModel]) -> list[str]:
    """The literal values a tagged-union member accepts in its ``type`` key."""
    field = model.model_fields.get("type")
    if field is None or get_origin(field.annotation) is not Literal:
        return []
    return [str(arg) for arg in get_args(field.annotation)]


def _union_member(node: Any, tag: str) -> type[BaseModel] | None:
    for member in union_members(node):
        if tag in tags_of(member):
            return member
    return None


def _unwrap(node: Any) -> Any:
    """Strip ``Annotated`` and ``X | None`` down to the type that has the keys."""
    while True:
        if get_origin(node) is Annotated:
            node = get_args(node)[0]
            continue
        if get_origin(node) in (Union, types.UnionType):
            present = [arg for arg in get_args(node) if arg is not type(None)]
            if len(present) == 1:
                node = present[0]
                continue
        return node


def is_model(node: Any) -> typing.TypeGuard[type[BaseModel]]:
    return isinstance(node, type) and issubclass(node, BaseModel)


def format_key_path(path: Sequence[str | int]) -> str:
    """``devices."soil 1".unit``, ``profiles.extra_dirs[0]``: TOML's own spelling."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
            continue
        if text:
            text += "."
        text += part if _is_bare(part) else _quote(part)
    return text


def _is_bare(key: str) -> bool:
    return bool(key) and all(ch.isascii() and (ch.isalnum() or ch in "_-") for ch in key)


def _quote(key: str) -> str:
    escaped = key.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(ch if ch.isprintable() else f"\\u{ord(ch):04x}" for ch in escaped)
    return f'"{escaped}"'
