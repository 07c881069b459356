"""Every text the page shows exists in English and Japanese, and the language is chosen sensibly."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from edge.web.i18n import (
    LOCALES,
    CatalogError,
    from_accept_language,
    load_catalogs,
    translate,
)
from tests.edge.web.conftest import ClientAs

WEB = Path(__file__).parents[3] / "edge" / "web"
# t('key') or t("key", ...) in templates and page modules.
KEY_USE = re.compile(r"""\bt\(\s*['"]([a-z0-9_.-]+)['"]""")


def test_english_and_japanese_have_the_same_keys() -> None:
    catalogs = load_catalogs(LOCALES)
    en, ja = set(catalogs["en"]), set(catalogs["ja"])
    assert en, "the catalogs are empty"
    assert sorted(en - ja) == [], "missing in Japanese"
    assert sorted(ja - en) == [], "missing in English"


def test_japanese_texts_are_japanese_not_copies_of_the_english() -> None:
    catalogs = load_catalogs(LOCALES)
    # Short technical tokens (units, "MQTT", "ID") may be the same in both.
    copied = [
        key
        for key, text in catalogs["ja"].items()
        if text == catalogs["en"][key] and re.search(r"[a-z]{4,}", re.sub(r"\{\w+\}", "", text))
    ]
    assert copied == []


def test_every_key_used_by_a_template_or_page_exists() -> None:
    known = set(load_catalogs(LOCALES)["en"])
    used: dict[str, str] = {}
    for path in [*WEB.glob("templates/*.html"), *WEB.glob("pages/*.py")]:
        for key in KEY_USE.findall(path.read_text(encoding="utf-8")):
            used.setdefault(key, path.name)
    assert used, "no t('...') calls found: the scan is broken"
    # A key ending in '.' is a prefix completed at run time (t('state.' ~ state)).
    missing = {
        key: where for key, where in used.items() if key not in known and not key.endswith(".")
    }
    assert missing == {}


def test_placeholders_match_between_languages() -> None:
    catalogs = load_catalogs(LOCALES)
    field = re.compile(r"\{(\w+)\}")
    differ = {
        key: (set(field.findall(text)), set(field.findall(catalogs["ja"][key])))
        for key, text in catalogs["en"].items()
        if set(field.findall(text)) != set(field.findall(catalogs["ja"].get(key, "")))
    }
    assert differ == {}


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", "en"),
        ("ja", "ja"),
        ("ja-JP,ja;q=0.9,en-US;q=0.8,en;q=0.7", "ja"),
        ("en-US,en;q=0.9,ja;q=0.8", "en"),
        ("fr-FR,fr;q=0.9,ja;q=0.5", "ja"),
        ("de,fr", "en"),
        ("ja;q=bogus, en;q=0.3", "en"),
    ],
)
def test_the_browser_language_picks_the_best_supported_one(header: str, expected: str) -> None:
    assert from_accept_language(header) == expected


def test_unknown_key_shows_itself_and_values_fill_placeholders(tmp_path: Path) -> None:
    assert translate("ja", "no.such.key") == "no.such.key"
    (tmp_path / "a.toml").write_text('[en]\nhi = "Hello {name}"\n[ja]\nhi = "{name}さん"\n')
    assert load_catalogs(tmp_path)["ja"]["hi"].format(name="Sato") == "Satoさん"


def test_a_key_defined_twice_or_a_third_language_is_refused(tmp_path: Path) -> None:
    (tmp_path / "a.toml").write_text('[en]\nx = "a"\n')
    (tmp_path / "b.toml").write_text('[en]\nx = "b"\n')
    with pytest.raises(CatalogError, match=r"b\.toml: \[en\] x: defined in another file too"):
        load_catalogs(tmp_path)
    (tmp_path / "b.toml").write_text('[fr]\ny = "b"\n')
    with pytest.raises(CatalogError, match=r"b\.toml: \[fr\]: expected one of en, ja"):
        load_catalogs(tmp_path)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/fields/north-paddy?range=7d", "/fields/north-paddy?range=7d"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
    ],
)
def test_the_language_switch_sets_a_cookie_and_never_leaves_the_gateway(
    client_as: ClientAs, target: str, expected: str
) -> None:
    answer = client_as(None).get("/lang/ja", params={"next": target})
    assert answer.status_code == 303
    assert answer.headers["location"] == expected
    assert "lang=ja" in answer.headers["set-cookie"]
    assert "httponly" in answer.headers["set-cookie"].lower()
