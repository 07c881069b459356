"""Tiny SVG shapes drawn on the server, so the overview shows them with no script at all."""

from __future__ import annotations

from collections.abc import Sequence

SPARK_W = 100.0
SPARK_H = 30.0


def sparkline_path(
    values: Sequence[float | None], *, width: float = SPARK_W, height: float = SPARK_H
) -> str:
    """An SVG path through ``values`` spaced evenly, scaled to fill the box.

    A missing value (None) breaks the line: an hour with no data is a gap,
    not a straight line pretending to know.
    """
    numbers = [v for v in values if v is not None]
    if len(numbers) < 2:
        return ""
    lo, hi = min(numbers), max(numbers)
    span = hi - lo or 1.0
    step = width / (len(values) - 1)
    margin = 2.0  # keep the stroke inside the box at the extremes
    parts: list[str] = []
    pen_down = False
    for i, v in enumerate(values):
        if v is None:
            pen_down = False
            continue
        x = i * step
        y = margin + (hi - v) / span * (height - 2 * margin)
        parts.append(f"{'L' if pen_down else 'M'}{x:.1f} {y:.1f}")
        pen_down = True
    return "".join(parts)


def band_scale(p10: float, p50: float, p90: float) -> dict[str, float]:
    """Percent positions for a forecast band bar from 0 t/ha to a round maximum."""
    top = max(p90, p50, p10, 0.1) * 1.2
    step = 1.0 if top <= 10 else 5.0
    top = step * -(-top // step)

    def pct(v: float) -> float:
        return round(max(0.0, min(v, top)) / top * 100, 1)

    return {"p10": pct(p10), "p50": pct(p50), "p90": pct(p90), "max": top}
