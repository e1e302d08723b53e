"""Numbers the German way (1.234,5 and −1,10) or the English way, via Babel; no Streamlit.

German takes the typographic minus (U+2212), as German typesetting and the charts' d3
format do; English keeps Babel's hyphen-minus. A value that rounds to zero has no sign.
"""

from __future__ import annotations

import pandas as pd
from babel.numbers import format_decimal

LOCALES = {"de": "de_DE", "en": "en_GB"}
MINUS = {"de": "\u2212", "en": "-"}


def _missing(value: object) -> bool:
    """None, NaN and pandas' NA (nullable integers) all mean 'no value'."""
    return value is None or bool(pd.isna(value))


def number(value: float | int | None, lang: str = "de", digits: int = 0) -> str:
    if _missing(value):
        return "–"
    lang = lang if lang in LOCALES else "de"
    if round(float(value), digits) == 0:  # "-0,0" reads as a negative number
        value = 0
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    text = format_decimal(value, format=pattern, locale=LOCALES[lang])
    return MINUS[lang] + text[1:] if text.startswith("-") else text


def signed(value: float | None, lang: str = "de", digits: int = 0) -> str:
    text = number(value, lang, digits)
    return f"+{text}" if not _missing(value) and round(float(value), digits) > 0 else text

