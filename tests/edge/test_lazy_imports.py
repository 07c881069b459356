"""The service starts without loading the heavy libraries it may never use.

ortools, onnxruntime, pandas and numpy together cost a Pi with 1 GB of RAM
well over 100 MB; they must load only in the parts that plan or forecast.
"""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("ortools", "onnxruntime", "pandas", "numpy", "pyvrp")


def test_starting_the_service_imports_no_heavy_library() -> None:
    probe = (
        "import json, sys; import edge.cli, edge.service, edge.storage; "
        "edge.cli._parser(); "
        f"print(json.dumps(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out) == []
