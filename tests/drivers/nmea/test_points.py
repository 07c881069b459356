"""nmea profiles: which fix value becomes which point, and the readings a fix gives."""

from __future__ import annotations

import datetime as dt
import textwrap
from pathlib import Path

import pytest

from drivers.nmea.fix import Fix, FixField
from drivers.nmea.points import NmeaPoint
from drivers.profile import ProfileError, Protocol, load_profile
from drivers.reading import Quality

HEADER = '[device]\nmanufacturer = "Acme"\nmodel = "G1"\nprotocol = "nmea"\n'
NOON = dt.time(12, 0, tzinfo=dt.UTC)


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "acme_g1.toml"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    return [f"{info.value.source}: {p}" for p in info.value.problems]


def test_the_shipped_gps_profile() -> None:
    profile = load_profile("nmea_gps")
    assert profile.protocol is Protocol.NMEA
    assert profile.points == ()
    units = {p.name: (p.source, p.unit) for p in profile.nmea_points}
    assert units["latitude"] == (FixField.LAT, "°")
    assert units["speed"] == (FixField.SPEED_MPS, "m/s")
    assert units["fix_quality"] == (FixField.QUALITY, "")


def test_points_name_a_fix_value_and_take_its_unit(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [points.lat]
        source = "lat"
        unit = "°"

        [points.kmh]
        source = "speed_kmh"
        """,
    )
    assert load_profile(path).nmea_points == (
        NmeaPoint("lat", FixField.LAT),
        NmeaPoint("kmh", FixField.SPEED_KMH),
    )


def test_every_problem_names_the_file_point_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [points.speed]
        source = "speed"

        [points.alt]
        source = "alt"
        unit = "ft"

        [points.Heading]
        source = "heading"
        function = "holding"

        [points.none]
        unit = "m"
        """,
    )
    assert problems(path) == [
        f"{path}: points.speed.source: expected one of lat, lon, alt, speed_mps, speed_kmh, "
        "course, quality, mode, satellites, hdop, pdop, vdop, heading, found 'speed'",
        f"{path}: points.alt.unit: source alt is in 'm', found 'ft'",
        f"{path}: points.Heading: point names are lower case letters, digits and _ "
        "starting with a letter, found 'Heading'",
        f"{path}: points.Heading.function: unknown key; expected one of description, source, unit",
        f"{path}: points.none.source: required key is missing",
    ]


def test_an_ascii_table_is_refused_in_an_nmea_profile(tmp_path: Path) -> None:
    path = write(tmp_path, '[ascii]\nformat = "regex"\n')
    assert problems(path) == [f"{path}: ascii: only for protocol ascii, not nmea"]


FIX = Fix(NOON, dt.date(2024, 5, 1), lat=35.5, lon=139.25, alt=12.0, quality=1, satellites=7)
NO_FIX = Fix(NOON, None, quality=0, satellites=0, heading=90.0)


@pytest.mark.parametrize(
    ("source", "fix", "expected"),
    [
        (FixField.LAT, FIX, (35.5, Quality.GOOD)),
        (FixField.ALT, FIX, (12.0, Quality.GOOD)),
        (FixField.SATELLITES, FIX, (7.0, Quality.GOOD)),
        (FixField.SPEED_MPS, FIX, None),  # the epoch had no RMC or VTG
        (FixField.MODE, FIX, None),  # nor a GSA
        (FixField.LAT, NO_FIX, (None, Quality.INVALID)),
        (FixField.SPEED_KMH, NO_FIX, (None, Quality.INVALID)),
        (FixField.QUALITY, NO_FIX, (0.0, Quality.GOOD)),
        (FixField.HEADING, NO_FIX, (90.0, Quality.GOOD)),
    ],
)
def test_reading_a_fix(
    source: FixField, fix: Fix, expected: tuple[float | None, Quality] | None
) -> None:
    assert NmeaPoint("p", source).read(fix) == expected


def test_speed_in_kmh() -> None:
    fix = Fix(NOON, None, lat=1.0, lon=2.0, speed_mps=10.0)
    read = NmeaPoint("p", FixField.SPEED_KMH).read(fix)
    assert read is not None
    assert read[0] == pytest.approx(36.0)
    assert read[1] is Quality.GOOD
