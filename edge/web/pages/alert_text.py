"""Alerts in the page's language, from their kind and parameters.

The query layer gives each alert an English ``message`` for the API; the page
words it per language from ``alert.<kind>`` with the alert's parameters, and
falls back to the English message for a kind it does not know yet.
"""

from __future__ import annotations

from typing import Any

from edge.web.i18n import catalogs, translate


def alert_text(alert: Any, lang: str) -> str:
    key = f"alert.{alert.kind}"
    if key not in catalogs()["en"]:
        return str(alert.message)
    params = dict(alert.params)
    if "quality" in params:
        params["quality"] = translate(lang, f"quality.{params['quality']}")
    try:
        text = translate(lang, key, **params)
    except (KeyError, IndexError, ValueError):
        # A rule that changed its parameters must not take the page down.
        return str(alert.message)
    error = params.get("error")
    return f"{text}: {error}" if error else text
