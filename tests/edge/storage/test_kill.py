"""Kill -9 in the middle of writing: every batch reported stored must survive."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import pytest

from edge.storage import Storage
from tests.edge.storage.burst_writer import batch_readings, batch_size
from tests.edge.storage.sigkill import assert_intact, kill_after_lines

SCRIPT = Path(__file__).with_name("burst_writer.py")


def _present(storage: Storage, batch_no: int) -> list[tuple[str, int, object, str]]:
    """The stored rows of one batch, in the shape ``batch_readings`` makes them."""
    device = f"d{batch_no % 7}"
    start = 1_750_000_000.0 + batch_no
    rows = []
    for p in range(6):
        for ts, value, quality in storage.history(device, f"p{p}", start, start + 1):
            rows.append((f"p{p}", round(ts * 1000), value, quality.value))
    return sorted(rows, key=lambda row: row[1])


def _expected(batch_no: int) -> list[tuple[str, int, object, str]]:
    return [
        (r.point, round(r.ts * 1000), r.value, r.quality.value) for r in batch_readings(batch_no)
    ]


@pytest.mark.parametrize("seed", [11, 23, 42])
def test_every_reported_batch_survives_sigkill(tmp_path: Path, seed: int) -> None:
    kill_after = random.Random(seed).randint(5, 150)
    path = tmp_path / "kill.db"
    reported: dict[int, int] = {}
    for line in kill_after_lines([sys.executable, str(SCRIPT), str(path)], kill_after):
        word, number, count = line.split()
        assert word == "stored"
        reported[int(number)] = int(count)
    assert_intact(path)
    with Storage.open(path) as storage:
        assert sorted(reported) == list(range(kill_after))
        for batch_no, n_rows in reported.items():
            assert n_rows == batch_size(batch_no)
            assert _present(storage, batch_no) == _expected(batch_no), f"batch {batch_no}"
        # Batches written after the last line read are all-or-nothing, in order.
        after = kill_after
        while (present := _present(storage, after)) == _expected(after):
            after += 1
        assert present == [], f"batch {after} is partly stored"
        assert _present(storage, after + 1) == []
