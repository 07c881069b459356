"""firmware_stubs/build.py: strict host builds, and the Cortex-M0+ cross-build with its sizes.

A missing compiler is a failure naming the Debian package, never a skip:
scripts/test.sh installs gcc, gcc-arm-none-eabi and libnewlib-arm-none-eabi."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from firmware_stubs import build
from firmware_stubs.build import NODE_SOURCES, ToolchainMissing, build_host, cross_build


@pytest.mark.parametrize("node", sorted(NODE_SOURCES))
def test_the_host_build_is_strict_c99_and_warning_free(tmp_path: Path, node: str) -> None:
    binary = build_host(node, tmp_path)  # -std=c99 -Wall -Wextra -Werror ...: a warning fails
    done = subprocess.run([str(binary)], capture_output=True, text=True, timeout=30)
    assert done.returncode == 2  # no --port: refused with its usage
    assert "usage:" in done.stderr
    assert "--port PATH" in done.stderr


def test_a_missing_compiler_fails_loudly_naming_its_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(build, "CROSS_CC", ("kakashi-no-such-gcc", "gcc-arm-none-eabi"))
    with pytest.raises(ToolchainMissing, match="install Debian's gcc-arm-none-eabi"):
        cross_build(tmp_path)
    monkeypatch.setattr(build, "HOST_CC", ("kakashi-no-such-gcc", "gcc"))
    with pytest.raises(ToolchainMissing, match="install Debian's gcc "):
        build_host("soil_node", tmp_path)


def test_the_cross_build_links_both_nodes_for_cortex_m0plus_and_reports_sizes(
    tmp_path: Path,
) -> None:
    result = cross_build(tmp_path)
    for line in result.lines():
        print(line)  # the figures, for whoever runs pytest -s
    # The core keeps no state of its own: the application owns every buffer.
    assert result.core.ram == 0
    assert result.core.flash > 0
    images = {r.name.split("-")[0]: r for r in result.images}
    assert set(images) == set(NODE_SOURCES)
    for image in images.values():
        assert image.flash > 0
        assert image.ram > 0
    # The soil node does not send NMEA: the linker dropped that part of the core.
    assert images["soil_node"].flash < images["cart_node"].flash
    header = subprocess.run(
        ["arm-none-eabi-readelf", "-h", str(tmp_path / "soil_node-cortex-m0plus.elf")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ARM" in header
    assert "0x10000" in header  # the entry point lies in the RP2040's flash window
