"""The simulated receiver's sentences, parsed by pynmea2 (an independent NMEA parser)."""

from __future__ import annotations

import datetime as dt

import pynmea2
import pytest

from sim.nmea_out import Fix, checksum, fix_sentences, gga, gsa, mission_ack, progress, rmc, vtg

TS = dt.datetime(2026, 7, 1, 3, 4, 5, 670000, tzinfo=dt.UTC).timestamp()
FIX = Fix(
    ts=TS, lat=33.5705, lon=133.5205, altitude_m=160.4, speed_ms=1.5, course_deg=123.45,
    satellites=9, hdop=0.9, prns=(2, 5, 8, 11, 14, 17, 20, 23, 26), valid=True,
)  # fmt: skip
LOST = Fix(TS, 0.0, 0.0, 0.0, 0.0, 0.0, 0, 0.9, (), valid=False)


def parse(text: str) -> pynmea2.NMEASentence:
    assert text.endswith("\r\n")
    return pynmea2.parse(text.strip(), check=True)


def test_gga_carries_position_time_altitude_and_fix_quality() -> None:
    m = parse(gga(FIX))
    assert m.latitude == pytest.approx(33.5705, abs=1e-7)
    assert m.longitude == pytest.approx(133.5205, abs=1e-7)
    assert m.timestamp == dt.time(3, 4, 5, 670000, tzinfo=dt.UTC)
    assert (m.gps_qual, m.num_sats, float(m.horizontal_dil)) == (1, "09", 0.9)
    assert float(m.altitude) == pytest.approx(160.4)


def test_rmc_and_vtg_carry_speed_course_and_date() -> None:
    r = parse(rmc(FIX))
    assert r.status == "A"
    assert r.datestamp == dt.date(2026, 7, 1)
    assert r.spd_over_grnd == pytest.approx(1.5 / 0.514444, abs=1e-3)
    assert r.true_course == pytest.approx(123.45)
    v = parse(vtg(FIX))
    assert float(v.spd_over_grnd_kmph) == pytest.approx(5.4)
    assert float(v.true_track) == pytest.approx(123.45)


def test_gsa_lists_the_satellites_and_dops() -> None:
    m = parse(gsa(FIX))
    assert m.mode_fix_type == "3"
    assert m.sv_id01 == "02"
    assert float(m.hdop) == pytest.approx(0.9)


def test_without_a_fix_the_receiver_still_talks_but_says_so() -> None:
    assert parse(gga(LOST)).gps_qual == 0
    assert parse(gga(LOST)).latitude == 0.0  # empty fields
    assert parse(rmc(LOST)).status == "V"
    assert parse(gsa(LOST)).mode_fix_type == "1"
    assert parse(vtg(LOST)).true_track is None


def test_southern_and_western_positions_are_signed() -> None:
    m = parse(gga(Fix(TS, -31.4, -64.18, 0.0, 0.0, 0.0, 8, 1.0, (1,), True)))
    assert m.latitude == pytest.approx(-31.4)
    assert m.longitude == pytest.approx(-64.18)


def test_kakashi_sentences_are_valid_proprietary_nmea_within_128_bytes() -> None:
    ack = mission_ack("2026-07-01/cart-1/3", None)
    assert ack == f"$PKKSA,2026-07-01/cart-1/3,OK,*{checksum('PKKSA,2026-07-01/cart-1/3,OK,')}\r\n"
    refused = mission_ack("x" * 64, "stops[0]: unloads 5 kg; 0 kg aboard, $*, and more " * 5)
    report = progress(
        "cart-" + "1" * 40, "m" * 64, "serviced", 12, "s" * 40, -33.123456, -133.123456, 0.5, 250
    )
    for text in (ack, refused, report):
        assert len(text.strip()) <= 128
        body, _, check = text.strip()[1:].partition("*")
        assert checksum(body) == check
        assert body.count("$") == 0
    assert refused.split(",")[2] == "ERR"


def test_an_epoch_is_gga_gsa_rmc_vtg() -> None:
    assert [s[3:6] for s in fix_sentences(FIX)] == ["GGA", "GSA", "RMC", "VTG"]
