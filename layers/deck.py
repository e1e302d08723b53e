"""pydeck renderer: LayerData → deck.gl layers and one Deck with the local basemap."""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pydeck as pdk
import shapely
from pydeck.bindings.json_tools import default_serialize
from shapely.geometry import mapping

from text import deck_literal

from . import labels
from .build import LayerData
from .palettes import rgba
from .spec import DRAW_ORDER, FILL_OPACITY, FILL_OPACITY_ON_STREETS

TOOLTIP_STYLE = {
    "backgroundColor": "#ffffff", "color": "#1a1a1a", "fontSize": "14px",
    "border": "1px solid #999", "borderRadius": "4px", "padding": "6px 8px",
    "whiteSpace": "pre-line", "maxWidth": "320px",
}
ROSTOCK_VIEW = pdk.ViewState(longitude=12.125, latitude=54.135, zoom=10.3, pitch=0)
# Small multiples (about 260 px high) need one zoom step less to show the whole city.
VIEW_SMALL = pdk.ViewState(longitude=12.14, latitude=54.14, zoom=9.2, pitch=0)
VIEW_3D = pdk.ViewState(longitude=12.13, latitude=54.10, zoom=10.6, pitch=50, bearing=-15)


# Where a map may look: the city with some margin (a shared link must not point at Berlin).
LAT_RANGE, LON_RANGE, ZOOM_RANGE = (53.95, 54.30), (11.90, 12.40), (8.0, 17.0)


@dataclass(frozen=True)
class MapView:
    """A camera position that fits in a URL (``?at=lat,lon,zoom[,pitch,bearing]``), so a
    presenter's view can be handed to a phone."""

    lat: float
    lon: float
    zoom: float
    pitch: float = 0.0
    bearing: float = 0.0

    def __post_init__(self) -> None:
        values = (self.lat, self.lon, self.zoom, self.pitch, self.bearing)
        if not all(isinstance(v, int | float) and math.isfinite(v) for v in values):
            raise ValueError("a map view needs finite numbers")
        checks = ((self.lat, LAT_RANGE, "lat"), (self.lon, LON_RANGE, "lon"),
                  (self.zoom, ZOOM_RANGE, "zoom"), (self.pitch, (0.0, 60.0), "pitch"),
                  (self.bearing, (-180.0, 180.0), "bearing"))
        for value, (low, high), name in checks:
            if not low <= value <= high:
                raise ValueError(f"{name} {value} is outside {low}…{high}")

    @classmethod
    def parse(cls, text: str) -> MapView:
        parts = [float(x) for x in text.split(",")]
        if len(parts) not in (3, 5):
            raise ValueError("expected lat,lon,zoom or lat,lon,zoom,pitch,bearing")
        return cls(*parts)

    def param(self) -> str:
        text = f"{self.lat:.4f},{self.lon:.4f},{self.zoom:g}"
        return text if not (self.pitch or self.bearing) else \
            f"{text},{self.pitch:g},{self.bearing:g}"

    def leaflet_zoom(self) -> int:
        """Leaflet's zoom for the same scale: its tiles are 256 px, deck.gl's 512 px, so it
        counts one step more (and stops at the street map's 18)."""
        return min(18, round(self.zoom + 1))

    def view_state(self) -> pdk.ViewState:
        return pdk.ViewState(latitude=self.lat, longitude=self.lon, zoom=self.zoom,
                             pitch=self.pitch, bearing=self.bearing)


# Named views for tour scripts (centres read off the district polygons' areas).
NAMED_VIEWS: dict[str, MapView] = {
    "stadt": MapView(54.125, 12.12, 10.8),
    "innenstadt": MapView(54.0895, 12.135, 12.1),
    "warnemuende": MapView(54.172, 12.085, 13.0),
    "warnow": MapView(54.13, 12.11, 11.3),
    "nordwest": MapView(54.145, 12.065, 11.7),
    "nordost": MapView(54.115, 12.16, 11.7),
    "stadt_3d": MapView(54.10, 12.13, 10.6, 50, -15),
}


