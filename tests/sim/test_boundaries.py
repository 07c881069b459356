"""The simulator is a separate process that shares only the device profiles."""

from __future__ import annotations

import ast
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
