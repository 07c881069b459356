"""One simulated slave answering PDUs: data, exception codes, writes, holes."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.profile import Function
from sim.register_bank import RegisterBank
from sim.rtu_slave import SimSlave
from tests.rtu_support import all_tables_profile, dfrobot_bank


@pytest.fixture
def device(tmp_path: Path) -> SimSlave:
    bank = RegisterBank(all_tables_profile(tmp_path))
    bank.set("door", 1)
    bank.set("level", 512)
    bank.set("serial", 0xBEEF)
    return SimSlave(7, bank)


def h(text: str) -> bytes:
    return bytes.fromhex(text)


def test_reads_holding_registers() -> None:
    slave = SimSlave(1, dfrobot_bank())
    assert slave.answer(h("03 00 00 00 04")) == h("03 08 02 92 FF 9B 03 E8 00 38")


def test_reads_every_table(device: SimSlave) -> None:
    assert device.answer(h("02 00 03 00 01")) == h("02 01 01")
    assert device.answer(h("04 00 0A 00 01")) == h("04 02 02 00")
    assert device.answer(h("01 00 00 00 02")) == h("01 01 00")


@pytest.mark.parametrize(
    ("request_pdu", "reply"),
    [
        ("07", "87 01"),  # read exception status: not implemented
        ("2B 0E 01 00", "AB 01"),  # device identification: not implemented
        ("03 00 00 00 05", "83 02"),  # register 4 is past the map
        ("03 00 10 00 01", "83 02"),
        ("04 00 00 00 01", "84 02"),  # no input registers at all
        ("03 00 00 00 00", "83 03"),  # quantity 0
        ("03 00 00 00 7E", "83 03"),  # quantity 126 > 125
        ("03 00 00", "83 03"),  # truncated request
        ("06 00 00 00 01", "86 02"),  # moisture is read-only
    ],
)
def test_exception_codes(request_pdu: str, reply: str) -> None:
    slave = SimSlave(1, dfrobot_bank())
    assert slave.answer(h(request_pdu)) == h(reply)


def test_reads_over_holes_are_allowed_unless_refused(device: SimSlave) -> None:
    # holding 20, 21 and 30 are mapped; 22..29 are a hole that reads 0.
    reply = device.answer(h("03 00 14 00 0B"))
    assert reply[:2] == h("03 16")
    assert reply[-2:] == h("BE EF")
    device.refuse_holes = True
    assert device.answer(h("03 00 14 00 0B")) == h("83 02")
    assert device.answer(h("03 00 14 00 02"))[:2] == h("03 04")


def test_write_single_register_and_coil(device: SimSlave) -> None:
    assert device.answer(h("06 00 14 01 F4")) == h("06 00 14 01 F4")
    assert device.bank.read(Function.HOLDING, 20, 1) == [500]
    assert device.answer(h("05 00 01 FF 00")) == h("05 00 01 FF 00")
    assert device.bank.read(Function.COIL, 0, 2) == [0, 1]
    assert device.answer(h("05 00 01 12 34")) == h("85 03")  # only FF00 or 0000


def test_write_multiple_registers_and_coils(device: SimSlave) -> None:
    assert device.answer(h("10 00 14 00 02 04 00 0A 00 0B")) == h("10 00 14 00 02")
    assert device.bank.read(Function.HOLDING, 20, 2) == [10, 11]
    assert device.answer(h("0F 00 00 00 02 01 03")) == h("0F 00 00 00 02")
    assert device.bank.read(Function.COIL, 0, 2) == [1, 1]


def test_writes_that_do_not_add_up_are_refused(device: SimSlave) -> None:
    assert device.answer(h("10 00 14 00 02 03 00 0A 00")) == h("90 03")  # byte count
    assert device.answer(h("10 00 14 00 02 04 00 0A")) == h("90 03")  # data missing
    assert device.answer(h("10 00 15 00 02 04 00 0A 00 0B")) == h("90 02")  # 22 read-only
    assert device.answer(h("0F 00 00 00 03 02 07 00")) == h("8F 03")
    assert device.answer(h("0F 00 01 00 02 01 03")) == h("8F 02")  # coil 2 not mapped


def test_unit_ids_are_those_of_single_slaves() -> None:
    with pytest.raises(ValueError, match=r"unit id is 1\.\.247, found 0"):
        SimSlave(0, dfrobot_bank())
