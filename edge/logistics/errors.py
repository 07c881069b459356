"""Refusals: input that is wrong (naming its field), a missing record, a wrong state."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass


class Rejected(Exception):  # noqa: N818 - a refusal of input, reported to its sender
    """Input that cannot be accepted; ``errors`` lists every reason, each naming its key."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(self.errors))


@dataclass(frozen=True, slots=True)
class FieldError:
    field: str
    """The form or JSON field at fault: ``kg``, ``windows[0]``, ``location``."""
    message: str


class Invalid(Exception):  # noqa: N818 - a refusal of input, reported to its sender
    """Form or API input refused; every error names the field it is about."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        self.errors = list(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    def by_field(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for error in self.errors:
            out.setdefault(error.field, error.message)
        return out


class NotFound(LookupError):  # noqa: N818 - reads as the HTTP status it becomes
    pass


class Conflict(Exception):  # noqa: N818 - the record is not in a state that allows it
    """The request is well formed but the record's status forbids it (HTTP 409)."""


_FIELD = re.compile(r"^(?:order\.)?([A-Za-z_]+(?:\[\d+\])?)")


def field_of(message: str) -> str:
    """``order.windows[0][1]: expected ...`` -> ``windows[0]``: the form field a
    planner message is about (the planner names keys of its own stop format)."""
    head = message.split(":", 1)[0].strip()
    match = _FIELD.match(head)
    return match.group(1) if match else "order"
