"""firmware_stubs/cli.py: `kakashi firmware header PROFILE [--out FILE] [--check FILE]`."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from drivers.profile import load_profile
from firmware_stubs.cli import add_firmware_command
from firmware_stubs.header import generate_header
from tests.firmware_stubs.test_header import COMMITTED


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="kakashi")
    add_firmware_command(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    code: int = args.func(args)
    return code


def test_header_prints_the_generated_header(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("firmware", "header", "kakashi_soil_node") == 0
    assert capsys.readouterr().out == generate_header(load_profile("kakashi_soil_node"))


def test_out_writes_it_and_check_accepts_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "regs.h"
    profile = str(load_profile("kakashi_cart_controller").path)  # a path works as well as a name
    assert run("firmware", "header", profile, "--out", str(out)) == 0
    assert out.read_text() == COMMITTED["kakashi_cart_controller"].read_text()
    assert run("firmware", "header", "kakashi_cart_controller", "--check", str(out)) == 0
    assert "up to date" in capsys.readouterr().out


def test_check_refuses_a_stale_header_with_the_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stale = tmp_path / "stale.h"
    stale.write_text(COMMITTED["kakashi_soil_node"].read_text())
    assert run("firmware", "header", "kakashi_cart_controller", "--check", str(stale)) == 1
    assert "not a header of profile kakashi_cart_controller" in capsys.readouterr().err
    assert run("firmware", "header", "kakashi_soil_node", "--check", str(tmp_path / "no")) == 1
    assert "cannot read" in capsys.readouterr().err


def test_an_unusable_profile_exits_2_naming_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("firmware", "header", "no_such_profile") == 2
    assert "no such profile" in capsys.readouterr().err
    assert run("firmware", "header", "nmea_gps") == 2
    assert "only modbus profiles" in capsys.readouterr().err


def test_out_and_check_exclude_each_other() -> None:
    with pytest.raises(SystemExit):
        run("firmware", "header", "kakashi_soil_node", "--out", "a.h", "--check", "b.h")
