"""A third renderer: layers as one static SVG picture, in the same Web-Mercator projection,
colours and name placement as the interactive maps.

It draws what a browser can show before any JavaScript has run — the overview's first view
(``server.first_view``) while Streamlit's 2 MB of code load on a phone. Polygons with their
fill, water from the basemap's data in the basemap's colour, names with a halo where
``layers.labels`` gives them room. Names from data are XML-escaped; colours that are not
plain hex codes are drawn as "no data".
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

import geopandas as gpd
import shapely

from geodata.osm import BOX

from . import geometry, labels
from .basemap import LAND, WATER
from .build import LayerData
from .palettes import NO_DATA
from .sources import WATER_AREAS

HEX = re.compile(r"#[0-9a-fA-F]{6}")
TILE = labels.LEAFLET_TILE  # world pixels at zoom 0 (one SVG unit = one screen pixel)
NAME_SCALE = 1.15  # names a little larger than on the map: the picture shrinks on a phone


def _fill(value: object) -> str:
    return value if isinstance(value, str) and HEX.fullmatch(value) else NO_DATA


class Frame:
    """Web-Mercator pixels at the zoom that makes the bounds ``width`` pixels wide."""

    def __init__(self, bounds: Sequence[float], width: int, pad: float = 0.02) -> None:
        minlon, minlat, maxlon, maxlat = bounds
        dlon, dlat = (maxlon - minlon) * pad, (maxlat - minlat) * pad
        self.bounds = (minlon - dlon, minlat - dlat, maxlon + dlon, maxlat + dlat)
        span = (self.bounds[2] - self.bounds[0]) / 360 * TILE
        self.zoom = math.log2(width / span)
        self.x0, self.y0 = self.world(self.bounds[0], self.bounds[3])
        x1, y1 = self.world(self.bounds[2], self.bounds[1])
        self.width, self.height = round(x1 - self.x0), round(y1 - self.y0)

    def world(self, lon: float, lat: float) -> tuple[float, float]:
        return labels.world_px(lon, lat, self.zoom, TILE)

    def point(self, lon: float, lat: float) -> tuple[float, float]:
        x, y = self.world(lon, lat)
        return x - self.x0, y - self.y0

    def path(self, geom: shapely.Geometry) -> str:
        """SVG path data of a (multi)polygon or (multi)line, in pixels (one decimal)."""
        out = []
        for part in getattr(geom, "geoms", [geom]):
            rings = ([part.exterior, *part.interiors] if part.geom_type == "Polygon"
                     else [part])
            for ring in rings:
                pts = [self.point(x, y) for x, y, *_ in ring.coords]
                if len(pts) < 2:
                    continue
                out.append("M" + "L".join(f"{x:.1f} {y:.1f}" for x, y in pts) +
                           ("Z" if part.geom_type == "Polygon" else ""))
        return "".join(out)


def _water(frame: Frame, water: gpd.GeoDataFrame) -> list[str]:
    """The sea and the Unterwarnow as areas, the Warnow as a line, cut to the picture."""
    shown = geometry.to_display(water)
    box = shapely.box(*frame.bounds)
    out = []
    for layer, geom in zip(shown["layer"], shown.geometry, strict=True):
        if geom is None or geom.is_empty:
            continue
        geom = shapely.intersection(geom, box)
        if geom.is_empty:
            continue
        if layer in WATER_AREAS:
            out.append(f'<path d="{frame.path(geom)}" fill="{WATER}"/>')
        elif layer == "warnow":
            out.append(f'<path d="{frame.path(geom)}" fill="none" stroke="{WATER}" '
                       'stroke-width="3"/>')
    return out


def _names(frame: Frame, layer: LayerData) -> list[str]:
    gdf = layer.gdf.sort_values("priority", ascending=False) if "priority" in layer.gdf \
        else layer.gdf
    lon, lat = list(gdf.geometry.x), list(gdf.geometry.y)
    names = [str(n) for n in gdf["label"]]
    sizes = [float(s) * NAME_SCALE for s in gdf.get("font_px", [12.0] * len(gdf))]
    keep = labels.fitting(lon, lat, names, sizes, frame.zoom, TILE)
    out = []
    for x, y, name, size, ok in zip(lon, lat, names, sizes, keep, strict=True):
        if not ok:
            continue
        px, py = frame.point(x, y)
        out.append(f'<text x="{px:.1f}" y="{py:.1f}" font-size="{size:.0f}">'
                   f"{escape(name)}</text>")
    return out


def render(layers: Sequence[LayerData], water: gpd.GeoDataFrame | None = None,
           width: int = 720, title: str = "") -> str:
    """One SVG document: water, then each layer's areas and lines, then the names."""
    areas = [lay for lay in layers if lay.spec.kind != "label"]
    names = [lay for lay in layers if lay.spec.kind == "label"]
    bounds = areas[0].gdf.total_bounds if areas else BOX
    frame = Frame(bounds, width)
    body = [f'<rect width="100%" height="100%" fill="{LAND}"/>']
    if water is not None and not water.empty:
        body += _water(frame, water)
    for layer in areas:
        for geom, fill in zip(layer.gdf.geometry, layer.gdf["fill"], strict=True):
            if geom is None or geom.is_empty or geom.geom_type.endswith("Point"):
                continue
            body.append(f'<path d="{frame.path(geom)}" fill="{_fill(fill)}" '
                        'stroke="#ffffff" stroke-width="1" stroke-linejoin="round"/>')
    text = [t for layer in names for t in _names(frame, layer)]
    if text:
        body.append('<g font-family="system-ui,sans-serif" font-weight="700" fill="#1a1a1a" '
                    'text-anchor="middle" dominant-baseline="central" stroke="#ffffff" '
                    'stroke-width="3" stroke-linejoin="round" paint-order="stroke">' +
                    "".join(text) + "</g>")
    head = f"<title>{escape(title)}</title>" if title else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {frame.width} '
            f'{frame.height}" width="{frame.width}" height="{frame.height}" role="img"'
            f'{" aria-label=" + quoteattr(title) if title else ""}>{head}{"".join(body)}'
            "</svg>")
