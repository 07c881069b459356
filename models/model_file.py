"""A yield model file: an ONNX graph plus the metadata that says what it may be fed.

A file is accepted only if its single input is ``features`` (float32, N x F)
with exactly the features this gateway computes, in order; its output is
``quantiles`` (N x 3); its metadata parses; and it reproduces its own
self-test outputs under this gateway's onnxruntime. Anything else is refused
with a message naming the file, what was expected and what was found.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.calibration import Calibration
from models.crops import CROPS
from models.features import FEATURE_NAMES, FEATURES
from models.session import DEFAULT_THREADS, make_session

FORMAT_VERSION = "1"
INPUT_NAME = "features"
OUTPUT_NAME = "quantiles"
SELFTEST_TOLERANCE = 1e-3
"""t/ha; float32 trees agree to about 1e-6, so a bigger gap means a different model."""


class MetaKey(StrEnum):
    FORMAT = "kakashi.format"
    NAME = "kakashi.name"
    VERSION = "kakashi.version"
    CROP = "kakashi.crop"
    FEATURES = "kakashi.features"
    """JSON list: name, unit, group, min, max (the training range), description."""
    OUTPUT = "kakashi.output"
    SEASON = "kakashi.season"
    CALIBRATION = "kakashi.calibration"
    TRAINING_DATA = "kakashi.training_data"
    EVALUATION = "kakashi.evaluation"
    CREATED = "kakashi.created"
    SELFTEST = "kakashi.selftest"


class ModelFileError(Exception):
    """A model file that cannot be used; the message names the file and the problem."""


def model_file_name(crop: str, version: str) -> str:
    return f"yield-{crop}-{version}.onnx"


def parse_version(text: str) -> tuple[int, ...]:
    """``1.2.0`` -> (1, 2, 0); ordering of model versions."""
    try:
        return tuple(int(p) for p in text.split("."))
    except ValueError:
        raise ValueError(
            f"version {text!r}: expected numbers separated by dots, e.g. 1.2.0"
        ) from None


@dataclass(frozen=True, slots=True)
class FeatureRange:
    name: str
    unit: str
    lo: float
    hi: float


@dataclass(frozen=True, slots=True)
class ModelInfo:
    path: Path
    sha256: str
    name: str
    version: str
    crop: str
    ranges: tuple[FeatureRange, ...]
    calibration: Calibration
    season: dict[str, Any]
    training_data: dict[str, Any]
    evaluation: dict[str, Any]
    created: dt.date

    @property
    def label(self) -> str:
        """What a forecast records as its ``model_version``."""
        return f"{self.name}@{self.version}"


@dataclass(frozen=True, slots=True)
class LoadedModel:
    info: ModelInfo
    session: Any
    """The model's one ``onnxruntime.InferenceSession``."""

    def predict_raw(self, x: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        """Raw quantiles (N x 3) for features (N x F, NaN for missing)."""
        out: npt.NDArray[np.float32] = self.session.run([OUTPUT_NAME], {INPUT_NAME: x})[0]
        return out

    def describe(self) -> str:
        i = self.info
        lines = [
            f"{i.path}: {i.label}, crop {i.crop}, created {i.created}, sha256 {i.sha256[:16]}",
            f"training data: {i.training_data.get('description', '?')}",
            f"  sha256 {i.training_data.get('sha256', '?')}, "
            f"{i.training_data.get('seasons', '?')} seasons",
            "features (training range):",
        ]
        lines += [f"  {r.name:22} {r.lo:10.2f} .. {r.hi:10.2f} {r.unit}" for r in i.ranges]
        lines.append("held-out evaluation (all sensors):")
        for stage, e in i.evaluation.get("all_sensors", {}).items():
            lines.append(
                f"  {stage:>4}: RMSE {e['rmse']:.2f} t/ha"
                f" (climatology {e['rmse_climatology']:.2f}),"
                f" MAPE {e['mape']:.1f} % ({e['mape_climatology']:.1f} %),"
                f" p10-p90 coverage {e.get('coverage_p10_p90', float('nan')):.0%}"
            )
        return "\n".join(lines)


def _fail(path: Path, problem: str) -> ModelFileError:
    return ModelFileError(f"model file {path}: {problem}")


def _json(path: Path, meta: dict[str, str], key: MetaKey) -> Any:
    if key.value not in meta:
        raise _fail(path, f"metadata {key.value!r} missing")
    try:
        return json.loads(meta[key.value])
    except json.JSONDecodeError as exc:
        raise _fail(path, f"metadata {key.value!r} is not JSON: {exc}") from None


def _check_io(path: Path, session: Any) -> None:
    inputs = session.get_inputs()
    if len(inputs) != 1 or inputs[0].name != INPUT_NAME:
        found = [(i.name, i.type, i.shape) for i in inputs]
        raise _fail(path, f"expected one input {INPUT_NAME!r}, found {found}")
    (inp,) = inputs
    if inp.type != "tensor(float)" or len(inp.shape) != 2 or inp.shape[1] != len(FEATURE_NAMES):
        raise _fail(
            path,
            f"input {INPUT_NAME!r} must be tensor(float) [N, {len(FEATURE_NAMES)}], "
            f"found {inp.type} {inp.shape}",
        )
    outputs = [o.name for o in session.get_outputs()]
    if OUTPUT_NAME not in outputs:
        raise _fail(path, f"expected output {OUTPUT_NAME!r}, found {outputs}")


def _check_features(path: Path, declared: Any) -> tuple[FeatureRange, ...]:
    if not isinstance(declared, list):
        raise _fail(path, f"metadata {MetaKey.FEATURES.value!r} must be a list")
    names = [d.get("name") if isinstance(d, dict) else None for d in declared]
    if tuple(names) != FEATURE_NAMES:
        diff = next(
            (i for i, (a, b) in enumerate(zip(names, FEATURE_NAMES, strict=False)) if a != b),
            min(len(names), len(FEATURE_NAMES)),
        )
        found = names[diff] if diff < len(names) else "(end of list)"
        wanted = FEATURE_NAMES[diff] if diff < len(FEATURE_NAMES) else "(end of list)"
        raise _fail(
            path,
            f"its inputs do not match this gateway's features: {len(names)} declared, "
            f"{len(FEATURE_NAMES)} computed; first difference at position {diff}: "
            f"file has {found!r}, gateway computes {wanted!r}",
        )
    ranges = []
    for d, spec in zip(declared, FEATURES, strict=True):
        if d.get("unit") != spec.unit:
            raise _fail(
                path, f"feature {spec.name!r}: unit {d.get('unit')!r}, gateway uses {spec.unit!r}"
            )
        lo, hi = float(d["min"]), float(d["max"])
        if not lo <= hi:
            raise _fail(path, f"feature {spec.name!r}: range {lo}..{hi} is empty")
        ranges.append(FeatureRange(spec.name, spec.unit, lo, hi))
    return tuple(ranges)


def _selftest(path: Path, session: Any, test: Any) -> None:
    try:
        x = np.asarray(
            [[np.nan if v is None else v for v in row] for row in test["input"]], dtype=np.float32
        )
        expected = np.asarray(test["output"], dtype=np.float64)
    except (KeyError, TypeError, ValueError) as exc:
        raise _fail(path, f"metadata {MetaKey.SELFTEST.value!r} unreadable: {exc}") from None
    got = session.run([OUTPUT_NAME], {INPUT_NAME: x})[0]
    if got.shape != expected.shape:
        raise _fail(path, f"self-test output shape {got.shape}, expected {expected.shape}")
    gap = float(np.max(np.abs(got - expected)))
    if gap > SELFTEST_TOLERANCE:
        raise _fail(
            path,
            f"self-test outputs differ from those recorded at training by up to {gap:.4f} t/ha "
            f"(tolerance {SELFTEST_TOLERANCE})",
        )


def read_model_file(path: Path, threads: int = DEFAULT_THREADS) -> LoadedModel:
    """Load and validate one model file, or raise ModelFileError saying why not."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _fail(path, f"cannot be read: {exc}") from None
    try:
        session = make_session(data, threads)
    except Exception as exc:  # onnxruntime raises its own exception types
        raise _fail(path, f"onnxruntime cannot load it: {exc}") from None
    meta: dict[str, str] = dict(session.get_modelmeta().custom_metadata_map)
    if meta.get(MetaKey.FORMAT.value) != FORMAT_VERSION:
        raise _fail(
            path,
            f"metadata {MetaKey.FORMAT.value!r} is {meta.get(MetaKey.FORMAT.value)!r}, "
            f"expected {FORMAT_VERSION!r} (not a Kakashi yield model?)",
        )
    _check_io(path, session)
    ranges = _check_features(path, _json(path, meta, MetaKey.FEATURES))
    crop = meta.get(MetaKey.CROP.value, "")
    if crop not in CROPS:
        raise _fail(path, f"crop {crop!r} is not one of {sorted(CROPS)}")
    version = meta.get(MetaKey.VERSION.value, "")
    try:
        parse_version(version)
        calibration = Calibration.from_json(_json(path, meta, MetaKey.CALIBRATION))
        created = dt.date.fromisoformat(meta.get(MetaKey.CREATED.value, ""))
    except (ValueError, KeyError) as exc:
        raise _fail(path, str(exc)) from None
    _selftest(path, session, _json(path, meta, MetaKey.SELFTEST))
    info = ModelInfo(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        name=meta.get(MetaKey.NAME.value, f"kakashi-yield-{crop}"),
        version=version,
        crop=crop,
        ranges=ranges,
        calibration=calibration,
        season=_json(path, meta, MetaKey.SEASON),
        training_data=_json(path, meta, MetaKey.TRAINING_DATA),
        evaluation=_json(path, meta, MetaKey.EVALUATION),
        created=created,
    )
    return LoadedModel(info, session)
