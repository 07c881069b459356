from __future__ import annotations

import datetime as dt

import pytest

from models.forecast import Forecast
from models.suggest import FieldArea, suggest_pickups

TODAY = dt.date(2024, 8, 1)


def _forecast(field: str, progress: float, harvest: dt.date) -> Forecast:
    return Forecast(field, 0.0, 4.0, 5.0, 6.5, "kakashi-yield-maize@1.0.0", (), progress, harvest)


def test_late_forecasts_become_pickups_in_kg_with_their_band() -> None:
    fields = [FieldArea("north", 2.5, "maize"), FieldArea("south", 1.0, "maize")]
    suggestions = suggest_pickups(
        [
            _forecast("north", 0.7, dt.date(2024, 9, 10)),
            _forecast("south", 0.8, dt.date(2024, 8, 20)),
        ],
        fields,
        TODAY,
    )
    assert [s.field for s in suggestions] == ["south", "north"]
    north = suggestions[1]
    assert north.expected_kg == pytest.approx(12500.0)
    assert (north.low_kg, north.high_kg) == pytest.approx((10000.0, 16250.0))
    order = north.to_order()
    assert order["status"] == "suggested"
    assert order["quantity_kg"] == 12500
    assert (order["earliest"], order["latest"]) == ("2024-09-07", "2024-09-13")


def test_early_past_and_unknown_fields_are_not_suggested() -> None:
    fields = [FieldArea("north", 2.5, "maize")]
    assert not suggest_pickups(
        [
            _forecast("north", 0.3, dt.date(2024, 9, 10)),
            _forecast("north", 0.9, dt.date(2024, 7, 10)),
            _forecast("elsewhere", 0.9, dt.date(2024, 9, 10)),
        ],
        fields,
        TODAY,
    )
