"""Each sentence type: typed values, validity, and the field damage it refuses."""

from __future__ import annotations

import datetime as dt

import pytest

from drivers.nmea.messages import (
    GGA,
    GLL,
    GNS,
    GSA,
    GSV,
    HDT,
    RMC,
    VTG,
    ZDA,
    FieldError,
    Message,
    SatelliteInView,
    decode_message,
)
from drivers.nmea.sentence import Sentence


def decode(text: str) -> Message:
    address, *fields = text.split(",")
    return decode_message(Sentence(address[:2], address[2:], tuple(fields)))


def refused(text: str, match: str) -> None:
    with pytest.raises(FieldError, match=match):
        decode(text)


UTC = dt.UTC


def test_gga_with_a_fix() -> None:
    m = decode("GPGGA,150119.000,5104.0859,N,11405.7387,W,2,8,0.94,1102.4,M,-17.5,M,,")
    assert isinstance(m, GGA)
    assert m.valid
    assert m.time == dt.time(15, 1, 19, tzinfo=UTC)
    assert m.lat == pytest.approx(51.068098333, abs=1e-9)
    assert m.lon == pytest.approx(-114.095645, abs=1e-9)
    assert (m.quality, m.satellites, m.hdop, m.altitude) == (2, 8, 0.94, 1102.4)
    assert m.geoid_separation == -17.5


def test_gga_without_a_fix_is_valid_data_but_no_position() -> None:
    m = decode("GPGGA,081420.000,,,,,0,0,,,M,,M,,")
    assert isinstance(m, GGA)
    assert not m.valid
    assert m.lat is None


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("GPGGA,081420.000,,,,,9,0,,,M,,M,,", "quality: expected 0..8"),
        ("GPGGA,081420.000,,,,,,0,,,M,,M,,", "quality: required"),
        ("GPGGA,081420.000,,,,,1,5,1.0,12.0,M,,M,,", "valid fix without a position"),
        ("GPGGA,081420.000,5104.0859,N,,,1,5,1.0,1,M,,M,,", "both be given"),
        ("GPGGA,081420.000,5104.0859,N,11405.7387,W,1,5,1.0,12.0,F,,M,,", "unit: expected M"),
        ("GPGGA,081420.000,5104.0859,N,11405.7387,W,1,5,1.0,12.0,M,,M", "14 fields, found 12"),
        ("GPGGA,081420.000,5104.0859,N,11405.7387,W,1,x,1.0,12.0,M,,M,,", "satellites"),
    ],
)
def test_gga_damage(text: str, match: str) -> None:
    refused(text, match)


def test_rmc_in_every_field_count_the_versions_use() -> None:
    old = decode("GPRMC,095304.802,A,2712.6520,S,15303.1397,E,0.00,133.96,080407,,")
    v23 = decode("GPRMC,095304.802,A,2712.6520,S,15303.1397,E,0.00,133.96,080407,,,A")
    v41 = decode("GNRMC,095304.802,A,2712.6520,S,15303.1397,E,0.00,133.96,080407,,,A,V")
    for m in (old, v23, v41):
        assert isinstance(m, RMC)
        assert m.valid
        assert m.date == dt.date(2007, 4, 8)
        assert m.course == 133.96
        assert m.lat == pytest.approx(-27.210866667, abs=1e-9)


def test_rmc_is_invalid_on_status_v_or_mode_n() -> None:
    v = decode("GPRMC,095255.810,V,2712.6404,S,15303.1201,E,0.00,0.00,080407,,,A")
    n = decode("GNRMC,081420.000,A,,,,,0.00,340.16,260514,,,N")
    assert isinstance(v, RMC)
    assert isinstance(n, RMC)
    assert not v.valid
    assert not n.valid
    assert v.lat is not None  # still sent (a stale position), never used by the fix


def test_rmc_damage() -> None:
    refused("GPRMC,095304.802,X,2712.6520,S,15303.1397,E,0.00,133.96,080407,,,A", "status")
    refused("GPRMC,095304.802,A,2712.6520,S,15303.1397,E,0.00,133.96,080407,,,Q", "mode")
    refused("GPRMC,095304.802,A,2712.6520,S,15303.1397,E,0.00,400,080407,,,A", "course")
    refused("GPRMC,095304.802,A,2712.6520,S,15303.1397,E,0.00,13,320407,,,A", "not a date")
    refused("GPRMC,095304.802,A,,,,,0.00,13,080407,,,A", "valid fix without a position")


