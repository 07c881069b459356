"""Kill -9 while writing: every batch reported stored is also in the outbox."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from edge.storage.outbox import OutboxPolicy
from edge.storage.store import Storage
from edge.storage.timestamps import to_ms
from edge.uplink.messages import JsonMessages
from edge.uplink.topics import Topics
from tests.edge.storage.burst_writer import batch_readings
from tests.edge.storage.sigkill import assert_intact, kill_after_lines

ROOT = Path(__file__).resolve().parents[3]
TOPICS = Topics.for_site("kakashi", "yamakawa")
WRITER = """
import sys
from pathlib import Path
from edge.storage.outbox import OutboxPolicy
from edge.storage.store import Storage
from edge.uplink.messages import JsonMessages
from edge.uplink.topics import Topics
from tests.edge.storage.burst_writer import batch_readings
from tests.edge.storage.sigkill import assert_intact, kill_after_lines

policy = OutboxPolicy(JsonMessages(Topics.for_site("kakashi", "yamakawa")), 1 << 30)
with Storage.open(Path(sys.argv[1]), outbox=policy) as storage:
    for n in range(100_000):
        stored = storage.write_readings(batch_readings(n))
        print(f"stored {n} {stored}", flush=True)
"""


def test_every_reported_batch_is_queued_after_sigkill(tmp_path: Path) -> None:
    path = tmp_path / "kill.db"
    lines = kill_after_lines([sys.executable, "-c", WRITER, str(path)], 60, cwd=ROOT)
    reported = [int(line.split()[1]) for line in lines]
    assert_intact(path)
    policy = OutboxPolicy(JsonMessages(TOPICS), 1 << 30)
    with Storage.open(path, outbox=policy) as storage:
        queued = set()
        for row in storage.outbox_rows(0, None, 1_000_000):
            body = json.loads(row.payload)
            for r in body["readings"]:
                queued.add((body["device"], r["point"], to_ms(r["ts"])))
        for n in reported:
            for reading in batch_readings(n):
                key = (reading.device, reading.point, to_ms(reading.ts))
                assert key in queued, f"batch {n}: {key} was stored but is not in the outbox"
        stats = storage.outbox_stats()
        assert stats is not None
        assert stats.pending == len(storage.outbox_rows(0, None, 1_000_000))
