"""The village's configuration and a real storage file for the logistics tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from edge.config import Config, load_config
from edge.storage import Storage

REPO = Path(__file__).resolve().parents[3]
VILLAGE = REPO / "examples" / "village.toml"
TOKYO = ZoneInfo("Asia/Tokyo")


def site_time(hour: int, minute: int = 0, day: int = 26) -> float:
    """A moment on 2026-11-<day> in the village's clock, as a POSIX time."""
    return dt.datetime(2026, 11, day, hour, minute, tzinfo=TOKYO).timestamp()


@pytest.fixture
def village() -> Config:
    return load_config(VILLAGE)


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    with Storage.open(tmp_path / "k.db") as store:
        yield store
