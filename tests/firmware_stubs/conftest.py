"""Builds the firmware once per test session, with the sanitizers, into a temporary directory.

A missing compiler fails these tests with the Debian package to install;
scripts/test.sh installs gcc and gcc-arm-none-eabi when they are missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from firmware_stubs.build import build_host


@dataclass(frozen=True)
class Binaries:
    soil_node: Path
    cart_node: Path


@pytest.fixture(scope="session")
def firmware(tmp_path_factory: pytest.TempPathFactory) -> Binaries:
    """Host binaries built with AddressSanitizer and UndefinedBehaviorSanitizer:
    every test that talks to a node also checks it for memory errors and UB."""
    out = tmp_path_factory.mktemp("firmware")
    return Binaries(
        soil_node=build_host("soil_node", out, sanitize=True),
        cart_node=build_host("cart_node", out, sanitize=True),
    )
