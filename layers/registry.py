"""The registry: every map layer of the dashboard, as data."""

from __future__ import annotations

from . import sources
from .spec import Field, LayerSpec

NAME = Field("name", "Stadtbereich", "District")

LAYERS: tuple[LayerSpec, ...] = (
    LayerSpec(
        id="indikator",
        family="quality",
        kind="choropleth",
        title_de="Lebensqualität je Stadtbereich",
        title_en="Quality of life per district",
        description_de="Ein Kennwert der Bevölkerungsstatistik je Stadtbereich und Jahr.",
        description_en="One population statistic per district and year.",
        datasets=("stadtbereiche", "bevoelkerung", "wasser"),
        source=sources.district_indicator,
        value="value",
        palette="viridis",
        uses_indicator=True,
        uses_year=True,
        simplify_m=12.0,
        coverage=True,
        default_on=True,
        extra={"cut_water": True},
        tooltip=(NAME, Field("value", "Wert", "Value", digits=1), Field("year", "Jahr", "Year")),
    ),
    LayerSpec(
        id="hitze",
        family="climate",
        kind="choropleth",
        title_de="Hitzebelastung (Index)",
        title_en="Heat exposure (index)",
        description_de="Wo viele Menschen dicht wohnen und viele Ältere leben, trifft Hitze "
                       "besonders viele Empfindliche. Rangindex, keine gemessene Temperatur.",
        description_en="Where many people live densely and many are older, heat reaches many "
                       "vulnerable people. A rank index, not a measured temperature.",
        datasets=("stadtbereiche", "bevoelkerung", "wasser"),
        source=sources.heat_exposure,
        value="value",
        palette="oranges",
        uses_year=True,
        simplify_m=12.0,
        coverage=True,
        extra={"cut_water": True},
        formula_de="Index = Mittel aus Perzentilrang der Bevölkerungsdichte und Perzentilrang "
                   "des Anteils ab 65 Jahren (0 = niedrigster, 100 = höchster Wert der Stadt)",
        formula_en="Index = mean of the percentile rank of population density and the "
                   "percentile rank of the share aged 65+ (0 = lowest, 100 = highest in the city)",
        tooltip=(NAME, Field("value", "Index", "Index", digits=0),
                 Field("dichte", "Einw./km²", "Residents/km²", digits=0),
                 Field("anteil_65_plus", "Anteil 65+", "Share 65+", digits=1, unit="%"),
                 Field("year", "Jahr", "Year")),
    ),
    LayerSpec(
        id="wasserflaechen",
        family="water",
        kind="area",
        title_de="Ostsee, Unterwarnow und Breitling",
        title_en="Baltic Sea, lower Warnow and Breitling",
        description_de="Generalisierte Wasserflächen (ca. 1:250.000).",
        description_en="Generalised water areas (about 1:250,000).",
        datasets=("wasser",),
        source=sources.water_areas,
        color="#6baed6",
        tooltip=(Field("name", "Gewässer", "Water"),),
        simplify_m=20.0,
    ),
    LayerSpec(
        id="warnow",
        family="water",
        kind="line",
        title_de="Warnow und Küstenlinie",
        title_en="Warnow river and coastline",
        description_de="Flusslauf der Warnow und Küstenlinie (generalisiert).",
        description_en="Course of the Warnow and the coastline (generalised).",
        datasets=("wasser",),
        source=sources.water_lines,
        color="#08519c",
        tooltip=(Field("name", "Gewässer", "Water"),),
        simplify_m=10.0,
    ),
    LayerSpec(
        id="uferbezirke",
        family="water",
        kind="area",
        title_de="Stadtbereiche am Wasser",
        title_en="Waterfront districts",
        description_de="Stadtbereiche, in denen Ostsee, Unterwarnow oder Breitling liegen.",
        description_en="Districts that contain part of the Baltic, lower Warnow or Breitling.",
        datasets=("stadtbereiche", "wasser"),
        source=sources.waterfront_districts,
        color="#41b6c4",
        simplify_m=12.0,
        coverage=True,
        extra={"cut_water": True},
        tooltip=(NAME, Field("water_km2", "Wasserfläche", "Water area", digits=2, unit="km²")),
    ),
    LayerSpec(
        id="orte_wasser",
        family="water",
        kind="point",
        title_de="Orte am Wasser",
        title_en="Places by the water",
        description_de="Orte des Projekts „Wasser. Warnow. Wir.“ mit veröffentlichter Lage.",
        description_en="Places of the project “Wasser. Warnow. Wir.” with a published position.",
        datasets=(),
        source=sources.waterfront_places,
        color="#e6550d",
        default_on=True,
        tooltip=(Field("name", "Ort", "Place"), Field("kind", "Art", "Kind"),
                 Field("text", "Beschreibung", "Description")),
    ),
)



def _poi(layer_id: str, dataset: str, de: str, en: str, color: str) -> LayerSpec:
    """An online-only point dataset from OpenData.HRO (not in the offline mirror)."""
    return LayerSpec(
        id=layer_id, family="quality", kind="point", title_de=de, title_en=en,
        description_de=f"{de} aus OpenData.HRO (nur online verfügbar).",
        description_en=f"{en} from OpenData.HRO (online only).",
        datasets=(dataset,), source=sources.online_points(dataset), color=color,
        tooltip=(Field("name", "Name", "Name"),))


