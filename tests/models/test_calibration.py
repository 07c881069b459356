from __future__ import annotations

import pytest

from models.calibration import ALL_PATTERNS, FULL_PATTERN, Calibration, pattern_key


def _table(value: float) -> dict[str, object]:
    return {
        "stage_edges": [0.4, 0.7],
        "corrections": {pattern_key(p): [value, value / 2, 0.0] for p in ALL_PATTERNS},
    }


def test_correction_follows_the_season_stage() -> None:
    cal = Calibration.from_json(_table(1.0))
    key = pattern_key(FULL_PATTERN)
    assert cal.correction(key, 0.1) == 1.0
    assert cal.correction(key, 0.5) == 0.5
    assert cal.correction(key, 0.95) == 0.0


def test_band_is_widened_ordered_and_never_negative() -> None:
    cal = Calibration.from_json(_table(1.0))
    # Crossed raw quantiles; the correction is one raw width (2 t/ha) each side.
    band = cal.apply((0.5, 3.0, 2.5), pattern_key(FULL_PATTERN), 0.1)
    assert band.p10 == 0.0
    assert band.p50 == 3.0
    assert band.p90 == 4.5


def test_a_zero_width_band_is_widened_as_if_it_had_the_minimum_width() -> None:
    cal = Calibration.from_json(_table(1.0))
    band = cal.apply((3.0, 3.0, 3.0), pattern_key(FULL_PATTERN), 0.1)
    assert (band.p10, band.p90) == pytest.approx((2.9, 3.1))


def test_a_table_missing_a_sensor_set_is_refused() -> None:
    data = _table(1.0)
    del data["corrections"]["weather_only"]  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="weather_only"):
        Calibration.from_json(data)


def test_pattern_names_are_stable() -> None:
    assert pattern_key(frozenset()) == "weather_only"
    assert pattern_key(FULL_PATTERN) == "rain+irrigation+soil_shallow+soil_deep+field+location"
