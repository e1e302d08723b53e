"""What gives away text of the other language on a page, and numbers written the other
language's way; used on AppTest texts and on the browser's rendered text.

Proper names (projects, districts, publishers, places) are German in both languages: they
are taken out before the words are checked, from the data that defines them.
"""

from __future__ import annotations

import re
from functools import cache

# Ordinary words that only one of the two languages uses (case-sensitive, whole words).
GERMAN_WORDS = ("und", "der", "die", "das", "nicht", "mit", "für", "ist", "sind", "keine",
                "oder", "bei", "seit", "pro", "wird", "Stand", "Quelle", "Quellen", "Lizenz",
                "abgerufen", "Datenstand", "Einwohner", "Einwohnerinnen", "erreichbar", "Jahr",
                "Jahre", "Daten", "Karte", "Wählen", "frei", "über", "gesamt", "höher",
                "Anteil", "Zeitraum", "Internetverbindung")
# ("Stadtbereich" is the English pages' name for the unit, "per" is German too.)
ENGLISH_WORDS = ("the", "and", "of", "not", "is", "are", "with", "from", "reachable",
                 "internet", "retrieved", "Licence", "Source", "Sources", "residents",
                 "district", "districts", "Date", "year", "years", "data", "no", "free", "since")

# Version numbers that are names, not quantities (licences, standards, software).
_VERSIONS = re.compile(r"\b(?:CC0|CC BY(?:-SA)?|BITV|WCAG|Zero|LGPL-?|GSHHG|axe-core)\s?"
                       r"\d+(?:\.\d+)*")
_URL = re.compile(r"(?:https?://|www\.)\S+|\S+\.(?:de|org|com|io|toml|py|json)\b\S*")
# German page: an English decimal point, thousands comma, hyphen-minus or ISO date.
_EN_NUMBER = re.compile(r"(?<![\w.,/])\d+\.\d{1,2}(?![\d.])|(?<![\w.,])\d{1,3}(?:,\d{3})+"
                        r"(?![\d,])|(?<![\w\-–/.:])-\d|\b\d{4}-\d{2}-\d{2}\b")
# English page: a decimal comma, German thousands dot or German date.
_DE_NUMBER = re.compile(r"(?<![\w.,])\d+,\d{1,2}(?![\d,])|(?<![\w.,])\d{1,3}(?:\.\d{3})+"
                        r"(?![\d.])|\b\d{2}\.\d{2}\.\d{4}\b")
_MISSING = re.compile(r"\b(?:None|nan|NaN|NaT|<NA>)\b")


@cache
def proper_names() -> tuple[str, ...]:
    """German names that stay German in English, longest first (so a name inside a longer
    one does not leave a rest behind)."""
    from app.projects import projects
    from app.settings import contact
    from geodata import load_catalogue, loaders

    names = {p.name for p in projects()} | {contact().name}
    names |= {d.publisher for d in load_catalogue().values()}
    places = loaders.places()
    names |= set(places["name_en"]) | set(places.get("address", []).dropna())
    names |= {"Hanse- und Universitätsstadt Rostock", "Rostock Smart City", "Deutsch",
              "Smile City", "Stadtteil- und Begegnungszentren", "Kommunale Statistikstelle",
              "Statistisches Amt Mecklenburg-Vorpommern", "Demografie Rostocks",
              "Amt für Umweltschutz"}
    return tuple(sorted(names, key=len, reverse=True))


def _plain(text: str, extra_names: tuple[str, ...] = ()) -> str:
    text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
    text = re.sub(r'<[^>]+lang="(?:de|en)"[^>]*>.*?</[^>]+>', " ", text, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"\]\([^)]*\)", "]", text)  # Markdown link targets
    text = _URL.sub(" ", text).replace("\\", "")
    for name in (*extra_names, *proper_names()):
        text = text.replace(name, " ")
    return _VERSIONS.sub(" ", text)


def problems(text: str, lang: str, extra_names: tuple[str, ...] = ()) -> list[str]:
    """Words of the other language, numbers in its format and missing-value markers."""
    plain = _plain(text, extra_names)
    words = ENGLISH_WORDS if lang == "de" else GERMAN_WORDS
    found = [f"word {w!r}: …{_around(plain, m.start())}…" for w in words
             for m in re.finditer(rf"(?<![\w-]){re.escape(w)}(?![\w-])", plain)]
    number = _EN_NUMBER if lang == "de" else _DE_NUMBER
    found += [f"number {m.group()!r}: …{_around(plain, m.start())}…"
              for m in number.finditer(plain)]
    found += [f"missing value {m.group()!r}: …{_around(plain, m.start())}…"
              for m in _MISSING.finditer(plain)]
    return found


def _around(text: str, at: int) -> str:
    return " ".join(text[max(0, at - 50):at + 50].split())
