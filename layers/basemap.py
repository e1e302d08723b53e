"""The map's ground: a local Mapbox-GL style built from the project's own geometry, and
optionally a street map as raster tiles under it.

Streamlit injects an online Carto basemap when a deck has no style; this style needs no
internet: land background, water areas, coastline and district borders, all inline.
No symbol layers, so no glyph (font) requests either (names are drawn by deck.gl, see
``layers.labels``). A street map (``TileSource``) is either a tile server the operator
configures or the offline tile pack the app serves itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from geodata.storage import write_bytes_atomic
from geodata.tiles import TileSource

from . import geometry
from .sources import WATER_AREAS

STYLE_NAME = "basemap/style.json"
STREETS_STYLE_NAME = "basemap/style-streets.json"
LAND = "#f4f1ea"
WATER = "#b3d4e6"
BORDER = "#8c8c8c"


OSM = TileSource("https://tile.openstreetmap.org/{z}/{x}/{y}.png",
                 "© OpenStreetMap-Mitwirkende", "© OpenStreetMap contributors",
                 "https://www.openstreetmap.org/copyright", max_zoom=19)


def _feature_collection(gdf: gpd.GeoDataFrame, tolerance_m: float) -> dict:
    simple = geometry.to_display(geometry.simplify(gdf[["geometry"]], tolerance_m))
    return json.loads(simple.to_json(drop_id=True))


def style(water: gpd.GeoDataFrame | None, districts: gpd.GeoDataFrame | None,
          streets: TileSource | None = None) -> dict:
    """The style document from what is stored (EPSG:25833; water with a ``layer`` column).

    Missing inputs leave their layers out: the map still draws, offline, on a plain ground.
    With ``streets`` the tiles replace the own water (they draw it themselves).
    """
    sources: dict[str, dict] = {}
    layers: list[dict] = [
        {"id": "land", "type": "background", "paint": {"background-color": LAND}}]
    if streets is not None:
        sources["streets"] = {"type": "raster", "tiles": [streets.url], "tileSize": 256,
                              "minzoom": streets.min_zoom, "maxzoom": streets.max_zoom,
                              "attribution": streets.attribution("de")}
        layers.append({"id": "streets", "type": "raster", "source": "streets"})
    elif water is not None:
        areas = water[water.layer.isin(WATER_AREAS)]
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
                districts: gpd.GeoDataFrame | None, streets: TileSource | None = None) -> Path:
    """Write the style into the served folder (atomically; it is served as is)."""
    target = static_dir / (STREETS_STYLE_NAME if streets else STYLE_NAME)
    write_bytes_atomic(target, json.dumps(style(water, districts, streets),
                                          separators=(",", ":")).encode("utf-8"))
    return target
