"""Fields of a text line, and one field's text as a point value."""

from __future__ import annotations

import re

import pytest

from drivers.lines.ascii_format import AsciiFormat, AsciiKind, AsciiPoint, ValueType
from drivers.reading import Quality


def test_regex_fields_must_cover_the_whole_line() -> None:
    fmt = AsciiFormat(
        AsciiKind.REGEX, regex=re.compile(r"Q,(?P<dir>\d*),(?P<speed>[\d.]+),M,(?P<status>\d\d),")
    )
    assert fmt.fields("Q,229,002.74,M,00,") == {"dir": "229", "speed": "002.74", "status": "00"}
    assert fmt.fields("Q,229,002.74,M,00,junk") is None
    assert fmt.fields("") is None


def test_optional_regex_groups_that_did_not_match_are_absent() -> None:
    fmt = AsciiFormat(AsciiKind.REGEX, regex=re.compile(r"T=(?P<t>\S+)( RH=(?P<rh>\S+))?"))
    assert fmt.fields("T=21.5") == {"t": "21.5"}


def test_key_value_pairs_are_stripped_and_tokens_without_a_key_skipped() -> None:
    fmt = AsciiFormat(AsciiKind.KEY_VALUE, separator=",", key_separator="=")
    assert fmt.fields("0R1, Dn = 236 ,Ta=23.6,=5") == {"Dn": "236", "Ta": "23.6", "": "5"}
    assert fmt.fields("no pairs at all") is None


def test_delimited_columns_by_index() -> None:
    csv = AsciiFormat(AsciiKind.DELIMITED, separator=",")
    assert csv.fields("a, b,,c") == {0: "a", 1: "b", 2: "", 3: "c"}
    spaced = AsciiFormat(AsciiKind.DELIMITED, separator=" ")
    assert spaced.fields("  21.5   55  1013.2 ") == {0: "21.5", 1: "55", 2: "1013.2"}


def point(data_type: ValueType = ValueType.FLOAT, **kwargs: object) -> AsciiPoint:
    return AsciiPoint("p", "k", data_type, **kwargs)  # type: ignore[arg-type]


def test_scale_and_offset_keep_the_decimals_of_text_and_factor() -> None:
    assert point(ValueType.INT, scale=0.1).convert("215") == (21.5, Quality.GOOD)
    assert point(scale=0.1, offset=-40.0).convert("615.3") == (21.53, Quality.GOOD)
    assert point().convert("-3.25") == (-3.25, Quality.GOOD)
    assert point().convert("1.5E+02") == (150.0, Quality.GOOD)


def test_sentinels_as_text_or_as_number_are_invalid() -> None:
    p = point(invalid=("---", "NaN", -9999.0))
    assert p.convert("---") == (None, Quality.INVALID)
    assert p.convert("NaN") == (None, Quality.INVALID)
    assert p.convert("-9999") == (None, Quality.INVALID)
    assert p.convert("-9999.0") == (None, Quality.INVALID)


def test_out_of_range_is_kept_and_flagged() -> None:
    p = point(valid_range=(0.0, 100.0))
    assert p.convert("100") == (100.0, Quality.GOOD)
    assert p.convert("100.1") == (100.1, Quality.OUT_OF_RANGE)


@pytest.mark.parametrize("text", ["", "12a", "nan", "inf", "1,5", "0x10", "1_000"])
def test_text_that_is_no_number_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="point p: expected a decimal number"):
        point().convert(text)


def test_int_points_want_integers() -> None:
    with pytest.raises(ValueError, match=r"expected an integer, found '2\.5'"):
        point(ValueType.INT).convert("2.5")


def test_string_points_keep_the_text() -> None:
    p = point(ValueType.STRING, invalid=("ERR",))
    assert p.convert("OK 12") == ("OK 12", Quality.GOOD)
    assert p.convert("ERR") == (None, Quality.INVALID)
