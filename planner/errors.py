"""Input errors: each names the stop, vehicle, site or zone and what was wrong."""

from __future__ import annotations

from collections.abc import Sequence


class InvalidProblemError(ValueError):
    """The problem cannot be planned as given; `errors` lists every reason found."""

    def __init__(self, errors: Sequence[str]) -> None:
        self.errors = tuple(errors)
        super().__init__(f"{len(self.errors)} problem error(s): " + "; ".join(self.errors))
