"""Typed field values and the damage they refuse."""

from __future__ import annotations

import datetime as dt

import pytest

from drivers.nmea import fields as f


def test_latitude_and_longitude_in_degrees_signed_by_hemisphere() -> None:
    assert f.latitude("4806.3731", "N") == pytest.approx(48.106218333, abs=1e-9)
    assert f.latitude("2712.6404", "S") == pytest.approx(-27.210673333, abs=1e-9)
    assert f.longitude("00138.6217", "W") == pytest.approx(-1.643695, abs=1e-9)
    assert f.longitude("15303.1201", "E") == pytest.approx(153.052001667, abs=1e-9)
    assert f.latitude("0000.0000", "N") == 0.0
    assert f.longitude("18000", "W") == -180.0


def test_empty_position_is_none() -> None:
    assert f.latitude("", "") is None


@pytest.mark.parametrize(
    ("value", "hemisphere", "message"),
    [
        ("4806.3731", "", "hemisphere"),
        ("4806.3731", "E", "hemisphere"),
        ("", "N", "ddmm"),
        ("48x6.3731", "N", "ddmm"),
        ("4860.0000", "N", "minutes"),
        ("9100.0000", "N", "at most 90"),
        ("4806.37e1", "N", "ddmm"),
        ("-4806.3731", "N", "ddmm"),
        ("nan", "N", "ddmm"),
    ],
)
def test_bad_latitudes_name_the_problem(value: str, hemisphere: str, message: str) -> None:
    with pytest.raises(f.FieldError, match=message):
        f.latitude(value, hemisphere)


def test_longitude_beyond_180_is_refused() -> None:
    with pytest.raises(f.FieldError, match="at most 180"):
        f.longitude("18000.0001", "E")


def test_time_keeps_fractions_exactly() -> None:
    assert f.utc_time("095304.802") == dt.time(9, 53, 4, 802000, tzinfo=dt.UTC)
    assert f.utc_time("143748.77") == dt.time(14, 37, 48, 770000, tzinfo=dt.UTC)
    assert f.utc_time("000000") == dt.time(0, 0, 0, tzinfo=dt.UTC)
    assert f.utc_time("235959.1234567") == dt.time(23, 59, 59, 123456, tzinfo=dt.UTC)
    assert f.utc_time("") is None


@pytest.mark.parametrize("value", ["240000", "126000", "1200", "12:00:00", "115960.00"])
def test_impossible_times_are_refused(value: str) -> None:
    with pytest.raises(f.FieldError, match="time"):
        f.utc_time(value)


def test_two_digit_years() -> None:
    assert f.ddmmyy("121007") == dt.date(2007, 10, 12)
    assert f.ddmmyy("060180") == dt.date(1980, 1, 6)
    assert f.ddmmyy("311279") == dt.date(2079, 12, 31)
    with pytest.raises(f.FieldError, match="not a date"):
        f.ddmmyy("310207")


@pytest.mark.parametrize("value", ["1e5", "inf", "nan", "1_0", "0x10", " 1", "1.2.3"])
def test_only_plain_decimals_are_numbers(value: str) -> None:
    with pytest.raises(f.FieldError, match="decimal"):
        f.decimal(value, "x")


def test_numbers_and_bounds() -> None:
    assert f.decimal("-17.5", "x") == -17.5
    assert f.decimal(".5", "x") == 0.5
    assert f.decimal("5.", "x") == 5.0
    assert f.decimal("", "x") is None
    assert f.integer("08", "n", 0, 99) == 8
    with pytest.raises(f.FieldError, match=r"n: expected 0\.\.12"):
        f.integer("13", "n", 0, 12)
    with pytest.raises(f.FieldError, match=r"hdop: expected 0\.\.100"):
        f.bounded("100.5", "hdop", 0, 100)


def test_choice_and_field_count() -> None:
    assert f.choice("A", "status", "AV") == "A"
    with pytest.raises(f.FieldError, match="status: expected one of A, V, found 'X'"):
        f.choice("X", "status", "AV")
    with pytest.raises(f.FieldError, match="GGA: expected 14 fields, found 3"):
        f.field_count(("a", "b", "c"), "GGA", (14,))
