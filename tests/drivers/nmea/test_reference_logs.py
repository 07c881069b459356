"""Four real receiver logs decode to the fixes gpsd decoded from them.

gpsd prints a TPV report after many sentences, each with what it knew so far;
the last TPV of a time is the complete one, so that is what a fix is compared
with. Compared: time, latitude and longitude (1e-6 degrees), altitude above
mean sea level (0.1 m), fix mode, and speed and course where both sides have
them. Not compared, because gpsd derives them and this decoder does not: error
estimates (eph, epv, ept...), climb, magnetic track, geoid separation from its
own geoid model, and speed on epochs without RMC/VTG (gpsd computes one from
successive positions).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drivers.nmea.counts import Ignored, Rejected
from drivers.nmea.fix import Fix
from drivers.nmea.recording import Recording, decode_recording

DATA = Path(__file__).parent / "data"
LOGS = ("haicom-305N.log", "bu353-glonass.log", "quectel-L70.log", "com-1289.log")

MODE_DIFFERS = {
    # The receiver's GSA says 2 (a 2D fix); this newer gpsd reports 3 because the
    # GGA of the epoch carries an altitude. The fix reports what the receiver said.
    ("haicom-305N.log", "2007-04-08T09:53:07.801Z"),
}


@dataclass(frozen=True)
class Expected:
    accepted: dict[str, int]
    ignored: dict[Ignored, int]
    rejected: dict[Rejected, int]
    positions: int
    without_position: int


# What is visibly in each log (counted with grep, see data/README.md).
EXPECTED = {
    "haicom-305N.log": Expected(
        {"GGA": 73, "GSA": 26, "GSV": 79, "RMC": 74, "VTG": 73},
        {Ignored.COMMENT: 10},
        {},
        positions=68,
        without_position=6,
    ),
    "bu353-glonass.log": Expected(
        {"GGA": 18, "GSA": 38, "GSV": 18, "RMC": 19, "ZDA": 19},
        {Ignored.COMMENT: 9},
        {},
        positions=9,
        without_position=10,
    ),
    "quectel-L70.log": Expected(
        {"GGA": 16, "GSA": 16, "GSV": 12, "RMC": 16, "ZDA": 15},
        # PMTK001 x6, PMTK705, PQVERNO; GRS and GST x16 each.
        {Ignored.COMMENT: 12, Ignored.PROPRIETARY: 8, Ignored.UNSUPPORTED: 32},
        {},
        positions=16,
        without_position=0,
    ),
    "com-1289.log": Expected(
        {"GGA": 14, "GSA": 14, "GSV": 41, "RMC": 14},
        {Ignored.COMMENT: 10, Ignored.PROPRIETARY: 14},
        # $GPGSV,3,3,11,24,51,098,,110,50,31,60,230,46*4B: a satellite lost its
        # fields in transit, and the checksum says so.
        {Rejected.BAD_CHECKSUM: 1},
        positions=14,
        without_position=0,
    ),
}


def decode(name: str) -> Recording:
    return decode_recording((DATA / name).read_bytes())


def gpsd_fixes(name: str) -> tuple[dict[dt.datetime, dict[str, Any]], list[dict[str, Any]]]:
    """gpsd's TPVs with a position: the last one of each time, and those without a time."""
    timed: dict[dt.datetime, dict[str, Any]] = {}
    untimed: list[dict[str, Any]] = []
    for line in (DATA / f"{name}.chk").read_text(encoding="ascii").splitlines():
        if not line.startswith("{"):
            continue
        report = json.loads(line)
        if report["class"] != "TPV" or report.get("mode", 0) < 2 or "lat" not in report:
            continue
        if "time" in report:
            timed[dt.datetime.fromisoformat(report["time"])] = report
        else:
            untimed.append(report)
    return timed, untimed


def gpsd_times_without_fix(name: str) -> set[dt.datetime]:
    times = set()
    for line in (DATA / f"{name}.chk").read_text(encoding="ascii").splitlines():
        if line.startswith("{"):
            report = json.loads(line)
            if report["class"] == "TPV" and report.get("mode") == 1 and "time" in report:
                times.add(dt.datetime.fromisoformat(report["time"]))
    return times


