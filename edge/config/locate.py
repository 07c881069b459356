"""Best-effort line numbers for key paths, read from the TOML text itself.

tomllib returns plain dicts without positions, so this scans the text for table
headers (``[a.b]``, ``[[a]]``) and keys (``a.b = 1``, ``"soil 1" = ...``). Keys
inside inline tables and arrays are not tracked: they take the line of the key
that holds them.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence

from edge.config.keypath import KeyPath

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


class KeyLocator:
    def __init__(self, text: str) -> None:
        self._defined: dict[KeyPath, int] = {}
        self._implied: dict[KeyPath, int] = {}
        self._scan(text.splitlines())

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line (1-based) of ``path``, or of the nearest table or key holding it."""
        for end in range(len(path), 0, -1):
            prefix = tuple(path[:end])
            line = self._defined.get(prefix) or self._implied.get(prefix)
            if line is not None:
                return line
        return None

    def _record(self, path: KeyPath, line: int) -> None:
        self._defined.setdefault(path, line)
        for end in range(1, len(path)):
            self._implied.setdefault(path[:end], line)

    def _scan(self, lines: list[str]) -> None:
        table: KeyPath = ()
        array_sizes: dict[KeyPath, int] = {}
        index = 0
        while index < len(lines):
            text = lines[index]
            number = index + 1
            start = len(text) - len(text.lstrip())
            index += 1
            if start == len(text) or text[start] == "#":
                continue
            if text.startswith("[[", start):
                header = _parse_header(text, start + 2, "]]")
                if header is not None:
                    position = array_sizes.get(header, 0)
                    array_sizes[header] = position + 1
                    table = (*header, position)
                    self._record(table, number)
            elif text[start] == "[":
                header = _parse_header(text, start + 1, "]")
                if header is not None:
                    table = header
                    self._record(table, number)
            else:
                keys = _parse_keys(text, start)
                if keys is None:
                    continue
                path, end = keys
                self._record((*table, *path), number)
                equals = text.find("=", end)
                if equals >= 0:
                    index = _skip_value(lines, index - 1, equals + 1)


def _parse_header(text: str, pos: int, closing: str) -> KeyPath | None:
    keys = _parse_keys(text, pos)
    if keys is None or not text.startswith(closing, keys[1]):
        return None
    return keys[0]


def _parse_keys(text: str, pos: int) -> tuple[KeyPath, int] | None:
    """A dotted key starting at ``pos``: its parts and the index just after it."""
    parts: list[str | int] = []
    while True:
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos >= len(text):
            return None
        if text[pos] == '"':
            end = _closing_quote(text, pos)
            if end < 0:
                return None
            parts.append(_decode_basic(text[pos : end + 1]))
            pos = end + 1
        elif text[pos] == "'":
            end = text.find("'", pos + 1)
            if end < 0:
                return None
            parts.append(text[pos + 1 : end])
            pos = end + 1
        else:
            match = _BARE_KEY.match(text, pos)
            if match is None:
                return None
            parts.append(match.group())
            pos = match.end()
        while pos < len(text) and text[pos] in " \t":
            pos += 1
        if pos < len(text) and text[pos] == ".":
            pos += 1
            continue
        return tuple(parts), pos


def _closing_quote(text: str, start: int) -> int:
    pos = start + 1
    while pos < len(text):
        if text[pos] == "\\":
            pos += 2
            continue
        if text[pos] == '"':
            return pos
        pos += 1
    return -1


def _decode_basic(quoted: str) -> str:
    # tomllib knows every escape; a key it cannot read keeps its raw spelling.
    try:
        value = tomllib.loads(f"k = {quoted}")["k"]
    except tomllib.TOMLDecodeError:
        return quoted[1:-1]
    return value if isinstance(value, str) else quoted[1:-1]


def _skip_value(lines: list[str], index: int, pos: int) -> int:
    """The index of the first line after the value starting at ``lines[index][pos]``.

    Arrays and multi-line strings may span lines; their contents must not be
    mistaken for headers or keys.
    """
    depth = 0
    multiline: str | None = None
    while index < len(lines):
        text = lines[index]
        while pos < len(text):
            if multiline is not None:
                if text.startswith(multiline, pos):
                    pos += 3
                    multiline = None
                else:
                    pos += 2 if multiline == '"""' and text[pos] == "\\" else 1
                continue
            char = text[pos]
            if char == "#":
                break
            if text.startswith('"""', pos) or text.startswith("'''", pos):
                multiline = text[pos : pos + 3]
                pos += 3
            elif char in "\"'":
                end = _closing_quote(text, pos) if char == '"' else text.find("'", pos + 1)
                pos = end + 1 if end >= 0 else len(text)
            else:
                if char in "[{":
                    depth += 1
                elif char in "]}":
                    depth -= 1
                pos += 1
        index += 1
        pos = 0
        if depth <= 0 and multiline is None:
            return index
    return index
