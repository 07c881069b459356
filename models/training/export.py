"""One ONNX file per crop: the three quantile tree ensembles side by side, with metadata.

The graph takes ``features`` (float32, N x F, NaN for a missing group) and
returns ``quantiles`` (N x 3: raw p10, p50, p90 in t/ha). The conformal
corrections, feature ranges, training data and evaluation travel in
``metadata_props`` (see ``models/model_file.py`` for the keys).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np

from models.crops import crop_spec
from models.features import FEATURE_NAMES, FEATURES
from models.model_file import (
    FORMAT_VERSION,
    INPUT_NAME,
    OUTPUT_NAME,
    MetaKey,
    model_file_name,
    read_model_file,
)
from models.training.fit import QUANTILES
from models.training.train import TrainedCrop

OPSET = 15
"""The newest default-domain opset onnxmltools 1.16 converts LightGBM to."""


def _onnx() -> Any:
    import onnx  # type: ignore[import-untyped,import-not-found,unused-ignore]

    return onnx


def _convert(regressor: Any, prefix: str) -> Any:
    import onnxmltools  # type: ignore[import-untyped,import-not-found,unused-ignore]
    from onnxmltools.convert.common.data_types import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
        FloatTensorType,
    )

    proto = onnxmltools.convert_lightgbm(
        regressor,
        initial_types=[(INPUT_NAME, FloatTensorType([None, len(FEATURE_NAMES)]))],
        target_opset=OPSET,
        zipmap=False,
    )
    graph = proto.graph

    def rename(name: str) -> str:
        return name if name in ("", INPUT_NAME) else prefix + name

    for node in graph.node:
        node.name = prefix + node.name
        for i, name in enumerate(node.input):
            node.input[i] = rename(name)
        for i, name in enumerate(node.output):
            node.output[i] = rename(name)
    for init in graph.initializer:
        init.name = rename(init.name)
    for out in graph.output:
        out.name = rename(out.name)
    return proto


def combined_graph(trained: TrainedCrop) -> Any:
    onnx = _onnx()
    helper = onnx.helper
    parts = [
        _convert(r, f"q{round(q * 100)}_")
        for r, q in zip(trained.model.regressors, QUANTILES, strict=True)
    ]
    nodes = [n for p in parts for n in p.graph.node]
    outputs = [p.graph.output[0].name for p in parts]
    nodes.append(helper.make_node("Concat", outputs, [OUTPUT_NAME], axis=1, name="quantiles"))
    graph = helper.make_graph(
        nodes,
        f"kakashi_yield_{trained.crop}",
        [helper.make_tensor_value_info(INPUT_NAME, onnx.TensorProto.FLOAT, [None, len(FEATURES)])],
        [helper.make_tensor_value_info(OUTPUT_NAME, onnx.TensorProto.FLOAT, [None, 3])],
        initializer=[i for p in parts for i in p.graph.initializer],
    )
    opsets: dict[str, int] = {}
    for p in parts:
        for imp in p.opset_import:
            opsets[imp.domain] = max(opsets.get(imp.domain, 0), imp.version)
    model = helper.make_model(
        graph,
        opset_imports=[helper.make_opsetid(d, v) for d, v in sorted(opsets.items())],
        producer_name="kakashi",
        doc_string=f"Final dry yield (t/ha) of {trained.crop} from season-to-date features",
    )
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def metadata(
    trained: TrainedCrop, version: str, created: dt.date, selftest: dict[str, Any]
) -> dict[str, str]:
    spec = crop_spec(trained.crop)
    features = [
        {
            "name": f.name,
            "unit": f.unit,
            "group": f.group.value,
            "min": trained.ranges[f.name][0],
            "max": trained.ranges[f.name][1],
            "description": f.description,
        }
        for f in FEATURES
    ]
    values: dict[MetaKey, Any] = {
        MetaKey.FORMAT: FORMAT_VERSION,
        MetaKey.NAME: f"kakashi-yield-{trained.crop}",
        MetaKey.VERSION: version,
        MetaKey.CROP: trained.crop,
        MetaKey.FEATURES: features,
        MetaKey.OUTPUT: {
            "name": OUTPUT_NAME,
            "quantiles": list(QUANTILES),
            "unit": "t/ha dry yield",
            "note": "raw quantiles; widen with calibration before use",
        },
        MetaKey.SEASON: {"basis": spec.basis.value, "length": spec.season_length},
        MetaKey.CALIBRATION: trained.calibration.to_json(),
        MetaKey.TRAINING_DATA: trained.training_data,
        MetaKey.EVALUATION: trained.evaluation,
        MetaKey.CREATED: created.isoformat(),
        MetaKey.SELFTEST: selftest,
    }
    return {k.value: v if isinstance(v, str) else json.dumps(v) for k, v in values.items()}


def export_model(trained: TrainedCrop, out_dir: Path, version: str, created: dt.date) -> Path:
    """Write, re-read and check the model file; return its path."""
    onnx = _onnx()
    model = combined_graph(trained)
    expected = trained.model.predict(trained.check_rows)
    selftest = {
        "input": [[None if np.isnan(v) else float(v) for v in row] for row in trained.check_rows],
        "output": expected.tolist(),
    }
    onnx.helper.set_model_props(model, metadata(trained, version, created, selftest))
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / model_file_name(trained.crop, version)
    onnx.save(model, str(path))
    # Reading it back runs the same validation the gateway does, selftest included.
    read_model_file(path)
    return path
