"""Functions that give each layer its GeoDataFrame (EPSG:25833) for a query."""

from __future__ import annotations

from dataclasses import replace

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from geodata import Settings, loaders
from geodata.indicators import BY_ID, latest_year

from . import labels

# Waterfront: a district counts when at least this much of the open water lies in it.
MIN_WATER_KM2 = 0.05
WATER_AREAS = ("meer", "unterwarnow_breitling")
HEAT_PARTS = ("dichte", "anteil_65_plus")


def district_indicator(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Districts with the chosen indicator's value for the chosen year (NaN: not published)."""
    if query.indicator not in BY_ID:
        raise KeyError(f"unknown indicator {query.indicator!r}")
    ind = loaders.indicators(settings)
    year = query.year or latest_year(ind, query.indicator)
    sel = ind[(ind.indicator == query.indicator) & (ind.year == year)][["code", "value"]]
    out = loaders.districts(settings).merge(sel, on="code", how="left")
    out["year"] = year
    return out


def heat_sensitivity(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Heat sensitivity 0–100: mean percentile rank of density and of the share aged 65+.

    Both parts are published per district; the value only ranks districts against each
    other within one year. It says where many sensitive people live close together, not
    where it is hot: no temperature goes into it.
    """
    ind = loaders.indicators(settings)
    parts = ind[ind.indicator.isin(HEAT_PARTS)].pivot_table(
        index=["year", "code"], columns="indicator", values="value").dropna()
    years = sorted(parts.index.get_level_values("year").unique())
    if not years:
        raise LookupError("density and the share aged 65+ share no year")
    year = query.year if query.year in years else years[-1]
    one = parts.loc[year]
    ranks = one.rank(pct=True) * 100
    out = loaders.districts(settings).merge(
        pd.DataFrame({"value": ranks.mean(axis=1).round(0), "dichte": one["dichte"],
                      "anteil_65_plus": one["anteil_65_plus"]}).reset_index(),
        on="code", how="left")
    out["year"] = year
    return out


# The water layers' names (German, English).
WATER_NAMES = {
    "meer": ("Ostsee, Unterwarnow und Breitling (GSHHG)",
             "Baltic Sea, lower Warnow and Breitling (GSHHG)"),
    "unterwarnow_breitling": ("Unterwarnow und Breitling (VG250)",
                              "Lower Warnow and Breitling (VG250)"),
    "kueste": ("Küstenlinie", "Coastline"),
    "warnow": ("Warnow", "Warnow"),
}


def _water_names(layers: pd.Series, lang: str) -> pd.Series:
    return layers.map(lambda k: WATER_NAMES[k][1 if lang == "en" else 0])


def water_areas(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    w = loaders.water(settings)
    out = w[w.layer.isin(WATER_AREAS)].copy()
    out["name"] = _water_names(out.layer, query.lang)
    return out


def water_lines(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    w = loaders.water(settings)
    out = w[w.layer.isin(("kueste", "warnow"))].copy()
    out["name"] = _water_names(out.layer, query.lang)
    return out


def waterfront_districts(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Districts holding open water (Baltic, Unterwarnow, Breitling), with its area."""
    districts = loaders.districts(settings)
    water = loaders.water(settings)
    wet = water[water.layer == "unterwarnow_breitling"].union_all().union(
        water[water.layer == "meer"].union_all())
    districts["water_km2"] = (districts.geometry.intersection(wet).area / 1e6).round(2)
    return districts[districts.water_km2 >= MIN_WATER_KM2].reset_index(drop=True)


def waterfront_places(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The places of "Wasser. Warnow. Wir." with a published position."""
    return project_places(replace(query, project="www"), settings)


def project_places(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Places of one project (``query.project``) that have a published position."""
    p = loaders.places(query.project)
    p = p[p.geometry.notna()].copy()
    lang = query.lang
    if lang == "en":
        p["name"] = p["name_en"]
    p["kind"] = p["kind_en"] if lang == "en" else p["kind_de"]
    p["text"] = p["text_en"] if lang == "en" else p["text_de"]
    return p.reset_index(drop=True)


# Columns that name a point in the city's datasets, in order of preference.
NAME_COLUMNS = ("bezeichnung", "name", "gattung_deutsch", "art", "strasse_name")


def online_points(dataset_id: str):
    """A source for one online-only point dataset (trees, stops, …)."""

    def source(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
        gdf = loaders.points(dataset_id, settings).copy()
        name = next((c for c in NAME_COLUMNS if c in gdf.columns), None)
        gdf["name"] = gdf[name].astype(str) if name else ""
        return gdf[["name", "geometry"]]

    return source


# Sources made per dataset (the registry passes the layer's datasets).
FACTORIES = {"online_points": online_points}


def districts_with_centres(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Districts that have a neighbourhood centre (SBZ), with its name and address.

    No source gives the centres' coordinates, so the map marks their districts instead.
    """
    centres = loaders.places("dbz")
    centres = centres[centres.get("district", pd.Series(dtype=str)).notna()]
    if centres.empty:
        return loaders.districts(settings).iloc[0:0]
    address = centres["address"] if "address" in centres else pd.Series("", index=centres.index)
    name = centres["name_en" if query.lang == "en" else "name"]
    per_district = pd.DataFrame({
        "code": centres["district"],
        "centre": name + " (" + address.fillna("–") + ")",
    }).groupby("code")["centre"].agg("; ".join).reset_index()
    return loaders.districts(settings).merge(per_district, on="code", how="inner")


def need(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Quartiersbaukasten need index per district with the query's weights (0–100)."""
    from geodata import need_index

    weights = dict(query.weights) or None
    table = need_index.need_index(loaders.indicators(settings), weights=weights)
    out = loaders.districts(settings).merge(
        table[["code", "year", "index", "rank"]].rename(columns={"index": "value"}), on="code",
        how="left")
    out["formula"] = need_index.formula(weights, query.lang)
    return out


def selected_districts(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The districts in ``query.codes`` (the planner's comparison), for an outline."""
    d = loaders.districts(settings)
    return d[d["code"].isin(query.codes)].reset_index(drop=True)


def ortsteile_outlines(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The 31 Ortsteile: finer boundaries; statistics exist only per Stadtbereich."""
    o = loaders.ortsteile(settings)
    return o.rename(columns={"stadtbereich_name": "stadtbereich"})[
        ["name", "stadtbereich", "geometry"]]


def district_labels(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The names of the 21 Stadtbereiche, at a point inside each; where names would collide,
    the district with more residents keeps its name."""
    districts = loaders.districts(settings)
    ind = loaders.indicators(settings)
    year = latest_year(ind)
    latest = ind[(ind.indicator == "einwohner") & (ind.year == year)].set_index("code")["value"]
    return labels.points(districts, "stadtbereich",
                         districts["code"].map(latest).fillna(0).to_numpy())


def ortsteil_labels(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The names of the 31 Ortsteile (shown with the Ortsteile layer)."""
    return labels.points(loaders.ortsteile(settings), "ortsteil")


def search_hit(query, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The place a search found (``query.point``, EPSG:25833), as one marker."""
    if query.point is None:
        return gpd.GeoDataFrame({"name": []}, geometry=[], crs="EPSG:25833")
    x, y = query.point
    return gpd.GeoDataFrame({"name": [query.point_label]}, geometry=[Point(x, y)],
                            crs="EPSG:25833")
