"""A real storage file for the auth stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.storage import Storage


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    with Storage.open(tmp_path / "auth.db") as s:
        yield s


class Clock:
    """Milliseconds that only move when a test moves them."""

    def __init__(self, start_ms: int = 1_800_000_000_000) -> None:
        self.now = start_ms

    def __call__(self) -> int:
        return self.now

    def advance(self, ms: int) -> None:
        self.now += ms


@pytest.fixture
def clock() -> Clock:
    return Clock()