class CompactDeck(pdk.Deck):
    """pydeck indents its JSON (indent=2); the map payload is re-sent on every rerun,
    so send it without whitespace — and serialise it once per Deck, not once per rerun.

    One ``json.dumps`` without ``indent`` (pydeck's own key order and conversion): with an
    indent Python falls back to its pure-Python encoder, which cost a new map about 0.1 s
    of a rerun under load."""

    _json: str | None = None

    def to_json(self) -> str:
        if self._json is None:
            self._json = json.dumps(self, sort_keys=True, default=default_serialize,
                                    separators=(",", ":"))
        return self._json


MAX_HEIGHT_M = 3000


# A layer's geometry stays the same when the indicator or the year changes; only colours and
# texts do. Converting polygons to GeoJSON was a quarter of the server's time under load
# (bench/load.py), so each distinct geometry column is converted once (keyed by its WKB).
_GEOJSON: OrderedDict[bytes, list[dict | None]] = OrderedDict()
_GEOJSON_MAX = 64
_GEOJSON_LOCK = threading.Lock()


def _geojson(geoms: np.ndarray) -> list[dict | None]:
    """GeoJSON geometry dicts of a geometry array (shared, read-only: never modify them)."""
    wkb = shapely.to_wkb(geoms)
    digest = hashlib.blake2b(digest_size=20)
    for item in wkb:
        digest.update(len(item or b"").to_bytes(8, "little"))
        digest.update(item or b"")
    key = digest.digest()
    with _GEOJSON_LOCK:
        found = _GEOJSON.get(key)
        if found is not None:
            _GEOJSON.move_to_end(key)
            return found
    made = [None if g is None or g.is_empty else json.loads(json.dumps(mapping(g)))
            for g in geoms]
    with _GEOJSON_LOCK:
        _GEOJSON[key] = made
        while len(_GEOJSON) > _GEOJSON_MAX:
            _GEOJSON.popitem(last=False)
    return made


