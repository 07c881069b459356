"""``kakashi sim`` / ``python -m sim``: arguments, checks, exit codes."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import add_sim_command, main, run_command
from sim.gateway_config import parse_setting
from tests.sim.scenarios import REPO, SCENARIOS, SMALL, write


def test_the_command_registers_itself_on_the_kakashi_parser() -> None:
    parser = argparse.ArgumentParser(prog="kakashi")
    add_sim_command(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["sim", "--scenario", "x.toml", "--speed", "1440", "--set", "web.port=0"]
    )
    assert args.func is run_command
    assert (args.scenario, args.speed, args.set) == (Path("x.toml"), 1440.0, ["web.port=0"])


def test_check_reads_the_scenario_and_says_what_is_in_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--scenario", str(SCENARIOS / "mountain_village.toml"), "--check"]) == 0
    out = capsys.readouterr().out
    assert "ok — 3 fields, 6 buses, 9 devices, 2 vehicles, 3 faults" in out


def test_a_broken_scenario_lists_its_problems_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(
        tmp_path, SMALL.replace("seed = 3", "seed = -3").replace('crop = "rice"', 'crop = "rye"')
    )
    assert main(["--scenario", str(path)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert any("scenario.seed: expected an integer from 0" in line for line in err)
    assert any("site.fields.paddy.crop" in line for line in err)


def test_bad_options_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path)
    assert main(["--scenario", str(path), "--speed", "0"]) == 2
    assert main(["--scenario", str(path), "--set", "port=5"]) == 2
    assert "expected TABLE.KEY=VALUE" in capsys.readouterr().err


def test_settings_are_read_as_toml_values() -> None:
    assert parse_setting("web.port=8081") == ("web", "port", 8081)
    assert parse_setting('storage.path="var/x.db"') == ("storage", "path", "var/x.db")
    assert parse_setting("logging.level=debug") == ("logging", "level", "debug")
    assert parse_setting("storage.batch_wait_s=0.5") == ("storage", "batch_wait_s", 0.5)


def test_python_dash_m_sim_runs_the_same_command() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "sim", "--scenario", str(SCENARIOS / "island.toml"), "--check"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "2 fields" in done.stdout
