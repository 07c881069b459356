"""Reading a TOML table while collecting every problem with its key path."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from drivers.profile.model import NAME_RE

E = TypeVar("E", bound=StrEnum)
MISSING = object()


class Table:
    """A TOML table with its key path, recording problems instead of raising."""

    def __init__(self, data: Mapping[str, Any], prefix: str, problems: list[str]) -> None:
        self.data = data
        self.prefix = prefix
        self.problems = problems

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def problem(self, name: str, message: str) -> None:
        self.problems.append(f"{self.key(name)}: {message}")

    def check_keys(self, allowed: set[str]) -> None:
        for name in self.data:
            if name not in allowed:
                self.problem(name, f"unknown key; expected one of {', '.join(sorted(allowed))}")

    def _get(self, name: str, required: bool) -> Any:
        if name not in self.data:
            if required:
                self.problems.append(f"{self.key(name)}: required key is missing")
            return MISSING
        return self.data[name]

    def _typed(self, name: str, required: bool, want: str, ok: Callable[[Any], bool]) -> Any:
        value = self._get(name, required)
        if value is MISSING:
            return None
        if not ok(value):
            self.problem(name, f"expected {want}, found {describe(value)}")
            return None
        return value

    def string(self, name: str, required: bool = False) -> str | None:
        value: str | None = self._typed(name, required, "a string", lambda v: isinstance(v, str))
        return value

    def integer(self, name: str, required: bool = False) -> int | None:
        value: int | None = self._typed(name, required, "an integer", is_int)
        return value

    def number(self, name: str, required: bool = False) -> float | None:
        value = self._typed(name, required, "a number", is_number)
        return None if value is None else float(value)

    def boolean(self, name: str, required: bool = False) -> bool | None:
        value: bool | None = self._typed(name, required, "true or false", is_bool)
        return value

    def table(self, name: str, required: bool = False) -> Mapping[str, Any] | None:
        value: Mapping[str, Any] | None = self._typed(
            name, required, "a table", lambda v: isinstance(v, dict)
        )
        return value

    def choice(self, name: str, enum: type[E], required: bool = False) -> E | None:
        value = self._get(name, required)
        if value is MISSING:
            return None
        options = [e.value for e in enum]
        if not isinstance(value, str) or value not in options:
            self.problem(name, f"expected one of {', '.join(options)}, found {describe(value)}")
            return None
        return enum(value)

    def number_pair(self, name: str) -> tuple[float, float] | None:
        value = self._get(name, False)
        if value is MISSING:
            return None
        if not (isinstance(value, list) and len(value) == 2 and all(map(is_number, value))):
            self.problem(name, f"expected [low, high] (two numbers), found {describe(value)}")
            return None
        return float(value[0]), float(value[1])

    def number_list(self, name: str) -> tuple[int | float, ...] | None:
        value = self._get(name, False)
        if value is MISSING:
            return None
        if not (isinstance(value, list) and all(map(is_number, value))):
            self.problem(name, f"expected an array of numbers, found {describe(value)}")
            return None
        return tuple(value)


def is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def is_bool(value: object) -> bool:
    return isinstance(value, bool)


def describe(value: object) -> str:
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, int | float):
        return f"{value!r}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"an array of {len(value)}"
    return f"{type(value).__name__} {value!r}"


def point_table(name: str, data: object, problems: list[str]) -> Table | None:
    """The table of one point, after checking its name (any protocol)."""
    if not NAME_RE.match(name):
        problems.append(
            f"points.{name}: point names are lower case letters, digits and _ "
            f"starting with a letter, found {name!r}"
        )
    if not isinstance(data, dict):
        problems.append(f"points.{name}: expected a table, found {describe(data)}")
        return None
    return Table(data, f"points.{name}.", problems)