def same_position(fix: Fix, report: dict[str, Any]) -> bool:
    assert fix.lat is not None
    assert fix.lon is not None
    lat: float = report["lat"]
    lon: float = report["lon"]
    return abs(fix.lat - lat) <= 1e-6 and abs(fix.lon - lon) <= 1e-6


def check_against(name: str, fix: Fix, report: dict[str, Any]) -> list[str]:
    where = report.get("time", "untimed")
    problems = []
    if not same_position(fix, report):
        problems.append(
            f"{where}: position {fix.lat}, {fix.lon} vs {report['lat']}, {report['lon']}"
        )
    if "altMSL" in report and (fix.alt is None or abs(fix.alt - report["altMSL"]) > 0.1):
        problems.append(f"{where}: altitude {fix.alt} vs {report['altMSL']}")
    if fix.mode is not None and fix.mode != report["mode"] and (name, where) not in MODE_DIFFERS:
        problems.append(f"{where}: mode {fix.mode} vs {report['mode']}")
    if "track" in report and fix.course is not None and abs(fix.course - report["track"]) > 1e-3:
        problems.append(f"{where}: course {fix.course} vs {report['track']}")
    if (
        "track" in report  # gpsd's speed is the receiver's only where it had RMC or VTG
        and fix.speed_mps is not None
        and abs(fix.speed_mps - report["speed"]) > 1e-3
    ):
        problems.append(f"{where}: speed {fix.speed_mps} vs {report['speed']}")
    return problems


@pytest.mark.parametrize("name", LOGS)
def test_every_gpsd_fix_has_the_same_fix_here(name: str) -> None:
    positions = decode(name).positions
    by_time = {f.time: f for f in positions}
    timed, untimed = gpsd_fixes(name)
    assert timed, "the oracle has fixes"

    problems = []
    for time, report in timed.items():
        fix = by_time.get(time)
        if fix is None:
            problems.append(f"{report['time']}: no fix decoded")
        else:
            problems.extend(check_against(name, fix, report))
    for report in untimed:
        # gpsd reported this epoch before it trusted the date: match by position.
        matches = [f for f in positions if same_position(f, report)]
        if len(matches) != 1:
            problems.append(f"untimed {report['lat']}, {report['lon']}: {len(matches)} matches")
        else:
            problems.extend(check_against(name, matches[0], report))
    assert problems == []


@pytest.mark.parametrize("name", LOGS)
def test_no_fix_is_decoded_that_gpsd_did_not_report(name: str) -> None:
    positions = decode(name).positions
    timed, untimed = gpsd_fixes(name)
    extra = [
        f
        for f in positions
        if f.time not in timed and not any(same_position(f, r) for r in untimed)
    ]
    assert extra == []


@pytest.mark.parametrize("name", LOGS)
def test_epochs_gpsd_saw_without_a_fix_have_no_position(name: str) -> None:
    recording = decode(name)
    without = {f.time for f in recording.fixes if not f.has_position}
    assert gpsd_times_without_fix(name) <= without
    assert all(f.alt is None and f.speed_mps is None for f in recording.fixes if not f.has_position)


@pytest.mark.parametrize("name", LOGS)
def test_counts_match_what_is_in_the_log(name: str) -> None:
    recording = decode(name)
    expected = EXPECTED[name]
    counts = recording.counts
    assert dict(counts.accepted) == expected.accepted
    assert dict(counts.ignored) == expected.ignored
    assert dict(counts.rejected) == expected.rejected
    assert len(recording.positions) == expected.positions
    assert len(recording.fixes) - len(recording.positions) == expected.without_position


def test_the_mode_exception_is_what_the_receiver_sent() -> None:
    # Guards MODE_DIFFERS: the epoch's own GSA really says 2D.
    log = (DATA / "haicom-305N.log").read_text(encoding="ascii")
    epoch = log.split("$GPGGA,095307.801,")[1].split("$GPGGA,")[0]
    assert "$GPGSA,A,2," in epoch
    time = dt.time(9, 53, 7, 801000, tzinfo=dt.UTC)
    (fix,) = [f for f in decode("haicom-305N.log").fixes if f.time_of_day == time]
    assert fix.mode == 2


def test_every_position_has_a_full_utc_time() -> None:
    for name in LOGS:
        assert all(f.time is not None for f in decode(name).positions), name
