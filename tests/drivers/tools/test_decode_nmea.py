"""`kakashi decode nmea FILE`: fixes as JSON lines and a summary, whatever the file holds."""

from __future__ import annotations

import argparse
import io
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from drivers.nmea.recording import decode_recording
from drivers.tools.decode_nmea import CHUNK, add_decode_command, decode_nmea_main

DATA = Path(__file__).parents[1] / "nmea" / "data"
COM_1289 = DATA / "com-1289.log"


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="kakashi")
    add_decode_command(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(argv)


def run(path: Path) -> tuple[int, list[dict[str, Any]], str]:
    out, err = io.StringIO(), io.StringIO()
    status = decode_nmea_main(parse(["decode", "nmea", str(path)]), out, err)
    return status, [json.loads(line) for line in out.getvalue().splitlines()], err.getvalue()


def test_decode_registers_a_nmea_subcommand_that_runs_the_decoder() -> None:
    args = parse(["decode", "nmea", "some.log"])
    assert args.func is decode_nmea_main
    assert args.file == Path("some.log")
    with pytest.raises(SystemExit):
        parse(["decode"])  # the protocol is required


def test_a_reference_log_gives_one_line_per_fix_then_the_summary() -> None:
    status, lines, err = run(COM_1289)
    assert (status, err) == (0, "")
    *fixes, last = lines
    assert len(fixes) == 14
    assert fixes[0] == {
        "time": "2007-10-12T14:37:48.770Z",
        "lat": 48.106218333,
        "lon": -1.643695,
        "alt": 42.2,
        "quality": 1,
        "mode": 3,
        "satellites": 10,
        "hdop": 1.1,
        "speed_mps": 0.0,
        "course": 266.5,
    }
    assert last == {
        "summary": {
            "fixes": 14,
            "epochs_without_position": 0,
            "accepted": 83,
            "accepted_by_type": {"GGA": 14, "GSA": 14, "GSV": 41, "RMC": 14},
            "ignored": {"comment": 10, "proprietary": 14},
            "rejected": 1,
            "rejected_by_reason": {"bad_checksum": 1},
            "no_fix": 0,
        }
    }


def test_epochs_without_a_fix_are_counted_not_printed(tmp_path: Path) -> None:
    status, lines, _ = run(DATA / "bu353-glonass.log")
    assert status == 0
    assert len(lines) == 1 + 9
    assert lines[-1]["summary"]["epochs_without_position"] == 10
    assert all(line.get("lat") is not None for line in lines[:-1])


@pytest.mark.parametrize("end", [b"\r\n", b"\n", b"\r"])
def test_any_line_end_gives_the_same_result(tmp_path: Path, end: bytes) -> None:
    lines = COM_1289.read_bytes().splitlines()
    path = tmp_path / "log.nmea"
    path.write_bytes(end.join(lines) + end)
    assert run(path)[1] == run(COM_1289)[1]


def test_binary_junk_around_the_sentences_costs_only_rejects(tmp_path: Path) -> None:
    rng = random.Random(3)
    junk = bytearray()
    for line in COM_1289.read_bytes().splitlines(keepends=True):
        junk += bytes(rng.randrange(256) for _ in range(rng.randrange(40))) + b"\r\n" + line
    path = tmp_path / "junk.log"
    path.write_bytes(bytes(junk))
    status, lines, _ = run(path)
    assert status == 0
    summary = lines[-1]["summary"]
    assert summary["fixes"] == 14
    assert summary["rejected_by_reason"]["garbage"] > 50
    assert lines[:-1] == run(COM_1289)[1][:-1]


def test_a_file_larger_than_one_read_decodes_like_it_whole(tmp_path: Path) -> None:
    data = b"".join(p.read_bytes() for p in sorted(DATA.glob("*.log"))) * 6
    assert len(data) > 2 * CHUNK
    path = tmp_path / "big.log"
    path.write_bytes(data)
    status, lines, _ = run(path)
    assert status == 0
    assert lines[-1]["summary"]["fixes"] == len(decode_recording(data).positions)


def test_an_empty_file_is_an_empty_summary(tmp_path: Path) -> None:
    path = tmp_path / "empty.log"
    path.write_bytes(b"")
    status, lines, _ = run(path)
    assert status == 0
    assert lines == [
        {
            "summary": {
                "fixes": 0,
                "epochs_without_position": 0,
                "accepted": 0,
                "accepted_by_type": {},
                "ignored": {},
                "rejected": 0,
                "rejected_by_reason": {},
                "no_fix": 0,
            }
        }
    ]


def test_unreadable_files_exit_2_with_one_clear_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.log"
    status, lines, err = run(missing)
    assert (status, lines) == (2, [])
    assert err == f"kakashi decode nmea: cannot read {missing}: No such file or directory\n"
    status, _, err = run(tmp_path)
    assert status == 2
    assert err.endswith("Is a directory\n")
    assert err.count("\n") == 1


def test_runs_as_a_module_in_a_subprocess() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "drivers.tools.decode_nmea", "nmea", str(COM_1289)],
        capture_output=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert len(lines) == 15
    assert json.loads(lines[-1])["summary"]["fixes"] == 14
