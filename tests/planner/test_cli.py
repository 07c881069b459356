from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from planner.cli import add_plan_command, parse_budget, plan_main
from tests.planner.conftest import EXAMPLE


def _args(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_plan_command(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["plan", *argv])


def test_budget_units() -> None:
    assert parse_budget("5s") == 5.0
    assert parse_budget("500ms") == 0.5
    assert parse_budget("2m") == 120.0
    with pytest.raises(argparse.ArgumentTypeError):
        parse_budget("soon")


def test_plan_writes_plan_geojson_missions_and_sheet(tmp_path: Path) -> None:
    args = _args(
        str(EXAMPLE),
        "--budget",
        "1s",
        "--workers",
        "1",
        "--out",
        str(tmp_path / "plan.json"),
        "--geojson",
        str(tmp_path / "plan.geojson"),
        "--qgc-dir",
        str(tmp_path / "qgc"),
        "--runsheet",
        str(tmp_path / "sheet.txt"),
    )
    assert args.func is plan_main
    assert plan_main(args) == 0
    plan = json.loads((tmp_path / "plan.json").read_text())
    assert plan["feasible"] is True
    assert json.loads((tmp_path / "plan.geojson").read_text())["type"] == "FeatureCollection"
    assert json.loads((tmp_path / "qgc" / "drone-1.plan").read_text())["fileType"] == "Plan"
    assert "== cart-1" in (tmp_path / "sheet.txt").read_text()


def test_invalid_problem_exits_2_listing_every_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = json.loads(EXAMPLE.read_text())
    doc["stops"][0]["kg"] = 900
    doc["stops"][1]["windows"] = [["12:00", "10:00"]]
    doc["vehicles"][1]["start"] = "nowhere"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(doc))
    roads = EXAMPLE.parent / doc["roads"]
    (tmp_path / doc["roads"]).write_text(roads.read_text())
    assert plan_main(_args(str(bad), "--budget", "1s")) == 2
    err = capsys.readouterr().err
    assert "'r-tanaka'" in err
    assert "more than any vehicle can carry" in err
    assert "'r-sato'" in err
    assert "empty" in err
    assert "vehicle 'drone-1'" in err
    assert "'nowhere' does not exist" in err


def test_module_entry_point_runs(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "planner.cli",
            "plan",
            str(EXAMPLE),
            "--budget",
            "1s",
            "--workers",
            "1",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(out.read_text())["routes"]
