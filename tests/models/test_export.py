"""Exporting a trained model: the file the gateway reads back reproduces LightGBM."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("lightgbm", reason="training needs the kakashi[train] extra")
pytest.importorskip("onnxmltools", reason="training needs the kakashi[train] extra")

from models.model_file import read_model_file
from models.training.export import export_model
from tests.models.data.make_fixtures import tiny


def test_exported_file_matches_the_fitted_trees_with_missing_groups(tmp_path: Path) -> None:
    trained = tiny("2.0.0", 0.5)
    path = export_model(trained, tmp_path, "2.0.0", dt.date(2024, 1, 1))
    model = read_model_file(path)
    x = trained.check_rows.copy()
    x[1, 12:] = np.nan
    np.testing.assert_allclose(
        model.predict_raw(x.astype(np.float32)), trained.model.predict(x), atol=1e-4
    )
    assert model.info.label == "kakashi-yield-rice@2.0.0"
    assert path.name == "yield-rice-2.0.0.onnx"
