"""Climates for tests: Kōchi's normals (as in the shipped scenarios) and extreme variants."""

from __future__ import annotations

from dataclasses import replace

from sim.climate import ClimateNormals

KOCHI = ClimateNormals(
    tmax_c=(12.3, 13.5, 16.6, 21.1, 24.9, 27.3, 31.2, 32.3, 29.6, 25.1, 19.9, 14.5),
    tmin_c=(1.7, 2.8, 6.3, 10.8, 15.3, 19.6, 23.6, 24.2, 21.3, 15.7, 9.4, 3.9),
    rain_mm=(59, 106, 190, 244, 292, 358, 340, 283, 395, 193, 140, 80),
    wet_days=(5.3, 7.4, 10.2, 10.4, 10.9, 14.3, 11.9, 11.9, 12.7, 8.4, 7.2, 5.6),
    rh_pct=(59, 60, 63, 67, 72, 79, 80, 78, 76, 71, 67, 62),
    wind_ms=(1.7, 1.8, 1.8, 1.7, 1.6, 1.4, 1.5, 1.6, 1.6, 1.6, 1.6, 1.6),
    sunshine=(0.60, 0.55, 0.52, 0.52, 0.49, 0.35, 0.47, 0.53, 0.46, 0.52, 0.55, 0.60),
)

DROUGHT = replace(KOCHI, rain_mm=(2.0,) * 12, wet_days=(0.5,) * 12, rh_pct=(45.0,) * 12)
"""The same place with hardly any rain: a drought year."""
