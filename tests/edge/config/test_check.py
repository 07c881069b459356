from __future__ import annotations

import io
from pathlib import Path

from edge.config import check_config_main
from tests.edge.config.support import FULL, SITE


def run(path: Path) -> tuple[int, list[str]]:
    out = io.StringIO()
    code = check_config_main(path, out)
    return code, out.getvalue().splitlines()


def test_a_valid_file_prints_a_summary_and_returns_0(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(FULL, encoding="utf-8")
    assert run(path) == (0, [f"{path}: ok — 1 field, 1 bus, 1 device, 1 vehicle"])


def test_counts_are_plural(tmp_path: Path) -> None:
    path = tmp_path / "empty.toml"
    path.write_text(SITE, encoding="utf-8")
    assert run(path) == (0, [f"{path}: ok — 0 fields, 0 buses, 0 devices, 0 vehicles"])


def test_every_issue_is_printed_one_per_line_and_returns_2(tmp_path: Path) -> None:
    path = tmp_path / "site.toml"
    path.write_text(
        FULL.replace("unit = 1", "unit = 0").replace("speed_kmh = 6.0", "speed = 6.0"),
        encoding="utf-8",
    )
    code, lines = run(path)
    assert code == 2
    assert len(lines) == 3
    assert all(line.startswith(f"{path}:") for line in lines)
    assert "devices.soil-1.unit: expected an integer from 1 to 247, found 0 (integer)" in lines[0]
    assert lines[1].endswith("vehicles.cart-1: missing required key 'speed_kmh'")
    assert "vehicles.cart-1.speed: unknown key 'speed'" in lines[2]


def test_a_missing_file_is_one_line_and_returns_2(tmp_path: Path) -> None:
    path = tmp_path / "nope.toml"
    assert run(path) == (2, [f"{path}: cannot read the file: No such file or directory"])


def test_the_village_example_summary() -> None:
    path = Path(__file__).resolve().parents[3] / "examples" / "village.toml"
    code, lines = run(path)
    assert (code, lines) == (0, [f"{path}: ok — 3 fields, 1 bus, 1 device, 2 vehicles"])
