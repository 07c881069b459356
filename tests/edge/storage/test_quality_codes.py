from __future__ import annotations

import pytest

from drivers.reading import Quality
from edge.storage.quality_codes import QUALITY_TO_CODE, quality_code, quality_from_code


def test_every_quality_round_trips_through_a_distinct_code() -> None:
    assert set(QUALITY_TO_CODE) == set(Quality)
    assert len(set(QUALITY_TO_CODE.values())) == len(Quality)
    for quality in Quality:
        assert quality_from_code(quality_code(quality)) is quality


def test_codes_are_the_file_format_and_never_change() -> None:
    assert QUALITY_TO_CODE == {
        Quality.GOOD: 0,
        Quality.INVALID: 1,
        Quality.OUT_OF_RANGE: 2,
        Quality.STALE: 3,
    }


def test_unknown_code_is_named_in_the_error() -> None:
    with pytest.raises(ValueError, match=r"unknown quality code 9.*0=good"):
        quality_from_code(9)
