"""fuzz/fuzz_core.c: half a million frames, byte streams and fixes through the core
under AddressSanitizer and UndefinedBehaviorSanitizer, with its properties checked."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from firmware_stubs.build import build_fuzzer


@pytest.mark.parametrize("seed", [1, 20240607])
def test_the_core_survives_the_fuzzer_with_every_property_holding(
    tmp_path: Path, seed: int
) -> None:
    binary = build_fuzzer(tmp_path)
    done = subprocess.run(
        [str(binary), "250000", str(seed)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "runtime error" not in done.stderr
    assert "; 0 failures" in done.stdout
    # The fuzzer reached past the CRC check: replies, exceptions and stored writes.
    assert " 0 replies" not in done.stdout
    assert " 0 writes applied" not in done.stdout
