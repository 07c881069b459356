"""Building the reference firmware: host binaries, sanitizer builds, fuzzer, MCU cross-build.

Every build compiles from the committed sources into a directory the caller
names (the tests use a temporary one; ``python -m firmware_stubs.build``
defaults to ``firmware_stubs/build/``), so nothing built is ever committed.
Host builds are strict C99 with warnings as errors; the sanitizer builds add
AddressSanitizer and UndefinedBehaviorSanitizer and abort on the first report.
The cross-build compiles the core and both nodes for a Cortex-M0+ (the
RP2040's core) with Debian's arm-none-eabi toolchain and reports code and RAM
from the objects and from linked images.

A missing compiler raises :class:`ToolchainMissing` naming the Debian package:
the tests fail with it rather than skip, since ``scripts/test.sh`` installs them.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FIRMWARE_DIR = Path(__file__).resolve().parent
DEFAULT_OUT = FIRMWARE_DIR / "build"

CORE_SOURCES = (
    "core/kk_crc.c",
    "core/kk_rtu_rx.c",
    "core/kk_map.c",
    "core/kk_pdu.c",
    "core/kk_rtu_slave.c",
    "core/kk_rtu_port.c",
    "core/kk_raw.c",
    "core/kk_nmea.c",
)
HOST_SOURCES = (
    "host/host_serial.c",
    "host/host_hal.c",
    "host/host_control.c",
    "host/host_run.c",
)
NODE_SOURCES = {
    "soil_node": ("soil_node/soil_node.c",),
    "cart_node": ("cart_node/cart_node.c", "cart_node/cart_gps.c"),
}
HOST_MAINS = {"soil_node": "host/soil_main.c", "cart_node": "host/cart_main.c"}
LINK_CHECK_MAINS = {
    "soil_node": "mcu/link_check/soil_image.c",
    "cart_node": "mcu/link_check/cart_image.c",
}
LINK_CHECK_SOURCES = ("mcu/link_check/startup.c", "mcu/link_check/hal_stubs.c")
LINKER_SCRIPT = "mcu/link_check/rp2040.ld"
FUZZ_SOURCES = ("fuzz/fuzz_core.c",)
INCLUDE_DIRS = ("core", "host", "soil_node", "cart_node")

WARNINGS = (
    "-std=c99",
    "-pedantic",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-Wconversion",
    "-Wshadow",
    "-Wstrict-prototypes",
    "-Wmissing-prototypes",
    "-Wcast-qual",
    "-Wundef",
)
SANITIZERS = (
    "-fsanitize=address,undefined",
    "-fno-sanitize-recover=all",
    "-fno-omit-frame-pointer",
    "-g",
)
CORTEX_M0PLUS = ("-mcpu=cortex-m0plus", "-mthumb", "-Os", "-ffunction-sections", "-fdata-sections")

HOST_CC = ("gcc", "gcc")
CROSS_CC = ("arm-none-eabi-gcc", "gcc-arm-none-eabi")
CROSS_SIZE = ("arm-none-eabi-size", "binutils-arm-none-eabi")
NEWLIB_NANO = "libnewlib-arm-none-eabi"


class ToolchainMissing(RuntimeError):  # noqa: N818 - names what is missing, not a failure
    """A compiler or tool is not installed; the message names its Debian package."""


class BuildError(RuntimeError):
    """The compiler refused the sources; the message holds its output."""


@dataclass(frozen=True, slots=True)
class SizeReport:
    """Sizes in bytes, as arm-none-eabi-size counts them."""

    name: str
    text: int
    """Code and constant data, in flash."""
    data: int
    """Initialised variables: in flash (their initial values) and in RAM."""
    bss: int
    """Zeroed variables, in RAM."""

    @property
    def flash(self) -> int:
        return self.text + self.data

    @property
    def ram(self) -> int:
        """Static RAM; the stack comes on top."""
        return self.data + self.bss

    def line(self) -> str:
        return (
            f"{self.name}: code {self.flash} B flash (text {self.text}, data {self.data}), "
            f"RAM {self.ram} B static (data {self.data}, bss {self.bss})"
        )


@dataclass(frozen=True, slots=True)
class CrossBuild:
    core: SizeReport
    """The core's objects together, before the linker drops unused functions."""
    objects: tuple[SizeReport, ...]
    images: tuple[SizeReport, ...]
    """Each node linked for the RP2040's memory map with stub HAL functions."""

    def lines(self) -> list[str]:
        return [self.core.line(), *(image.line() for image in self.images)]


def require_tool(tool: tuple[str, str]) -> str:
    """The path of a tool (name, Debian package); ToolchainMissing if absent."""
    name, package = tool
    found = shutil.which(name)
    if found is None:
        raise ToolchainMissing(
            f"{name} is not installed: install Debian's {package} (scripts/test.sh does)"
        )
    return found


def _paths(sources: Sequence[str]) -> list[str]:
    return [str(FIRMWARE_DIR / s) for s in sources]


def _includes() -> list[str]:
    return [f"-I{FIRMWARE_DIR / d}" for d in INCLUDE_DIRS]


