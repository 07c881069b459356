"""firmware_stubs/header.py: the C register headers generated from profiles.

The committed headers the firmware is built from must be exactly what their
profiles generate now; a profile edited without regenerating fails here."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from drivers.profile import Function, load_profile
from firmware_stubs.build import FIRMWARE_DIR, HOST_CC, require_tool
from firmware_stubs.header import (
    FirmwareMapError,
    check_header,
    generate_header,
    header_name,
    profile_sha256,
)

COMMITTED = {
    "kakashi_soil_node": FIRMWARE_DIR / "soil_node" / "kakashi_soil_node_regs.h",
    "kakashi_cart_controller": FIRMWARE_DIR / "cart_node" / "kakashi_cart_controller_regs.h",
}


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_each_committed_header_matches_its_profile(name: str) -> None:
    profile = load_profile(name)
    path = COMMITTED[name]
    assert path.name == header_name(profile)
    result = check_header(profile, path.read_text(encoding="ascii"))
    assert result.ok, f"{path}: {result.reason}; run: kakashi firmware header {name} --out {path}"
    assert profile_sha256(profile) in path.read_text(encoding="ascii")


def copy_profile(tmp_path: Path, name: str) -> Path:
    copy = tmp_path / f"{name}.toml"
    shutil.copy(load_profile(name).path, copy)
    return copy


def test_a_profile_changed_without_regenerating_is_caught(tmp_path: Path) -> None:
    committed = COMMITTED["kakashi_soil_node"].read_text(encoding="ascii")
    copy = copy_profile(tmp_path, "kakashi_soil_node")
    copy.write_text(copy.read_text().replace("max = 3600", "max = 7200"))
    result = check_header(load_profile(copy), committed)
    assert not result.ok
    assert "another version of kakashi_soil_node.toml" in result.reason
    # Even a change to a comment changes the hash: the check is exact.
    copy = copy_profile(tmp_path, "kakashi_soil_node")
    copy.write_text(copy.read_text() + "\n# a note\n")
    assert not check_header(load_profile(copy), committed).ok


def test_a_hand_edited_header_is_caught() -> None:
    profile = load_profile("kakashi_cart_controller")
    text = generate_header(profile).replace("_MAX 300", "_MAX 350")
    result = check_header(profile, text)
    assert not result.ok
    assert "edited by hand" in result.reason
    assert "no KAKASHI_CART" in check_header(profile, "/* empty */\n").reason


C_DUMP = """
#include <stdio.h>
#include "{header}"
typedef struct {{ unsigned address; int is_signed; long min; long max; }} limit_t;
static const limit_t limits[] = {{{prefix}_LIMITS}};
static const unsigned coils[] = {{{prefix}_WRITABLE_COILS}};
int main(void)
{{
    unsigned i;
{points}
    for (i = 0; i < {prefix}_LIMIT_COUNT; i++) {{
        printf("limit %u %d %ld %ld\\n", limits[i].address, limits[i].is_signed,
               limits[i].min, limits[i].max);
    }}
    for (i = 0; i < {prefix}_WRITABLE_COIL_COUNT; i++) {{
        printf("coil %u\\n", coils[i]);
    }}
    printf("tables %u %u %u %u %u %u\\n", {prefix}_INPUT_FIRST, {prefix}_INPUT_COUNT,
           {prefix}_HOLDING_FIRST, {prefix}_HOLDING_COUNT, {prefix}_COIL_FIRST,
           {prefix}_COIL_COUNT);
    return 0;
}}
"""


@pytest.mark.parametrize("name", sorted(COMMITTED))
def test_the_header_compiles_and_carries_the_profiles_numbers(tmp_path: Path, name: str) -> None:
    """A C program built on the generated header prints what the profile says."""
    profile = load_profile(name)
    prefix = name.upper()
    (tmp_path / header_name(profile)).write_text(generate_header(profile), encoding="ascii")
    lines = []
    for p in profile.points:
        macro = f"{prefix}_{p.name.upper()}"
        bit = f"{macro}_BIT" if p.is_register_bit else "0u"
        lines.append(f'    printf("point {p.name} %u %u\\n", {macro}, {bit});')
    program = tmp_path / "dump.c"
    program.write_text(
        C_DUMP.format(header=header_name(profile), prefix=prefix, points="\n".join(lines))
    )
    binary = tmp_path / "dump"
    cc = require_tool(HOST_CC)
    flags = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror"]
    subprocess.run([cc, *flags, str(program), "-o", str(binary)], check=True, timeout=60)
    out = subprocess.run([str(binary)], capture_output=True, text=True, check=True).stdout
    printed = out.splitlines()
    for p in profile.points:
        assert f"point {p.name} {p.address} {p.bit or 0}" in printed
    writable = [p for p in profile.points if p.writable and p.function is Function.HOLDING]
    for p in writable:
        assert p.write_min is not None
        assert p.write_max is not None
        low, high = round(p.write_min / p.scale), round(p.write_max / p.scale)
        signed = 1 if str(p.data_type) == "s16" else 0
        assert f"limit {p.address} {signed} {low} {high}" in printed
    coils = [p for p in profile.points if p.writable and p.function is Function.COIL]
    assert [x for x in printed if x.startswith("coil")] == [f"coil {p.address}" for p in coils]


MINIMAL = """
[device]
manufacturer = "Test"
model = "firmware map"
protocol = "modbus"
"""


def profile_file(tmp_path: Path, points: str) -> Path:
    path = tmp_path / "test_node.toml"
    path.write_text(MINIMAL + points)
    return path


def test_write_limits_round_to_the_raw_steps_inside_them(tmp_path: Path) -> None:
    path = profile_file(
        tmp_path,
        """
