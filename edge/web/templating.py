"""Rendering the server-side pages: one Jinja environment, the same context everywhere.

Every page gets ``site_name``, the signed-in ``principal`` (or None), ``lang``
and ``t`` (the translation function for that language), ``csrf`` (the token
every form must post back as ``csrf``), ``js_text`` (the texts its scripts use)
and ``nav`` (which header link is current).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from markupsafe import Markup
from starlette.requests import Request

from edge.web.access import principal_of
from edge.web.i18n import choose_language, for_scripts, translate

HERE = Path(__file__).parent


def format_value(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


class Pages:
    def __init__(self, site_name: str, timezone: str = "UTC") -> None:
        self.site_name = site_name
        self.zone = ZoneInfo(timezone)
        self.templates = Jinja2Templates(directory=HERE / "templates")
        env = self.templates.env
        env.filters["value"] = format_value
        env.filters["ts"] = self.format_ts
        env.filters["tojson_attr"] = lambda v: json.dumps(v, separators=(",", ":"))

    def format_ts(self, ts: float | None) -> str:
        """Site-local time: operators think in the farm's clock, not UTC."""
        if ts is None:
            return "—"
        return datetime.fromtimestamp(ts, UTC).astimezone(self.zone).strftime("%Y-%m-%d %H:%M")

    def render(
        self,
        request: Request,
        name: str,
        context: dict[str, Any] | None = None,
        *,
        nav: str = "",
        status_code: int = 200,
    ) -> HTMLResponse:
        lang = choose_language(request)
        principal = principal_of(request)

        def t(key: str, **values: object) -> str:
            return translate(lang, key, **values)

        base: dict[str, Any] = {
            "site_name": self.site_name,
            "principal": principal,
            "lang": lang,
            "t": t,
            "csrf": principal.csrf if principal is not None else "",
            "js_text": _script_json(for_scripts(lang)),
            "nav": nav,
        }
        base.update(context or {})
        return self.templates.TemplateResponse(request, name, base, status_code=status_code)


def _script_json(data: object) -> Markup:
    # Inside <script>, "</" could close the element early; JSON allows "<\/".
    return Markup(json.dumps(data, ensure_ascii=False).replace("</", "<\\/"))
