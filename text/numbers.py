"""Numbers the German way (1.234,5) or the English way, via Babel; no Streamlit here."""

from __future__ import annotations

import pandas as pd
from babel.numbers import format_decimal

LOCALES = {"de": "de_DE", "en": "en_GB"}


def _missing(value: object) -> bool:
    """None, NaN and pandas' NA (nullable integers) all mean 'no value'."""
    return value is None or bool(pd.isna(value))


def number(value: float | int | None, lang: str = "de", digits: int = 0) -> str:
    if _missing(value):
        return "–"
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return format_decimal(value, format=pattern, locale=LOCALES.get(lang, "de_DE"))


def signed(value: float | None, lang: str = "de", digits: int = 0) -> str:
    text = number(value, lang, digits)
    return f"+{text}" if not _missing(value) and value > 0 else text
