"""Orders: one stop each (a delivery or a pickup), from a form, MQTT or a forecast.

Lifecycle (docs/planner.md, "Lifecycle")::

    suggested --confirm--> confirmed --(in a dispatched plan)--> planned --done--> done
    new -------confirm---> confirmed
    suggested --cancel--> rejected        new/confirmed/planned --cancel--> cancelled

Stored data is the stop in the planner's PROBLEM.json form (what MQTT orders
already are), plus a few keys of our own (``META_KEYS``) the planner never sees.
A suggestion from the forecaster keeps its own form until it is confirmed; then
it becomes a stop at the field's centre, bound for the collection point.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from edge.config import Config
from edge.logistics.errors import Conflict, FieldError, Invalid, NotFound, Rejected, field_of
from edge.storage.store import Storage
from edge.storage.timestamps import from_ms, now_ms

STATUSES = ("suggested", "new", "confirmed", "planned", "done", "cancelled", "rejected")
EDITABLE = frozenset({"suggested", "new", "confirmed"})
PLANNABLE = frozenset({"new", "confirmed"})
"""Suggested pickups are planned only once a coordinator has confirmed them."""
CANCELLABLE = frozenset({"suggested", "new", "confirmed", "planned"})

STOP_KEYS = ORDER_KEYS = frozenset(
    {"id", "name", "kind", "location", "windows", "vehicles", "kg", "m3", "service_s"}
    | {"required", "penalty", "site"}
)
META_KEYS = frozenset({"place", "notes", "source", "suggestion"})
OPTIONAL_PENALTY = 10.0
"""What dropping an optional stop costs the planner: about a 10 km detour at the
default cost per km, so it is served whenever that is cheap, dropped when not."""
HARVEST_SERVICE_S = 600.0
"""Loading a harvest takes longer than handing over a parcel."""
MAX_KG = 10_000.0
_CLOCK = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")
_WINDOW_SPLIT = re.compile(r"\s*(?:-|–|—|~|〜|～)\s*")


class OrderDraft(BaseModel):
    """An order as a coordinator enters it (the page's form, ``POST /api/orders``)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str = Field(min_length=1, max_length=120, description="Who or what, e.g. 'Mrs Tanaka'")
    kind: Literal["delivery", "pickup"] = "delivery"
    place: str | None = Field(
        None,
        max_length=64,
        description="A configured field, depot or collection point id; or give `location`",
    )
    location: tuple[float, float] | None = Field(
        None, description="[lat, lon] (WGS 84) when the place is not configured: a resident's house"
    )
    kg: float = Field(gt=0, le=MAX_KG)
    windows: list[str] = Field(
        default_factory=list,
        max_length=4,
        description="Time windows in site time, 'HH:MM-HH:MM'; none: any time in the shift",
    )
    service_min: float = Field(5.0, ge=0, le=240, description="Minutes spent at the stop")
    vehicles: list[str] | None = Field(
        None, max_length=32, description="Only these vehicles may serve it; null: any"
    )
    required: bool = True
    site: str | None = Field(
        None,
        max_length=64,
        description="Depot or collection point the goods come from (delivery) or go to "
        "(pickup; default: the first collection point)",
    )
    notes: str = Field("", max_length=500)


class OrderPatch(BaseModel):
    """Only the fields given change."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str | None = Field(None, min_length=1, max_length=120)
    kind: Literal["delivery", "pickup"] | None = None
    place: str | None = Field(None, max_length=64)
    location: tuple[float, float] | None = None
    kg: float | None = Field(None, gt=0, le=MAX_KG)
    windows: list[str] | None = Field(None, max_length=4)
    service_min: float | None = Field(None, ge=0, le=240)
    vehicles: list[str] | None = Field(None, max_length=32)
    required: bool | None = None
    site: str | None = Field(None, max_length=64)
    notes: str | None = Field(None, max_length=500)


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    kind: str
    status: str
    data: dict[str, Any]
    created: float
    updated: float

    @property
    def name(self) -> str:
        if self.data.get("name"):
            return str(self.data["name"])
        if self.data.get("source") == "forecast":
            return f"harvest {self.data.get('field', '')}".strip()
        return self.id

    @property
    def stop(self) -> dict[str, Any]:
        """The planner's stop (what a plan request carries), without our own keys."""
        return {k: v for k, v in self.data.items() if k in STOP_KEYS}


# -- places -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    kind: Literal["field", "depot", "collection_point"]
    name: str
    lat: float
    lon: float


def places(config: Config) -> dict[str, Place]:
    """Every configured place an order may name: fields (their centre), depots,
    collection points."""
    out: dict[str, Place] = {}
    for fid, f in config.site.fields.items():
        lon = sum(p[0] for p in f.boundary) / len(f.boundary)
        lat = sum(p[1] for p in f.boundary) / len(f.boundary)
        out[fid] = Place(fid, "field", f.name, lat, lon)
    for kind, table in (
        ("depot", config.site.depots),
        ("collection_point", config.site.collection_points),
    ):
        for sid, site in table.items():
            out.setdefault(
                sid,
                Place(sid, kind, site.name, site.location.lat, site.location.lon),  # type: ignore[arg-type]
            )
    return out


def configured_sites(config: Config) -> list[dict[str, Any]]:
    """The site's depots and collection points in PROBLEM.json form."""
    sites = []
    for kind, table in (
        ("depot", config.site.depots),
        ("collection_point", config.site.collection_points),
    ):
        for site_id, place in table.items():
            loc = place.location
            sites.append(
                {"id": site_id, "kind": kind, "name": place.name, "location": [loc.lat, loc.lon]}
            )
    return sites


def default_site(config: Config, kind: str) -> str | None:
    if kind != "pickup":
        return None  # a delivery's goods are loaded wherever its vehicle starts
    for table in (config.site.collection_points, config.site.depots):
        for site_id in table:
            return str(site_id)
    return None


# -- checks -------------------------------------------------------------------------

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")
ID_RULE = "1 to 64 of A-Z, a-z, 0-9, '_', '.', ':' and '-', starting with a letter or digit"


def check_order(order: Any, sites: Sequence[Mapping[str, Any]], vehicles: set[str]) -> None:
    """Raise Rejected listing everything wrong with a stop-form ``order``
    (the planner's own reader decides, so an order obeys a problem file's rules)."""
    from planner.errors import InvalidProblemError
    from planner.problem_json import problem_from_dict

    if not isinstance(order, dict):
        raise Rejected([f"order: expected an object, found {json_type(order)}"])
    errors = []
    order_id = order.get("id")
    if not isinstance(order_id, str) or not _ID.match(order_id):
        errors.append(f"order.id: expected an id of {ID_RULE}, found {order_id!r}")
    for key in sorted(set(order) - STOP_KEYS):
        errors.append(f"order.{key}: unknown key; expected one of {', '.join(sorted(STOP_KEYS))}")
    try:
        problem_from_dict({"sites": list(sites), "stops": [order], "vehicles": []})
    except InvalidProblemError as e:
        errors += [_as_order(error) for error in e.errors]
    site_ids = {str(s["id"]) for s in sites}
    site = order.get("site")
    if isinstance(site, str) and site not in site_ids:
        known = ", ".join(sorted(site_ids)) or "none"
        errors.append(f"order.site: no depot or collection point {site!r}; known: {known}")
    allowed = order.get("vehicles")
    if isinstance(allowed, list):
        for vehicle in allowed:
            if isinstance(vehicle, str) and vehicle not in vehicles:
                known = ", ".join(sorted(vehicles)) or "none"
                errors.append(f"order.vehicles: no vehicle {vehicle!r}; known: {known}")
    if errors:
        raise Rejected(errors)


def parse_window(text: str, field: str) -> list[str]:
    """``"09:00-11:30"`` -> ``["09:00", "11:30"]``; raise Invalid naming ``field``."""
    parts = _WINDOW_SPLIT.split(text.strip())
    if len(parts) != 2:
        raise Invalid(
            [FieldError(field, f"expected a time range like 09:00-11:00, found {text!r}")]
        )
    minutes = []
    for part in parts:
        match = _CLOCK.match(part)
        if match is None or int(match[1]) > 24 or int(match[2]) > 59:
            raise Invalid([FieldError(field, f"expected a time like 09:00, found {part!r}")])
        minutes.append(int(match[1]) * 60 + int(match[2]))
    if minutes[1] > 24 * 60:
        raise Invalid([FieldError(field, f"ends after 24:00 ({parts[1]})")])
    if minutes[1] <= minutes[0]:
        raise Invalid([FieldError(field, f"ends at {parts[1]}, not after it starts at {parts[0]}")])
    return [_clock(m) for m in minutes]


def stop_of(config: Config, draft: OrderDraft, order_id: str) -> dict[str, Any]:
    """The order as the planner's stop (plus our keys); raise Invalid naming each bad field."""
    errors: list[FieldError] = []
    known_places = places(config)
    vehicles = config.vehicles
    location: list[float] | None = None
    if draft.place:
        place = known_places.get(draft.place)
        if place is None:
            known = ", ".join(sorted(known_places)) or "none"
            errors.append(
                FieldError(
                    "place", f"no field, depot or collection point {draft.place!r}; known: {known}"
                )
            )
        else:
            location = [place.lat, place.lon]
    elif draft.location is not None:
        lat, lon = draft.location
        if not -90 <= lat <= 90:
            errors.append(FieldError("location", f"latitude must be -90 to 90, found {lat:g}"))
        if not -180 <= lon <= 180:
            errors.append(FieldError("location", f"longitude must be -180 to 180, found {lon:g}"))
        location = [lat, lon]
    else:
        errors.append(FieldError("location", "give a place or a latitude and longitude"))
    windows = []
    for i, text in enumerate(draft.windows):
        try:
            windows.append(parse_window(text, f"windows[{i}]"))
        except Invalid as e:
            errors += e.errors
    allowed = list(dict.fromkeys(draft.vehicles)) if draft.vehicles else None
    for vehicle in allowed or ():
        if vehicle not in vehicles:
            known = ", ".join(sorted(vehicles)) or "none"
            errors.append(FieldError("vehicles", f"no vehicle {vehicle!r}; known: {known}"))
    carriers = [vehicles[v] for v in allowed or vehicles if v in vehicles]
    if carriers:
        biggest = max(carriers, key=lambda v: v.payload_kg)
        if draft.kg > biggest.payload_kg:
            errors.append(
                FieldError(
                    "kg",
                    f"{draft.kg:g} kg is more than any vehicle carries "
                    f"(largest: {biggest.name}, {biggest.payload_kg:g} kg)",
                )
            )
    site = draft.site or default_site(config, draft.kind)
    site_ids = set(config.site.depots) | set(config.site.collection_points)
    if site is not None and site not in site_ids:
        known = ", ".join(sorted(site_ids)) or "none"
        errors.append(FieldError("site", f"no depot or collection point {site!r}; known: {known}"))
    if draft.kind == "pickup" and site is None:
        errors.append(
            FieldError("site", "a pickup needs a depot or collection point for its goods")
        )
    if errors:
        raise Invalid(errors)
    stop: dict[str, Any] = {
        "id": order_id,
        "name": draft.name.strip(),
        "kind": draft.kind,
        "location": location,
        "kg": draft.kg,
        "service_s": round(draft.service_min * 60.0, 1),
        "windows": windows,
        "required": draft.required,
    }
    if not draft.required:
        stop["penalty"] = OPTIONAL_PENALTY
    if site is not None:
        stop["site"] = site
    if allowed:
        stop["vehicles"] = allowed
    try:
        check_order(stop, configured_sites(config), set(vehicles))
    except Rejected as e:
        raise Invalid([FieldError(_form_field(field_of(m)), m) for m in e.errors]) from None
    stop["source"] = "web"
    if draft.place:
        stop["place"] = draft.place
    if draft.notes.strip():
        stop["notes"] = draft.notes.strip()
    return stop


def draft_of(config: Config, order: Order) -> OrderDraft:
    """The form's values for an order (to edit it); a suggestion as it would be confirmed."""
    data = order.data if order.status != "suggested" else suggestion_stop(config, order)
    location = data.get("location") or [0.0, 0.0]
    return OrderDraft.model_construct(
        name=str(data.get("name") or order.id),
        kind="pickup" if data.get("kind") == "pickup" else "delivery",
        place=data.get("place"),
        location=None if data.get("place") else (float(location[0]), float(location[1])),
        kg=float(data.get("kg", 0.0)),
        windows=[f"{_clock_of(w[0])}-{_clock_of(w[1])}" for w in data.get("windows") or ()],
        service_min=round(float(data.get("service_s", 0.0)) / 60.0, 1),
        vehicles=data.get("vehicles"),
        required=bool(data.get("required", True)),
        site=data.get("site"),
        notes=str(data.get("notes", "")),
    )


def suggestion_stop(config: Config, order: Order) -> dict[str, Any]:
    """A forecaster's suggestion as a pickup stop: the field's centre to the first
    collection point, the expected quantity capped at what the biggest vehicle
    carries (the coordinator edits it; a harvest bigger than a cart is several trips)."""
    data = order.data
    field = str(data.get("field", ""))
    place = places(config).get(field)
    biggest = max((v.payload_kg for v in config.vehicles.values()), default=MAX_KG)
    kg = min(float(data.get("quantity_kg") or 0.0), biggest) or 1.0
    name = config.site.fields[field].name if field in config.site.fields else field
    stop: dict[str, Any] = {
        "id": order.id,
        "name": f"{name} harvest",
        "kind": "pickup",
        "location": [place.lat, place.lon] if place is not None else None,
        "kg": round(kg, 1),
        "service_s": HARVEST_SERVICE_S,
        "windows": [],
        "required": True,
        "source": "forecast",
        "suggestion": {k: v for k, v in data.items() if k not in STOP_KEYS},
    }
    if place is not None:
        stop["place"] = field
    site = default_site(config, "pickup")
    if site is not None:
        stop["site"] = site
    return stop


# -- storage --------------------------------------------------------------------------


def new_order_id(today: dt.date) -> str:
    return f"o-{today:%Y%m%d}-{secrets.token_hex(2)}"


def list_orders(
    storage: Storage, statuses: Sequence[str] | None = None, limit: int = 500
) -> list[Order]:
    """Newest first."""
    sql = "SELECT id, kind, status, data, created, updated FROM orders"
    args: list[Any] = []
    if statuses:
        sql += f" WHERE status IN ({', '.join('?' for _ in statuses)})"
        args += list(statuses)
    sql += " ORDER BY created DESC, id LIMIT ?"
    with storage.locked() as db:
        rows = db.conn.execute(sql, [*args, limit]).fetchall()
    return [_order(row) for row in rows]


def get_order(storage: Storage, order_id: str) -> Order:
    with storage.locked() as db:
        row = db.conn.execute(
            "SELECT id, kind, status, data, created, updated FROM orders WHERE id = ?", (order_id,)
        ).fetchone()
    if row is None:
        raise NotFound(f"no order {order_id!r}")
    return _order(row)


def create_order(
    storage: Storage,
    config: Config,
    draft: OrderDraft,
    *,
    actor: str,
    today: dt.date,
    source: str = "web",
) -> Order:
    order_id = new_order_id(today)
    stop = stop_of(config, draft, order_id)
    when = now_ms()
    with storage.transaction() as db:
        db.conn.execute(
            "INSERT INTO orders (id, kind, status, data, created, updated) "
            "VALUES (?, ?, 'new', ?, ?, ?)",
            (order_id, draft.kind, json.dumps(stop, sort_keys=True), when, when),
        )
    storage.record_event(
        "order",
        f"order {order_id} created: {draft.kind} {draft.kg:g} kg for {stop['name']}",
        source=source,
        actor=actor,
        data={"order": order_id, "action": "create"},
    )
    return get_order(storage, order_id)


def update_order(
    storage: Storage,
    config: Config,
    order_id: str,
    patch: OrderPatch,
    *,
    actor: str,
    source: str = "web",
) -> Order:
    """Edit an order still open to change; a suggestion edited is a suggestion
    confirmed (else the next forecast would overwrite the edit)."""
    order = get_order(storage, order_id)
    if order.status not in EDITABLE:
        raise Conflict(
            f"order {order_id} is {order.status}; "
            "only suggested, new or confirmed orders can be edited"
        )
    values = draft_of(config, order).model_dump()
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("place"):
        values["location"] = None
    if "location" in changes and changes["location"] is not None:
        values["place"] = None
    values.update(changes)
    draft = validated_draft(values)
    stop = stop_of(config, draft, order_id)
    status = "confirmed" if order.status == "suggested" else order.status
    if order.status == "suggested":
        stop["source"] = "forecast"
        stop["suggestion"] = suggestion_stop(config, order)["suggestion"]
    _write(storage, order, status, stop)
    storage.record_event(
        "order",
        f"order {order_id} edited ({', '.join(sorted(changes)) or 'no change'})",
        source=source,
        actor=actor,
        data={"order": order_id, "action": "edit", "fields": sorted(changes)},
    )
    return get_order(storage, order_id)


def confirm_order(
    storage: Storage, config: Config, order_id: str, *, actor: str, source: str = "web"
) -> Order:
    order = get_order(storage, order_id)
    if order.status == "confirmed":
        return order
    if order.status not in ("suggested", "new"):
        raise Conflict(
            f"order {order_id} is {order.status}; only suggested or new orders can be confirmed"
        )
    data = suggestion_stop(config, order) if order.status == "suggested" else order.data
    if data.get("location") is None:
        raise Conflict(f"order {order_id}: field {order.data.get('field')!r} is not configured")
    _write(storage, order, "confirmed", data)
    storage.record_event(
        "order",
        f"order {order_id} confirmed",
        source=source,
        actor=actor,
        data={"order": order_id, "action": "confirm"},
    )
    return get_order(storage, order_id)


def cancel_order(storage: Storage, order_id: str, *, actor: str, source: str = "web") -> Order:
    """A suggestion is rejected (the forecaster leaves it alone from then on);
    anything else still open is cancelled. A planned order's vehicle still has
    it in its mission until a new plan is dispatched."""
    order = get_order(storage, order_id)
    if order.status not in CANCELLABLE:
        raise Conflict(f"order {order_id} is {order.status}; it can no longer be cancelled")
    status = "rejected" if order.status == "suggested" else "cancelled"
    _write(storage, order, status, order.data)
    storage.record_event(
        "order",
        f"order {order_id} {status}",
        source=source,
        actor=actor,
        data={"order": order_id, "action": status},
    )
    return get_order(storage, order_id)


def mark_done(storage: Storage, order_id: str, *, actor: str, source: str = "web") -> Order:
    order = get_order(storage, order_id)
    if order.status == "done":
        return order
    if order.status != "planned":
        raise Conflict(
            f"order {order_id} is {order.status}; only planned orders can be marked done"
        )
    _write(storage, order, "done", order.data)
    storage.record_event(
        "order",
        f"order {order_id} done",
        source=source,
        actor=actor,
        data={"order": order_id, "action": "done"},
    )
    return get_order(storage, order_id)


@dataclass(frozen=True, slots=True)
class Stored:
    id: str
    status: str
    duplicate: bool


def store_order(storage: Storage, order: Mapping[str, Any]) -> Stored:
    """Store a stop-form order from a coordinators' system as ``new``. The same id
    with the same content is accepted again; with other content it is refused."""
    order_id = str(order["id"])
    data = json.dumps(order, sort_keys=True)
    kind = str(order.get("kind", "delivery"))
    with storage.transaction() as db:
        row = db.conn.execute(
            "SELECT data, status FROM orders WHERE id = ?", (order_id,)
        ).fetchone()
        if row is not None:
            if row[0] != data:
                raise Rejected(
                    [
                        f"order.id: order {order_id!r} exists with other content "
                        f"(status {row[1]}); use a new id"
                    ]
                )
            return Stored(order_id, str(row[1]), duplicate=True)
        when = now_ms()
        db.conn.execute(
            "INSERT INTO orders (id, kind, status, data, created, updated) "
            "VALUES (?, ?, 'new', ?, ?, ?)",
            (order_id, kind, data, when, when),
        )
    return Stored(order_id, "new", duplicate=False)


def validated_draft(values: Mapping[str, Any]) -> OrderDraft:
    try:
        return OrderDraft.model_validate(dict(values))
    except ValidationError as e:
        raise Invalid(
            [
                FieldError(_loc(err["loc"]), f"{_loc(err['loc'])}: {err['msg']}")
                for err in e.errors(include_url=False)
            ]
        ) from None


def _write(storage: Storage, order: Order, status: str, data: Mapping[str, Any]) -> None:
    with storage.transaction() as db:
        db.conn.execute(
            "UPDATE orders SET status = ?, kind = ?, data = ?, updated = ? WHERE id = ?",
            (
                status,
                str(data.get("kind", order.kind)),
                json.dumps(dict(data), sort_keys=True),
                now_ms(),
                order.id,
            ),
        )


def _order(row: Sequence[Any]) -> Order:
    try:
        data = json.loads(row[3])
    except ValueError:
        data = {}
    return Order(
        str(row[0]),
        str(row[1]),
        str(row[2]),
        data if isinstance(data, dict) else {},
        from_ms(int(row[4])),
        from_ms(int(row[5])),
    )


def _loc(loc: Sequence[Any]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "order"


def _form_field(planner_field: str) -> str:
    # The planner names its own keys; the form calls service time in minutes.
    return {"service_s": "service_min"}.get(planner_field, planner_field)


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _clock_of(value: Any) -> str:
    if isinstance(value, str):
        return value
    seconds = int(float(value))
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def _as_order(error: str) -> str:
    # The planner names the stop by its place in a problem file; here it is the order.
    return re.sub(r'^stops\[0\](?: "[^"]*")?', "order", error)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return type(value).__name__
