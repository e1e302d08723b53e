"""The text catalogues (text/de.toml, text/en.toml) say the same things in both languages."""

from __future__ import annotations

import string

from text import LANGS, t, texts


def _placeholders(value: object) -> set[str]:
    items = value if isinstance(value, list) else [value]
    return {name for item in items for _lit, name, _spec, _conv in
            string.Formatter().parse(str(item)) if name}


def test_both_languages_have_every_text_with_the_same_placeholders() -> None:
    de, en = texts("de"), texts("en")
    assert set(de) == set(en), sorted(set(de) ^ set(en))
    for key in de:
        assert _placeholders(de[key]) == _placeholders(en[key]), key
        assert type(de[key]) is type(en[key]), key


def test_no_text_is_empty_or_the_same_in_both_languages_by_mistake() -> None:
    same = {k for k in texts("de") if texts("de")[k] == texts("en")[k]}
    # Names, symbols and numbers read the same in both languages; nothing else should.
    assert same <= {"app_title", "view_leaflet", "view_webgl", "search_kind_ortsteil",
                    "profiles.search_in_ortsteil"} | {
        k for k in same if not any(c.isalpha() for c in str(texts("de")[k]))}, sorted(same)
    assert all(texts(lang)[k] for lang in LANGS for k in texts(lang))


def test_a_missing_text_falls_back_instead_of_breaking_a_page() -> None:
    assert t("overview_title", "en") == "Rostock on the map"
    assert t("no_such_key", "en") == "no_such_key"
    assert t("trend_since", "xx", first=2005, change="+1", pct="+2") \
        == t("trend_since", "de", first=2005, change="+1", pct="+2")

