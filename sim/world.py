"""The simulated place: weather, fields and vehicles, advanced in simulated time. No I/O.

Everything the devices serve is read from here at the instant of the
request. Weather and soil are functions of the seed and the time; vehicles
and irrigation also depend on the commands received, applied in simulated
time, so the same seed and the same commands at the same simulated times
give the same run.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any
from zoneinfo import ZoneInfo

from sim.field import FieldModel, FieldSpec, Harvest
from sim.geo import Point
from sim.roads import RoadGraph
from sim.scenario import Scenario
from sim.soil_sensing import SoilSensing
from sim.vehicle import Vehicle
from sim.weather import Site, WeatherGenerator
from sim.weather_now import WeatherClock, WeatherNow


class World:
    def __init__(self, scenario: Scenario, *, seed: int | None = None) -> None:
        self.scenario = scenario
        self.seed = scenario.seed if seed is None else seed
        site = scenario.site
        self.timezone = ZoneInfo(site.timezone)
        self.start_ts = scenario.clock.start.timestamp()
        start_day = dt.datetime.fromtimestamp(self.start_ts, self.timezone).date()
        generator = WeatherGenerator(
            self.seed,
            Site(site.location.lat, site.location.lon, site.elevation_m),
            scenario.climate,
        )
        self.weather = WeatherClock(generator, self.timezone, start_day)
        self.fields: dict[str, FieldModel] = {}
        self.sensing: dict[str, SoilSensing] = {}
        for field in site.fields.values():
            spec = FieldSpec(
                field.id, field.crop, field.soil, field.irrigation, field.planted, field.area_ha
            )
            model = FieldModel(spec, generator.days, start_day)
            for event in field.irrigate:
                model.irrigate(event.day, event.mm)
            self.fields[field.id] = model
            self.sensing[field.id] = SoilSensing(model, self.weather, field.chemistry)
        roads = None
        if scenario.roads is not None:
            roads = RoadGraph.from_geojson(scenario.roads.geojson, scenario.roads.max_snap_m)
        self.roads = roads
        self.vehicles: dict[str, Vehicle] = {}
        for vehicle in scenario.vehicles.values():
            depot = site.depots[vehicle.depot].location
            self.vehicles[vehicle.id] = Vehicle(
                vehicle,
                Point(depot.lat, depot.lon),
                seed=self.seed,
                roads=roads,
                ambient_c=self._ambient,
            )
            self.vehicles[vehicle.id].now = self.start_ts
        self._ambient_cache: dict[int, float] = {}
        self._weather_cache: tuple[float, WeatherNow] | None = None
        self.now = self.start_ts
        for model in self.fields.values():
            model.advance_to(start_day)

    def local_date(self, ts: float) -> dt.date:
        return dt.datetime.fromtimestamp(ts, self.timezone).date()

    def advance_to(self, ts: float) -> None:
        """Move the world to simulated time ``ts`` (never backwards)."""
        if ts <= self.now:
            return
        for vehicle in self.vehicles.values():
            vehicle.advance_to(ts)
        day = self.local_date(ts)
        for model in self.fields.values():
            model.advance_to(day)
        self.now = ts

    def weather_at(self, ts: float) -> WeatherNow:
        cached = self._weather_cache
        if cached is not None and cached[0] == ts:
            return cached[1]
        value = self.weather.at(ts)
        self._weather_cache = (ts, value)
        return value

    def irrigate(self, field_id: str, mm: float, ts: float) -> dt.date:
        return self.fields[field_id].irrigate(self.local_date(ts), mm)

    def field_report(self, field_id: str) -> dict[str, Any]:
        """One field in full: today, its season day by day, the harvest it is heading
        for (AquaCrop run ahead on a copy) and the harvests so far."""
        model = self.fields[field_id]
        day = self.local_date(self.now)
        model.advance_to(day)
        outlook = model.outlook()
        return {
            "field": field_id,
            "crop": model.spec.crop,
            "area_ha": model.spec.area_ha,
            "today": self.state()["fields"][field_id],
            "outlook": None
            if outlook is None
            else {
                "planted": outlook.planted.isoformat(),
                "harvest_day": outlook.harvest_day.isoformat(),
                "dry_yield_t_ha": round(outlook.dry_yield_t_ha, 4),
                "dry_yield_t": round(outlook.dry_yield_t_ha * model.spec.area_ha, 4),
            },
            "harvests": [
                {
                    "planted": h.planted.isoformat(),
                    "day": h.day.isoformat(),
                    "dry_yield_t_ha": round(h.dry_yield_t_ha, 4),
                    "dry_yield_t": round(h.dry_yield_t, 4),
                }
                for h in model.harvests
            ],
            "season": [
                {
                    "day": d.day.isoformat(),
                    "tmin_c": round(d.tmin_c, 2),
                    "tmax_c": round(d.tmax_c, 2),
                    "rain_mm": round(d.rain_mm, 2),
                    "et0_mm": round(d.et0_mm, 2),
                    "irrigation_mm": round(d.irrigation_mm, 2),
                    "sm_shallow_pct": round(d.sm_shallow_pct, 2),
                    "sm_deep_pct": round(d.sm_deep_pct, 2),
                    "canopy_cover": round(d.canopy_cover, 4),
                    "biomass_t_ha": round(d.biomass_t_ha, 4),
                }
                for d in model.season_days
            ],
        }

    def harvests(self) -> list[Harvest]:
        return [h for model in self.fields.values() for h in model.harvests]

    def state(self) -> dict[str, Any]:
        """A snapshot for the control API: what an operator would want to check."""
        now = self.now
        weather = self.weather_at(now)
        day = self.local_date(now)
        fields = {}
        for fid, model in self.fields.items():
            today = model.day(day)
            fields[fid] = {
                "crop": model.spec.crop,
                "planted": model.season_planted.isoformat(),
                "growing": today.growing,
                "days_after_planting": today.dap,
                "canopy_cover": round(today.canopy_cover, 4),
                "biomass_t_ha": round(today.biomass_t_ha, 4),
                "dry_yield_t_ha": round(today.dry_yield_t_ha, 4),
                "root_zone_moisture_pct": [round(100 * t, 2) for t in today.th[:6]],
                "rain_mm_today": round(today.rain_mm, 2),
                "irrigation_mm_today": round(today.irrigation_mm, 2),
            }
        vehicles = {
            vid: {
                "state": v.state.value,
                "lat": round(v.position.lat, 7),
                "lon": round(v.position.lon, 7),
                "altitude_m": round(v.altitude_m, 2),
                "speed_ms": round(v.speed_ms, 3),
                "soc": round(v.pack.soc, 4),
                "payload_kg": round(v.payload_kg, 3),
                "odometer_m": round(v.odometer_m, 1),
                "energy_used_wh": round(v.energy_used_wh, 3),
                "mission_id": v.mission.mission_id if v.mission else None,
                "stop_index": v.stop_index if v.mission else None,
                "faults": sorted(v.faults),
                "holds": sorted(v.holds),
            }
            for vid, v in self.vehicles.items()
        }
        return {
            "time": dt.datetime.fromtimestamp(now, self.timezone).isoformat(),
            "ts": now,
            "weather": {
                "air_temperature_c": round(weather.air_temperature_c, 2),
                "humidity_pct": round(weather.humidity_pct, 1),
                "radiation_wm2": round(weather.radiation_wm2, 1),
                "rain_rate_mm_h": round(weather.rain_rate_mm_h, 2),
                "rain_total_mm": round(weather.rain_total_mm, 2),
                "wind_speed_ms": round(weather.wind_speed_ms, 2),
            },
            "fields": fields,
            "vehicles": vehicles,
            "harvests": [
                {
                    "field": h.field,
                    "planted": h.planted.isoformat(),
                    "day": h.day.isoformat(),
                    "dry_yield_t_ha": round(h.dry_yield_t_ha, 4),
                    "dry_yield_t": round(h.dry_yield_t, 4),
                }
                for h in self.harvests()
            ],
        }

    def _ambient(self, ts: float) -> float:
        # Battery heat takes the air temperature of the hour (vehicles never step
        # across an hour), which keeps runs independent of how time is stepped.
        hour = math.floor(ts / 3600)
        value = self._ambient_cache.get(hour)
        if value is None:
            if len(self._ambient_cache) > 256:
                self._ambient_cache.clear()
            value = self._ambient_cache[hour] = self.weather.at(
                hour * 3600.0 + 1800.0
            ).air_temperature_c
        return value
