"""onnxruntime sessions sized for a Raspberry Pi; onnxruntime is imported here, on first use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEFAULT_THREADS = 1
"""One intra-op thread: a tree ensemble on one row takes microseconds, and the
Pi's other cores are busy polling devices and serving the page."""


def make_session(model: Path | bytes, threads: int = DEFAULT_THREADS) -> Any:
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    # Spinning threads wait for work by burning a core; on a gateway that is
    # pure waste between forecasts.
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.log_severity_level = 3
    source = str(model) if isinstance(model, Path) else model
    return ort.InferenceSession(source, sess_options=options, providers=["CPUExecutionProvider"])
