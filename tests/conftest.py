"""Fixtures shared by the whole suite: the real outside programs tests rely on.

A missing broker or browser is an error, never a skip: `scripts/test.sh`
installs them, and a run that silently skipped them would prove nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: install Debian's chromium (scripts/test.sh does it)",
            pytrace=False,
        )
    return CHROMIUM


@pytest.fixture(scope="session")
def mosquitto_path() -> Path:
    found = shutil.which("mosquitto") or (
        "/usr/sbin/mosquitto" if Path("/usr/sbin/mosquitto").exists() else None
    )
    if found is None:
        pytest.fail(
            "mosquitto is missing: install Debian's mosquitto (scripts/test.sh does it)",
            pytrace=False,
        )
    return Path(found)
