"""Texts in German (default) and English; ``t`` is pure, the language is per session."""

from __future__ import annotations

import re

import streamlit as st

LANGS = ("de", "en")

TEXTS: dict[str, dict[str, str]] = {
    "de": {
        "app_title": "Rostock Smart City Dashboard",
        "page_presenter": "Präsentation",
        "tour_step": "Schritt {n} von {total}",
        "tour_prev": "◀ Zurück",
        "tour_next": "Weiter ▶",
        "tour_other_lang": "English",
        "tour_status_next": "weiter in {s} s",
        "tour_status_paused": "pausiert – weiter in {s} s",
        "tour_status_manual": "Pfeiltasten, Bild ↑/↓, Leertaste; F: Vollbild",
        "tour_qr": "Auf dem Handy weiter",
        "tour_qr_alt": "QR-Code mit dem Link zu dieser Ansicht",
        "tour_city_map": "Stadtkarte",
        "tour_invalid": "Der Rundgang kann nicht gezeigt werden: {message}",
        "tour_layers_missing": "Nicht verfügbar: {names}",
        "tour_sources": "Daten",
        "tour_stand": "Stand",
        "tour_keys_help": "Pfeiltasten, Bild ↑/↓ oder Leertaste blättern, F schaltet "
                          "Vollbild; jede Eingabe pausiert den Rundgang.",
        "language": "Sprache",
        "page_planner": "Planung",
        "plan_title": "Stadtbereiche vergleichen",
        "plan_intro": "Für Planung und Berichte: zwei bis vier Stadtbereiche nebeneinander, ihre "
                      "Entwicklung seit 2005, ähnliche Stadtbereiche und Exporte. Alle "
                      "Einstellungen stehen im Link.",
        "plan_districts": "Stadtbereiche (2 bis 4)",
        "plan_indicators": "Kennwerte",
        "plan_pick_2_4": "Bitte zwei bis vier Stadtbereiche wählen.",
        "plan_pick_indicator": "Bitte mindestens einen Kennwert wählen.",
        "plan_tab_compare": "Vergleich",
        "plan_tab_trends": "Entwicklung",
        "plan_tab_twins": "Ähnliche Stadtbereiche",
        "plan_tab_export": "Export und Link",
        "plan_value": "Wert",
        "plan_mean": "Mittel der 21",
        "plan_city": "Gesamtstadt",
        "plan_flag": "mehr als 1 SD",
        "plan_rank": "Rang",
        "plan_compare_note": "z: Abstand zum Mittel der 21 Stadtbereiche in Standardabweichungen "
                             "(⚑ = mehr als eine). Rang 1 = höchster Wert. Die Gesamtstadt ist "
                             "nach Einwohnern gewichtet und weicht daher vom Mittel ab.",
        "plan_indexed": "Indexiert (Basisjahr = 100)",
        "plan_twin_of": "Ähnlich zu",
        "plan_distance": "Abstand",
        "plan_used": "Kennwerte genutzt",
        "plan_differs": "Größte Unterschiede",
        "plan_csv_note": "CSV für deutsche Tabellenprogramme: UTF-8 mit BOM, Semikolon, "
                         "Dezimalkomma; Quelle, Lizenz und Stand stehen in eigenen Spalten. "
                         "GeoJSON in WGS84 mit Quellenangabe.",
        "plan_share": "Link zu dieser Ansicht",
        "plan_not_published": "„{indicator}“ ist für {year} nicht veröffentlicht.",
        "plan_ortsteile": "Zahlen veröffentlicht die Stadt nur je Stadtbereich. Die feineren "
                          "Grenzen der 31 Ortsteile zeigt die Ebene „Ortsteile“ auf der Karte.",
        "nav_city": "Stadt",
        "nav_projects": "Kernprojekte",
        "nav_about": "Über das Dashboard",
        "page_accessibility": "Barrierefreiheit",
        "project_inferred": "Name erschlossen aus den neueren Projektseiten der Stadt; in der "
                            "Strategie 2023 nicht wörtlich belegt.",
        "section_goal": "Worum es geht",
        "section_where": "Wo in der Stadt",
        "section_data": "Was die Daten zeigen",
        "section_status": "Stand und Quellen",
        "project_sources": "Zum Projekt:",
        "layers_unreachable": "Nicht erreichbar (offline oder Quelle nicht verfügbar), daher "
                              "nicht auf der Karte: {names}.",
        "loading_first": "Daten werden zum ersten Mal geladen …",
        "loading_dataset": "Lade {title} ({done}/{total} Dateien)",
        "data_unavailable": "Daten nicht verfügbar: {message}",
        "store_unreachable": "Die Datenbank des Dashboards ist gerade nicht erreichbar, deshalb "
                             "fehlen hier Karten und Zahlen. Bitte versuchen Sie es in einigen "
                             "Minuten noch einmal.",
        "not_loaded_yet": "{dataset}: noch keine lokale Kopie und die Quelle ist nicht erreichbar",
        "not_refreshed_yet": "{dataset}: von der regelmäßigen Aktualisierung noch nicht geladen",
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
        "sea_level_summary": "Trend {start}–{end}: {slope} mm pro Jahr, zusammen etwa {rise} cm "
                             "Anstieg (lineare Regression über alle Monatswerte).",
        "storm_surges": "Sturmflut-Klassen an der Ostseeküste (über mittlerem Wasserstand)",
        "surge_class": "Klasse",
        "surge_height": "Höhe über Mittelwasser",
        "gauge_title": "Wasserstand Warnemünde jetzt (PEGELONLINE)",
        "gauge_unreachable": "Aktueller Wasserstand nicht erreichbar: {reason}.",
        "gauge_level": "Wasserstand",
        "gauge_vs_mw": "gegenüber Mittelwasser (507 cm)",
        "gauge_class": "Sturmflut-Klasse",
        "gauge_no_surge": "keine Sturmflut",
        "gauge_caption": "Messung vom {stamp}; Quelle: WSV, PEGELONLINE (DL-DE/Zero 2.0).",
        "gauge_cached": "Letzter gespeicherter Wert – die Quelle ist gerade nicht erreichbar.",
        "hottest_month": "Wärmster Monat seit 2003: {month} mit {mean} °C im Mittel; "
                         "die höchste Temperatur gab es im {peak_month} mit {peak} °C.",
        "hotspots_title": "Genannte Hitze-Schwerpunkte: Index {year} und Rang unter 21",
        "heat_index": "Hitze-Index",
        "rank_of_21": "Rang (1 = höchster)",
        "downloads": "Herunterladen",
        "col_publisher": "Herausgeber",
        "pick_district": "Wählen Sie oben Ihren Stadtbereich.",
        "cmp_higher": "höher als im Stadtdurchschnitt",
        "cmp_lower": "niedriger als im Stadtdurchschnitt",
        "cmp_same": "etwa wie im Stadtdurchschnitt",
        "cmp_unknown": "ohne Vergleichswert",
        "district_words": "**{name}** hat {pop} Einwohnerinnen und Einwohner ({year}) auf "
                          "{area} km². Die Bevölkerungsdichte ({density} je km²) ist "
                          "{density_cmp}, das Durchschnittsalter ({age} Jahre) ist {age_cmp}, "
                          "der Anteil ab 65 Jahren ({old} %) ist {old_cmp}.",
        "nearby": "In der Nähe (im Stadtbereich)",
        "nearby_unreachable": "Nicht erreichbar (offline oder Quelle nicht verfügbar): {names}.",
        "centre": "Begegnungszentrum",
        "address": "Adresse",
        "centres_title": "Stadtteil- und Begegnungszentren und ihr Stadtbereich ({year})",
        "centres_without": "Stadtbereiche ohne bekanntes Begegnungszentrum: {names}.",
        "weights": "Gewichte des Bedarfsindex (werden auf 1 normiert)",
        "need_top": "Größter Bedarf nach diesem Index",
        "rank": "Rang",
        "need_index": "Bedarfsindex",
        "lab_3d": "3D-Ansicht: Höhe und Farbe nach Kennwert",
        "resilience_title": "Resilienz-Ansicht: Stadtbereiche im Vergleich",
        "resilience_intro": "Farbe: wie weit ein Stadtbereich vom Durchschnitt der 21 abweicht; "
                            "Zahl: der veröffentlichte Wert.",
        "catalogue_title": "Alle Datensätze",
        "lab_3d_hint": "Ziehen mit rechter Maustaste (oder zwei Fingern) dreht die Ansicht.",
        "data_intro": "Alle Datensätze des Dashboards mit Stand, Lizenz und Quelle.",
        "col_title": "Datensatz", "col_stand": "Stand", "col_rows": "Zeilen",
        "col_licence": "Lizenz", "col_source": "Quelle", "col_error": "Letzter Fehler",
    },
    "en": {
        "app_title": "Rostock Smart City Dashboard",
        "page_presenter": "Presentation",
        "tour_step": "Step {n} of {total}",
        "tour_prev": "◀ Back",
        "tour_next": "Next ▶",
        "tour_other_lang": "Deutsch",
        "tour_status_next": "next in {s} s",
        "tour_status_paused": "paused – continues in {s} s",
        "tour_status_manual": "Arrows, Page Up/Down, space; F: full screen",
        "tour_qr": "Continue on your phone",
        "tour_qr_alt": "QR code linking to this view",
        "tour_city_map": "City map",
        "tour_invalid": "The tour cannot be shown: {message}",
        "tour_layers_missing": "Not available: {names}",
        "tour_sources": "Data",
        "tour_stand": "as of",
        "tour_keys_help": "Arrow keys, Page Up/Down or space turn the steps, F toggles full "
                          "screen; any input pauses the tour.",
        "language": "Language",
        "page_planner": "Planning",
        "plan_title": "Compare districts",
        "plan_intro": "For planning and reports: two to four districts side by side, their "
                      "development since 2005, similar districts and exports. Every setting "
                      "is in the link.",
        "plan_districts": "Districts (2 to 4)",
        "plan_indicators": "Indicators",
        "plan_pick_2_4": "Please choose two to four districts.",
        "plan_pick_indicator": "Please choose at least one indicator.",
        "plan_tab_compare": "Comparison",
        "plan_tab_trends": "Development",
        "plan_tab_twins": "Similar districts",
        "plan_tab_export": "Export and link",
        "plan_value": "Value",
        "plan_mean": "Mean of the 21",
        "plan_city": "Whole city",
        "plan_flag": "over 1 SD",
        "plan_rank": "Rank",
        "plan_compare_note": "z: distance from the mean of the 21 districts in standard "
                             "deviations (⚑ = more than one). Rank 1 = highest value. The whole "
                             "city is weighted by residents and so differs from the mean.",
        "plan_indexed": "Indexed (base year = 100)",
        "plan_twin_of": "Similar to",
        "plan_distance": "Distance",
        "plan_used": "Indicators used",
        "plan_differs": "Largest differences",
        "plan_csv_note": "CSV for German spreadsheet settings: UTF-8 with BOM, semicolon, decimal "
                         "comma; source, licence and date in their own columns. GeoJSON in WGS84 "
                         "with attribution.",
        "plan_share": "Link to this view",
        "plan_not_published": "“{indicator}” is not published for {year}.",
        "plan_ortsteile": "The city publishes figures per Stadtbereich only. The layer "
                          "“Ortsteile” on the map shows the finer boundaries of the 31 Ortsteile.",
        "nav_city": "City",
        "nav_projects": "Core projects",
        "nav_about": "About the dashboard",
        "page_accessibility": "Accessibility",
        "project_inferred": "Name inferred from the city's newer project pages; not literally "
                            "in the 2023 strategy.",
        "section_goal": "What it is about",
        "section_where": "Where in the city",
        "section_data": "What the data show",
        "section_status": "Status and sources",
        "project_sources": "About the project:",
        "layers_unreachable": "Not reachable (offline or source unavailable), so not on the "
                              "map: {names}.",
        "loading_first": "Loading data for the first time …",
        "loading_dataset": "Loading {title} ({done}/{total} files)",
        "data_unavailable": "Data not available: {message}",
        "store_unreachable": "The dashboard's database cannot be reached right now, so maps "
                             "and figures are missing here. Please try again in a few minutes.",
        "not_loaded_yet": "{dataset}: no local copy yet and the source cannot be reached",
        "not_refreshed_yet": "{dataset}: not loaded by the scheduled refresh yet",
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
        "sea_level_summary": "Trend {start}–{end}: {slope} mm per year, about {rise} cm rise in "
                             "all (linear regression over all monthly values).",
        "storm_surges": "Storm-surge classes on the Baltic coast (above mean water)",
        "surge_class": "Class",
        "surge_height": "Height above mean water",
        "gauge_title": "Water level at Warnemünde now (PEGELONLINE)",
        "gauge_unreachable": "Current water level not reachable: {reason}.",
        "gauge_level": "Water level",
        "gauge_vs_mw": "against mean water (507 cm)",
        "gauge_class": "Storm-surge class",
        "gauge_no_surge": "no storm surge",
        "gauge_caption": "Measured {stamp}; source: WSV, PEGELONLINE (DL-DE/Zero 2.0).",
        "gauge_cached": "Last stored value – the source cannot be reached right now.",
        "hottest_month": "Warmest month since 2003: {month} with a mean of {mean} °C; the "
                         "highest temperature came in {peak_month} with {peak} °C.",
        "hotspots_title": "Named heat hotspots: index {year} and rank among 21",
        "heat_index": "Heat index",
        "rank_of_21": "Rank (1 = highest)",
        "downloads": "Download",
        "col_publisher": "Publisher",
        "pick_district": "Choose your district above.",
        "cmp_higher": "higher than the city average",
        "cmp_lower": "lower than the city average",
        "cmp_same": "about the city average",
        "cmp_unknown": "without a comparison",
        "district_words": "**{name}** has {pop} residents ({year}) on {area} km². Its "
                          "population density ({density} per km²) is {density_cmp}, the mean "
                          "age ({age} years) is {age_cmp}, the share aged 65+ ({old} %) is "
                          "{old_cmp}.",
        "nearby": "Nearby (within the district)",
        "nearby_unreachable": "Not reachable (offline or source unavailable): {names}.",
        "centre": "Neighbourhood centre",
        "address": "Address",
        "centres_title": "Neighbourhood centres and their district ({year})",
        "centres_without": "Districts without a known neighbourhood centre: {names}.",
        "weights": "Weights of the need index (normalised to 1)",
        "need_top": "Greatest need by this index",
        "rank": "Rank",
        "need_index": "Need index",
        "lab_3d": "3D view: height and colour by indicator",
        "resilience_title": "Resilience view: districts compared",
        "resilience_intro": "Colour: how far a district is from the average of the 21; number: "
                            "the published value.",
        "catalogue_title": "All datasets",
        "lab_3d_hint": "Drag with the right mouse button (or two fingers) to turn the view.",
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


def day(stamp: str | None, language: str | None = None) -> str:
    """An ISO date as readers expect it: 22.11.2026 in German, 2026-11-22 in English.

    Anything that is not an ISO date (a missing or odd "Stand") is passed through."""
    if not stamp:
        return ""
    text = str(stamp)
    if (language or lang()) == "en" or not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", text):
        return text[:10] if re.match(r"\d{4}-\d{2}-\d{2}", text) else text
    return f"{text[8:10]}.{text[5:7]}.{text[0:4]}"
