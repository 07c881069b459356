from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from models.cli import add_model_command
from models.registry import newest_shipped
from tests.models.conftest import DATA


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_model_command(parser.add_subparsers(dest="command", required=True))
    return parser.parse_args(["model", *argv])


def test_subcommands_are_registered_with_their_handlers() -> None:
    assert _parse("build-dataset", "--crop", "rice", "--workers", "2").func.__name__ == (
        "build_dataset_main"
    )
    build = _parse("build-dataset", "--crop", "wheat", "--splices", "0")
    assert (build.splices, _parse("build-dataset").splices) == (0, None)
    args = _parse("train", "--crop", "maize", "--version", "1.3.0", "--workers", "2")
    assert (args.func.__name__, args.crop, args.version) == ("train_main", ["maize"], "1.3.0")
    assert (args.workers, _parse("train").workers) == (2, 1)
    with pytest.raises(SystemExit):
        _parse("train", "--crop", "cassava")
    floor = _parse("analog-experiment", "--crop", "wheat", "--analogs", "0", "--stage", "60")
    assert (floor.analogs, floor.stage, floor.fit_seasons) == (0, [60], None)
    with pytest.raises(SystemExit):
        _parse("analog-experiment", "--stage", "50")


def test_info_prints_the_evaluation_of_a_shipped_model(capsys: pytest.CaptureFixture[str]) -> None:
    path = newest_shipped("maize")
    args = _parse("info", str(path))
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert f"kakashi-yield-maize@{path.stem.removeprefix('yield-maize-')}" in out
    assert "60%: RMSE" in out
    assert "days_since_planting" in out


def test_info_on_a_bad_file_exits_2_with_the_reason(capsys: pytest.CaptureFixture[str]) -> None:
    args = _parse("info", str(DATA / "bad-features.onnx"))
    assert args.func(args) == 2
    assert "soil_salinity" in capsys.readouterr().err


def test_registering_the_command_loads_no_heavy_library() -> None:
    probe = (
        "import argparse, json, sys; from models.cli import add_model_command; "
        "add_model_command(argparse.ArgumentParser().add_subparsers()); "
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules} "
        "& {'numpy', 'onnxruntime', 'lightgbm', 'aquacrop', 'pandas'})))"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=root
    ).stdout
    assert json.loads(out) == []
