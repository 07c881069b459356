"""What the operator knows about a field that no sensor measures: soil texture, irrigation.

The climatology baseline knows a field's soil and irrigation strategy; a
model denied them confuses an irrigated sandy field with a rainfed clay one
until the season has said which it is. Both are optional: without them the
band widens. Water contents are AquaCrop's defaults per USDA texture class
(aquacrop ``Soil``), the same the training seasons were simulated with.
"""

from __future__ import annotations

from dataclasses import dataclass

SOIL_WATER: dict[str, tuple[float, float]] = {
    # texture: (wilting point, field capacity), % vol of the topsoil
    "sand": (6.0, 13.0),
    "loamy_sand": (8.0, 16.0),
    "sandy_loam": (10.0, 22.0),
    "loam": (15.0, 31.0),
    "silt_loam": (13.0, 33.0),
    "silt": (9.0, 33.0),
    "sandy_clay_loam": (20.0, 32.0),
    "clay_loam": (23.0, 39.0),
    "silty_clay_loam": (23.0, 44.0),
    "sandy_clay": (27.0, 39.0),
    "silty_clay": (32.0, 50.0),
    "clay": (39.0, 54.0),
    "paddy": (32.0, 50.0),  # puddled clay topsoil over a compacted plough pan
}
IRRIGATION_TRIGGER: dict[str, float] = {
    # practice: AquaCrop's soil moisture target, irrigating when the root zone holds
    # less than this share (%) of its available water (rainfed: never; flooded: kept full)
    "rainfed": 0.0,
    "deficit": 35.0,
    "full": 70.0,
    "flooded": 100.0,
}
AQUACROP_SOIL: dict[str, str] = {
    "SandyLoam": "sandy_loam",
    "Loam": "loam",
    "ClayLoam": "clay_loam",
    "Clay": "clay",
    "Paddy": "paddy",
}


@dataclass(frozen=True, slots=True)
class FieldContext:
    soil: str
    """A key of ``SOIL_WATER``."""
    irrigation: str
    """A key of ``IRRIGATION_TRIGGER``."""

    def __post_init__(self) -> None:
        if self.soil not in SOIL_WATER:
            raise ValueError(f"soil {self.soil!r}: expected one of {sorted(SOIL_WATER)}")
        if self.irrigation not in IRRIGATION_TRIGGER:
            raise ValueError(
                f"irrigation {self.irrigation!r}: expected one of {sorted(IRRIGATION_TRIGGER)}"
            )

    def values(self) -> tuple[float, float, float]:
        wp, fc = SOIL_WATER[self.soil]
        return wp, fc, IRRIGATION_TRIGGER[self.irrigation]
