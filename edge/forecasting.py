"""The forecaster task: each field's yield forecast from its stored readings.

Once an hour every field with a crop model and a planting date gets a forecast
(p10, p50, p90 in t/ha) from ``models.Forecaster``, stored with
``Storage.write_forecast`` (which queues it for the uplink in the same
transaction). onnxruntime and the models load on the first run, and only the
crops the site grows, so a site without fields costs nothing.

Which readings feed a field is found by point name and unit, from the profiles:
a role is served by a device of the field itself, else by a site-level device
(one with neither field nor vehicle, e.g. the weather station). A point whose
unit is not the one the model was trained on is not used: a wrong unit would be
garbage in, and the forecaster says which inputs it went without.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import pickle
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from drivers.profile import load_profile
from edge.child import run_python_module
from edge.config import Config, FieldConfig
from edge.storage import Storage

if TYPE_CHECKING:
    from models.context import FieldContext
    from models.forecast import Forecast
    from models.forecaster import FieldInput, Forecaster

log = logging.getLogger(__name__)

FORECAST_PERIOD_S = 3600.0

# role -> (point names that can serve it, the unit the models were trained on)
WEATHER_ROLES: dict[str, tuple[tuple[str, ...], str]] = {
    "air_temperature": (("air_temperature",), "°C"),
    "humidity": (("humidity",), "%"),
    "wind_speed": (("wind_speed", "wind_speed_avg"), "m/s"),
    "global_radiation": (("global_radiation",), "W/m²"),
    "pressure": (("pressure",), "hPa"),
    "precipitation": (("precipitation", "rain"), "mm"),
}
SOIL_MOISTURE: tuple[tuple[str, ...], str] = (("moisture", "vwc"), "%")


@dataclass(frozen=True, slots=True)
class _DevicePoints:
    device: str
    field: str | None
    site_level: bool
    units: dict[str, str]  # point name -> unit


def _device_points(config: Config) -> list[_DevicePoints]:
    extra = list(config.profiles.extra_dirs)
    found = []
    for dev_id, dev in config.devices.items():
        if not dev.enabled:
            continue
        profile = load_profile(dev.profile, extra)
        units = {p.name: p.unit for p in profile.points}
        units.update({p.name: p.unit for p in profile.ascii_points})
        found.append(
            _DevicePoints(dev_id, dev.field, dev.field is None and dev.vehicle is None, units)
        )
    return found


def _serving(
    devices: list[_DevicePoints], names: tuple[str, ...], unit: str
) -> list[tuple[str, str]]:
    return [(d.device, name) for d in devices for name in names if d.units.get(name) == unit]


def field_sensor_points(config: Config, field_id: str) -> dict[str, tuple[str, str]]:
    """Role -> (device, point) for one field, as documented in the module docstring."""
    devices = _device_points(config)
    own = [d for d in devices if d.field == field_id]
    site = [d for d in devices if d.site_level]
    roles: dict[str, tuple[str, str]] = {}
    for role, (names, unit) in WEATHER_ROLES.items():
        candidates = _serving(own, names, unit) or _serving(site, names, unit)
        if candidates:
            roles[role] = candidates[0]
    # The shallowest probe of the field (by `depth_m`; probes without a depth
    # after those with one, in configuration order) is the topsoil reading, the
    # next the deeper one.
    depth = {dev_id: dev.depth_m for dev_id, dev in config.devices.items()}
    probes = sorted(
        _serving(own, *SOIL_MOISTURE),
        key=lambda point: (depth.get(point[0]) is None, depth.get(point[0]) or 0.0),
    )
    for role, point in zip(("soil_moisture_shallow", "soil_moisture_deep"), probes, strict=False):
        roles[role] = point
    return roles


def field_context(field: FieldConfig) -> FieldContext | None:
    """The operator's soil texture and irrigation practice, when the field has them."""
    from models.context import FieldContext

    if field.soil_texture is None or field.irrigation is None:
        return None
    return FieldContext(field.soil_texture, field.irrigation)


MODEL_FILE_PREFIX = "yield-"


def model_dir_of(config: Config) -> Path:
    """Where a site drops its own model files (hot swap): beside its database."""
    return Path(config.storage.path).parent / "models"


def crops_with_models(config: Config) -> set[str]:
    """Crops a yield model file exists for (shipped, or dropped into the site's
    model folder), judged by file name only: the page must not load onnxruntime
    to say "no model for vegetables". A file that later fails validation is
    reported by the forecaster."""
    import models

    shipped = Path(models.__file__).parent / "shipped"
    crops = set()
    for folder in (shipped, model_dir_of(config)):
        for path in folder.glob(f"{MODEL_FILE_PREFIX}*.onnx"):
            crops.add(path.name[len(MODEL_FILE_PREFIX) :].split("-", 1)[0])
    return crops


