"""Sizes and durations as the health panel shows them (live.js words them the same way)."""

from __future__ import annotations

from edge.web.i18n import translate

UNITS = ("B", "KB", "MB", "GB", "TB")


def size(n: int | None) -> str:
    if n is None:
        return "—"
    value, i = float(n), 0
    while value >= 1024 and i < len(UNITS) - 1:
        value /= 1024
        i += 1
    if i == 0:
        return f"{n} B"
    return f"{value:.1f} {UNITS[i]}" if value < 10 else f"{value:.0f} {UNITS[i]}"


def duration(seconds: float, lang: str) -> str:
    d, rest = divmod(int(seconds), 86_400)
    h, rest = divmod(rest, 3600)
    m = rest // 60

    def unit(name: str) -> str:
        return translate(lang, f"js.unit.{name}")

    if d:
        return f"{d}{unit('day')} {h}{unit('hour')}"
    if h:
        return f"{h}{unit('hour')} {m}{unit('minute')}"
    return f"{m}{unit('minute')}"


def disk(used: int | None, budget: int | None) -> str:
    return size(used) + (f" / {size(budget)}" if budget else "")
