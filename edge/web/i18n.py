"""English and Japanese UI text, chosen per request.

Text lives in ``locales/*.toml`` (one file per area of the page, each with an
``[en]`` and a ``[ja]`` table of the same keys) so that translators edit data,
not templates. The language is the ``lang`` cookie set by the switch in the
page header, else the best match in the browser's ``Accept-Language``, else
English. A key missing in Japanese falls back to English (and a test keeps the
two tables equal); a key missing everywhere shows itself, so it is noticed.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from starlette.requests import HTTPConnection

LANGUAGES = ("en", "ja")
DEFAULT_LANGUAGE = "en"
LANG_COOKIE = "lang"
LOCALES = Path(__file__).parent / "locales"


class CatalogError(ValueError):
    pass


@lru_cache(maxsize=1)
def catalogs() -> Mapping[str, Mapping[str, str]]:
    """Every language's merged ``key -> text``; loaded once per process."""
    return load_catalogs(LOCALES)


def load_catalogs(folder: Path) -> dict[str, dict[str, str]]:
    merged: dict[str, dict[str, str]] = {lang: {} for lang in LANGUAGES}
    for path in sorted(folder.glob("*.toml")):
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as e:
            raise CatalogError(f"{path}: {e}") from e
        for lang, table in data.items():
            if lang not in merged:
                raise CatalogError(f"{path}: [{lang}]: expected one of {', '.join(LANGUAGES)}")
            for key, text in _flatten(table, ""):
                if key in merged[lang]:
                    raise CatalogError(f"{path}: [{lang}] {key}: defined in another file too")
                merged[lang][key] = text
    return merged


def _flatten(table: Mapping[str, Any], prefix: str) -> list[tuple[str, str]]:
    items: list[tuple[str, str]] = []
    for key, value in table.items():
        full = f"{prefix}{key}"
        if isinstance(value, Mapping):
            items += _flatten(value, full + ".")
        else:
            items.append((full, str(value)))
    return items


def choose_language(conn: HTTPConnection) -> str:
    cookie = conn.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    return from_accept_language(conn.headers.get("accept-language", ""))


def from_accept_language(header: str) -> str:
    """The supported language the browser prefers most (``ja-JP;q=0.9`` counts as ``ja``)."""
    best, best_q = DEFAULT_LANGUAGE, 0.0
    for part in header.split(","):
        tag, _, params = part.strip().partition(";")
        lang = tag.strip().lower().split("-")[0]
        q = 1.0
        params = params.strip()
        if params.startswith("q="):
            try:
                q = float(params[2:])
            except ValueError:
                continue
        if lang in LANGUAGES and q > best_q:
            best, best_q = lang, q
    return best


def translate(lang: str, key: str, **values: object) -> str:
    """The text for ``key`` in ``lang`` with ``{name}`` placeholders filled."""
    cats = catalogs()
    text = cats.get(lang, {}).get(key) or cats[DEFAULT_LANGUAGE].get(key)
    if text is None:
        return key
    return text.format(**values) if values else text


def for_scripts(lang: str) -> dict[str, str]:
    """The ``js.*`` texts, embedded in each page for its scripts."""
    english = catalogs()[DEFAULT_LANGUAGE]
    chosen = catalogs().get(lang, {})
    return {k[3:]: chosen.get(k, v) for k, v in english.items() if k.startswith("js.")}
