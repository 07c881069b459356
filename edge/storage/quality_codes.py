"""Quality flags as the small integers stored on disk, mapped in one place.

Codes are part of the file format: never renumber one, only add new ones.
"""

from __future__ import annotations

from drivers.reading import Quality

QUALITY_TO_CODE: dict[Quality, int] = {
    Quality.GOOD: 0,
    Quality.INVALID: 1,
    Quality.OUT_OF_RANGE: 2,
    Quality.STALE: 3,
}
CODE_TO_QUALITY: dict[int, Quality] = {code: q for q, code in QUALITY_TO_CODE.items()}
GOOD_CODE = QUALITY_TO_CODE[Quality.GOOD]


def quality_code(quality: Quality) -> int:
    return QUALITY_TO_CODE[quality]


def quality_from_code(code: int) -> Quality:
    try:
        return CODE_TO_QUALITY[code]
    except KeyError:
        known = ", ".join(f"{c}={q.value}" for c, q in sorted(CODE_TO_QUALITY.items()))
        raise ValueError(f"unknown quality code {code!r} in database; known: {known}") from None
