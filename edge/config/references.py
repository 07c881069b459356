"""Checks between tables: every name a table uses must be declared elsewhere.

They read the raw TOML data rather than validated models, so that a device
whose poll interval is wrong still has its bus checked: the operator sees every
issue in one run. A table that is present but malformed still counts as
declared, so one mistake is not reported twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from drivers.profile import Profile, ProfileError, available_profiles, load_profile
from edge.config.errors import Problem, did_you_mean, one_of
from edge.config.schema import LINE_BUS_TYPES, MODBUS_BUS_TYPES

_BUS_TYPES = MODBUS_BUS_TYPES | LINE_BUS_TYPES


@dataclass(frozen=True, slots=True)
class _DeviceLinks:
    profile: str | None
    bus: str | None
    has_unit: bool
    unit: int | None
    field: str | None
    vehicle: str | None

    @classmethod
    def read(cls, raw: Mapping[str, object]) -> _DeviceLinks:
        unit = raw.get("unit")
        return cls(
            profile=_text(raw, "profile"),
            bus=_text(raw, "bus"),
            has_unit="unit" in raw,
            unit=unit if type(unit) is int else None,
            field=_text(raw, "field"),
            vehicle=_text(raw, "vehicle"),
        )


def check_references(data: Mapping[str, object]) -> list[Problem]:
    """Every cross-reference problem in the parsed TOML ``data``."""
    fields = list(_table(data, "site", "fields"))
    depots = list(_table(data, "site", "depots"))
    vehicles = _table(data, "vehicles")
    buses = {bus_id: _bus_type(raw) for bus_id, raw in _table(data, "buses").items()}
    devices = {
        dev_id: _DeviceLinks.read(raw)
        for dev_id, raw in _table(data, "devices").items()
        if isinstance(raw, dict)
    }
    found: list[Problem] = []
    for vehicle_id, raw in vehicles.items():
        depot = _text(raw, "depot") if isinstance(raw, dict) else None
        if depot is not None and depot not in depots:
            found.append(
                _unknown(("vehicles", vehicle_id, "depot"), "depot", depot, depots, "[site.depots]")
            )
    catalog = _ProfileCatalog.open(_profile_dirs(data), found)
    for dev_id, links in devices.items():
        found.extend(_device_problems(dev_id, links, fields, vehicles, buses, catalog))
    found.extend(_unit_clashes(devices, buses))
    found.extend(_shared_line_buses(devices, buses))
    return found


def _device_problems(
    dev_id: str,
    links: _DeviceLinks,
    fields: list[str],
    vehicles: Mapping[str, object],
    buses: Mapping[str, str | None],
    catalog: _ProfileCatalog | None,
) -> list[Problem]:
    at = ("devices", dev_id)
    found: list[Problem] = []
    if links.field is not None and links.field not in fields:
        found.append(_unknown((*at, "field"), "field", links.field, fields, "[site.fields]"))
    if links.vehicle is not None and links.vehicle not in vehicles:
        found.append(_unknown((*at, "vehicle"), "vehicle", links.vehicle, vehicles, "[vehicles]"))
    if links.field is not None and links.vehicle is not None:
        found.append(
            Problem(
                (*at, "vehicle"),
                f"a device belongs to a field or to a vehicle, not both "
                f"(it also has field = {links.field!r})",
            )
        )
    bus_type: str | None = None
    if links.bus is not None:
        if links.bus in buses:
            bus_type = buses[links.bus]
        else:
            found.append(_unknown((*at, "bus"), "bus", links.bus, buses, "[buses]"))
    if bus_type in MODBUS_BUS_TYPES and not links.has_unit:
        found.append(
            Problem(
                at,
                f"missing required key 'unit' (the Modbus unit address, 1 to 247): "
                f"bus {links.bus!r} is {bus_type}",
            )
        )
    if bus_type in LINE_BUS_TYPES and links.has_unit:
        found.append(
            Problem(
                (*at, "unit"),
                f"not allowed here: bus {links.bus!r} is {bus_type}, whose devices have no unit",
            )
        )
    if catalog is not None and links.profile is not None:
        found.extend(catalog.check(at, links.profile, links.bus, bus_type))
    return found


def _unit_clashes(
    devices: Mapping[str, _DeviceLinks], buses: Mapping[str, str | None]
) -> list[Problem]:
    found: list[Problem] = []
    first_user: dict[tuple[str, int], str] = {}
    for dev_id, links in devices.items():
        if links.bus is None or links.unit is None or buses.get(links.bus) in LINE_BUS_TYPES:
            continue
        other = first_user.setdefault((links.bus, links.unit), dev_id)
        if other != dev_id:
            found.append(
                Problem(
                    ("devices", dev_id, "unit"),
                    f"unit {links.unit} on bus {links.bus!r} is already used by device {other!r}",
                )
            )
    return found


def _shared_line_buses(
    devices: Mapping[str, _DeviceLinks], buses: Mapping[str, str | None]
) -> list[Problem]:
    """A serial line carries one talker: two devices on it would read each other's lines."""
    found: list[Problem] = []
    first_user: dict[str, str] = {}
    for dev_id, links in devices.items():
        if links.bus is None or buses.get(links.bus) not in LINE_BUS_TYPES:
            continue
        other = first_user.setdefault(links.bus, dev_id)
        if other != dev_id:
            found.append(
                Problem(
                    ("devices", dev_id, "bus"),
                    f"bus {links.bus!r} is a serial line already used by device {other!r}; "
                    "a serial_lines bus carries exactly one device",
                )
            )
    return found


