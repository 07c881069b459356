"""Bytes to fixes, through every kind of damage a serial line produces."""

from __future__ import annotations

import random

from drivers.nmea.counts import Ignored, Rejected
from drivers.nmea.stream import NmeaStream
from tests.drivers.nmea.sentences import GGA, GSA, RMC, nmea

GGA_NEXT = "GPGGA,143749.77,4806.3731,N,00138.6217,W,1,10,1.1,42.2,M,48.5,M,,"
EPOCH = nmea(GSA) + nmea(RMC) + nmea(GGA) + nmea("PFST,FOM,6")


def test_an_epoch_completes_at_the_next_time_or_at_the_end_of_a_burst() -> None:
    stream = NmeaStream()
    first = stream.feed(EPOCH)
    assert (first.accepted, first.ignored, first.fixes) == (3, 1, [])
    second = stream.feed(nmea(GGA_NEXT))
    assert [f.time_of_day.second for f in second.fixes] == [48]
    last = stream.end_of_burst()
    assert [f.time_of_day.second for f in last.fixes] == [49]
    assert stream.fixes == 2


def test_damage_costs_only_the_damaged_sentences() -> None:
    bad_checksum = nmea(GGA)[:-4] + b"00\r\n"
    bad_field = nmea("GPGGA,143748.77,4806.3731,N,00138.6217,W,1,10,1.1,42.2,X,48.5,M,,")
    data = (
        b"\x00\x00\x00"
        + nmea(RMC)[:25]  # cut by the next sentence
        + nmea(GSA)
        + b"$GPRMC,no checksum\r\n"
        + bad_checksum
        + b"\xff\xfe noise \r\n"
        + bad_field
        + nmea("XXGGA,1")
        + b"$"
        + b"9" * 300
        + b"\r\n"
        + nmea(RMC)
        + nmea("GPGRS,143748.77,1,-0.33")
        + nmea(GGA)
    )
    stream = NmeaStream()
    decoded = stream.feed(data)
    decoded.fixes += stream.end_of_input().fixes
    counts = stream.counts
    assert dict(counts.rejected) == {
        Rejected.GARBAGE: 2,
        Rejected.TRUNCATED: 1,
        Rejected.NO_CHECKSUM: 1,
        Rejected.BAD_CHECKSUM: 1,
        Rejected.BAD_FIELD: 1,
        Rejected.UNKNOWN_SENTENCE: 1,
        Rejected.TOO_LONG: 1,
    }
    assert dict(counts.ignored) == {Ignored.UNSUPPORTED: 1}
    assert dict(counts.accepted) == {"GSA": 1, "RMC": 1, "GGA": 1}
    (fix,) = decoded.fixes
    assert fix.has_position
    assert fix.alt == 42.2
    assert fix.mode == 3
    assert [r.reason for r in decoded.rejections] == [
        Rejected.GARBAGE,
        Rejected.TRUNCATED,
        Rejected.NO_CHECKSUM,
        Rejected.BAD_CHECKSUM,
        Rejected.GARBAGE,
        Rejected.BAD_FIELD,
        Rejected.UNKNOWN_SENTENCE,
        Rejected.TOO_LONG,
    ]
    assert "altitude unit: expected M, found 'X'" in decoded.rejections[5].detail


def test_no_fix_sentences_are_counted_and_give_no_position() -> None:
    stream = NmeaStream()
    stream.feed(
        nmea("GPGGA,081420.000,,,,,0,0,,,M,,M,,")
        + nmea("GNRMC,081420.000,V,,,,,0.00,340.16,260514,,,N")
        + nmea("GPZDA,081420.000,26,05,2014,,")
    )
    (fix,) = stream.end_of_input().fixes
    assert not fix.has_position
    assert stream.counts.no_fix == 2
    assert stream.epochs_without_position == 1


def test_a_log_cut_into_random_pieces_decodes_the_same() -> None:
    data = EPOCH + nmea(GGA_NEXT) + b"\x00junk" + EPOCH
    whole = NmeaStream()
    expected = whole.feed(data).fixes + whole.end_of_input().fixes
    rng = random.Random(7)
    for _ in range(20):
        stream = NmeaStream()
        fixes = []
        i = 0
        while i < len(data):
            step = rng.randint(1, 40)
            fixes += stream.feed(data[i : i + step]).fixes
            i += step
        fixes += stream.end_of_input().fixes
        assert fixes == expected
        assert stream.counts == whole.counts


def test_random_noise_never_raises_and_never_makes_a_position() -> None:
    rng = random.Random(11)
    stream = NmeaStream()
    for _ in range(200):
        noise = bytes(rng.choice(b"$*,.0123456789ABCDEFGNPR\r\n\x00") for _ in range(64))
        decoded = stream.feed(noise)
        assert all(not f.has_position for f in decoded.fixes)
    assert stream.counts.total_rejected > 0


def test_counts_as_json_ready_dict() -> None:
    stream = NmeaStream()
    stream.feed(EPOCH + b"junk\r\n")
    assert stream.counts.as_dict() == {
        "accepted": 3,
        "accepted_by_type": {"GGA": 1, "GSA": 1, "RMC": 1},
        "ignored": {"proprietary": 1},
        "rejected": 1,
        "rejected_by_reason": {"garbage": 1},
        "no_fix": 0,
    }
