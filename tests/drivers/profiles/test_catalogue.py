"""docs/devices.md stays the catalogue of what ships, and the spec of Kakashi's own maps.

The cart and battery firmware are written from that document, so a point added
to or moved in their profiles without the document following is a bug.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.profile import Point, available_profiles, load_profile

CATALOGUE = Path(__file__).resolve().parents[3] / "docs" / "devices.md"
KAKASHI = ["kakashi_cart_controller", "kakashi_drone_battery"]


def catalogue() -> str:
    return CATALOGUE.read_text(encoding="utf-8")


def rows() -> list[str]:
    return [line for line in catalogue().splitlines() if line.startswith("|")]


@pytest.mark.parametrize("name", sorted(n for n in available_profiles() if load_profile(n).points))
def test_every_shipped_modbus_profile_has_a_catalogue_entry(name: str) -> None:
    headings = [line for line in catalogue().splitlines() if line.startswith("#")]
    assert any(f"`{name}`" in h for h in headings), f"docs/devices.md has no section for {name}"
    assert f"| `{name}` |" in catalogue(), f"docs/devices.md's summary lacks {name}"


def documented(point: Point) -> bool:
    if point.is_register_bit:
        # Bit fields are listed under their register, one row per bit.
        return f"register 0x{point.address:04X}" in catalogue() and any(
            row.startswith(f"| {point.bit} | `{point.name}` |") for row in rows()
        )
    address = f"0x{point.address:04X}"
    return any(f"`{point.name}`" in row and address in row.split("|")[1] for row in rows())


@pytest.mark.parametrize("profile_name", KAKASHI)
def test_every_point_of_kakashi_maps_is_specified_at_its_address(profile_name: str) -> None:
    missing = [p.name for p in load_profile(profile_name).points if not documented(p)]
    assert missing == []


def test_a_moved_point_would_be_caught() -> None:
    point = load_profile("kakashi_cart_controller").point("target_speed")
    moved = Point(
        name=point.name, function=point.function, address=0x0102, data_type=point.data_type
    )
    assert documented(point)
    assert not documented(moved)
