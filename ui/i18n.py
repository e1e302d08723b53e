"""Texts in German (default) and English; ``t`` is pure, the language is per session."""

from __future__ import annotations

import streamlit as st

LANGS = ("de", "en")

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "app_title": "Rostock Smart City Dashboard",
        "language": "Sprache",
        "loading_first": "Daten werden zum ersten Mal geladen …",
        "loading_dataset": "Lade {title} ({done}/{total} Dateien)",
        "data_unavailable": "Daten nicht verfügbar: {message}",
        "not_loaded_yet": "{dataset}: noch keine lokale Kopie und die Quelle ist nicht erreichbar",
        "no_data": "Für diese Auswahl liegen keine Daten vor.",
        "page_overview": "Karte",
        "page_climate": "Klima",
        "page_water": "Warnow und Küste",
        "page_data": "Daten und Quellen",
        "overview_title": "Rostock auf der Karte",
        "overview_intro": "Lebensqualität, Klima und Wasser in den 21 Stadtbereichen. Wählen Sie "
                          "Ebenen, einen Kennwert und ein Jahr; ein Klick auf einen "
                          "Stadtbereich öffnet sein Profil.",
        "layers": "Kartenebenen",
        "family_quality": "Lebensqualität",
        "family_climate": "Klima",
        "family_water": "Wasser",
        "indicator": "Kennwert",
        "year": "Jahr",
        "classes": "Einteilung der Farbklassen",
        "scheme": "Verfahren",
        "scheme_quantiles": "Quantile (gleich viele Bezirke je Klasse)",
        "scheme_natural_breaks": "Natürliche Brüche (Jenks)",
        "scheme_equal_interval": "Gleiche Intervalle",
        "k": "Anzahl der Klassen",
        "legend": "Legende",
        "view": "Kartenansicht",
        "view_webgl": "WebGL (deck.gl)",
        "view_leaflet": "Leaflet",
        "table": "Tabelle",
        "formula": "Berechnung",
        "no_layers": "Keine Ebene gewählt: Wählen Sie oben mindestens eine Kartenebene.",
        "district": "Stadtbereich",
        "district_none": "– keiner –",
        "profile_title": "Profil: {name}",
        "profile_intro": "Kennwerte {year} im Vergleich zur Gesamtstadt (Differenz in Klammern).",
        "city": "Rostock gesamt",
        "percentage_points": "Pp.",
        "trend_title": "Einwohnerzahl seit 2005",
        "trend_since": "Seit {first}: {change} Einwohner ({pct} %).",
        "sources": "Quellen",
        "source_line": "{title} — {publisher}. Lizenz: {licence}. Stand: {stand}.",
        "stand_unknown": "unbekannt",
        "map_caption": "Karte: {title}",
        "climate_title": "Klima in Rostock und Mecklenburg-Vorpommern",
        "climate_intro": "Wie warm es geworden ist, und wo Hitze besonders viele empfindliche "
                         "Menschen trifft.",
        "stripes": "Wärmestreifen Mecklenburg-Vorpommern",
        "anomaly": "Abweichung vom Mittel 1961–1990",
        "warnemuende_monthly": "Monatswerte Rostock-Warnemünde",
        "summer_days": "Sommertage in Warnemünde",
        "heat_map": "Hitzebelastung je Stadtbereich",
        "water_title": "Warnow, Hafen und Küste",
        "water_intro": "Wasserflächen, Stadtbereiche am Wasser, Orte am Ufer und der "
                       "Meeresspiegel in Warnemünde seit 1855.",
        "sea_level": "Meeresspiegel Warnemünde",
        "places_without_position": "Ohne veröffentlichte Lage (nicht auf der Karte): {names}.",
        "data_intro": "Alle Datensätze des Dashboards mit Stand, Lizenz und Quelle.",
        "col_title": "Datensatz", "col_stand": "Stand", "col_rows": "Zeilen",
        "col_licence": "Lizenz", "col_source": "Quelle", "col_error": "Letzter Fehler",
    },
    "en": {
        "app_title": "Rostock Smart City Dashboard",
        "language": "Language",
        "loading_first": "Loading data for the first time …",
        "loading_dataset": "Loading {title} ({done}/{total} files)",
        "data_unavailable": "Data not available: {message}",
        "not_loaded_yet": "{dataset}: no local copy yet and the source cannot be reached",
        "no_data": "No data for this selection.",
        "page_overview": "Map",
        "page_climate": "Climate",
        "page_water": "Warnow and coast",
        "page_data": "Data and sources",
        "overview_title": "Rostock on the map",
        "overview_intro": "Quality of life, climate and water in the 21 districts. Choose "
                          "layers, an indicator and a year; click a district to open its "
                          "profile.",
        "layers": "Map layers",
        "family_quality": "Quality of life",
        "family_climate": "Climate",
        "family_water": "Water",
        "indicator": "Indicator",
        "year": "Year",
        "classes": "Colour classes",
        "scheme": "Method",
        "scheme_quantiles": "Quantiles (same number of districts per class)",
        "scheme_natural_breaks": "Natural breaks (Jenks)",
        "scheme_equal_interval": "Equal intervals",
        "k": "Number of classes",
        "legend": "Legend",
        "view": "Map view",
        "view_webgl": "WebGL (deck.gl)",
        "view_leaflet": "Leaflet",
        "table": "Table",
        "formula": "How it is calculated",
        "no_layers": "No layer chosen: pick at least one map layer above.",
        "district": "District",
        "district_none": "– none –",
        "profile_title": "Profile: {name}",
        "profile_intro": "Figures for {year} compared with the whole city (difference in "
                         "brackets).",
        "city": "Rostock as a whole",
        "percentage_points": "pp",
        "trend_title": "Residents since 2005",
        "trend_since": "Since {first}: {change} residents ({pct} %).",
        "sources": "Sources",
        "source_line": "{title} — {publisher}. Licence: {licence}. Date: {stand}.",
        "stand_unknown": "unknown",
        "map_caption": "Map: {title}",
        "climate_title": "Climate in Rostock and Mecklenburg-Vorpommern",
        "climate_intro": "How much warmer it has become, and where heat reaches many "
                         "vulnerable people.",
        "stripes": "Warming stripes Mecklenburg-Vorpommern",
        "anomaly": "Difference from the 1961–1990 mean",
        "warnemuende_monthly": "Monthly values Rostock-Warnemünde",
        "summer_days": "Summer days in Warnemünde",
        "heat_map": "Heat exposure per district",
        "water_title": "Warnow, harbour and coast",
        "water_intro": "Water areas, waterfront districts, places along the shore and the sea "
                       "level at Warnemünde since 1855.",
        "sea_level": "Sea level Warnemünde",
        "places_without_position": "No published position (not on the map): {names}.",
        "data_intro": "Every dataset of the dashboard with its date, licence and source.",
        "col_title": "Dataset", "col_stand": "Date", "col_rows": "Rows",
        "col_licence": "Licence", "col_source": "Source", "col_error": "Last error",
    },
}


def lang() -> str:
    value = st.session_state.get("w_lang") or st.query_params.get("lang", "de")
    return value if value in TEXTS else "de"


def t(key: str, language: str | None = None, **params: object) -> str:
    table = TEXTS.get(language or lang(), TEXTS["de"])
    text = table.get(key) or TEXTS["de"].get(key) or key
    return text.format(**params) if params else text
