"""The simulator is a separate process that shares only the device profiles."""

from __future__ import annotations

import ast
import typing
from pathlib import Path

SIM = Path(__file__).resolve().parents[2] / "sim"
SERVICE_PACKAGES = {"edge", "drivers", "models", "planner"}
ALLOWED = {"drivers.profile"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_sim_imports_nothing_from_the_service_but_profiles() -> None:
    sources = sorted(SIM.rglob("*.py"))
    assert sources
    offending = {
        f"{path.relative_to(SIM.parent)}: {module}"
        for path in sources
        for module in imported_modules(path)
        if module.split(".")[0] in SERVICE_PACKAGES and module not in ALLOWED
    }
    assert offending == set()


def test_the_soil_names_the_simulator_writes_are_the_gateways() -> None:
    from edge.config.values import _SoilTexture
    from models.context import AQUACROP_SOIL
    from sim.gateway_config import SOIL_TEXTURE

    assert SOIL_TEXTURE == AQUACROP_SOIL
    assert set(SOIL_TEXTURE.values()) <= set(typing.get_args(_SoilTexture))
