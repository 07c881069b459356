"""The hot path: one batch of readings becomes one transaction.

The transaction also recomputes the cached summary of any hour before the
summaries' watermark that the batch writes into (see ``summaries``); current
readings are past the watermark, so the usual batch only reads the watermark.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence

from drivers.reading import Quality, Reading
from edge.storage.lean_import import Database
from edge.storage.outbox import Outbox
from edge.storage.quality_codes import QUALITY_TO_CODE
from edge.storage.series import SeriesCache
from edge.storage.summaries import resummarise
from edge.storage.timestamps import to_ms
from edge.storage.transaction import write_transaction

log = logging.getLogger(__name__)

_INSERT_READING = "INSERT OR REPLACE INTO readings (series, ts, value, quality) VALUES (?, ?, ?, ?)"
# Out-of-order readings (a device replaying its buffer) must not move
# ``latest`` backwards in time.
_UPSERT_LATEST = """
    INSERT INTO latest (series, ts, value, quality) VALUES (?, ?, ?, ?)
    ON CONFLICT (series) DO UPDATE SET
        ts = excluded.ts, value = excluded.value, quality = excluded.quality
    WHERE excluded.ts >= latest.ts
"""

Row = tuple[int, int, float | str | None, int]

_INT64_MIN = -(2**63)
_INT64_MAX = 2**63 - 1


def write_batch(
    db: Database,
    series: SeriesCache,
    readings: Sequence[Reading],
    outbox: Outbox | None = None,
) -> int:
    """Store ``readings`` atomically; return how many rows were written.

    Malformed readings are left out with one warning per batch naming the
    first offender: a single bad value must not make the whole batch, and
    everything queued behind it, unstorable. With an ``outbox``, the stored
    readings are queued for the broker in the same transaction.
    """
    rows: list[Row] = []
    stored: list[Reading] = []
    latest: dict[int, Row] = {}
    rejected: list[str] = []
    try:
        with write_transaction(db):
            for reading in readings:
                problem = _problem(reading)
                if problem is not None:
                    rejected.append(problem)
                    continue
                sid = series.resolve(db, reading.device, reading.point, reading.unit)
                code = QUALITY_TO_CODE[reading.quality]
                row = (sid, to_ms(reading.ts), reading.value, code)
                rows.append(row)
                stored.append(reading)
                current = latest.get(sid)
                if current is None or row[1] >= current[1]:
                    latest[sid] = row
            db.conn.executemany(_INSERT_READING, rows)
            db.conn.executemany(_UPSERT_LATEST, latest.values())
            # Late readings (and replaced ones) for hours already summarised must
            # change those summaries in this same transaction, or a crash
            # between the two would leave a summary that disagrees with its rows.
            resummarise(db, ((sid, ts) for sid, ts, _, _ in rows))
            if outbox is not None and stored:
                outbox.enqueue(db, outbox.messages.readings(stored))
    except BaseException:
        series.discard()
        if outbox is not None:
            outbox.discard()
        raise
    series.commit()
    if outbox is not None:
        outbox.commit()
    if rejected:
        log.warning(
            "left out %d of %d readings that cannot be stored; first: %s",
            len(rejected),
            len(readings),
            rejected[0],
        )
    return len(rows)


def _problem(reading: object) -> str | None:
    """Why ``reading`` cannot be stored, or None if it can.

    Fields are checked as plain objects: the type hints of ``Reading`` are a
    promise a buggy driver can break, and the writer must not choke on it.
    """
    if not isinstance(reading, Reading):
        return f"expected a Reading, found {type(reading).__name__}"
    device: object = reading.device
    point: object = reading.point
    unit: object = reading.unit
    ts: object = reading.ts
    value: object = reading.value
    quality: object = reading.quality
    where = f"device {device!r} point {point!r}"
    if not isinstance(device, str) or not device:
        return f"{where}: device must be a non-empty string"
    if not isinstance(point, str) or not point:
        return f"{where}: point must be a non-empty string"
    if not isinstance(unit, str):
        return f"{where}: unit must be a string, found {type(unit).__name__}"
    if isinstance(ts, bool) or not isinstance(ts, int | float) or not math.isfinite(ts):
        return f"{where}: ts must be finite seconds since the epoch, found {ts!r}"
    if value is not None and (isinstance(value, bool) or not isinstance(value, float | int | str)):
        return f"{where}: value must be a number, text or None, found {type(value).__name__}"
    if isinstance(value, int) and not _INT64_MIN <= value <= _INT64_MAX:
        return f"{where}: integer value {value} does not fit in 64 bits"
    # A plain "good" finds Quality.GOOD too: a StrEnum hashes as its text.
    if not isinstance(quality, str) or quality not in QUALITY_TO_CODE:
        known = ", ".join(q.value for q in Quality)
        return f"{where}: quality must be one of {known}, found {quality!r}"
    return None
