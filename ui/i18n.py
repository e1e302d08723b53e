"""Texts in German (default) and English; ``t`` is pure, the language is per session."""

from __future__ import annotations

import streamlit as st

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "app_title": "Rostock Smart City Dashboard",
        "loading_first": "Daten werden zum ersten Mal geladen …",
        "loading_dataset": "Lade {title} ({done}/{total} Dateien)",
        "data_unavailable": "Daten nicht verfügbar: {message}",
        "page_overview": "Übersicht",
        "page_data": "Daten und Quellen",
        "overview_intro": "Die 21 Stadtbereiche Rostocks mit Fläche und Einwohnerzahl.",
        "data_intro": "Alle Datensätze des Dashboards mit Stand, Lizenz und Quelle.",
        "no_data": "Für diese Auswahl liegen keine Daten vor.",
        "col_code": "Kürzel", "col_name": "Stadtbereich", "col_area": "Fläche (km²)",
        "col_pop": "Einwohner {year}", "col_title": "Datensatz", "col_stand": "Stand",
        "col_rows": "Zeilen", "col_licence": "Lizenz", "col_source": "Quelle",
        "col_error": "Letzter Fehler",
        "language": "Sprache",
        "source": "Quelle",
    },
    "en": {
        "app_title": "Rostock Smart City Dashboard",
        "loading_first": "Loading data for the first time …",
        "loading_dataset": "Loading {title} ({done}/{total} files)",
        "data_unavailable": "Data not available: {message}",
        "page_overview": "Overview",
        "page_data": "Data and sources",
        "overview_intro": "Rostock's 21 statistical districts with area and population.",
        "data_intro": "Every dataset of the dashboard with its date, licence and source.",
        "no_data": "No data for this selection.",
        "col_code": "Code", "col_name": "District", "col_area": "Area (km²)",
        "col_pop": "Residents {year}", "col_title": "Dataset", "col_stand": "Date",
        "col_rows": "Rows", "col_licence": "Licence", "col_source": "Source",
        "col_error": "Last error",
        "language": "Language",
        "source": "Source",
    },
}


def lang() -> str:
    value = st.session_state.get("lang") or st.query_params.get("lang", "de")
    return value if value in TEXTS else "de"


def t(key: str, language: str | None = None, **params: object) -> str:
    table = TEXTS.get(language or lang(), TEXTS["de"])
    text = table.get(key) or TEXTS["de"].get(key) or key
    return text.format(**params) if params else text