LAYERS = (
    *LAYERS,
    LayerSpec(
        id="orte_projekt",
        family="quality",
        kind="point",
        title_de="Orte des Projekts",
        title_en="Project places",
        description_de="Orte des gewählten Projekts mit veröffentlichter Lage.",
        description_en="Places of the chosen project with a published position.",
        datasets=(),
        source=sources.project_places,
        color="#d95f02",
        overview=False,
        tooltip=(Field("name", "Ort", "Place"), Field("kind", "Art", "Kind"),
                 Field("text", "Beschreibung", "Description")),
    ),
    LayerSpec(
        id="sbz",
        family="quality",
        kind="area",
        title_de="Stadtbereiche mit Begegnungszentrum",
        title_en="Districts with a neighbourhood centre",
        description_de="Stadtbereiche, in denen ein Stadtteil- und Begegnungszentrum liegt "
                       "(Adressen bekannt, Koordinaten nicht veröffentlicht).",
        description_en="Districts with a neighbourhood centre (addresses known, coordinates "
                       "not published).",
        datasets=("stadtbereiche", "wasser"),
        source=sources.districts_with_centres,
        color="#d95f02",
        overview=False,
        simplify_m=12.0,
        coverage=True,
        extra={"outline": True, "cut_water": True},
        tooltip=(NAME, Field("centre", "Begegnungszentrum", "Neighbourhood centre")),
    ),
    LayerSpec(
        id="bedarf",
        family="quality",
        kind="choropleth",
        title_de="Bedarfsindex Quartiersbaukasten",
        title_en="Neighbourhood need index",
        description_de="Wo kleine Aufwertungen nach Sozialdaten am meisten gebraucht werden; "
                       "Gewichte einstellbar.",
        description_en="Where small upgrades are needed most by social data; adjustable "
                       "weights.",
        datasets=("stadtbereiche", "bevoelkerung", "wasser"),
        source=sources.need,
        value="value",
        palette="cividis",
        simplify_m=12.0,
        coverage=True,
        overview=False,
        extra={"cut_water": True},
        formula_de="Mittel der gewichteten Teilwerte (je 0–100, Min–Max über die 21 "
                   "Stadtbereiche); Rang 1 = größter Bedarf",
        formula_en="Weighted mean of the component scores (each 0–100, min–max across the 21 "
                   "districts); rank 1 = greatest need",
        tooltip=(NAME, Field("value", "Index", "Index", digits=0),
                 Field("rank", "Rang", "Rank", digits=0), Field("year", "Jahr", "Year")),
    ),
    LayerSpec(
        id="auswahl",
        family="quality",
        kind="area",
        title_de="Ausgewählte Stadtbereiche",
        title_en="Selected districts",
        description_de="Die Stadtbereiche im Vergleich.",
        description_en="The districts being compared.",
        datasets=("stadtbereiche", "wasser"),
        source=sources.selected_districts,
        color="#d95f02",
        overview=False,
        simplify_m=12.0,
        coverage=True,
        extra={"outline": True, "cut_water": True},
        tooltip=(NAME,),
    ),
    LayerSpec(
        id="ortsteile",
        family="quality",
        kind="area",
        title_de="Ortsteile (feinere Grenzen)",
        title_en="Ortsteile (finer boundaries)",
        description_de="Die 31 Ortsteile. Zahlen gibt es nur je Stadtbereich; drei "
                       "Stadtbereiche bestehen aus mehreren Ortsteilen.",
        description_en="The 31 Ortsteile. Figures exist only per Stadtbereich; three "
                       "districts consist of several Ortsteile.",
        datasets=("ortsteile", "stadtbereiche"),
        source=sources.ortsteile_outlines,
        color="#555555",
        simplify_m=12.0,
        extra={"outline": True, "outline_width": 1.2},
        tooltip=(Field("name", "Ortsteil", "Ortsteil"),
                 Field("stadtbereich", "liegt im Stadtbereich", "lies in district")),
    ),
    _poi("baeume", "baeume", "Bäume (Baumkataster)", "Trees (tree cadastre)", "#1b9e77"),
    _poi("haltestellen", "haltestellen", "Haltestellen", "Public transport stops", "#1f78b4"),
    _poi("spielplaetze", "spielplaetze", "Spielplätze", "Playgrounds", "#e7298a"),
    _poi("toiletten", "toiletten", "Öffentliche Toiletten", "Public toilets", "#666666"),
    _poi("trinkwasserspender", "trinkwasserspender", "Trinkwasserspender",
         "Drinking fountains", "#66a61e"),
)

BY_ID = {layer.id: layer for layer in LAYERS}


def get(layer_id: str) -> LayerSpec:
    try:
        return BY_ID[layer_id]
    except KeyError:
        raise KeyError(f"unknown layer {layer_id!r}; known: {', '.join(BY_ID)}") from None


def by_family(family: str) -> list[LayerSpec]:
    return [layer for layer in LAYERS if layer.family == family]