[points.level]
function = "holding"
address = 0
type = "s16"
scale = 0.1
writable = true
min = -0.55
max = 2.54
""",
    )
    text = generate_header(load_profile(path))
    assert "#define TEST_NODE_LEVEL_MIN (-5)" in text
    assert "#define TEST_NODE_LEVEL_MAX 25" in text


def test_what_the_core_cannot_serve_is_refused_with_every_reason(tmp_path: Path) -> None:
    path = profile_file(
        tmp_path,
        """
[points.a]
function = "input"
address = 0
type = "u16"

[points.b]
function = "input"
address = 3
type = "u16"

[points.door]
function = "discrete_input"
address = 0
type = "bit"

[points.total]
function = "holding"
address = 0x10
type = "u32"
writable = true
min = 0
max = 100000
""",
    )
    with pytest.raises(FirmwareMapError) as caught:
        generate_header(load_profile(path))
    problems = caught.value.problems
    assert any("input 0x0001 lies inside the table" in p for p in problems)
    assert any("input 0x0002 lies inside the table" in p for p in problems)
    assert any("points.door: discrete inputs" in p for p in problems)
    assert any("points.total: the firmware core writes u16 and s16" in p for p in problems)
    with pytest.raises(FirmwareMapError, match="only modbus profiles"):
        generate_header(load_profile("nmea_gps"))


def test_a_point_cannot_take_a_name_the_header_uses(tmp_path: Path) -> None:
    path = profile_file(
        tmp_path,
        """
[points.input_count]
function = "input"
address = 0
type = "u16"
""",
    )
    with pytest.raises(FirmwareMapError, match="C name INPUT_COUNT is already used"):
        generate_header(load_profile(path))


def test_headers_are_plain_ascii_and_comments_cannot_be_closed_early(tmp_path: Path) -> None:
    path = profile_file(
        tmp_path,
        """
[points.t]
function = "input"
address = 0
type = "s16"
unit = "°C"
description = "ends a comment */ here, µS"
""",
    )
    text = generate_header(load_profile(path))
    text.encode("ascii")
    assert "degC" in text
    assert "* / here, uS" in text


def test_docs_specify_every_point_of_the_soil_node_at_its_address() -> None:
    """docs/devices.md is the soil node's specification, as it is the cart's."""
    from tests.drivers.profiles.test_catalogue import documented

    profile = load_profile("kakashi_soil_node")
    assert [p.name for p in profile.points if not documented(p)] == []
