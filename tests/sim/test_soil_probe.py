"""The toy soil: deterministic for a seed and a time, and physically plausible."""

from __future__ import annotations

import math

from drivers.profile import load_profile
from drivers.reading import Quality
from sim.soil_probe import DAY_S, HOUR_S, SoilParams, SoilProbe

START = 1_750_000_000.0  # June 2025, UTC
SAMPLES = [START + i * 3 * HOUR_S for i in range(240)]  # 30 days


def test_same_seed_and_time_give_the_same_reading_in_any_order() -> None:
    a, b = SoilProbe(7), SoilProbe(7)
    later_first = [b.at(t) for t in reversed(SAMPLES[:20])][::-1]
    assert [a.at(t) for t in SAMPLES[:20]] == later_first


def test_different_seeds_give_different_weather() -> None:
    one = [SoilProbe(1).at(t).moisture for t in SAMPLES]
    two = [SoilProbe(2).at(t).moisture for t in SAMPLES]
    assert one != two


def test_soil_is_warmest_in_the_afternoon() -> None:
    params = SoilParams()
    probe = SoilProbe(3, params)
    midnight_utc = math.floor(START / DAY_S) * DAY_S
    warmest = midnight_utc + (params.warmest_hour - params.solar_offset_h) * HOUR_S
    coldest = warmest + 12 * HOUR_S
    difference = probe.at(warmest).temperature - probe.at(coldest).temperature
    assert abs(difference - 2 * params.daily_amplitude) < 0.5


def test_rain_raises_moisture_which_then_dries() -> None:
    probe = SoilProbe(5)
    first_hour = math.floor(START / HOUR_S)
    rainy = [h for h in range(first_hour, first_hour + 60 * 24) if probe.rain_jump(h)]
    assert rainy, "no rain in 60 days: the chance per hour is too low"
    hour = next(h for h, n in zip(rainy, [*rainy[1:], math.inf], strict=True) if n - h > 24)
    before = probe.at(hour * HOUR_S - 1).moisture
    after = probe.at(hour * HOUR_S + 1).moisture
    params = probe.params
    assert after - before > min(params.rain_min, params.saturation - before) - 0.01
    day_later = probe.at(hour * HOUR_S + DAY_S).moisture
    assert params.dry_moisture < day_later < after


def test_ec_follows_moisture() -> None:
    probe = SoilProbe(9)
    params = probe.params
    for t in SAMPLES:
        reading = probe.at(t)
        expected = params.ec_base + params.ec_per_moisture * reading.moisture
        assert abs(reading.ec - expected) < 40  # noise is 5 µS/cm standard deviation


def test_every_value_is_within_the_probe_profile_and_encodes() -> None:
    profile = load_profile("dfrobot_sen0604")
    for seed in (1, 2):
        probe = SoilProbe(seed)
        for t in SAMPLES:
            values = probe.at(t).as_dict()
            for point in profile.points:
                _, quality = point.decode(point.encode(values[point.name]))
                assert quality is Quality.GOOD, (seed, t, point.name, values[point.name])
    ph = [SoilProbe(1).at(t).ph for t in SAMPLES]
    assert abs(sum(ph) / len(ph) - 6.2) < 0.05