class FieldForecasts:
    """Builds the forecaster once and forecasts every field on each call."""

    def __init__(self, config: Config, storage: Storage, model_dir: Path) -> None:
        self.config = config
        self.storage = storage
        self.model_dir = model_dir
        self._forecaster: Forecaster | None = None
        self._inputs: list[FieldInput] = []

    def _prepare(self) -> Forecaster:
        from models.forecaster import FieldInput, Forecaster
        from models.readings import FieldSensors, SiteLocation
        from models.registry import SHIPPED_DIR, ModelRegistry

        site = self.config.site
        fields = site.fields
        self.model_dir.mkdir(parents=True, exist_ok=True)
        registry = ModelRegistry(
            [SHIPPED_DIR, self.model_dir], crops={f.crop for f in fields.values()}
        )
        for event in registry.refresh():
            log.info("yield models: %s", event)
        lat = site.location.lat if site.location is not None else _mean_lat(self.config)
        forecaster = Forecaster(registry, SiteLocation(lat, tz=ZoneInfo(site.timezone)))
        self._inputs = [
            FieldInput(
                field=field_id,
                crop=field.crop,
                area_ha=field.area_ha,
                planted=field.planted,
                sensors=FieldSensors(**field_sensor_points(self.config, field_id)),
                context=field_context(field),
            )
            for field_id, field in fields.items()
        ]
        return forecaster

    def run_once(self, now: float) -> int:
        """Forecast every field; returns how many forecasts were stored."""
        if self._forecaster is None:
            self._forecaster = self._prepare()
        else:
            for event in self._forecaster.registry.refresh():
                log.info("yield models: %s", event)
        made = []
        for field in self._inputs:
            outcome = self._forecaster.forecast_field(field, self.storage.rollup_history, now)
            for note in outcome.notes:
                log.info("forecast: %s", note)
            if outcome.forecast is not None:
                self.storage.write_forecast(outcome.forecast)
                made.append(outcome.forecast)
        self._suggest_pickups(made, now)
        return len(made)

    def _suggest_pickups(self, forecasts: list[Forecast], now: float) -> None:
        """Late-season forecasts become suggested harvest pickups (orders with status
        ``suggested``), one per field and season, refreshed by each forecast until a
        coordinator confirms or rejects it; then the gateway leaves it alone."""
        from models.suggest import FieldArea, suggest_pickups

        fields = self.config.site.fields
        areas = [FieldArea(fid, f.area_ha, f.crop) for fid, f in fields.items()]
        today = dt.datetime.fromtimestamp(now, ZoneInfo(self.config.site.timezone)).date()
        suggestions = suggest_pickups(forecasts, areas, today)
        if not suggestions:
            return
        stamp = int(now * 1000)
        with self.storage.transaction() as db:
            for suggestion in suggestions:
                planted = fields[suggestion.field].planted
                order_id = (
                    f"pickup-{suggestion.field}-{planted.isoformat() if planted else 'season'}"
                )
                db.conn.execute(
                    "INSERT INTO orders (id, kind, status, data, created, updated) "
                    "VALUES (?, 'pickup', 'suggested', ?, ?, ?) "
                    "ON CONFLICT (id) DO UPDATE SET data = excluded.data, "
                    "updated = excluded.updated WHERE orders.status = 'suggested'",
                    (order_id, json.dumps(suggestion.to_order(), sort_keys=True), stamp, stamp),
                )
        log.info("forecast: %d harvest pickup(s) suggested", len(suggestions))


def _mean_lat(config: Config) -> float:
    points = [lat for f in config.site.fields.values() for _lon, lat in f.boundary]
    return sum(points) / len(points) if points else 0.0


FORECAST_TIMEOUT_S = 300.0
"""A pass takes about a second (onnxruntime's import included); past this the
child is stuck (a locked database, a broken model file) and is killed."""


async def run_forecaster(
    config: Config, model_dir: Path, *, period_s: float = FORECAST_PERIOD_S
) -> None:
    """Forecast every field now and then every ``period_s``, until cancelled, each
    pass in a child process (``edge.forecast_child``: why, there)."""
    if not config.site.fields:
        await asyncio.Event().wait()  # nothing to forecast: stay idle, cost nothing
    payload = pickle.dumps(config)
    while True:
        await forecast_in_child(payload, model_dir)
        await asyncio.sleep(period_s)


async def forecast_in_child(payload: bytes, model_dir: Path) -> bool:
    """One pass; True when the child finished cleanly. Its log lines are re-logged
    here; a failure is logged and the next pass tries again."""
    child = await run_python_module(
        "edge.forecast_child",
        ["--model-dir", str(model_dir)],
        timeout_s=FORECAST_TIMEOUT_S,
        stdin=payload,
    )
    if child.returncode is None:
        log.warning("forecast: the pass did not finish within %.0f s; killed", FORECAST_TIMEOUT_S)
        return False
    lines = child.stderr.splitlines()
    if not child.ok:
        tail = "\n".join(lines[-20:])
        log.warning("forecast: the pass failed (exit %s):\n%s", child.returncode, tail)
        return False
    for line in lines:
        log.info("%s", line)
    return True
