"""One source line for every chart, table, layer, export and the presenter: title,
publisher, licence, the data's own date and the day the copy was retrieved — labelled so
nobody takes one for the other ("Datenstand 31.12.2023 · abgerufen 06.12.2026").

Takes the dict ``geodata.loaders.info`` returns (text/ imports nothing of the project);
the result is plain text, escaped by whoever puts it into Markdown or HTML.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .i18n import day, t


def _month(stamp: str) -> str:
    """``2003-03`` → ``03/2003`` (the same in both languages)."""
    return f"{stamp[5:7]}/{stamp[:4]}" if len(stamp) >= 7 else stamp


def data_date(reference: Mapping[str, Any] | None, lang: str = "de") -> str:
    """The data's own date or period as readers write it: ``31.12.2023`` (English
    ``2023-12-31``), ``1881–2023``, ``03/2003–07/2021``; empty when the data carry none."""
    kind = (reference or {}).get("kind")
    start, end = str((reference or {}).get("start") or ""), str((reference or {}).get("end") or "")
    if kind == "day":
        return day(end, lang) if start == end else f"{day(start, lang)}–{day(end, lang)}"
    if kind == "years":
        return end if start == end else f"{start}–{end}"
    if kind == "months":
        return _month(end) if start == end else f"{_month(start)}–{_month(end)}"
    return ""


def data_date_label(reference: Mapping[str, Any] | None, lang: str = "de") -> str:
    """``Datenstand 31.12.2023`` / ``Zeitraum der Daten 1881–2023`` / ``ohne Datum in den
    Daten``; ``Datenstand unbekannt`` for a record from before the data's date was kept
    (None: the next refresh fills it in)."""
    if reference is None:
        return t("source.unknown", lang)
    value = data_date(reference, lang)
    if not value:
        return t("source.no_date", lang)
    key = "source.as_of" if (reference or {}).get("kind") == "day" else "source.period"
    return t(key, lang, date=value)


def retrieved_label(info: Mapping[str, Any], lang: str = "de") -> str:
    """``abgerufen 06.12.2026``, or that the table ships with the dashboard."""
    if info.get("packaged"):
        return t("source.packaged", lang)
    stamp = info.get("retrieved_at")
    return t("source.retrieved", lang, date=day(stamp, lang)) if stamp \
        else t("source.not_retrieved", lang)


def dates(info: Mapping[str, Any], lang: str = "de", capital: bool = True) -> str:
    """Both dates, side by side and labelled: ``Datenstand 31.12.2023 · abgerufen …``
    (``capital``: starting a sentence)."""
    text = f"{data_date_label(info.get('reference'), lang)} · {retrieved_label(info, lang)}"
    return text[:1].upper() + text[1:] if capital else text


def source_line(info: Mapping[str, Any], lang: str = "de") -> str:
    """``Title — Publisher. Lizenz: …. Datenstand … · abgerufen ….`` (plain text)."""
    en = lang == "en"
    title = info.get("title_en" if en else "title_de") or info.get("title_de") or info.get("id")
    publisher = (info.get("publisher_en") if en else None) or info.get("publisher") or ""
    licence = (info.get("licence_en") if en else None) or info.get("licence") or ""
    return t("source.line", lang, title=title, publisher=publisher, licence=licence,
             dates=dates(info, lang))
