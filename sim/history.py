"""The season so far: what the scenario's sensors would have reported before the clock's start.

A gateway switched on mid-season (``kakashi demo``) has an empty database, yet
a yield forecast needs the season to date. This module replays the weeks before
the simulator's clock start through the very objects the live devices use: the
fields' AquaCrop models (built as ``World`` builds them, so the same seasons
with the same water contents), ``SoilSensing`` and ``WeatherClock`` for the
physics, and a ``SensorDevice`` on a ``RegisterBank`` for bias, noise,
calibration, clamping and the profile's encoding. Each hourly value is then
decoded from the registers as the gateway's poller decodes them, so points,
units, rounding and quality are what a poll would have stored.

History starts at local midnight of the earliest planting of the seasons in
progress (at most ``MAX_DAYS`` before the start; a soil probe's at its own
field's planting, before which its field model holds no state) and holds one
reading per measured point and device at every whole hour before the start. Timestamps are shifted
by ``offset_days`` whole local days (``kakashi sim --align-to-today``).

The rain gauge's point is a running total, as live: here it counts from the
history's first midnight, while the live station's total counts from the
start day's midnight. The live counter therefore starts lower, which a reader
takes as a restart (``models.readings.daily_totals`` does), as after a real
logger's power cycle.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from drivers.profile import Point
from sim.field import FieldModel, FieldSpec
from sim.register_bank import RegisterBank
from sim.scenario import DeviceRole, DeviceScenario, Scenario
from sim.sensor_device import SensorDevice, Values, soil_values, weather_values
from sim.soil_sensing import SoilSensing
from sim.weather import Site, WeatherGenerator
from sim.weather_now import WeatherClock

MAX_DAYS = 120
HOUR_S = 3600
_REPLAYED = (DeviceRole.SOIL_PROBE, DeviceRole.WEATHER_STATION)


@dataclass(frozen=True, slots=True)
class HistoryReading:
    """One reading as the gateway stores it (``drivers.reading.Reading``'s fields)."""

    device: str
    point: str
    ts: float
    value: float | str | None
    unit: str
    quality: str

    def to_json(self) -> str:
        return json.dumps(
            {
                "device": self.device,
                "point": self.point,
                "ts": self.ts,
                "value": self.value,
                "unit": self.unit,
                "quality": self.quality,
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )


def date_offset_to_today(scenario: Scenario, now: float) -> int:
    """Whole days from the scenario clock's start date to the date of ``now``, both
    in the site's time zone: what maps the scenario's season onto today."""
    tz = ZoneInfo(scenario.site.timezone)
    today = dt.datetime.fromtimestamp(now, tz).date()
    return (today - scenario.clock.start.astimezone(tz).date()).days


def start_at_time_of_day(scenario: Scenario, now: float) -> Scenario:
    """The scenario with its clock starting on its own date at ``now``'s time of day
    (site time): aligned to today, the village's day then runs with the wall clock,
    so the history's last hour meets the first live reading instead of leaving a gap
    of up to a day. Faults scheduled on the start day before that time do not play."""
    tz = ZoneInfo(scenario.site.timezone)
    day = scenario.clock.start.astimezone(tz).date()
    wall = dt.datetime.fromtimestamp(now, tz).time().replace(microsecond=0)
    start = dt.datetime.combine(day, wall, tzinfo=tz)
    return dataclasses.replace(scenario, clock=dataclasses.replace(scenario.clock, start=start))


def season_history(
    scenario: Scenario,
    *,
    seed: int | None = None,
    offset_days: int = 0,
    not_after: float | None = None,
) -> Iterator[HistoryReading]:
    """Hourly readings of every soil probe and weather station, oldest hour first,
    from local midnight of the earliest planting of the seasons in progress (at most
    ``MAX_DAYS`` back; a soil probe from its own field's planting) to the last whole
    hour before the clock's start, each timestamp shifted by ``offset_days`` local
    days; readings stamped after ``not_after`` (the wall clock, for a demo started
    before the scenario's hour of day) are left out. A generator: memory stays
    bounded however long the history."""
    seed = scenario.seed if seed is None else seed
    site = scenario.site
    tz = ZoneInfo(site.timezone)
    start_ts = scenario.clock.start.timestamp()
    start_day = dt.datetime.fromtimestamp(start_ts, tz).date()
    generator = WeatherGenerator(
        seed, Site(site.location.lat, site.location.lon, site.elevation_m), scenario.climate
    )
    models: dict[str, FieldModel] = {}
    for field in site.fields.values():
        # As World builds its fields: same first day, so the same AquaCrop seasons.
        model = FieldModel(
            FieldSpec(
                field.id, field.crop, field.soil, field.irrigation, field.planted, field.area_ha
            ),
            generator.days,
            start_day,
        )
        for event in field.irrigate:
            model.irrigate(event.day, event.mm)
        models[field.id] = model
    plantings = [m.season_planted for m in models.values()]
    first_day = max(min(plantings, default=start_day), start_day - dt.timedelta(days=MAX_DAYS))
    weather = WeatherClock(generator, tz, first_day)
    sensing = {
        fid: SoilSensing(model, weather, site.fields[fid].chemistry)
        for fid, model in models.items()
    }
    clock = _Instant()
    devices: list[tuple[float, _Replayed]] = []
    for spec in scenario.devices.values():
        if not spec.enabled or spec.role not in _REPLAYED:
            continue
        begins = first_day
        if spec.field is not None:
            # A field's model holds no state before its season's spin-up: its
            # probes start at the planting (the history's first day at the earliest).
            begins = max(first_day, models[spec.field].season_planted)
        clock.ts = _midnight(begins, tz)
        devices.append((clock.ts, _Replayed.build(spec, clock, seed, sensing, weather)))
    hour = math.ceil(_midnight(first_day, tz) / HOUR_S) * HOUR_S
    while hour < start_ts:
        stamp = _shifted(hour, offset_days, tz)
        if not_after is not None and stamp > not_after:
            break
        clock.ts = float(hour)
        for begins_ts, device in devices:
            if hour >= begins_ts:
                yield from device.readings(stamp)
        hour += HOUR_S


def write_history(
    out: TextIO,
    scenario: Scenario,
    *,
    seed: int | None = None,
    offset_days: int = 0,
    not_after: float | None = None,
) -> int:
    """``season_history`` as JSON lines on ``out``; returns how many were written."""
    count = 0
    for reading in season_history(
        scenario, seed=seed, offset_days=offset_days, not_after=not_after
    ):
        out.write(reading.to_json())
        out.write("\n")
        count += 1
    return count


class _Instant:
    """The replayed devices' clock: the hour being replayed."""

    ts = 0.0

    def __call__(self) -> float:
        return self.ts


@dataclass
class _Replayed:
    spec: DeviceScenario
    device: SensorDevice
    points: list[Point]

    @classmethod
    def build(
        cls,
        spec: DeviceScenario,
        clock: Callable[[], float],
        seed: int,
        sensing: dict[str, SoilSensing],
        weather: WeatherClock,
    ) -> _Replayed:
        bank = RegisterBank(spec.profile)
        source: Callable[[float], Values]
        if spec.role is DeviceRole.SOIL_PROBE:
            assert spec.field is not None
            field, depth = sensing[spec.field], spec.depth_m

            def soil(ts: float) -> Values:
                return soil_values(field.sample(ts, depth))

            source = soil
        else:

            def air(ts: float) -> Values:
                return weather_values(weather.at(ts))

            source = air
        device = SensorDevice(spec.id, bank, source, clock, seed)
        # The points the physics fills: settings and constants (calibrations,
        # device type) would only repeat their power-up values every hour.
        sample = source(clock())
        points = [p for p in spec.profile.points if not p.writable and p.name in sample]
        return cls(spec, device, points)

    def readings(self, stamp: float) -> Iterator[HistoryReading]:
        self.device.refresh()
        bank = self.device.bank
        for point in self.points:
            if point.is_absent(bank.get(point)):
                continue  # as the poller: no reading for a point the unit lacks
            value, quality = point.decode(bank.get(point))
            yield HistoryReading(self.spec.id, point.name, stamp, value, point.unit, quality.value)


def _shifted(ts: float, days: int, tz: ZoneInfo) -> float:
    """``ts`` moved by ``days`` local days (the same wall-clock hour, across DST)."""
    if days == 0:
        return ts
    local = dt.datetime.fromtimestamp(ts, tz) + dt.timedelta(days=days)
    return local.timestamp()


def _midnight(day: dt.date, tz: ZoneInfo) -> float:
    return dt.datetime.combine(day, dt.time(), tz).timestamp()


def write_history_file(
    path: Path,
    scenario: Scenario,
    *,
    seed: int | None = None,
    offset_days: int = 0,
    not_after: float | None = None,
) -> int:
    """``write_history`` into ``path``, written aside and renamed: a reader never
    sees half a history."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.partial")
    with temporary.open("w", encoding="utf-8") as out:
        count = write_history(
            out, scenario, seed=seed, offset_days=offset_days, not_after=not_after
        )
    temporary.replace(path)
    return count
