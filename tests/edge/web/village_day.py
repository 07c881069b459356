"""A plausible day of Yamakawa village data, written into a gateway's storage.

Used by the page tests and by the screenshot in the README: moisture drying
through the day and jumping after irrigation, a soil temperature following the
sun, EC and pH near constant, a season of daily forecasts per field and one
warning event (which the alert rules show as an active alert).
"""

from __future__ import annotations

import datetime as dt
import math

from drivers.reading import Reading
from edge.storage import Storage
from models.forecast import Forecast

PROBE = "soil-north-1"
STEP_S = 600.0
"""A reading every ten minutes: 144 a day per point, enough for smooth charts."""
FORECASTS = {
    # field: (p50 at the end of the history, season length in days, planted days ago);
    # the river garden grows vegetables, which no shipped model forecasts.
    "north-paddy": (5.6, 130, 60),
    "terrace-maize": (7.4, 120, 47),
}
WARNING = "Valve 2 at the river garden did not confirm the write"


def moisture(t: float, start: float) -> float:
    hours = (t - start) / 3600.0
    # Drying steadily; the irrigation at hour 16 lifts it back up.
    irrigated = 5.5 if hours >= 16.0 else 0.0
    return round(34.0 - 0.35 * hours + irrigated + 0.3 * math.sin(hours * 1.7), 1)


def soil_temperature(t: float) -> float:
    local_hour = ((t / 3600.0) + 9.0) % 24.0  # Asia/Tokyo
    return round(21.5 + 3.5 * math.sin((local_hour - 9.0) / 24.0 * 2 * math.pi), 1)


def day_of_readings(end: float, hours: float = 24.0) -> list[Reading]:
    start = end - hours * 3600.0
    readings: list[Reading] = []
    n = int(hours * 3600.0 / STEP_S)
    for i in range(n):
        t = start + (i + 1) * STEP_S
        readings += [
            Reading(PROBE, "moisture", t, moisture(t, start), "%"),
            Reading(PROBE, "temperature", t, soil_temperature(t), "°C"),
            Reading(PROBE, "ec", t, round(410.0 + 15.0 * math.sin(i / 20.0)), "µS/cm"),
            Reading(PROBE, "ph", t, round(6.3 + 0.05 * math.sin(i / 30.0), 2), "pH"),
        ]
    return readings


def forecasts(now: float) -> list[Forecast]:
    made: list[Forecast] = []
    for field, (p50_end, season_days, planted_ago) in FORECASTS.items():
        planted = now - planted_ago * 86_400.0
        for day in range(planted_ago - 29, planted_ago + 1):
            ts = planted + day * 86_400.0
            if ts > now:
                break
            progress = min(1.0, day / season_days)
            # The band narrows as the season goes on and the model sees more.
            width = p50_end * (0.35 - 0.2 * progress)
            p50 = p50_end * (0.9 + 0.1 * progress) + 0.15 * math.sin(day / 4.0)
            made.append(
                Forecast(
                    field=field,
                    ts=ts,
                    p10=round(p50 - width, 2),
                    p50=round(p50, 2),
                    p90=round(p50 + width * 1.1, 2),
                    model_version=f"{field.split('-')[-1]}-2026.1",
                    features_used=("soil_moisture", "soil_temperature", "gdd"),
                    progress=round(progress, 3),
                    expected_harvest=(
                        dt.datetime.fromtimestamp(planted, dt.UTC).date()
                        + dt.timedelta(days=season_days)
                    ),
                    notes=(f"field {field}: no rain gauge; band widened",)
                    if field == "north-paddy"
                    else (),
                )
            )
    return made


def fill_village_day(storage: Storage, now: float) -> list[Reading]:
    """Store the day up to ``now``; returns the readings written."""
    readings = day_of_readings(now)
    storage.write_readings(readings)
    for forecast in forecasts(now):
        storage.write_forecast(forecast)
    storage.record_event(
        "write", WARNING, severity="warning", source="web", actor="operator", ts=now - 1800.0
    )
    return readings
