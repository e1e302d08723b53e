"""Names on the map: where each label sits and from which zoom on it has room.

A label sits on a point inside its area (``representative_point``: inside even for a
concave district, unlike the centroid). Labels must not cover each other: from the most
important (the largest area) down, each label gets the first web-map zoom at which its box
clears every box placed before it. Leaflet shows a label from that zoom on (its container
carries the zoom); deck.gl gets the labels that have room at the zoom it opens with.
(deck.gl's own CollisionFilterExtension hid every label in software WebGL, where the
tests and many kiosk PCs draw.)

Text boxes are estimated from the number of characters (the fonts are the browser's own:
nothing is loaded from the internet), with a margin so halos do not touch.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import geopandas as gpd
import numpy as np

MIN_ZOOM, MAX_ZOOM = 8, 18
FONT_PX = {"stadtbereich": 14, "ortsteil": 12}
CHAR_WIDTH = 0.68  # average advance of a bold sans-serif glyph (DejaVu), in font sizes
MARGIN_PX = 6


def points(areas: gpd.GeoDataFrame, kind: str,
           weight: Sequence[float] | None = None) -> gpd.GeoDataFrame:
    """One label point per area (EPSG of the input), ordered by ``weight`` (e.g. residents:
    the names most people look for come first), else by area."""
    out = gpd.GeoDataFrame({
        "name": areas["name"].astype(str).to_numpy(),
        "kind": kind,
        "weight": np.asarray(weight if weight is not None else areas.geometry.area, float),
    }, geometry=areas.geometry.representative_point().to_numpy(), crs=areas.crs)
    out = out.sort_values("weight", ascending=False, ignore_index=True)
    out["priority"] = np.arange(len(out), 0, -1) + (1000 if kind == "stadtbereich" else 0)
    return out.drop(columns="weight")


class LabelLayer(Protocol):
    """A built label layer (``layers.build.LayerData``, which imports this module)."""

    gdf: gpd.GeoDataFrame
    spec: Any


@dataclass(frozen=True)
class Name:
    """One name of a label layer, as both renderers place it."""

    lon: float
    lat: float
    text: str
    font_px: float
    priority: int
    layer: LabelLayer


def rows(names: Sequence[LabelLayer]) -> list[Name]:
    """The names of every label layer (EPSG:4326), most important first."""
    found = [Name(float(geom.x), float(geom.y), str(text), float(size), int(priority), data)
             for data in names
             for geom, text, priority, size in zip(
                 data.gdf.geometry, data.gdf["label"], data.gdf["priority"],
                 data.gdf["font_px"], strict=True)]
    return sorted(found, key=lambda n: -n.priority)


# The world's width in pixels at zoom 0: 512 in deck.gl, 256 in Leaflet (one zoom apart).
DECK_TILE, LEAFLET_TILE = 512, 256


def world_px(lon: float, lat: float, zoom: float, tile_px: int) -> tuple[float, float]:
    """Web-Mercator pixel coordinates at a zoom."""
    size = tile_px * 2 ** zoom
    s = math.sin(math.radians(lat))
    return (lon + 180) / 360 * size, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * size


def box(lon: float, lat: float, name: str, font_px: float, zoom: float,
        tile_px: int = DECK_TILE) -> tuple[float, float, float, float]:
    """The label's screen box (x0, y0, x1, y1) at ``zoom``, centred on its point."""
    x, y = world_px(lon, lat, zoom, tile_px)
    half_w = len(name) * font_px * CHAR_WIDTH / 2 + MARGIN_PX
    half_h = font_px * 0.7 + MARGIN_PX
    return x - half_w, y - half_h, x + half_w, y + half_h


def _overlap(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def min_zooms(lon: Sequence[float], lat: Sequence[float], names: Sequence[str],
              font_px: Sequence[float], tile_px: int = DECK_TILE) -> list[int]:
    """For labels in priority order: the lowest whole zoom at which each one clears all
    before it that are shown at that zoom (MAX_ZOOM + 1: never has room)."""
    found: list[int] = []
    for i in range(len(names)):
        zoom = MIN_ZOOM
        while zoom <= MAX_ZOOM:
            mine = box(lon[i], lat[i], names[i], font_px[i], zoom, tile_px)
            if not any(found[j] <= zoom and _overlap(mine, box(lon[j], lat[j], names[j],
                                                               font_px[j], zoom, tile_px))
                       for j in range(i)):
                break
            zoom += 1
        found.append(zoom)
    return found


def fitting(lon: Sequence[float], lat: Sequence[float], names: Sequence[str],
            font_px: Sequence[float], zoom: float, tile_px: int = DECK_TILE) -> list[bool]:
    """For labels in priority order: whether each has room at exactly ``zoom``."""
    placed: list[tuple[float, float, float, float]] = []
    keep = []
    for i in range(len(names)):
        mine = box(lon[i], lat[i], names[i], font_px[i], zoom, tile_px)
        ok = not any(_overlap(mine, other) for other in placed)
        if ok:
            placed.append(mine)
        keep.append(ok)
    return keep
