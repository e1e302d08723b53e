"""Loaders for the pages: validated frames from the local store, never from the network.

Geometry comes in EPSG:25833 (metres); reprojecting for display is the layers' job.
Each loader declares the datasets it reads (``loader.datasets``), so a cache in front of it
knows when its answer changes and which data to fetch first, without a list of names.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, TypeVar

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

from . import catalogue, reference, search
from .climate import Trend, Warming, linear_trend, warming
from .config import Settings, load_settings
from .indicators import BY_ID, city_values, derive
from .sea import SeaLevelTrends, sea_level_trends
from .store import DatasetStore, open_store


class Loader(Protocol):
    """A loader function with the ids of the datasets it reads."""

    datasets: tuple[str, ...]
    optional: tuple[str, ...]
    __name__: str

    def __call__(self, *args: Any, **kwargs: Any) -> Any: ...


F = TypeVar("F", bound=Callable[..., Any])


def reads(*dataset_ids: str, optional: tuple[str, ...] = ()) -> Callable[[F], F]:
    """Mark a loader with the datasets it reads (none: it reads files of the package) and
    those it uses when they are stored (its answer changes with them too)."""
    def mark(fn: F) -> F:
        fn.datasets = dataset_ids  # type: ignore[attr-defined]
        fn.optional = optional  # type: ignore[attr-defined]
        return fn
    return mark


def _store(settings: Settings | None) -> DatasetStore:
    return open_store(settings or load_settings())


@reads("stadtbereiche")
def districts(settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The 21 Stadtbereiche: code, nummer, name, area_km2, geometry (EPSG:25833)."""
    gdf = _store(settings).load("stadtbereiche")
    out = gdf[["code", "nummer", "bezeichnung", "geometry"]].rename(
        columns={"bezeichnung": "name"})
    out["area_km2"] = (out.geometry.area / 1e6).round(3)
    return out.sort_values("code", ignore_index=True)


@reads("stadtbereiche")
def city_area_km2(settings: Settings | None = None) -> float:
    """The city's area from the district polygons (their union, so no overlap counts
    twice), in km²."""
    return float(_store(settings).load("stadtbereiche").geometry.union_all().area / 1e6)


@reads("ortsteile", "stadtbereiche")
def ortsteile(settings: Settings | None = None) -> gpd.GeoDataFrame:
    """The 31 Ortsteile with the Stadtbereich holding most of each one's area."""
    store = _store(settings)
    quarters = store.load("ortsteile")[["name", "geometry"]]
    dist = districts(settings)
    pieces = gpd.overlay(
        quarters.reset_index(names="oid"), dist[["code", "name", "geometry"]]
        .rename(columns={"name": "stadtbereich_name", "code": "stadtbereich_code"}),
        how="intersection", keep_geom_type=True,
    )
    pieces["piece_area"] = pieces.geometry.area
    best = pieces.sort_values("piece_area").groupby("oid").tail(1).set_index("oid")
    out = quarters.copy()
    out["area_km2"] = (out.geometry.area / 1e6).round(3)
    out["stadtbereich_code"] = best["stadtbereich_code"]
    out["stadtbereich_name"] = best["stadtbereich_name"]
    out["share_in_stadtbereich"] = (best["piece_area"] / quarters.geometry.area).round(3)
    return out.sort_values("name", ignore_index=True)


@reads("bevoelkerung")
def population_raw(settings: Settings | None = None) -> pd.DataFrame:
    """Published figures as a tidy table: code, year, topic, indicator, value."""
    return _store(settings).load("bevoelkerung")


# Derived indicators of the last population file read (by its checksum): deriving costs
# about 50 ms, and every new map of an indicator needs the table.
_DERIVED: dict[str, pd.DataFrame] = {}


@reads("bevoelkerung")
def indicators(settings: Settings | None = None) -> pd.DataFrame:
    """Indicators per district and year (see ``geodata.indicators``): code, year, indicator,
    value, with German and English labels and the unit."""
    store = _store(settings)
    checksum = str((store.meta("bevoelkerung") or {}).get("file_sha256") or "")
    cached = _DERIVED.get(checksum) if checksum else None
    if cached is not None:
        return cached.copy()
    long = derive(store.load("bevoelkerung"))
    meta = pd.DataFrame(
        [(i.id, i.label_de, i.label_en, i.unit_de, i.unit_en) for i in BY_ID.values()],
        columns=["indicator", "label_de", "label_en", "unit_de", "unit_en"],
    )
    out = long.merge(meta, on="indicator", how="left")
    if checksum:
        _DERIVED.clear()
        _DERIVED[checksum] = out
    return out.copy()


@reads("bevoelkerung", "stadtbereiche")
def city_reference(settings: Settings | None = None) -> pd.Series:
    """The whole city's figure per (indicator, year), for comparing one district with it."""
    ind = indicators(settings)
    pop = ind[ind.indicator == "einwohner"].set_index(["code", "year"])["value"]
    area = districts(settings).set_index("code")["area_km2"]
    return city_values(ind[["code", "year", "indicator", "value"]], pop, area)