def test_vtg_new_and_old() -> None:
    m = decode("GPVTG,133.96,T,,,1.93,N,3.57,K,A")
    old = decode("GPVTG,054.7,T,034.4,M,005.5,N,010.2,K")
    assert m == VTG("GP", 133.96, 1.93, 3.57, True)
    assert old == VTG("GP", 54.7, 5.5, 10.2, True)
    n = decode("GPVTG,,T,,,,N,,K,N")
    assert isinstance(n, VTG)
    assert not n.valid
    refused("GPVTG,133.96,M,,,1.93,N,3.57,K,A", "field 2: expected T")


def test_gsa_lists_satellites_and_dops() -> None:
    m = decode("GNGSA,A,3,03,19,27,13,,,,,,,,,2.75,2.56,1.00")
    assert m == GSA("GN", 3, (3, 19, 27, 13), 2.75, 2.56, 1.0)
    with_system = decode("GNGSA,A,3,03,19,27,13,,,,,,,,,2.75,2.56,1.00,1")
    assert isinstance(with_system, GSA)
    assert with_system.mode == 3
    refused("GPGSA,A,4,,,,,,,,,,,,,,,", "mode: expected 1..3")
    refused("GPGSA,A,,,,,,,,,,,,,,,,", "mode: required")
    refused("GPGSA,A,3,01,02", "17 or 18 fields")


def test_gsv_satellites_in_view() -> None:
    m = decode("GPGSV,3,1,12,2,15,123,,5,45,347,45,6,58,198,,7,45,212,")
    assert isinstance(m, GSV)
    assert (m.messages, m.number, m.in_view) == (3, 1, 12)
    assert m.satellites[:2] == (
        SatelliteInView(2, 15, 123, None),
        SatelliteInView(5, 45, 347, 45),
    )
    last = decode("GLGSV,3,3,10,71,06,339,,81,03,117,27")
    assert isinstance(last, GSV)
    assert len(last.satellites) == 2
    padded = decode("GPGSV,3,3,10,71,06,339,,,,,,,,,")
    assert isinstance(padded, GSV)
    assert len(padded.satellites) == 1


def test_gsv_damage() -> None:
    # The satellite the bad-checksum GSV of com-1289 lost, had its checksum been right.
    refused("GPGSV,3,3,11,24,51,098,,110,50,31,60,230,46", "fields")
    refused("GPGSV,3,4,11,24,51,098,55", "message 4 of 3")
    refused("GPGSV,3,1,11,,51,098,55", "without its satellite number")
    refused("GPGSV,3,1,11,24,91,098,55", "elevation")


def test_gll_old_and_new() -> None:
    m = decode("GPGLL,4916.45,N,12311.12,W,225444,A,A")
    old = decode("GPGLL,4916.45,N,12311.12,W,225444,A")
    assert m == old
    assert isinstance(m, GLL)
    assert m.valid
    assert m.lat == pytest.approx(49.274166667)
    assert m.time == dt.time(22, 54, 44, tzinfo=UTC)
    invalid = decode("GPGLL,,,,,225444,V,N")
    assert isinstance(invalid, GLL)
    assert not invalid.valid


def test_gns_modes_per_system() -> None:
    m = decode("GNGNS,112257.00,3844.24011,N,00908.43828,W,AN,10,0.83,111.1,45.6,,,V")
    assert isinstance(m, GNS)
    assert m.valid
    assert m.quality == 1
    assert (m.satellites, m.hdop, m.altitude) == (10, 0.83, 111.1)
    rtk = decode("GNGNS,112257.00,3844.24011,N,00908.43828,W,NR,10,0.83,111.1,45.6,,")
    assert isinstance(rtk, GNS)
    assert rtk.quality == 4
    none = decode("GNGNS,112257.00,,,,,NN,00,,,,,")
    assert isinstance(none, GNS)
    assert not none.valid
    assert none.quality == 0
    refused("GNGNS,112257.00,,,,,NX,00,,,,,", "GNS mode")
    refused("GNGNS,112257.00,,,,,,00,,,,,", "GNS mode")


def test_zda_gives_the_date() -> None:
    assert decode("GPZDA,081411.000,26,05,2014,,") == ZDA(
        "GP", dt.time(8, 14, 11, tzinfo=UTC), dt.date(2014, 5, 26)
    )
    assert decode("GPZDA,081411.000,,,,,") == ZDA("GP", dt.time(8, 14, 11, tzinfo=UTC), None)
    refused("GPZDA,081411.000,30,02,2014,,", "not a date")
    refused("GPZDA,081411.000,26,,2014,,", "all be given")


def test_hdt_heading() -> None:
    assert decode("HEHDT,274.07,T") == HDT("HE", 274.07)
    assert decode("GPHDT,,T") == HDT("GP", None)
    refused("HEHDT,361,T", "heading")
    refused("HEHDT,274.07,M", "expected T")
