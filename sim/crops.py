"""The crops and soils a scenario may name, as AquaCrop knows them.

Crop names are the gateway configuration's (docs/configuration.md); each runs
on one of AquaCrop's default crop files. Rice, maize and wheat use the same
files as the forecasting models' training (models/crops.py) so the simulated
harvest is what those models were trained to predict; "vegetables" runs as
tomato, the commonest field vegetable with an AquaCrop default file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Irrigation(StrEnum):
    """How a field is watered when nobody asks: AquaCrop's irrigation methods."""

    RAINFED = "rainfed"
    DEFICIT = "deficit"
    """Irrigate when the root zone falls below 35 % of its available water."""
    FULL = "full"
    """… below 70 %."""
    FLOODED = "flooded"
    """Keep the root zone near saturation (net irrigation, paddy practice)."""


@dataclass(frozen=True, slots=True)
class CropFile:
    aquacrop_name: str
    max_season_days: int
    """Longest planting-to-harvest the simulation allows before it stops the season."""
    bunds_m: float = 0.0
    """Bund height: paddies hold standing water."""


CROPS: dict[str, CropFile] = {
    "rice": CropFile("PaddyRice", 180, bunds_m=0.2),
    "maize": CropFile("Maize", 200),
    "wheat": CropFile("WheatGDD", 330),
    "soybean": CropFile("Soybean", 200),
    "potato": CropFile("Potato", 200),
    "vegetables": CropFile("Tomato", 200),
}

SOILS = (
    "Clay",
    "ClayLoam",
    "Loam",
    "LoamySand",
    "Sand",
    "SandyClay",
    "SandyClayLoam",
    "SandyLoam",
    "Silt",
    "SiltClayLoam",
    "SiltLoam",
    "SiltClay",
    "Paddy",
)
"""AquaCrop's built-in soil classes (texture classes plus a layered paddy soil)."""
