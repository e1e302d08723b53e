"""A local MapLibre/Mapbox-GL style built from the project's own geometry.

Streamlit injects an online Carto basemap when a deck has no style; this style needs no
internet: land background, water areas, coastline and district borders, all inline.
No symbol layers, so no glyph (font) requests either.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from . import geometry

STYLE_NAME = "basemap/style.json"
LAND = "#f4f1ea"
WATER = "#b3d4e6"
BORDER = "#8c8c8c"


def _feature_collection(gdf: gpd.GeoDataFrame, tolerance_m: float) -> dict:
    simple = geometry.to_display(geometry.simplify(gdf[["geometry"]], tolerance_m))
    return json.loads(simple.to_json(drop_id=True))


def style(water: gpd.GeoDataFrame | None, districts: gpd.GeoDataFrame | None) -> dict:
    """The style document from what is stored (EPSG:25833; water with a ``layer`` column).

    Missing inputs leave their layers out: the map still draws, offline, on a plain ground.
    """
    sources: dict[str, dict] = {}
    layers: list[dict] = [
        {"id": "land", "type": "background", "paint": {"background-color": LAND}}]
    if water is not None:
        areas = water[water.layer.isin(("meer", "unterwarnow_breitling"))]
        sources["water"] = {"type": "geojson", "data": _feature_collection(areas, 25)}
        sources["river"] = {"type": "geojson",
                            "data": _feature_collection(water[water.layer == "warnow"], 15)}
        layers += [
            {"id": "water", "type": "fill", "source": "water", "paint": {"fill-color": WATER}},
            {"id": "river", "type": "line", "source": "river",
             "paint": {"line-color": WATER, "line-width": 3}},
        ]
    if districts is not None:
        city = gpd.GeoDataFrame(geometry=[districts.union_all()], crs=districts.crs)
        sources["districts"] = {"type": "geojson", "data": _feature_collection(districts, 15)}
        sources["city"] = {"type": "geojson", "data": _feature_collection(city, 15)}
        layers += [
            {"id": "district-borders", "type": "line", "source": "districts",
             "paint": {"line-color": BORDER, "line-width": 0.6, "line-dasharray": [2, 2]}},
            {"id": "city-border", "type": "line", "source": "city",
             "paint": {"line-color": "#555555", "line-width": 1.4}},
        ]
    return {"version": 8, "name": "Rostock offline", "sources": sources, "layers": layers}


def write_style(static_dir: Path, water: gpd.GeoDataFrame | None,
                districts: gpd.GeoDataFrame | None) -> Path:
    """Write the style into the served folder (atomically; it is served as is)."""
    target = static_dir / STYLE_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(json.dumps(style(water, districts), separators=(",", ":")))
    tmp.replace(target)
    return target
