from __future__ import annotations

import shutil
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def model_dir(tmp_path: Path) -> Path:
    """An empty directory models can be dropped into."""
    directory = tmp_path / "models"
    directory.mkdir()
    return directory


def drop(name: str, directory: Path) -> Path:
    """Copy a fixture model file into ``directory``, as an operator would."""
    return Path(shutil.copy(DATA / name, directory / name))
