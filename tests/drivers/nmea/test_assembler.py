"""Combining the sentences of an epoch into one fix."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from drivers.nmea.assembler import FixAssembler
from drivers.nmea.fix import KNOT_MPS, Fix
from drivers.nmea.messages import Message, decode_message
from drivers.nmea.sentence import Sentence

UTC = dt.UTC


def message(text: str) -> Message:
    address, *fields = text.split(",")
    return decode_message(Sentence(address[:2], address[2:], tuple(fields)))


def assemble(*texts: str) -> tuple[list[Fix], FixAssembler]:
    assembler = FixAssembler()
    out = [f for t in texts if (f := assembler.add(message(t))) is not None]
    last = assembler.flush()
    return out + ([last] if last else []), assembler


GGA_1 = "GPGGA,143748.77,4806.3731,N,00138.6217,W,1,10,1.1,42.2,M,48.5,M,,"
RMC_1 = "GPRMC,143748.77,A,4806.3731,N,00138.6217,W,1.00,266.5,121007,2.6,W,A"
GSA = "GPGSA,A,3,05,06,07,10,16,21,23,24,30,31,,,1.7,1.1,1.2"
GGA_2 = "GPGGA,143749.77,4806.3800,N,00138.6217,W,1,9,1.2,42.3,M,48.5,M,,"


def test_sentences_of_one_time_make_one_fix_completed_by_the_next_time() -> None:
    assembler = FixAssembler()
    assert assembler.add(message(GSA)) is None
    assert assembler.add(message(RMC_1)) is None
    assert assembler.add(message(GGA_1)) is None
    fix = assembler.add(message(GGA_2))
    assert fix is not None
    assert fix.lat == pytest.approx(48.106218333, abs=1e-9)
    assert fix.lon == pytest.approx(-1.643695, abs=1e-9)
    assert fix.speed_mps == pytest.approx(KNOT_MPS)
    assert replace(fix, lat=None, lon=None, speed_mps=None) == Fix(
        time_of_day=dt.time(14, 37, 48, 770000, tzinfo=UTC),
        date=dt.date(2007, 10, 12),
        alt=42.2,
        quality=1,
        mode=3,
        satellites=10,
        hdop=1.1,
        pdop=1.7,
        vdop=1.2,
        course=266.5,
    )
    assert fix is not None
    assert fix.time == dt.datetime(2007, 10, 12, 14, 37, 48, 770000, tzinfo=UTC)
    assert fix.speed_kmh == pytest.approx(1.852)
    second = assembler.flush()
    assert second is not None
    assert second.date == dt.date(2007, 10, 12)  # carried from the epoch before
    assert second.lat == pytest.approx(48.10633333, abs=1e-8)
    assert second.mode is None  # no GSA in that epoch: nothing is carried over
    assert (assembler.fixes, assembler.without_position) == (2, 0)


def test_an_invalid_rmc_never_gives_a_position_or_a_date() -> None:
    fixes, assembler = assemble(
        "GPRMC,095258.809,V,2712.6404,S,15303.1201,E,0.00,0.00,080407,,,A",
        "GPVTG,0.00,T,,,0.00,N,0.00,K,A",
        "GPGGA,095258.809,2712.6404,S,15303.1201,E,0,00,00.0,4.0,M,42.2,M,,",
    )
    (fix,) = fixes
    assert not fix.has_position
    assert (fix.lat, fix.alt, fix.speed_mps, fix.course, fix.date) == (None,) * 5
    assert (fix.quality, fix.satellites) == (0, 0)
    assert (assembler.fixes, assembler.without_position) == (0, 1)


def test_a_valid_gga_gives_the_position_when_rmc_says_void() -> None:
    (fix,), _ = assemble(
        "GPRMC,143748.77,V,4806.3731,N,00138.6217,W,0.00,266.5,121007,2.6,W,A", GGA_1
    )
    assert fix.has_position
    assert fix.alt == 42.2
    assert fix.date is None  # the only date came with a void RMC


def test_zda_dates_the_epoch() -> None:
    (fix,), _ = assemble(GGA_1, "GPZDA,143748.77,12,10,2007,,")
    assert fix.time == dt.datetime(2007, 10, 12, 14, 37, 48, 770000, tzinfo=UTC)


def test_the_date_rolls_over_at_midnight_for_epochs_without_their_own() -> None:
    fixes, _ = assemble(
        "GPRMC,235959.00,A,4806.3731,N,00138.6217,W,0.00,266.5,311207,,,A",
        "GPGGA,000000.00,4806.3731,N,00138.6217,W,1,10,1.1,42.2,M,48.5,M,,",
        "GPGGA,000001.00,4806.3731,N,00138.6217,W,1,10,1.1,42.2,M,48.5,M,,",
    )
    assert [f.date for f in fixes] == [
        dt.date(2007, 12, 31),
        dt.date(2008, 1, 1),
        dt.date(2008, 1, 1),
    ]


def test_gsa_per_constellation_counts_satellites_by_talker() -> None:
    (fix,), _ = assemble(
        "GNRMC,081411.000,A,5541.1955,N,03737.2872,E,0.60,301.29,260514,,,A",
        "GPGSA,A,3,03,19,27,,,,,,,,,,2.75,2.56,1.00",
        "GLGSA,A,3,03,88,,,,,,,,,,,2.75,2.56,1.00",
    )
    assert fix.satellites == 5  # GPS 3 and GLONASS 3 are different satellites
    assert fix.quality is None  # no GGA
    assert fix.hdop == 2.56


def test_gga_satellite_count_wins_over_gsa() -> None:
    (fix,), _ = assemble(GGA_1, "GPGSA,A,3,05,06,,,,,,,,,,,1.7,1.1,1.2")
    assert fix.satellites == 10


def test_vtg_speed_in_kmh_only_and_hdt_heading() -> None:
    (fix,), _ = assemble(GGA_1, "GPVTG,90.0,T,,,,N,36.0,K,A", "HEHDT,274.07,T")
    assert fix.speed_mps == pytest.approx(10.0)
    assert fix.course == 90.0
    assert fix.heading == 274.07


def test_an_epoch_that_never_had_a_time_is_dropped() -> None:
    fixes, assembler = assemble(GSA, "GPVTG,90.0,T,,,,N,36.0,K,A")
    assert fixes == []
    assert (assembler.fixes, assembler.without_position) == (0, 0)


def test_gll_and_gns_give_positions_too() -> None:
    (gll,), _ = assemble("GPGLL,4916.45,N,12311.12,W,225444,A,A")
    (gns,), _ = assemble("GNGNS,112257.00,3844.24011,N,00908.43828,W,DN,10,0.83,111.1,45.6,,")
    assert gll.lat == pytest.approx(49.274166667)
    assert gll.alt is None
    assert gns.quality == 2
    assert gns.alt == 111.1
    assert gns.satellites == 10
