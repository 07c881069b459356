"""A field through AquaCrop: water in and out of the soil, growth, harvests, seasons chained."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.crops import Irrigation
from sim.field import FieldModel, FieldSpec
from sim.weather import Site, WeatherGenerator
from tests.sim.climates import DROUGHT, KOCHI
from tests.sim.weather_days import Weather

PLANTED = dt.date(2026, 5, 1)
SITE = Site(33.57, 133.52, 120.0)


def maize(irrigation: Irrigation = Irrigation.RAINFED, soil: str = "Loam") -> FieldSpec:
    return FieldSpec("f", "maize", soil, irrigation, PLANTED, 0.5)


def topsoil(model: FieldModel, day: dt.date) -> float:
    """Mean water content of the top 0.3 m at the end of ``day``."""
    return sum(model.day(day).th[:3]) / 3


def test_rain_wets_the_soil_and_dry_heat_dries_it() -> None:
    storm = PLANTED + dt.timedelta(days=40)
    model = FieldModel(maize(), Weather({storm: 45.0}), PLANTED + dt.timedelta(days=20))
    before = [topsoil(model, storm - dt.timedelta(days=k)) for k in (6, 3, 1)]
    assert before[0] > before[1] > before[2]  # a week without rain in 33 °C heat
    assert topsoil(model, storm) > before[2] + 0.02


def test_irrigation_wets_the_soil_like_rain() -> None:
    day = PLANTED + dt.timedelta(days=45)
    dry = FieldModel(maize(), Weather(), PLANTED)
    watered = FieldModel(maize(), Weather(), PLANTED)
    applied = watered.irrigate(day, 30.0)
    assert applied == day
    assert watered.day(day).irrigation_mm == pytest.approx(30.0)
    assert dry.day(day).irrigation_mm == 0.0
    assert topsoil(watered, day) > topsoil(dry, day) + 0.02


def test_irrigation_for_a_day_already_computed_waits_for_the_next() -> None:
    model = FieldModel(maize(), Weather(), PLANTED)
    model.advance_to(PLANTED + dt.timedelta(days=10))
    applied = model.irrigate(PLANTED, 20.0)
    assert applied == PLANTED + dt.timedelta(days=11)
    assert model.day(applied).irrigation_mm == pytest.approx(20.0)


def test_drought_lowers_the_yield() -> None:
    def season_yield(climate_seed: int, irrigation: Irrigation, dry: bool) -> float:
        generator = WeatherGenerator(climate_seed, SITE, DROUGHT if dry else KOCHI)
        model = FieldModel(maize(irrigation), generator.days, PLANTED)
        model.advance_to(PLANTED + dt.timedelta(days=200))
        assert model.harvests, "the season never reached harvest"
        return model.harvests[0].dry_yield_t_ha

    drought = season_yield(1, Irrigation.RAINFED, dry=True)
    watered = season_yield(1, Irrigation.FULL, dry=True)
    normal = season_yield(1, Irrigation.RAINFED, dry=False)
    assert drought < 0.7 * watered
    assert drought < 0.7 * normal


def test_seasons_chain_from_year_to_year_with_continuous_soil_water() -> None:
    generator = WeatherGenerator(2, SITE, KOCHI)
    model = FieldModel(maize(), generator.days, PLANTED)
    water: dict[dt.date, float] = {}
    day = PLANTED
    while day <= dt.date(2027, 10, 31):
        water[day] = topsoil(model, day)
        day += dt.timedelta(days=1)
    harvests = model.harvests
    assert [h.planted for h in harvests] == [PLANTED, dt.date(2027, 5, 1)]
    assert all(h.dry_yield_t_ha > 0 for h in harvests)
    assert harvests[0].dry_yield_t == pytest.approx(harvests[0].dry_yield_t_ha * 0.5)
    # Across the switch from one AquaCrop run to the next, soil water moves by a
    # day's worth, not a jump back to field capacity.
    switch = harvests[0].day
    assert abs(water[switch + dt.timedelta(days=1)] - water[switch]) < 0.03
    # Old days are not kept.
    with pytest.raises(KeyError, match="no longer kept"):
        model.day(PLANTED)


def test_a_simulation_that_starts_mid_season_has_the_season_behind_it() -> None:
    start = PLANTED + dt.timedelta(days=60)
    model = FieldModel(maize(), WeatherGenerator(3, SITE, KOCHI).days, start)
    today = model.day(start)
    assert today.growing
    assert today.dap == 61
    assert today.canopy_cover > 0.3
    assert model.season_planted == PLANTED


def test_the_outlook_is_the_harvest_the_field_then_reaches() -> None:
    generator = WeatherGenerator(4, SITE, KOCHI)
    model = FieldModel(maize(), generator.days, PLANTED + dt.timedelta(days=40))
    outlook = model.outlook()
    assert outlook is not None
    assert outlook.planted == PLANTED
    model.advance_to(outlook.harvest_day)
    assert model.harvests[-1].day == outlook.harvest_day
    assert model.harvests[-1].dry_yield_t_ha == pytest.approx(outlook.dry_yield_t_ha)
    days = model.season_days
    assert days[0].day == PLANTED
    assert days[-1].day == outlook.harvest_day
    assert days[-1].biomass_t_ha > days[30].biomass_t_ha > 0


def test_irrigation_asked_for_changes_the_outlook() -> None:
    generator = WeatherGenerator(5, SITE, DROUGHT)
    model = FieldModel(maize(), generator.days, PLANTED + dt.timedelta(days=30))
    dry = model.outlook()
    for k in range(1, 60, 3):
        model.irrigate(PLANTED + dt.timedelta(days=30 + k), 25.0)
    watered = model.outlook()
    assert dry is not None
    assert watered is not None
    assert watered.dry_yield_t_ha > dry.dry_yield_t_ha * 1.2
