from __future__ import annotations

from pathlib import Path

import pytest

from models.model_file import parse_version
from models.registry import SHIPPED_DIR, ModelRegistry, RegistryEvent, newest_shipped
from tests.models.conftest import drop


def _kinds(events: list[RegistryEvent]) -> list[str]:
    return [e.kind for e in events]


def _version(registry: ModelRegistry, crop: str = "rice") -> str:
    model = registry.active(crop)
    assert model is not None
    return model.info.version


def test_a_newer_model_dropped_in_is_picked_up(model_dir: Path) -> None:
    registry = ModelRegistry([model_dir])
    drop("tiny-rice-1.0.0.onnx", model_dir)
    assert _kinds(registry.refresh()) == ["activated"]
    assert _version(registry) == "1.0.0"
    assert registry.refresh() == []  # nothing new: nothing re-read

    drop("tiny-rice-1.1.0.onnx", model_dir)
    assert _kinds(registry.refresh()) == ["activated"]
    assert _version(registry) == "1.1.0"


def test_rollback_restores_the_previous_model_and_keeps_it(model_dir: Path) -> None:
    registry = ModelRegistry([model_dir])
    drop("tiny-rice-1.0.0.onnx", model_dir)
    registry.refresh()
    newer = drop("tiny-rice-1.1.0.onnx", model_dir)
    registry.refresh()

    event = registry.rollback("rice")
    assert "from kakashi-yield-rice@1.1.0 to kakashi-yield-rice@1.0.0" in event.message
    assert _version(registry) == "1.0.0"
    newer.touch()  # seen again, still passed over
    assert _kinds(registry.refresh()) == ["kept"]
    assert _version(registry) == "1.0.0"
    with pytest.raises(LookupError, match="no earlier model"):
        registry.rollback("rice")


def test_an_invalid_file_is_rejected_and_the_active_model_stays(model_dir: Path) -> None:
    registry = ModelRegistry([model_dir])
    drop("tiny-rice-1.0.0.onnx", model_dir)
    registry.refresh()
    bad = drop("bad-features.onnx", model_dir)
    events = registry.refresh()
    assert _kinds(events) == ["rejected"]
    assert "soil_salinity" in registry.rejected()[bad]
    assert _version(registry) == "1.0.0"


def test_an_older_version_does_not_replace_a_newer_one(model_dir: Path) -> None:
    registry = ModelRegistry([model_dir])
    drop("tiny-rice-1.1.0.onnx", model_dir)
    registry.refresh()
    drop("tiny-rice-1.0.0.onnx", model_dir)
    assert _kinds(registry.refresh()) == ["kept"]
    assert _version(registry) == "1.1.0"


def test_only_the_crops_grown_here_are_loaded(model_dir: Path) -> None:
    drop("tiny-rice-1.0.0.onnx", model_dir)
    registry = ModelRegistry([model_dir], crops={"maize"})
    assert registry.refresh() == []
    assert registry.active("rice") is None


def test_newest_shipped_is_the_highest_version_of_the_crop() -> None:
    for crop in ("maize", "wheat", "rice"):
        path = newest_shipped(crop)
        versions = [
            parse_version(p.stem.removeprefix(f"yield-{crop}-"))
            for p in SHIPPED_DIR.glob(f"yield-{crop}-*.onnx")
        ]
        assert parse_version(path.stem.removeprefix(f"yield-{crop}-")) == max(versions)
    with pytest.raises(FileNotFoundError, match="no shipped barley model"):
        newest_shipped("barley")
