"""Forecasts become suggested harvest pickups for the planner; a coordinator confirms them.

Only forecasts far enough into the season are turned into pickups: before
``MIN_PROGRESS`` the band is too wide to book vehicles on. The quantity is
the central forecast (p50) over the field's area; the band travels with it so a
coordinator can plan capacity for p90 and expect p50.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from models.forecast import Forecast

MIN_PROGRESS = 0.6
WINDOW_DAYS = 3
"""Half-width of the suggested pickup window around the expected harvest day."""


@dataclass(frozen=True, slots=True)
class FieldArea:
    field: str
    area_ha: float
    crop: str


@dataclass(frozen=True, slots=True)
class PickupSuggestion:
    field: str
    crop: str
    expected_kg: float
    low_kg: float
    high_kg: float
    """p10 and p90 over the field's area."""
    expected_date: dt.date
    window: tuple[dt.date, dt.date]
    model_version: str
    forecast_ts: float

    def to_order(self) -> dict[str, object]:
        """A harvest-pickup order as the service stores it, awaiting confirmation."""
        return {
            "kind": "pickup",
            "status": "suggested",
            "source": "forecast",
            "field": self.field,
            "crop": self.crop,
            "quantity_kg": round(self.expected_kg),
            "quantity_band_kg": [round(self.low_kg), round(self.high_kg)],
            "earliest": self.window[0].isoformat(),
            "latest": self.window[1].isoformat(),
            "expected_date": self.expected_date.isoformat(),
            "model_version": self.model_version,
            "forecast_ts": self.forecast_ts,
        }


def suggest_pickups(
    forecasts: Iterable[Forecast], fields: Iterable[FieldArea], today: dt.date
) -> list[PickupSuggestion]:
    """One suggestion per field with a late-enough forecast and a harvest not yet past,
    soonest harvest first."""
    by_field = {f.field: f for f in fields}
    out: list[PickupSuggestion] = []
    for fc in forecasts:
        area = by_field.get(fc.field)
        if area is None or fc.progress < MIN_PROGRESS or fc.expected_harvest < today:
            continue
        kg_per_t_ha = 1000.0 * area.area_ha
        start = max(fc.expected_harvest - dt.timedelta(days=WINDOW_DAYS), today)
        out.append(
            PickupSuggestion(
                field=fc.field,
                crop=area.crop,
                expected_kg=fc.p50 * kg_per_t_ha,
                low_kg=fc.p10 * kg_per_t_ha,
                high_kg=fc.p90 * kg_per_t_ha,
                expected_date=fc.expected_harvest,
                window=(start, fc.expected_harvest + dt.timedelta(days=WINDOW_DAYS)),
                model_version=fc.model_version,
                forecast_ts=fc.ts,
            )
        )
    return sorted(out, key=lambda s: (s.expected_date, s.field))
