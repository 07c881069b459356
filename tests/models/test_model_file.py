from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.features import FEATURE_NAMES, FEATURES
from models.model_file import ModelFileError, read_model_file
from models.registry import SHIPPED_DIR
from tests.models.conftest import DATA

SHIPPED = sorted(SHIPPED_DIR.glob("*.onnx"))


def test_every_crop_ships_a_model() -> None:
    crops = {read_model_file(p).info.crop for p in SHIPPED}
    assert crops == {"maize", "wheat", "rice"}


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_model_metadata_matches_its_inputs(path: Path) -> None:
    model = read_model_file(path)
    info = model.info
    assert [r.name for r in info.ranges] == list(FEATURE_NAMES)
    assert [r.unit for r in info.ranges] == [f.unit for f in FEATURES]
    (inp,) = model.session.get_inputs()
    assert inp.shape[1] == len(FEATURE_NAMES)
    assert info.training_data["sha256"]
    evaluation = info.evaluation["all_sensors"]
    assert set(evaluation) == {"30%", "60%", "90%"}
    # The goal: 75-85 % of held-out outcomes inside p10-p90, pooled over four
    # rotations of held-out years (every campaign once).
    assert 0.75 <= info.evaluation["coverage_p10_p90"] <= 0.85
    assert path.stat().st_size < 2_000_000


def test_a_model_predicts_three_ordered_raw_quantiles_with_missing_inputs() -> None:
    model = read_model_file(DATA / "tiny-rice-1.0.0.onnx")
    x = np.full((2, len(FEATURE_NAMES)), 50.0, dtype=np.float32)
    x[1, 12:] = np.nan
    out = model.predict_raw(x)
    assert out.shape == (2, 3)
    assert np.all(np.isfinite(out))


def test_features_that_differ_from_the_gateways_are_refused_by_name() -> None:
    with pytest.raises(ModelFileError) as err:
        read_model_file(DATA / "bad-features.onnx")
    message = str(err.value)
    assert "bad-features.onnx" in message
    assert "position 3" in message
    assert "'soil_salinity'" in message
    assert "'tmax_mean'" in message


def test_a_file_that_does_not_reproduce_its_selftest_is_refused() -> None:
    with pytest.raises(ModelFileError, match=r"bad-selftest\.onnx: self-test outputs differ"):
        read_model_file(DATA / "bad-selftest.onnx")


def test_a_file_that_is_not_onnx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "yield-maize-9.0.0.onnx"
    path.write_bytes(b"not a model")
    with pytest.raises(ModelFileError, match="onnxruntime cannot load it"):
        read_model_file(path)
