"""Numbers the German way (1.234,5) or the English way, via Babel; no Streamlit here."""

from __future__ import annotations

import math

from babel.numbers import format_decimal

LOCALES = {"de": "de_DE", "en": "en_GB"}


def number(value: float | int | None, lang: str = "de", digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES.get(lang, "de_DE"))


def signed(value: float | None, lang: str = "de", digits: int = 0) -> str:
    text = number(value, lang, digits)
    return f"+{text}" if value is not None and value == value and value > 0 else text
