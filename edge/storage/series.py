"""Series ids: each (device, point) pair is stored once and referred to by id.

The whole table is cached in memory (a few hundred rows on a gateway), so the
hot path never queries it. New series are staged while their transaction is
open and only become visible in the cache once it commits, so a rolled-back
batch cannot leave the cache pointing at ids that do not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.storage.lean_import import Database

SeriesKey = tuple[str, str]


@dataclass(frozen=True, slots=True)
class SeriesInfo:
    id: int
    unit: str


class SeriesCache:
    def __init__(self, known: dict[SeriesKey, SeriesInfo]) -> None:
        self._known = known
        self._staged: dict[SeriesKey, SeriesInfo] = {}

    @classmethod
    def load(cls, db: Database) -> SeriesCache:
        rows = db.execute("SELECT id, device, point, unit FROM series").fetchall()
        return cls({(device, point): SeriesInfo(sid, unit) for sid, device, point, unit in rows})

    def find(self, device: str, point: str) -> int | None:
        info = self._known.get((device, point))
        return None if info is None else info.id

    def resolve(self, db: Database, device: str, point: str, unit: str) -> int:
        """The id of (device, point), creating the series or updating its unit.

        Must be called inside the write transaction that will use the id.
        """
        key = (device, point)
        info = self._staged.get(key) or self._known.get(key)
        if info is not None and info.unit == unit:
            return info.id
        if info is None:
            cursor = db.conn.execute(
                "INSERT INTO series (device, point, unit) VALUES (?, ?, ?)", (device, point, unit)
            )
            sid = cursor.lastrowid
            assert sid is not None  # an INSERT always sets it
        else:
            # The most recent unit wins: a profile fix (say °F to °C) relabels
            # the series rather than splitting its history in two.
            sid = info.id
            db.conn.execute("UPDATE series SET unit = ? WHERE id = ?", (unit, sid))
        self._staged[key] = SeriesInfo(sid, unit)
        return sid

    def commit(self) -> None:
        self._known.update(self._staged)
        self._staged.clear()

    def discard(self) -> None:
        self._staged.clear()
