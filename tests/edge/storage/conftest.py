from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from edge.storage import Storage


@pytest.fixture
def storage(tmp_path: Path) -> Iterator[Storage]:
    with Storage.open(tmp_path / "kakashi.db") as opened:
        yield opened
