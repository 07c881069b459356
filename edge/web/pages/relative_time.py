""" "2 min ago" in the page's language, for times shown on the server-rendered page.

The browser refreshes these as time passes (live.js, ``time[data-ago]``);
this is the text a page has before any script runs.
"""

from __future__ import annotations

import time
from typing import Any

from starlette.requests import HTTPConnection

from edge.web.i18n import choose_language, translate


def ago(ts: float | None, now: float, lang: str) -> str:
    if ts is None:
        return "—"
    seconds = now - ts
    if seconds < -60:
        return translate(lang, "ago.future")
    if seconds < 10:
        return translate(lang, "ago.now")
    if seconds < 45:
        return translate(lang, "ago.seconds", n=round(seconds))
    if seconds < 2700:
        return translate(lang, "ago.minutes", n=max(1, round(seconds / 60)))
    if seconds < 86_400:
        return translate(lang, "ago.hours", n=round(seconds / 3600))
    return translate(lang, "ago.days", n=round(seconds / 86_400))


def time_helpers(request: HTTPConnection) -> dict[str, Any]:
    """Template context: ``ago(ts)`` in the request's language, and ``now``."""
    lang = choose_language(request)
    now = time.time()
    return {"ago": lambda ts: ago(ts, now, lang), "now": now}
