"""Finding sentences in damaged byte streams."""

from __future__ import annotations

import pytest

from drivers.nmea.counts import Rejected
from drivers.nmea.framing import Damaged, Frame, SentenceFramer
from tests.drivers.nmea.sentences import GGA, GSA, RMC, nmea


def frames(*chunks: bytes, max_length: int = 128) -> list[Frame | Damaged]:
    framer = SentenceFramer(max_length)
    out: list[Frame | Damaged] = []
    for chunk in chunks:
        out += framer.feed(chunk)
    return out + framer.flush()


def summary(items: list[Frame | Damaged]) -> list[str]:
    return [i.data.decode("ascii", "replace") if isinstance(i, Frame) else i.reason for i in items]


def test_sentences_with_crlf_lf_cr_or_no_line_end_are_found() -> None:
    data = nmea(GGA) + nmea(RMC, "\n") + nmea(GSA, "\r") + nmea(GGA, "")
    assert summary(frames(data)) == [nmea(b, "").decode() for b in (GGA, RMC, GSA, GGA)]


def test_byte_by_byte_is_the_same_as_all_at_once() -> None:
    data = b"\x00junk" + nmea(GGA) + b"$GPRMC,1" + nmea(RMC) + b"\xff" + nmea(GSA)
    one_by_one = frames(*(data[i : i + 1] for i in range(len(data))))
    assert one_by_one == frames(data)
    assert len([f for f in one_by_one if isinstance(f, Frame)]) == 3


def test_garbage_before_a_sentence_is_one_reject_per_run() -> None:
    out = frames(b"\x00\x00\x00 noise" + nmea(GGA) + b"more noise\r\n" + nmea(RMC))
    assert summary(out) == [
        Rejected.GARBAGE,
        nmea(GGA, "").decode(),
        Rejected.GARBAGE,
        nmea(RMC, "").decode(),
    ]
    assert out[0] == Damaged(Rejected.GARBAGE, b"\x00\x00\x00 noise")


def test_blank_lines_and_spaces_between_sentences_are_not_garbage() -> None:
    assert summary(frames(b"\r\n\r\n  \t\n" + nmea(GGA) + b"\r\n")) == [nmea(GGA, "").decode()]


def test_a_dollar_inside_a_sentence_starts_a_new_one_and_truncates_the_first() -> None:
    cut = nmea(GGA)[:30]
    out = frames(cut + nmea(RMC))
    assert out == [Damaged(Rejected.TRUNCATED, cut), Frame(nmea(RMC, ""))]


def test_merged_complete_sentences_are_both_kept() -> None:
    # A receiver that lost its CR LF: the checksum ends the first sentence.
    assert summary(frames(nmea(GGA, "") + nmea(RMC, ""))) == [
        nmea(GGA, "").decode(),
        nmea(RMC, "").decode(),
    ]


def test_a_checksum_cut_by_the_line_end_or_a_new_sentence_is_truncated() -> None:
    assert summary(frames(b"$GPGGA,1*4\r\n" + b"$GPGGA,1*" + nmea(RMC))) == [
        Rejected.TRUNCATED,
        Rejected.TRUNCATED,
        nmea(RMC, "").decode(),
    ]


def test_a_line_without_checksum_is_rejected() -> None:
    assert summary(frames(b"$GPGGA,143748.77,,,,,0,,,,,,,,\r\n")) == [Rejected.NO_CHECKSUM]


@pytest.mark.parametrize("bad", [b"\x00", b"\x07", b"\xb0", b"\x7f"])
def test_a_control_or_non_ascii_byte_inside_rejects_the_sentence(bad: bytes) -> None:
    data = nmea(GGA)
    damaged = data[:20] + bad + data[20:]
    out = frames(damaged + nmea(RMC))
    assert summary(out) == [Rejected.BAD_CHARACTER, nmea(RMC, "").decode()]


def test_a_bad_byte_in_the_checksum_rejects_the_sentence() -> None:
    assert summary(frames(b"$GPGGA,1*4\x00" + nmea(RMC))) == [
        Rejected.BAD_CHARACTER,
        nmea(RMC, "").decode(),
    ]


def test_an_overlong_sentence_is_cut_and_the_next_one_is_found() -> None:
    long = b"$GPTXT," + b"A" * 200 + b"*00\r\n"
    out = frames(long + nmea(GGA), max_length=128)
    assert summary(out) == [Rejected.TOO_LONG, nmea(GGA, "").decode()]
    assert isinstance(out[0], Damaged)
    assert len(out[0].data) <= 128


def test_a_sentence_at_the_length_limit_is_kept() -> None:
    body = "GPTXT," + "A" * (128 - 10)
    exact = nmea(body, "")
    assert len(exact) == 128
    assert summary(frames(exact)) == [exact.decode()]


def test_a_partial_sentence_at_the_end_of_input_is_truncated() -> None:
    assert summary(frames(nmea(GGA) + b"$GPRMC,1434")) == [
        nmea(GGA, "").decode(),
        Rejected.TRUNCATED,
    ]


def test_the_exclamation_mark_also_starts_a_sentence() -> None:
    ais = b"!AIVDM,1,1,,A,13aEOK?P00PD2wVMdLDRhgvL289?,0*26\r\n"
    assert summary(frames(ais)) == [ais.strip().decode()]


def test_limit_must_fit_a_sentence() -> None:
    with pytest.raises(ValueError, match="max_length"):
        SentenceFramer(5)
