"""The result of forecasting one field: what storage, the page and MQTT receive."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Forecast:
    field: str
    ts: float
    """When it was made, seconds since the epoch (UTC)."""
    p10: float
    p50: float
    p90: float
    """Final dry yield, t/ha: 80 % of held-out outcomes fell between p10 and p90."""
    model_version: str
    features_used: tuple[str, ...]
    """Features that had data; the others were missing and widened the band."""
    progress: float
    """Share of the nominal season elapsed, 0..1."""
    expected_harvest: dt.date
    notes: tuple[str, ...] = ()
    """What was degraded and how: an input missing or held, a fallback taken."""


@dataclass(frozen=True, slots=True)
class ForecastOutcome:
    """A forecast, or None with the reasons there is none; notes on what was degraded."""

    forecast: Forecast | None
    notes: tuple[str, ...] = ()