def _plain(value: object) -> object:
    """numpy scalars to Python; NaN to None (JSON null)."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _features(data: LayerData, alpha: int) -> list[dict]:
    """Only what the browser needs: geometry, colour, label, tooltip text."""
    gdf = data.gdf
    props = {c: [_plain(v) for v in gdf[c]] for c in ("code", "value") if c in gdf.columns}
    if "label" in gdf.columns:
        props["label"] = [deck_literal(v) for v in gdf["label"]]
    props["fill"] = [rgba(f, alpha) for f in gdf["fill"]]
    props["tip"] = list(gdf["tip_text"])
    if "value" in gdf.columns and gdf["value"].notna().any():
        # Heights 0–3,000 m whatever the unit, so any indicator reads in the 3D view.
        v = gdf["value"]
        span = float(v.max() - v.min()) or 1.0
        props["height"] = [float(h) for h in
                           ((v - v.min()) / span * MAX_HEIGHT_M).round(0).fillna(0)]
    geometries = _geojson(gdf.geometry.values)
    return [{"type": "Feature", "properties": {k: col[i] for k, col in props.items()},
             "geometry": geometries[i]} for i in range(len(gdf))]


def deck_layer(data: LayerData, *, extruded: bool = False, elevation_scale: float = 1.0,
               on_streets: bool = False) -> pdk.Layer:
    spec = data.spec
    if spec.kind == "point":
        rows = [{"lon": round(g.x, 5), "lat": round(g.y, 5), "label": deck_literal(label),
                 "tip": tip,
                 "fill": rgba(fill, 230)}
                for g, label, tip, fill in zip(data.gdf.geometry, data.gdf["label"],
                                               data.gdf["tip_text"], data.gdf["fill"],
                                               strict=True)]
        return pdk.Layer("ScatterplotLayer", rows, id=spec.id, get_position=["lon", "lat"],
                         get_fill_color="fill", get_line_color=[255, 255, 255],
                         stroked=True, line_width_min_pixels=1.5, radius_min_pixels=7,
                         radius_max_pixels=14, get_radius=60, pickable=True)
    alpha = 255 if spec.extra.get("outline") else \
        round(255 * (FILL_OPACITY_ON_STREETS if on_streets else FILL_OPACITY)[spec.kind])
    # A plain list of features, not a FeatureCollection: Streamlit maps a click back to the
    # picked object only when a layer's data is an array.
    fc = _features(data, alpha)
    if spec.kind == "line" or spec.extra.get("outline"):
        # Outlined areas mark districts on top of a choropleth without tinting its colours.
        width = float(spec.extra.get("outline_width", 3.5)) if spec.extra.get("outline") else 2.5
        return pdk.Layer("GeoJsonLayer", fc, id=spec.id, stroked=True, filled=False,
                         get_line_color="properties.fill", line_width_min_pixels=width,
                         pickable=True)
    return pdk.Layer(
        "GeoJsonLayer", fc, id=spec.id, stroked=True, filled=True,
        get_fill_color="properties.fill", get_line_color=[255, 255, 255, 220],
        line_width_min_pixels=1, pickable=True, auto_highlight=True,
        extruded=extruded,
        get_elevation=f"properties.height * {elevation_scale}" if extruded else 0,
    )


# The browser's own fonts: nothing is fetched (a web font could also load too late for
# deck.gl's glyph atlas). Names with umlauts need the "auto" character set.
LABEL_FONT = '"DejaVu Sans, Liberation Sans, Helvetica, Arial, sans-serif"'


def label_layer(names: Sequence[LayerData], zoom: float) -> pdk.Layer:
    """All names in one TextLayer with a white halo: those that have room at ``zoom``, a
    more important one (a larger area) before a smaller (``layers.labels``)."""
    found = labels.rows(names)
    keep = labels.fitting([n.lon for n in found], [n.lat for n in found],
                          [deck_literal(n.text) for n in found], [n.font_px for n in found], zoom)
    rows = [{"position": [round(n.lon, 5), round(n.lat, 5)], "name": deck_literal(n.text),
             "priority": n.priority, "size": n.font_px, "color": rgba(n.layer.spec.color, 255)}
            for n, ok in zip(found, keep, strict=True) if ok]
    return pdk.Layer(
        "TextLayer", rows, id="names", get_position="position", get_text="name",
        get_size="size", size_units='"pixels"', get_color="color",
        character_set='"auto"', font_family=LABEL_FONT, font_weight=600,
        font_settings={"sdf": True, "buffer": 6, "radius": 12}, outline_width=4,
        outline_color=[255, 255, 255, 235], get_text_anchor='"middle"',
        get_alignment_baseline='"center"', billboard=True, pickable=False)


def deck(layers: Sequence[LayerData], map_style: str, *, view: pdk.ViewState | None = None,
         extruded: bool = False, elevation_scale: float = 1.0,
         on_streets: bool = False) -> pdk.Deck:
    """One Deck; ``map_style`` is the URL of the local style (never left empty: Streamlit
    would put an online basemap there)."""
    # In DRAW_ORDER, names above all.
    ordered = sorted((d for d in layers if d.spec.kind != "label"),
                     key=lambda d: DRAW_ORDER[d.spec.kind])
    names = [d for d in layers if d.spec.kind == "label"]
    view = view or ROSTOCK_VIEW
    return CompactDeck(
        layers=[*(deck_layer(d, extruded=extruded and d.spec.kind == "choropleth",
                             elevation_scale=elevation_scale, on_streets=on_streets)
                  for d in ordered),
                *([label_layer(names, float(view.zoom))] if names else [])],
        initial_view_state=view,
        map_provider="mapbox",
        map_style=map_style,
        tooltip={"text": "{tip}", "style": TOOLTIP_STYLE},
        api_keys={"mapbox": ""},
    )
