from __future__ import annotations

from edge.config.locate import KeyLocator

TEXT = """\
# a comment with [not.a.header] and key = 1
[site]
id = "x"
location = { lat = 1.0, lon = 2.0 }

[site.fields.north-paddy]   # a trailing comment
boundary = [
    [133.5, 33.5],
    [133.6, 33.5],
]
notes = \"\"\"
[devices.fake]
unit = 3
\"\"\"
crop = "rice"

[ devices . "soil 1" ]
unit = 1
'quoted.key' = 2
sensor.depth_cm = 10

[[history]]
at = 1
[[history]]
at = 2

[devices."say \\"hi\\""]
unit = 5
"""


def test_table_headers_and_keys() -> None:
    locator = KeyLocator(TEXT)
    assert locator.line_of(("site",)) == 2
    assert locator.line_of(("site", "id")) == 3
    assert locator.line_of(("site", "fields", "north-paddy")) == 6


def test_inline_tables_take_the_line_of_their_key() -> None:
    assert KeyLocator(TEXT).line_of(("site", "location", "lat")) == 4


def test_arrays_and_multiline_strings_are_skipped_whole() -> None:
    locator = KeyLocator(TEXT)
    assert locator.line_of(("site", "fields", "north-paddy", "boundary", 1)) == 7
    assert locator.line_of(("site", "fields", "north-paddy", "crop")) == 15
    # the header-like text inside the string is not a table
    assert locator.line_of(("devices", "fake")) == 17


def test_quoted_and_dotted_keys() -> None:
    locator = KeyLocator(TEXT)
    assert locator.line_of(("devices", "soil 1")) == 17
    assert locator.line_of(("devices", "soil 1", "unit")) == 18
    assert locator.line_of(("devices", "soil 1", "quoted.key")) == 19
    assert locator.line_of(("devices", "soil 1", "sensor")) == 20
    assert locator.line_of(("devices", "soil 1", "sensor", "depth_cm")) == 20
    assert locator.line_of(("devices", 'say "hi"', "unit")) == 28


def test_arrays_of_tables_are_counted() -> None:
    locator = KeyLocator(TEXT)
    assert locator.line_of(("history", 0, "at")) == 23
    assert locator.line_of(("history", 1, "at")) == 25


def test_a_missing_key_falls_back_to_its_table() -> None:
    locator = KeyLocator(TEXT)
    assert locator.line_of(("devices", "soil 1", "profile")) == 17
    assert locator.line_of(("web", "port")) is None
    assert locator.line_of(()) is None


def test_a_super_table_declared_later_gets_its_own_line() -> None:
    locator = KeyLocator("[a.b]\nx = 1\n[a]\ny = 2\n")
    assert locator.line_of(("a",)) == 3
    assert locator.line_of(("a", "b", "x")) == 2


def test_malformed_lines_are_skipped() -> None:
    locator = KeyLocator('= 3\n[unclosed "x\nkey = "unterminated\nok = 1\n')
    assert locator.line_of(("ok",)) == 4