def _run(command: Sequence[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        shown = " ".join(command)
        raise BuildError(f"{shown}\nexit {done.returncode}\n{done.stderr}{done.stdout}")
    return done.stdout


def build_host(node: str, out_dir: Path, *, sanitize: bool = False) -> Path:
    """The host binary of ``node`` (``soil_node`` or ``cart_node``) in ``out_dir``."""
    if node not in NODE_SOURCES:
        raise ValueError(f"node: expected one of {', '.join(NODE_SOURCES)}, found {node!r}")
    cc = require_tool(HOST_CC)
    out_dir.mkdir(parents=True, exist_ok=True)
    binary = out_dir / (f"{node}-asan" if sanitize else node)
    flags = [*WARNINGS, *(SANITIZERS if sanitize else ()), "-O1" if sanitize else "-O2"]
    sources = [*CORE_SOURCES, *NODE_SOURCES[node], *HOST_SOURCES, HOST_MAINS[node]]
    _run([cc, *flags, *_includes(), *_paths(sources), "-o", str(binary)])
    return binary


def build_fuzzer(out_dir: Path) -> Path:
    """The in-process fuzzer of the core, always with both sanitizers."""
    cc = require_tool(HOST_CC)
    out_dir.mkdir(parents=True, exist_ok=True)
    binary = out_dir / "fuzz_core"
    # Everything but the port, which needs a HAL: the fuzzer calls the slave directly.
    sources = [*(s for s in CORE_SOURCES if s != "core/kk_rtu_port.c"), *FUZZ_SOURCES]
    _run([cc, *WARNINGS, *SANITIZERS, "-O1", *_includes(), *_paths(sources), "-o", str(binary)])
    return binary


_SIZE_ROW = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\d+)\s+\d+\s+[0-9a-fA-F]+\s+(\S+)\s*$")


def _sizes(size_tool: str, files: Sequence[Path]) -> list[SizeReport]:
    out = _run([size_tool, "-B", *map(str, files)])
    reports = []
    for row in out.splitlines()[1:]:
        match = _SIZE_ROW.match(row)
        if match is None:
            raise BuildError(f"unexpected arm-none-eabi-size output: {row!r}")
        text, data, bss, name = match.groups()
        reports.append(SizeReport(Path(name).name, int(text), int(data), int(bss)))
    return reports


def cross_build(out_dir: Path) -> CrossBuild:
    """Compiles the core and the nodes for Cortex-M0+ and links one image per node."""
    cc = require_tool(CROSS_CC)
    size_tool = require_tool(CROSS_SIZE)
    out_dir.mkdir(parents=True, exist_ok=True)
    flags = [*WARNINGS, *CORTEX_M0PLUS, *_includes()]
    objects = []
    for source in CORE_SOURCES:
        obj = out_dir / (Path(source).stem + ".o")
        _run([cc, *flags, "-c", str(FIRMWARE_DIR / source), "-o", str(obj)])
        objects.append(obj)
    per_object = _sizes(size_tool, objects)
    core = SizeReport(
        "core (all objects)",
        sum(r.text for r in per_object),
        sum(r.data for r in per_object),
        sum(r.bss for r in per_object),
    )
    images = []
    for node, sources in NODE_SOURCES.items():
        image = out_dir / f"{node}-cortex-m0plus.elf"
        every = [*CORE_SOURCES, *sources, *LINK_CHECK_SOURCES, LINK_CHECK_MAINS[node]]
        link = [
            "-nostartfiles",
            "--specs=nano.specs",
            f"-T{FIRMWARE_DIR / LINKER_SCRIPT}",
            "-Wl,--gc-sections",
            f"-Wl,-Map={image.with_suffix('.map')}",
        ]
        try:
            _run([cc, *flags, *link, *_paths(every), "-o", str(image)])
        except BuildError as exc:
            if "nano.specs" in str(exc):
                raise ToolchainMissing(
                    f"newlib for arm-none-eabi is not installed: install Debian's "
                    f"{NEWLIB_NANO} (scripts/test.sh does)\n{exc}"
                ) from None
            raise
        images.append(image)
    linked = [
        SizeReport(f"{r.name} (linked)", r.text, r.data, r.bss) for r in _sizes(size_tool, images)
    ]
    return CrossBuild(core, tuple(per_object), tuple(linked))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m firmware_stubs.build",
        description="Build the reference firmware (host, sanitizers, fuzzer, Cortex-M0+).",
    )
    parser.add_argument(
        "what",
        nargs="*",
        choices=["host", "sanitize", "fuzz", "cross"],
        default=["host", "sanitize", "fuzz", "cross"],
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default {DEFAULT_OUT}")
    args = parser.parse_args(argv)
    try:
        for what in args.what:
            if what in ("host", "sanitize"):
                for node in NODE_SOURCES:
                    print(build_host(node, args.out, sanitize=what == "sanitize"))
            elif what == "fuzz":
                print(build_fuzzer(args.out))
            else:
                for line in cross_build(args.out / "cortex-m0plus").lines():
                    print(line)
    except (ToolchainMissing, BuildError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
