"""Lines at a delimiter, with a bound on their length."""

from __future__ import annotations

import pytest

from drivers.lines.framing import LineFramer, Overlong, Unterminated


def lines(framer: LineFramer, *chunks: bytes) -> list[bytes | Overlong]:
    return [line for chunk in chunks for line in framer.feed(chunk)]


def test_lines_split_at_the_delimiter_across_chunks() -> None:
    framer = LineFramer(b"\r\n", 100)
    assert lines(framer, b"a=1\r", b"\nb=2\r\nc", b"=3\r\n") == [b"a=1", b"b=2", b"c=3"]
    assert framer.flush() == []


def test_empty_lines_are_lines() -> None:
    assert lines(LineFramer(b"\n", 10), b"\n\nx\n") == [b"", b"", b"x"]


def test_an_overlong_line_is_reported_once_and_the_next_line_is_found() -> None:
    framer = LineFramer(b"\n", 8)
    out = lines(framer, b"0123456789", b"abcdef", b"ghij\nok\n")
    assert out == [Overlong(b"0123456789"), b"ok"]


def test_an_overlong_line_in_one_piece() -> None:
    assert lines(LineFramer(b"\n", 4), b"12345\n1234\n") == [Overlong(b"12345"), b"1234"]


def test_a_delimiter_split_across_chunks_after_a_long_wait_is_still_found() -> None:
    framer = LineFramer(b"\r\n", 4)
    assert lines(framer, b"1234\r", b"\n") == [b"1234"]


def test_the_rest_at_the_end_of_input_is_unterminated() -> None:
    framer = LineFramer(b"\n", 10)
    assert lines(framer, b"a\nhalf") == [b"a"]
    assert framer.flush() == [Unterminated(b"half")]
    assert framer.flush() == []


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="delimiter"):
        LineFramer(b"", 10)
    with pytest.raises(ValueError, match="max_length"):
        LineFramer(b"\n", 0)