class _ProfileCatalog:
    """The available device profiles, each loaded at most once."""

    def __init__(self, paths: Mapping[str, Path]) -> None:
        self._paths = paths
        self._loaded: dict[str, Profile | ProfileError] = {}

    @classmethod
    def open(cls, dirs: list[tuple[int, Path]], found: list[Problem]) -> _ProfileCatalog | None:
        usable: list[Path] = []
        for position, directory in dirs:
            if directory.is_dir():
                usable.append(directory)
            else:
                found.append(
                    Problem(
                        ("profiles", "extra_dirs", position),
                        f"no directory {str(directory)!r} (relative paths start from {Path.cwd()})",
                    )
                )
        try:
            return cls(available_profiles(usable))
        except ProfileError as exc:
            found.append(Problem(("profiles", "extra_dirs"), _profile_error_text(exc)))
            return None

    def check(
        self, at: tuple[str, str], name: str, bus: str | None, bus_type: str | None
    ) -> list[Problem]:
        if name not in self._paths:
            return [
                _unknown((*at, "profile"), "profile", name, self._paths, "the profile directories")
            ]
        profile = self._load(name)
        if isinstance(profile, ProfileError):
            return [
                Problem(
                    (*at, "profile"),
                    f"profile {name!r} cannot be used: {_profile_error_text(profile)}",
                )
            ]
        protocol = str(profile.protocol)
        needs = MODBUS_BUS_TYPES if protocol == "modbus" else LINE_BUS_TYPES
        if bus_type is None or bus_type in needs:
            return []
        wanted = f"a bus of type {' or '.join(sorted(needs))}"
        return [
            Problem(
                (*at, "bus"),
                f"profile {name!r} speaks {protocol}, which needs {wanted}; "
                f"bus {bus!r} is {bus_type}",
            )
        ]

    def _load(self, name: str) -> Profile | ProfileError:
        if name not in self._loaded:
            try:
                self._loaded[name] = load_profile(self._paths[name])
            except ProfileError as exc:
                self._loaded[name] = exc
        return self._loaded[name]


def _profile_error_text(error: ProfileError) -> str:
    return "; ".join(f"{error.source}: {problem}" for problem in error.problems)


def _unknown(
    path: tuple[str | int, ...], noun: str, name: str, known: Iterable[str], where: str
) -> Problem:
    names = sorted(known)
    if not names:
        return Problem(path, f"no {noun} named {name!r}; none are declared in {where}")
    hint = did_you_mean(name, names)
    return Problem(path, f"no {noun} named {name!r}; {_plural(noun)} are: {one_of(names)}{hint}")


def _plural(noun: str) -> str:
    return noun + "es" if noun.endswith("s") else noun + "s"


def _profile_dirs(data: Mapping[str, object]) -> list[tuple[int, Path]]:
    raw = _table(data, "profiles").get("extra_dirs")
    if not isinstance(raw, list):
        return []
    return [(i, Path(entry)) for i, entry in enumerate(raw) if isinstance(entry, str) and entry]


def _bus_type(raw: object) -> str | None:
    kind = _text(raw, "type") if isinstance(raw, dict) else None
    return kind if kind in _BUS_TYPES else None


def _table(data: object, *keys: str) -> dict[str, object]:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else {}


def _text(raw: Mapping[str, object], key: str) -> str | None:
    value = raw.get(key)
    return value if isinstance(value, str) and value else None
