"""Checksum and address checks of one framed sentence."""

from __future__ import annotations

import pytest

from drivers.nmea.counts import Ignored, Rejected
from drivers.nmea.messages import SUPPORTED
from drivers.nmea.sentence import Sentence, SentenceError, checksum, parse_sentence
from tests.drivers.nmea.sentences import GGA, nmea


def reason(frame: bytes) -> Rejected | Ignored:
    with pytest.raises(SentenceError) as info:
        parse_sentence(frame, SUPPORTED)
    return info.value.reason


def test_checksum_of_a_real_sentence() -> None:
    # From com-1289.log: $GPGSA,A,3,05,06,07,10,16,21,23,24,30,31,,,1.7,1.1,1.2*30
    assert checksum(b"GPGSA,A,3,05,06,07,10,16,21,23,24,30,31,,,1.7,1.1,1.2") == 0x30


def test_a_good_sentence_splits_into_talker_type_and_fields() -> None:
    sentence = parse_sentence(nmea(GGA, ""), SUPPORTED)
    assert sentence == Sentence("GP", "GGA", tuple(GGA.split(",")[1:]))
    assert sentence.address == "GPGGA"
    assert len(sentence.fields) == 14


def test_lower_case_checksum_digits_are_accepted() -> None:
    frame = b"$GPGSV,3,3,11,24,51,098,55,30,33,110,50,31,60,230,47*4a"
    assert parse_sentence(frame, SUPPORTED).kind == "GSV"


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        (b"$GPGSV,3,3,11,24,51,098,,110,50,31,60,230,46*4B", Rejected.BAD_CHECKSUM),
        (b"$GPHDT,274.07,T*ZZ", Rejected.BAD_CHECKSUM),
        (nmea("PFST,FOM,6", ""), Ignored.PROPRIETARY),
        (nmea("PMTK001,320,2", ""), Ignored.PROPRIETARY),
        (nmea("GPGRS,150119.000,1,-0.33", ""), Ignored.UNSUPPORTED),
        (nmea("GNTXT,01,01,02,hello", ""), Ignored.UNSUPPORTED),
        (nmea("XXGGA,1,2", ""), Rejected.UNKNOWN_SENTENCE),
        (nmea("GPGG,1,2", ""), Rejected.UNKNOWN_SENTENCE),
        (nmea("gpgga,1", ""), Rejected.UNKNOWN_SENTENCE),
        (nmea("G1GGA,1", ""), Rejected.UNKNOWN_SENTENCE),
        (nmea("", ""), Rejected.UNKNOWN_SENTENCE),
    ],
)
def test_what_cannot_be_used_is_told_apart(frame: bytes, expected: Rejected | Ignored) -> None:
    assert reason(frame) == expected


@pytest.mark.parametrize("talker", ["GP", "GN", "GL", "GA", "GB", "BD", "GQ", "QZ", "HE"])
def test_every_known_talker_is_accepted(talker: str) -> None:
    assert parse_sentence(nmea(f"{talker}HDT,274.07,T", ""), SUPPORTED).talker == talker


def test_the_error_shows_the_sentence_and_both_checksums() -> None:
    with pytest.raises(SentenceError, match=r"checksum 4B, computed [0-9A-F]{2}"):
        parse_sentence(b"$GPGSV,3,3,11,24,51,098,,110,50,31,60,230,46*4B", SUPPORTED)
