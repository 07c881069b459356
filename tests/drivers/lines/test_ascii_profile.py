"""ascii profiles: the line format and its points, checked as strictly as register maps."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from drivers.lines.ascii_format import AsciiFormat, AsciiKind, AsciiPoint, ValueType
from drivers.profile import ProfileError, Protocol, load_profile
from drivers.reading import Quality

HEADER = '[device]\nmanufacturer = "Acme"\nmodel = "L1"\nprotocol = "ascii"\n'


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "acme_l1.toml"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    assert str(info.value).splitlines() == [f"{path}: {p}" for p in info.value.problems]
    return list(info.value.problems)


def test_the_shipped_weather_logger() -> None:
    profile = load_profile("ascii_weather_logger")
    assert profile.protocol is Protocol.ASCII
    assert profile.ascii == AsciiFormat(AsciiKind.KEY_VALUE, "\n", 512, None, ",", "=")
    temperature = profile.ascii_points[0]
    assert temperature.name == "air_temperature"
    fields = profile.ascii.fields("T=21.4,RH=55.2,P=1013.2,WS=3.1,WD=270,RAIN=0.2")
    assert fields is not None
    values = {p.name: p.convert(fields[p.field]) for p in profile.ascii_points}
    assert values == {
        "air_temperature": (21.4, Quality.GOOD),
        "humidity": (55.2, Quality.GOOD),
        "pressure": (1013.2, Quality.GOOD),
        "wind_speed": (3.1, Quality.GOOD),
        "wind_direction": (270.0, Quality.GOOD),
        "rain": (0.2, Quality.GOOD),
    }


def test_each_format_with_its_fields(tmp_path: Path) -> None:
    regex = load_profile(
        write(
            tmp_path,
            r"""
            [ascii]
            format = "regex"
            regex = 'Q,(?P<dir>\d*),(?P<speed>[\d.]+),M,00,'
            delimiter = "\r"
            max_length = 64

            [points.wind_speed]
            field = "speed"
            type = "float"
            unit = "m/s"
            """,
        )
    )
    assert regex.ascii is not None
    assert regex.ascii.regex == re.compile(r"Q,(?P<dir>\d*),(?P<speed>[\d.]+),M,00,")
    assert (regex.ascii.delimiter, regex.ascii.max_length) == ("\r", 64)
    delimited = load_profile(
        write(
            tmp_path,
            """
            [ascii]
            format = "delimited"
            separator = ";"

            [points.level]
            field = 2
            type = "int"
            scale = 0.01
            invalid = [-1, "E"]
            range = [0.0, 5.0]
            """,
        )
    )
    assert delimited.ascii_points == (
        AsciiPoint(
            "level", 2, ValueType.INT, 0.01, 0.0, "", (0.0, 5.0), (-1.0, "E"), description=""
        ),
    )


def test_format_problems_are_all_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [ascii]
        format = "regex"
        regex = "(?P<a>[0-9]+"
        separator = ","
        delimiter = ""
        max_length = 3
        encoding = "latin-1"

        [points.a]
        field = "a"
        type = "float"
        """,
    )
    assert problems(path) == [
        "ascii.encoding: unknown key; expected one of delimiter, format, key_separator, "
        "max_length, pair_separator, regex, separator",
        "ascii.delimiter: expected 1..8 ASCII characters, found ''",
        "ascii.max_length: expected 8..65536, found 3",
        "ascii.separator: only for format delimited, found format regex",
        "ascii.regex: not a valid regular expression: missing ), unterminated subpattern "
        "at position 0",
    ]


@pytest.mark.parametrize(
    ("ascii_table", "expected"),
    [
        ("", "ascii: required key is missing"),
        (
            'format = "csv"',
            "ascii.format: expected one of regex, key_value, delimited, found 'csv'",
        ),
        ('format = "regex"', "ascii.regex: required key is missing"),
        ('format = "regex"\nregex = "[0-9]+"', "ascii.regex: expected named groups"),
        ('format = "delimited"', "ascii.separator: required key is missing"),
        (
            'format = "key_value"\npair_separator = ";"\nkey_separator = ";"',
            "ascii.key_separator: must differ from pair_separator, both ';'",
        ),
    ],
)
def test_format_problems(tmp_path: Path, ascii_table: str, expected: str) -> None:
    body = (f"[ascii]\n{ascii_table}\n" if ascii_table else "") + (
        '[points.a]\nfield = "a"\ntype = "float"\n'
    )
    assert problems(write(tmp_path, body))[0].startswith(expected)


def test_point_problems_name_the_point_and_key(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [ascii]
        format = "regex"
        regex = 'T=(?P<t>\\S+) RH=(?P<rh>\\S+)'

        [points.temp]
        field = "temp"
        type = "double"
        scale = 0
        range = [10.0, 0.0]

        [points.state]
        field = "t"
        type = "string"
        offset = 1.0
        invalid = [0]

        [points.rh]
        type = "int"
        invalid = [1.5, "x"]
        adress = 3
        """,
    )
    assert problems(path) == [
        "points.temp.field: no group 'temp' in ascii.regex (groups: t, rh)",
        "points.temp.type: expected one of float, int, string, found 'double'",
        "points.temp.scale: expected a finite non-zero number, found 0.0",
        "points.temp.range: expected low <= high, found [10.0, 0.0]",
        "points.state.invalid: expected texts for type string, found 0",
        "points.state.offset: only for numeric types, found type string",
        "points.rh.adress: unknown key; expected one of description, field, invalid, "
        "offset, range, scale, type, unit",
        "points.rh.field: required key is missing",
        "points.rh.invalid: expected integers or texts for type int, found 1.5",
    ]


def test_delimited_fields_are_column_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
        [ascii]
        format = "delimited"
        separator = ","

        [points.a]
        field = "a"
        type = "float"

        [points.b]
        field = -1
        type = "float"
        """,
    )
    assert problems(path) == [
        "points.a.field: expected a column index (0, 1, ...), found 'a'",
        "points.b.field: expected a column index (0, 1, ...), found -1",
    ]


def test_an_ascii_profile_needs_points(tmp_path: Path) -> None:
    assert problems(write(tmp_path, '[ascii]\nformat = "key_value"\n')) == [
        "points: required key is missing"
    ]
    assert problems(write(tmp_path, '[ascii]\nformat = "key_value"\n[points]\n')) == [
        "points: an ascii profile needs at least one point"
    ]
