"""The interface texts, German first and English second, from ``de.toml`` and ``en.toml``.

``t`` is pure: the caller names the language (``ui.i18n`` fills in the session's). A key
missing in English falls back to German, a key missing everywhere to itself, so a page never
breaks on a text; ``tests/test_texts.py`` keeps both files complete.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

LANGS = ("de", "en")
DEFAULT = LANGS[0]
FOLDER = Path(__file__).resolve().parent


def _flatten(table: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``[chart] year = …`` becomes ``chart.year``."""
    out: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            out.update(_flatten(value, f"{prefix}{key}."))
        else:
            out[prefix + key] = value
    return out


@cache
def texts(lang: str = DEFAULT) -> dict[str, Any]:
    """Every text of one language, keyed as ``t`` takes them (a statement's list stays a list)."""
    lang = lang if lang in LANGS else DEFAULT
    with (FOLDER / f"{lang}.toml").open("rb") as fh:
        return _flatten(tomllib.load(fh))


def t(key: str, lang: str = DEFAULT, **params: object) -> str:
    text = texts(lang).get(key) or texts(DEFAULT).get(key) or key
    return str(text).format(**params) if params else str(text)


def day(stamp: str | None, lang: str = DEFAULT) -> str:
    """An ISO date as readers expect it: 22.11.2026 in German, 2026-11-22 in English.

    Anything that is not an ISO date (a missing or odd "Stand") is passed through."""
    if not stamp:
        return ""
    text = str(stamp)
    if lang == "en" or not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        return text[:10] if re.match(r"\d{4}-\d{2}-\d{2}", text) else text
    return f"{text[8:10]}.{text[5:7]}.{text[0:4]}"
