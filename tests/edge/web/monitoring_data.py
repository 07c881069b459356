"""Readings and forecasts put into a real storage for the monitoring tests."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence

from drivers.reading import Quality, Reading
from edge.storage import Storage
from models.forecast import Forecast

DEVICE = "soil-north-1"
FIELD = "north-paddy"


def soil_readings(
    start: float, count: int, step_s: float = 10.0, device: str = DEVICE
) -> list[Reading]:
    """Moisture, temperature, EC and pH of one probe, ``count`` polls from ``start``."""
    readings: list[Reading] = []
    for i in range(count):
        ts = start + i * step_s
        readings += [
            Reading(device, "moisture", ts, 30.0 + (i % 60) / 10, "%"),
            Reading(device, "temperature", ts, 18.0 + (i % 30) / 10, "°C"),
            Reading(device, "ec", ts, 900.0 + i % 50, "µS/cm"),
            Reading(device, "ph", ts, 6.1, "pH"),
        ]
    return readings


def write_all(storage: Storage, readings: Sequence[Reading], batch: int = 5000) -> None:
    for i in range(0, len(readings), batch):
        storage.write_readings(readings[i : i + batch])


def forecast(
    field: str,
    ts: float,
    p50: float,
    features: Iterable[str] = ("gdd",),
    notes: tuple[str, ...] = (),
) -> Forecast:
    return Forecast(
        field=field,
        ts=ts,
        p10=p50 - 0.8,
        p50=p50,
        p90=p50 + 0.9,
        model_version="rice-2026.1",
        features_used=tuple(features),
        progress=0.42,
        expected_harvest=dt.date(2026, 9, 20),
        notes=notes,
    )


def bad_reading(ts: float, quality: Quality, point: str = "ph") -> Reading:
    return Reading(DEVICE, point, ts, None if quality is Quality.INVALID else 12.5, "pH", quality)
