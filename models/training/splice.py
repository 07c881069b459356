"""Spliced seasons: one year's weather up to a day of the season, another's after it.

A tree model learns what a season's state so far means for its yield from the
training seasons, and each of them pairs its state with one rest of season
only: the same year's. Wheat has 42 campaigns, and every soil, sowing day and
irrigation strategy of one campaign meets the same spring, so the trees see
few independent springs for each kind of winter and learn years rather than
the crop. A spliced season is a real season's own weather up to a drawn day,
then a donor year's from the same day after planting on, simulated again from
sowing by AquaCrop; its state and its rest of season come from different
years. The analogue experiment (``analog.py``) showed the crop model's mean over
such rests of season beats the trees by far; these seasons teach the trees
that mean instead of one year's draw.

Spliced seasons only ever train: a split counts one as a test season when
either of its years is held out, and figures are computed on real seasons
alone.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np

from models.daily import DailySeries
from models.training.scenarios import Season, same_day_in
from models.training.sensors import season_rng
from models.training.simulate import LEAD_DAYS, season_window, site_weather
from models.training.split import campaign

COLUMNS = ("MinTemp", "MaxTemp", "Precipitation", "ReferenceET")
SPLICE_ROUND = 2
"""Spliced seasons drawn per round (``splices_of``)."""
SPLICE_SHARE = (0.2, 0.9)
"""The splice day is drawn in this share of the real season's length: the span
of season progress forecasts are made in."""


def _window_start(season: Season, year: int) -> dt.date:
    return same_day_in(season.planted, year) - dt.timedelta(days=LEAD_DAYS)


def spliced_weather(season: Season, day: int, donor: int, seen: DailySeries | None = None) -> Any:
    """``season``'s simulation window (AquaCrop's columns and a Date column): its
    own weather (the lead month and ``day`` days after planting), then ``donor``'s
    from the same day after its planting on. ``seen`` replaces the own days after
    planting where it has values (a gateway's readings, with their error)."""
    import pandas as pd  # type: ignore[import-untyped,import-not-found,unused-ignore]

    start, end = season_window(season)
    days = (end - start).days + 1
    weather = site_weather(season.site).set_index("Date")
    own = weather.loc[start.isoformat() : end.isoformat()][list(COLUMNS)].to_numpy()
    other = weather.loc[_window_start(season, donor).isoformat() :][list(COLUMNS)].to_numpy()
    if len(own) < days or len(other) < days:
        raise ValueError(f"{season.key}: weather of {donor} does not cover the window")
    blended = other[:days].copy()
    upto = LEAD_DAYS + day
    blended[:upto] = own[:upto]
    if seen is not None:
        readings = np.column_stack([seen.tmin, seen.tmax, seen.rain, seen.et0])[:day]
        part = blended[LEAD_DAYS : LEAD_DAYS + len(readings)]
        blended[LEAD_DAYS : LEAD_DAYS + len(readings)] = np.where(
            np.isnan(readings), part, readings
        )
    frame = pd.DataFrame(blended, columns=list(COLUMNS))
    frame["Date"] = pd.date_range(start.isoformat(), periods=days, freq="D")
    return frame


def donor_years(season: Season, years: Sequence[int]) -> list[int]:
    """Those of ``years`` (planting years) whose weather covers ``season``'s window,
    sown in another campaign than the season's own."""
    dates = site_weather(season.site)["Date"]
    first, last = dates.iloc[0].date(), dates.iloc[-1].date()
    start, end = season_window(season)
    span = end - start
    own = campaign(season.planted)
    return [
        y
        for y in years
        if first <= _window_start(season, y)
        and _window_start(season, y) + span <= last
        and campaign(same_day_in(season.planted, y)) != own
    ]


def splices_of(
    season: Season, length_days: int, years: Sequence[int], count: int, seed: int
) -> list[Season]:
    """``count`` spliced seasons of a real one that lasted ``length_days``: each a
    donor drawn from ``years`` (no donor twice) and a splice day; deterministic per
    season. They are drawn in rounds of ``SPLICE_ROUND``, each round from its own
    generator, so asking for more never redraws (nor re-simulates) the first ones."""
    usable = donor_years(season, years)
    lo, hi = SPLICE_SHARE
    out: list[Season] = []
    for r in range(-(-count // SPLICE_ROUND)):
        rng = season_rng(seed, f"splice/{season.key}" if r == 0 else f"splice/{r}/{season.key}")
        left = [y for y in usable if y not in {s.donor for s in out}]
        size = min(SPLICE_ROUND, count - len(out), len(left))
        if size <= 0:
            break
        for d in rng.choice(left, size=size, replace=False):
            day = max(1, round(float(rng.uniform(lo, hi)) * length_days))
            out.append(
                Season(
                    season.crop,
                    season.site,
                    season.soil,
                    season.strategy,
                    season.planted,
                    donor=int(d),
                    splice_day=day,
                )
            )
    return out
