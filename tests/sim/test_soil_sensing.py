"""What a probe in the soil reads: water at its depth and hour, temperature, EC, permittivity."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sim.crops import Irrigation
from sim.field import FieldModel, FieldSpec
from sim.soil_sensing import SoilChemistry, SoilSensing, topp_permittivity, water_content_at
from sim.weather import DailyWeather, Site, WeatherGenerator
from tests.sim.climates import KOCHI
from tests.sim.weather_days import hot_dry_days

TOKYO = ZoneInfo("Asia/Tokyo")
PLANTED = dt.date(2026, 5, 1)
STORM = dt.date(2026, 6, 20)


class StormyGenerator(WeatherGenerator):
    """Hot dry days with one 40 mm storm from 14:00 to 17:00."""

    def day(self, day: dt.date) -> DailyWeather:
        return hot_dry_days(day, 1, rain={STORM: 40.0})[0]

    def days(self, first: dt.date, count: int) -> list[DailyWeather]:
        return hot_dry_days(first, count, rain={STORM: 40.0})


@pytest.fixture
def sensing() -> SoilSensing:
    from sim.weather_now import WeatherClock

    generator = StormyGenerator(1, Site(33.57, 133.52, 120.0), KOCHI)
    spec = FieldSpec("f", "maize", "Loam", Irrigation.RAINFED, PLANTED, 1.0)
    field = FieldModel(spec, generator.days, PLANTED)
    return SoilSensing(field, WeatherClock(generator, TOKYO, PLANTED), SoilChemistry())


def at(day: dt.date, hour: float) -> float:
    return dt.datetime.combine(day, dt.time(), TOKYO).timestamp() + hour * 3600


def test_water_content_is_interpolated_between_compartment_centres() -> None:
    th = (0.30, 0.20, 0.10) + (0.10,) * 9
    assert water_content_at(th, 0.05) == pytest.approx(0.30)
    assert water_content_at(th, 0.10) == pytest.approx(0.25)
    assert water_content_at(th, 0.0) == pytest.approx(0.30)
    assert water_content_at(th, 2.0) == pytest.approx(0.10)


def test_topp_permittivity_inverts_topps_equation() -> None:
    for theta in (0.05, 0.2, 0.35, 0.5):
        eps = topp_permittivity(theta)
        back = -5.3e-2 + 2.92e-2 * eps - 5.5e-4 * eps**2 + 4.3e-6 * eps**3
        assert back == pytest.approx(theta, abs=1e-6)
    assert topp_permittivity(0.02) < 5 < 20 < topp_permittivity(0.4)


def test_rain_arrives_during_the_storm_not_before(sensing: SoilSensing) -> None:
    morning = sensing.sample(at(STORM, 10.0), 0.05).moisture_pct
    evening = sensing.sample(at(STORM, 20.0), 0.05).moisture_pct
    end_of_yesterday = 100 * water_content_at(
        sensing.field.day(STORM - dt.timedelta(days=1)).th, 0.05
    )
    end_of_today = 100 * water_content_at(sensing.field.day(STORM).th, 0.05)
    assert morning == pytest.approx(end_of_yesterday)
    assert evening == pytest.approx(end_of_today)
    assert evening > morning + 2


def test_drying_happens_by_day(sensing: SoilSensing) -> None:
    day = STORM + dt.timedelta(days=3)
    night = sensing.sample(at(day, 3.0), 0.15).moisture_pct
    noon = sensing.sample(at(day, 12.0), 0.15).moisture_pct
    late = sensing.sample(at(day, 21.0), 0.15).moisture_pct
    assert night > noon > late


def test_wetter_soil_conducts_more(sensing: SoilSensing) -> None:
    dry = sensing.sample(at(STORM, 10.0), 0.05)
    wet = sensing.sample(at(STORM, 20.0), 0.05)
    assert wet.ec_us_cm > dry.ec_us_cm
    assert wet.permittivity > dry.permittivity


def test_deeper_soil_swings_less_and_later(sensing: SoilSensing) -> None:
    day = STORM + dt.timedelta(days=5)
    hours = [h / 2 for h in range(48)]
    shallow = [sensing.sample(at(day, h), 0.05).temperature_c for h in hours]
    deep = [sensing.sample(at(day, h), 0.30).temperature_c for h in hours]
    middle = [sensing.sample(at(day, h), 0.15).temperature_c for h in hours]
    assert max(shallow) - min(shallow) > 3 * (max(deep) - min(deep))
    # The peak comes z/D·24/2π hours later: 5.7 h at 0.15 m for D = 0.10 m.
    lag = hours[middle.index(max(middle))] - hours[shallow.index(max(shallow))]
    assert lag == pytest.approx(0.10 / 0.10 * 24 / 6.283, abs=0.6)


def test_the_crop_takes_up_nitrogen_as_it_grows(sensing: SoilSensing) -> None:
    early = sensing.sample(at(PLANTED + dt.timedelta(days=10), 12.0), 0.15)
    later = sensing.sample(at(PLANTED + dt.timedelta(days=80), 12.0), 0.15)
    assert later.nitrogen_mg_kg < early.nitrogen_mg_kg
    assert later.potassium_mg_kg < early.potassium_mg_kg
