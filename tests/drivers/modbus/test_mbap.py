"""MBAP framing: golden header bytes and a decoder indifferent to TCP segmentation."""

from __future__ import annotations

import pytest

from drivers.modbus import mbap
from drivers.modbus.errors import FrameError

REQUEST = bytes.fromhex("00 01 00 00 00 06 11 03 00 6B 00 03")
RESPONSE = bytes.fromhex("00 01 00 00 00 09 11 03 06 02 2B 00 00 00 64")


def test_encode_matches_golden_bytes() -> None:
    assert mbap.encode(1, 0x11, bytes.fromhex("03 00 6B 00 03")) == REQUEST


def test_decoder_returns_a_whole_frame() -> None:
    frames = mbap.MbapDecoder().feed(RESPONSE)
    assert frames == [mbap.Frame(1, 0x11, bytes.fromhex("03 06 02 2B 00 00 00 64"))]


def test_decoder_reassembles_a_frame_split_byte_by_byte() -> None:
    decoder = mbap.MbapDecoder()
    collected = []
    for i in range(len(RESPONSE)):
        collected.extend(decoder.feed(RESPONSE[i : i + 1]))
        if i < len(RESPONSE) - 1:
            assert collected == []
    assert collected == mbap.MbapDecoder().feed(RESPONSE)
    assert decoder.pending == 0


def test_decoder_splits_merged_frames_and_keeps_the_tail() -> None:
    second = mbap.encode(2, 1, bytes.fromhex("83 02"))
    decoder = mbap.MbapDecoder()
    frames = decoder.feed(RESPONSE + second + second[:4])
    assert [f.transaction_id for f in frames] == [1, 2]
    assert frames[1].pdu == bytes.fromhex("83 02")
    assert decoder.pending == 4
    assert decoder.feed(second[4:]) == [mbap.Frame(2, 1, bytes.fromhex("83 02"))]


def test_decoder_rejects_other_protocols() -> None:
    with pytest.raises(FrameError, match="MBAP protocol id: expected 0, found 1"):
        mbap.MbapDecoder().feed(bytes.fromhex("00 01 00 01 00 06 11 03 00 6B 00 03"))


@pytest.mark.parametrize(("length", "found"), [("00 01", 1), ("01 00", 256), ("FF FF", 65535)])
def test_decoder_rejects_absurd_lengths(length: str, found: int) -> None:
    header = bytes.fromhex(f"00 01 00 00 {length} 11")
    with pytest.raises(FrameError, match=rf"MBAP length: expected 2\.\.254, found {found}"):
        mbap.MbapDecoder().feed(header)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((70000, 1, b"\x03"), "transaction id"),
        ((1, 256, b"\x03"), "unit"),
        ((1, 1, b""), "PDU"),
        ((1, 1, bytes(254)), "PDU"),
    ],
)
def test_encode_refuses_out_of_range_fields(args: tuple[int, int, bytes], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        mbap.encode(*args)
