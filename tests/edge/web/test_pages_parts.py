"""The pages' small pure parts: sparkline paths, time ranges, relative times, sizes."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from edge.web.pages import field_range, figures
from edge.web.pages.relative_time import ago
from edge.web.pages.sketch import band_scale, sparkline_path
from edge.web.queries import BadParameterError

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 7, 1, 12, 0, tzinfo=TOKYO).timestamp()


def test_a_missing_hour_breaks_the_sparkline_instead_of_bridging_it() -> None:
    path = sparkline_path([1.0, 2.0, None, 4.0, 5.0], width=100, height=30)
    assert path.count("M") == 2
    assert path.startswith("M0.0 28.0L25.0 21.5")  # lowest at the bottom margin
    assert "M75.0 8.5L100.0 2.0" in path  # highest at the top margin


def test_a_sparkline_needs_two_values() -> None:
    assert sparkline_path([3.0]) == ""
    assert sparkline_path([None, 3.0, None]) == ""


def test_forecast_band_positions_fit_a_round_scale() -> None:
    band = band_scale(4.0, 5.4, 7.0)
    assert band["max"] == 9.0  # 7.0 * 1.2 rounded up to a whole t/ha
    assert band["p10"] < band["p50"] < band["p90"] <= 100


def test_named_ranges_reach_back_from_now() -> None:
    span = field_range.resolve("7d", None, None, planted=None, zone=TOKYO, now=NOW)
    assert (span.key, span.end - span.start) == ("7d", 7 * 86_400)
    default = field_range.resolve(None, None, None, planted=None, zone=TOKYO, now=NOW)
    assert default.key == "24h"


def test_season_starts_at_local_midnight_of_planting_or_falls_back_to_30_days() -> None:
    planted = dt.date(2026, 5, 12)
    span = field_range.resolve("season", None, None, planted=planted, zone=TOKYO, now=NOW)
    assert span.start == dt.datetime(2026, 5, 12, tzinfo=TOKYO).timestamp()
    unplanted = field_range.resolve("season", None, None, planted=None, zone=TOKYO, now=NOW)
    assert unplanted.end - unplanted.start == 30 * 86_400


def test_custom_dates_cover_whole_site_local_days() -> None:
    span = field_range.resolve(None, "2026-06-01", "2026-06-02", planted=None, zone=TOKYO, now=NOW)
    assert span.key == "custom"
    assert span.start == dt.datetime(2026, 6, 1, tzinfo=TOKYO).timestamp()
    assert span.end == dt.datetime(2026, 6, 3, tzinfo=TOKYO).timestamp()


@pytest.mark.parametrize(
    ("key", "first", "last", "param"),
    [("1y", None, None, "range"), (None, "June", None, "from"), (None, "2026-06-02", "x", "to")],
)
def test_bad_ranges_name_their_parameter(
    key: str | None, first: str | None, last: str | None, param: str
) -> None:
    with pytest.raises(BadParameterError) as caught:
        field_range.resolve(key, first, last, planted=None, zone=TOKYO, now=NOW)
    assert caught.value.param == param


def test_relative_times_in_both_languages() -> None:
    assert ago(NOW - 120, NOW, "en") == "2 min ago"
    assert ago(NOW - 120, NOW, "ja") == "2分前"
    assert ago(NOW - 3 * 86_400, NOW, "ja") == "3日前"
    assert ago(None, NOW, "en") == "—"


def test_sizes_and_durations_read_naturally() -> None:
    assert figures.size(512) == "512 B"
    assert figures.size(160_000) == "156 KB"
    assert figures.disk(5 * 1024**2, 1024**3) == "5.0 MB / 1.0 GB"
    assert figures.duration(90_061, "en") == "1d 1h"
    assert figures.duration(3_900, "ja") == "1時間 5分"
