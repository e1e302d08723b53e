"""Numbers the German way (1.234,5) or the English way, via Babel."""

from __future__ import annotations

from babel.numbers import format_decimal

LOCALES = {"de": "de_DE", "en": "en_GB"}


def number(value: float | int | None, lang: str = "de", digits: int = 0) -> str:
    if value is None or value != value:  # NaN
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES.get(lang, "de_DE"))