@reads("bevoelkerung")
def indicator_years(settings: Settings | None = None) -> dict[str, list[int]]:
    """For each indicator, the years it is published: the app says 'no data' elsewhere."""
    ind = indicators(settings)
    return {k: sorted(int(y) for y in g["year"].unique()) for k, g in ind.groupby("indicator")}


@reads("klima_mv")
def climate_mv(settings: Settings | None = None) -> pd.DataFrame:
    """DWD annual means for Mecklenburg-Vorpommern: variable, year, value, unit."""
    return _store(settings).load("klima_mv")


@reads("klima_warnemuende")
def climate_warnemuende(settings: Settings | None = None) -> pd.DataFrame:
    """Monthly CLIMAT values of Rostock-Warnemünde, with a ``date`` column (month start)."""
    df = _store(settings).load("klima_warnemuende").copy()
    df["date"] = pd.to_datetime(dict(year=df["year"], month=df["month"], day=1))
    return df


@reads("meeresspiegel_warnemuende")
def sea_level(settings: Settings | None = None) -> pd.DataFrame:
    """PSMSL monthly mean sea level at Warnemünde (mm, RLR datum), NaN where missing."""
    df = _store(settings).load("meeresspiegel_warnemuende").copy()
    df["date"] = pd.to_datetime(dict(year=df["year"], month=df["month"], day=1))
    return df


@reads("meeresspiegel_warnemuende")
def sea_level_trend(settings: Settings | None = None) -> Trend:
    df = sea_level(settings)
    return linear_trend(df["decimal_year"], df["msl_mm"])


@reads("meeresspiegel_warnemuende")
def sea_level_figures(settings: Settings | None = None) -> SeaLevelTrends:
    """The sea-level trends since the record began and since 1950 (``geodata.sea``)."""
    return sea_level_trends(sea_level(settings))


@reads("klima_mv")
def warming_figures(settings: Settings | None = None) -> Warming:
    """Warming of Mecklenburg-Vorpommern: trend per decade, 1991–2020 against 1881–1910,
    warmest year (``geodata.climate.warming``)."""
    return warming(climate_mv(settings))


@reads("wasser")
def water(settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Generalised water reference: layer (meer, kueste, warnow, unterwarnow_breitling)."""
    gdf = _store(settings).load("wasser")
    return gdf[["layer", "geometry"]]


PLACES_FILE = Path(__file__).with_name("places.toml")


@reads()
def places(project: str | None = None) -> gpd.GeoDataFrame:
    """Named places with sourced coordinates (EPSG:25833); rows without coordinates have
    empty geometry so a page can still name them. ``name_en`` is the English name (the
    German one where the name is a proper name)."""
    with PLACES_FILE.open("rb") as fh:
        rows = tomllib.load(fh)["place"]
    if project:
        rows = [r for r in rows if project in r.get("projects", [])]
    geoms = [Point(r["lon"], r["lat"]) if "lat" in r else None for r in rows]
    frame = pd.DataFrame([{"name_en": r["name"]} | {k: v for k, v in r.items()
                                                    if k not in {"lat", "lon"}}
                          for r in rows])
    return gpd.GeoDataFrame(frame, geometry=geoms, crs="EPSG:4326").to_crs("EPSG:25833")


@reads("stadtbereiche", "ortsteile", optional=("strassen", "adressen"))
def gazetteer(settings: Settings | None = None) -> search.Gazetteer:
    """Every searchable name (districts, Ortsteile, places, and streets and addresses when
    the city's lists are stored), each placed in its district by geometry."""
    store = _store(settings)
    streets = store.load("strassen") if store.has("strassen") else None
    addresses = store.load("adressen") if store.has("adressen") else None
    return search.Gazetteer(districts(settings), ortsteile(settings), places(), streets,
                            addresses)


def points(dataset_id: str, settings: Settings | None = None) -> gpd.GeoDataFrame:
    """Point datasets fetched online (trees, playgrounds, stops, fountains, toilets)."""
    ds = catalogue.get(dataset_id)
    if ds.geometry != "point":
        raise ValueError(f"{dataset_id} is not a point dataset")
    return _store(settings).load(dataset_id)


def info(dataset_id: str, settings: Settings | None = None) -> dict[str, Any]:
    """What a source line needs: title, publisher, licence, the data's own date
    (``reference``, see ``geodata.reference``) and when the copy was retrieved
    (``retrieved_at``); also without data. A packaged dataset has no retrieval date."""
    ds = catalogue.get(dataset_id)
    if ds.packaged:
        return ds.provenance() | {
            "reference": dict(reference.NONE), "retrieved_at": None, "period": None,
            "rows": None, "available": True, "last_error": None, "last_error_kind": None,
            "note": ds.note}
    store = _store(settings)
    meta = store.meta(dataset_id) or {}
    return ds.provenance() | {
        # None: no copy yet, or a record written before the data's date was kept.
        "reference": meta.get("reference"),
        "retrieved_at": meta.get("retrieved_at"),
        "period": meta.get("period"),
        "rows": meta.get("rows"),
        "available": store.has(dataset_id),
        "last_error": meta.get("last_error"),
        "last_error_kind": meta.get("last_error_kind"),
        "note": ds.note,
    }
