"""Spliced seasons: one year's weather to a day, another's after (needs the train extra)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("aquacrop", reason="spliced seasons need the kakashi[train] extra")

from models.training.dataset import featurize
from models.training.scenarios import DatasetConfig, Season, Strategy, same_day_in
from models.training.seasons import SeasonStore, build_dataset
from models.training.simulate import LEAD_DAYS, site_weather
from models.training.splice import SPLICE_SHARE, donor_years, spliced_weather, splices_of
from models.training.split import Campaigns, campaign, split_years

SEASON = Season("maize", "champion", "Loam", Strategy.RAINFED, dt.date(1990, 5, 10))


def test_spliced_weather_is_the_own_year_to_the_splice_day_then_the_donors() -> None:
    frame = spliced_weather(SEASON, 60, 2001)
    weather = site_weather("champion").set_index("Date")
    assert frame["Date"].iloc[0].date() == SEASON.planted - dt.timedelta(days=LEAD_DAYS)
    last_own = SEASON.planted + dt.timedelta(days=59)
    first_donor = dt.date(2001, 5, 10) + dt.timedelta(days=60)
    for column in ("MinTemp", "MaxTemp", "Precipitation", "ReferenceET"):
        assert frame[column].iloc[LEAD_DAYS + 59] == weather.loc[last_own.isoformat()][column]
        assert frame[column].iloc[LEAD_DAYS + 60] == weather.loc[first_donor.isoformat()][column]
    # The dates run on from the season's own planting: AquaCrop sees one season.
    assert frame["Date"].iloc[LEAD_DAYS + 60].date() == SEASON.planted + dt.timedelta(days=60)
    assert frame["Date"].is_monotonic_increasing


def test_donors_are_never_the_seasons_own_campaign() -> None:
    rabi = Season("rice", "hyderabad", "Paddy", Strategy.FLOODED, dt.date(2003, 1, 5))
    donors = donor_years(rabi, list(range(1995, 2010)))
    # Sown on 5 January 2003, the season belongs to the 2002 campaign; so would a
    # donor "2003" (the same sowing): it is left out, 2002 (sown January 2002) is not.
    assert campaign(rabi.planted) == 2002
    assert 2003 not in donors
    assert 2002 in donors
    assert 1990 not in donor_years(SEASON, list(range(1982, 2019)))


def test_splices_are_drawn_per_season_deterministically() -> None:
    years = list(range(1982, 2019))
    first = splices_of(SEASON, 150, years, 3, seed=1)
    assert first == splices_of(SEASON, 150, years, 3, seed=1)
    assert first != splices_of(SEASON, 150, years, 3, seed=2)
    assert len({s.donor for s in first}) == 3
    lo, hi = SPLICE_SHARE
    for s in first:
        assert s.donor in donor_years(SEASON, years)
        assert lo * 150 - 1 <= s.splice_day <= hi * 150 + 1
        assert s.key.startswith(SEASON.key + "+")
    assert splices_of(SEASON, 150, years, 0, seed=1) == []
    # Drawn in rounds: asking for more keeps the first ones (and their simulations).
    more = splices_of(SEASON, 150, years, 5, seed=1)
    assert more[:2] == first[:2]
    assert splices_of(SEASON, 150, years, 4, seed=1) == more[:4]
    assert len({s.donor for s in more}) == 5


def test_a_split_holds_out_a_spliced_season_if_either_year_is_tested() -> None:
    info = {
        "planted": ["1990-05-10", "1990-05-10", "1991-05-10"],
        "donor": ["", "1992", "1990"],
    }
    seasons = Campaigns.of(info)
    assert seasons.real.tolist() == [True, False, False]
    assert seasons.donor.tolist() == [1990, 1992, 1990]
    split = split_years(np.arange(1988, 2000), seed=7)
    touched = split.touches_test(seasons)
    for i in range(3):
        expected = seasons.own[i] in split.test_years or seasons.donor[i] in split.test_years
        assert touched[i] == expected
    assert same_day_in(dt.date(2000, 2, 29), 2001) == dt.date(2001, 2, 28)


TINY = DatasetConfig(
    crops=("rice",),
    max_years=3,
    soils=("Paddy",),
    strategies=(Strategy.FLOODED,),
    plantings_per_site=1,
    random_days=4,
    splices=1,
)


def test_spliced_seasons_are_built_stored_and_never_scored(tmp_path: Path) -> None:
    store, failures = build_dataset("rice", TINY)
    assert failures == []
    real = store.real()
    assert real.tolist() == [True] * 3 + [False] * 3
    assert [store.season(i).donor for i in range(3)] == [None] * 3
    spliced = [store.season(i) for i in range(3, 6)]
    assert all(s.donor is not None and s.splice_day > 0 for s in spliced)
    # The weather before the splice day is the real season's own, after it not.
    for i, s in zip(range(3, 6), spliced, strict=True):
        own = store.series(i - 3).tmax
        mixed = store.series(i).tmax
        d = s.splice_day
        np.testing.assert_array_equal(mixed[:d], own[:d])
        assert not np.array_equal(mixed[d : d + 20], own[d : d + 20])
    rows = featurize(store, TINY)
    assert set(rows.row_eval[~real[rows.row_season]].tolist()) == {0}
    assert set(rows.row_eval[real[rows.row_season]].tolist()) == {0, 30, 60, 90}

    path = tmp_path / "seasons-rice.npz"
    store.save(path, {})
    again = SeasonStore.load(path, "rice")
    assert again.digest() == store.digest()
    assert [again.season(i) for i in range(6)] == [store.season(i) for i in range(6)]


def test_a_store_without_splices_keeps_its_digest(tmp_path: Path) -> None:
    """Stores written before spliced seasons existed load, as real seasons, with the
    digest they had (the shipped models name their data by it)."""
    store, _ = build_dataset("rice", replace(TINY, splices=0))
    path = tmp_path / "seasons-rice.npz"
    store.save(path, {})
    with np.load(path) as z:
        legacy = {k: z[k] for k in z.files if k not in ("season_donor", "season_splice_day")}
    np.savez_compressed(path, **legacy)
    old = SeasonStore.load(path, "rice")
    assert old.real().all()
    assert old.digest() == store.digest()
