"""folium renderer: LayerData → one Leaflet map, offline, same colours as the pydeck one.

Offline: no tile layer unless asked, and every folium element's ``default_js`` /
``default_css`` replaced by the Leaflet copy the app serves itself (``layers.assets``).
streamlit-folium collects these lists from every element it walks (the Map included) and
the browser loads exactly them; folium's defaults would pull jQuery, Bootstrap,
awesome-markers and Font Awesome from CDNs.

Tooltips, and why they are safe
-------------------------------
Each feature's ``tip_html`` (built and escaped in ``layers.build.tip_html``) is the only
feature property written into the page, together with the geometry and a numeric ``id``.
It goes in with ``folium.GeoJsonTooltip(fields=["tip_html"], labels=False)``; in folium
0.20 (``features.py``, ``GeoJsonDetail.base_template`` and ``GeoJson._template``):

* the GeoJSON is embedded as data: ``<layer>_add({{ this.data|tojson }})``; Jinja's ``tojson``
  is ``htmlsafe_json_dumps`` (``< > & '`` become ``\\u003c`` …), so no data can close the
  ``<script>`` or leave the JSON string it is in;
* in the browser a *runtime* template literal interpolates the value,
  ``<td>${handleObject(layer.feature.properties[v])}</td>``, with ``v`` only our constant
  field name; interpolating a value does not evaluate it, so `` ` `` and ``${`` in the data
  are inert here (they are escaped anyway);
* the resulting string is set as ``div.innerHTML``: our pre-escaped text arrives verbatim,
  is not escaped twice and nothing else from the data joins it.

Not used: ``folium.Tooltip(text)``/``tooltip="…"`` paste the text unescaped into a JS
template literal in the page source (one per feature, too); ``GeoJsonTooltip``'s
labels/aliases reach the same innerHTML unescaped (we show none); ``GeoJson`` picks any unique
string property as the styling key written into a JS ``switch`` — we give every feature
an ``id`` so that key is ours; branca colormaps load d3 from a CDN (legends are drawn by
the app, not in the map).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import folium
import shapely
from branca.element import Element, MacroElement
from jinja2 import Template
from shapely.geometry import MultiLineString, MultiPolygon
from shapely.geometry.base import BaseGeometry

from geodata.tiles import TileSource
from text import escape_text

from . import labels
from .assets import LEAFLET_CSS, LEAFLET_JS
from .basemap import LAND
from .build import LayerData
from .palettes import NO_DATA
from .spec import DRAW_ORDER, FILL_OPACITY, FILL_OPACITY_ON_STREETS

ROSTOCK = (54.135, 12.125)
JS_ASSETS: list[tuple[str, str]] = [("leaflet", LEAFLET_JS)]
CSS_ASSETS: list[tuple[str, str]] = [("leaflet_css", LEAFLET_CSS)]

BORDER = "#ffffff"
HEX = re.compile(r"#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?")
TOOLTIP_STYLE = ("background-color:#ffffff;color:#1a1a1a;font-size:14px;"
                 "border:1px solid #999;border-radius:4px;padding:6px 8px;"
                 "min-width:220px;max-width:320px;"
                 "white-space:normal;")
# Names: a white halo that stays readable over every class colour; Leaflet's tooltip box
# is not used (labels are markers with an escaped text). A label shows from its zoom on:
# the map's container carries the current zoom, and a rule per zoom hides the rest.
LABEL_CSS = (
    ".hro-label{background:none;border:0;}"
    ".hro-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;"
    "font:600 14px 'DejaVu Sans','Liberation Sans',Helvetica,Arial,sans-serif;"
    "color:#1a1a1a;pointer-events:none;text-shadow:0 0 3px #fff,0 0 3px #fff,1px 1px 0 #fff,"
    "-1px -1px 0 #fff,1px -1px 0 #fff,-1px 1px 0 #fff;}"
    ".hro-label span.ortsteil{font-size:12px;font-weight:500;color:#3d3d3d;}"
    + "".join(f'.leaflet-container[data-zoom="{z}"] .hro-min-{k}{{display:none;}}'
              for z in range(labels.MIN_ZOOM, labels.MAX_ZOOM + 1)
              for k in range(z + 1, labels.MAX_ZOOM + 2))
)


class NameLabels(MacroElement):
    """All names as markers of one script: each an L.divIcon (no default marker image),
    the text escaped before it becomes the icon's HTML; the data reach the page as JSON
    (``tojson`` is HTML-safe). The map's container carries ``data-zoom`` for LABEL_CSS."""

    _template = Template("""
{% macro script(this, kwargs) %}
(function (m, labels) {
  labels.forEach(function (l) {
    L.marker([l[0], l[1]], {interactive: false, keyboard: false,
      icon: L.divIcon({className: 'hro-label', html: l[2], iconSize: [0, 0]})}).addTo(m);
  });
  function zoom() { m.getContainer().setAttribute('data-zoom', Math.round(m.getZoom())); }
  m.on('zoomend', zoom); zoom();
})({{ this._parent.get_name() }}, {{ this.labels|tojson }});
{% endmacro %}
""")

    def __init__(self, labels: list[list]) -> None:
        super().__init__()
        self._name = "NameLabels"
        self.labels = labels



def _local_assets_only(element: Any) -> None:
    """Instance lists (never mutate folium's class-level ones): only our Leaflet copy on
    the Map, nothing on anything else."""
    if hasattr(element, "default_js"):
        is_map = isinstance(element, folium.Map)
        element.default_js = list(JS_ASSETS) if is_map else []
        element.default_css = list(CSS_ASSETS) if is_map else []


def _offline(m: folium.Map) -> folium.Map:
    """Walk everything added to the map (as streamlit-folium does) and strip CDN links."""
    stack: list[Any] = [m]
    while stack:
        element = stack.pop()
        _local_assets_only(element)
        stack.extend(getattr(element, "_children", {}).values())
    return m


POLYGONAL = ("Polygon", "MultiPolygon")
LINEAR = ("LineString", "MultiLineString")


def _parts(geom: BaseGeometry) -> list[BaseGeometry]:
    """Polygons, lines and points of any geometry, collections flattened."""
    if geom.geom_type in ("Polygon", "LineString", "Point"):
        return [] if geom.is_empty else [geom]
    return [p for part in shapely.get_parts(geom) for p in _parts(part)]


def _drawable(geom: BaseGeometry | None, kind: str) -> list[BaseGeometry]:
    """Geometries Leaflet draws as one path each, for one row.

    Rounding and ``make_valid`` in ``geometry.to_display`` can leave a district as a
    GeometryCollection (its polygon plus zero-area slivers). Leaflet would draw that as a
    group whose paths have no ``feature`` (the tooltip then fails) and folium's
    ``get_bounds`` (called by streamlit-folium) raises on it. So: polygon kinds keep one
    (Multi)Polygon, lines one (Multi)LineString, points every point.
    """
    if geom is None or geom.is_empty:
        return []
    wanted = {"line": LINEAR, "point": ("Point",)}.get(kind, POLYGONAL)
    if geom.geom_type in wanted:
        return [geom]
    parts = [p for p in _parts(geom) if p.geom_type == wanted[0]]
    if kind == "point" or len(parts) <= 1:
        return parts
    return [MultiLineString(parts) if kind == "line" else MultiPolygon(parts)]


def _style(kind: str, fill: object, outline: bool = False, width: float = 3.5,
           on_streets: bool = False) -> dict:
    """Leaflet path style from the same ``fill`` column deck uses."""
    # folium writes style dicts into the script with plain json.dumps (no HTML-safe
    # escaping): only a colour may get there.
    colour = str(fill) if HEX.fullmatch(str(fill)) else NO_DATA
    if outline:
        return {"color": colour, "weight": width, "opacity": 1.0, "fill": True,
                "fillOpacity": 0.0}
    if kind == "line":
        return {"color": colour, "weight": 2.5, "opacity": 1.0, "fill": False}
    if kind == "point":
        return {"color": BORDER, "weight": 1.5, "opacity": 1.0, "fillColor": colour,
                "fillOpacity": 0.9, "fill": True}
    return {"color": BORDER, "weight": 1, "opacity": 0.86, "fillColor": colour,
            "fillOpacity": (FILL_OPACITY_ON_STREETS if on_streets else FILL_OPACITY)[kind],
            "fill": True}


DISTRICT_CODE = re.compile(r"[A-U]")


def _features(data: LayerData, on_streets: bool = False) -> tuple[dict, dict[int, dict]]:
    """The FeatureCollection and a style per feature id.

    Geometry, a numeric ``id`` and the escaped tooltip: nothing else leaves Python. The ids
    are unique, so folium keys its style ``switch`` on them (not on some data property).
    """
    kind = data.spec.kind
    features: list[dict] = []
    styles: dict[int, dict] = {}
    codes = data.gdf["code"] if "code" in data.gdf.columns else [None] * len(data.gdf)
    for geom, tip, fill, code in zip(data.gdf.geometry, data.gdf["tip_html"], data.gdf["fill"],
                                     codes, strict=True):
        props = {"tip_html": str(tip)}
        # The district code lets a click select the district; geodata guarantees A–U, and
        # anything else is left out rather than trusted.
        if isinstance(code, str) and DISTRICT_CODE.fullmatch(code):
            props["code"] = code
        for part in _drawable(geom, kind):
            fid = len(features)
            styles[fid] = _style(kind, fill, bool(data.spec.extra.get("outline")),
                                 float(data.spec.extra.get("outline_width", 3.5)), on_streets)
            features.append({"type": "Feature", "id": fid, "properties": dict(props),
                             "geometry": json.loads(json.dumps(part.__geo_interface__))})
    return {"type": "FeatureCollection", "features": features}, styles


def geojson_layer(data: LayerData, on_streets: bool = False) -> folium.GeoJson | None:
    """One layer as a ``folium.GeoJson`` with its tooltip (see the module docstring);
    None when it has nothing to draw (folium's tooltip cannot bind to no features)."""
    kind = data.spec.kind
    collection, styles = _features(data, on_streets)
    if not styles:
        return None
    fallback = styles[0]
    kwargs: dict[str, Any] = {}
    if kind in ("choropleth", "area"):
        # deck's auto_highlight: a darker border under the pointer.
        kwargs["highlight_function"] = lambda _f: {"weight": 3, "color": "#333333"}
    if kind == "point":
        kwargs["marker"] = folium.CircleMarker(radius=7)
    return folium.GeoJson(
        collection,
        name=data.spec.id,
        style_function=lambda f: styles.get(f["id"], fallback),
        tooltip=folium.GeoJsonTooltip(fields=["tip_html"], labels=False, sticky=True,
                                      style=TOOLTIP_STYLE),
        **kwargs,
    )


def label_markers(m: folium.Map, names: Sequence[LayerData]) -> None:
    """Every name as a marker with escaped text, shown from the zoom where it has room
    (``layers.labels.min_zooms`` over all names together, most important first)."""
    found = labels.rows(names)
    zooms = labels.min_zooms([n.lon for n in found], [n.lat for n in found],
                             [n.text for n in found], [n.font_px for n in found],
                             labels.LEAFLET_TILE)
    markers = []
    for name, minzoom in zip(found, zooms, strict=True):
        kind = "ortsteil" if name.layer.spec.id == "namen_ortsteile" else "stadtbereich"
        markers.append([round(name.lat, 5), round(name.lon, 5),
                        f'<span class="{kind} hro-min-{minzoom}">{escape_text(name.text)}</span>'])
    m.get_root().header.add_child(Element(f"<style>{LABEL_CSS}</style>"), name="hro_labels")
    m.add_child(NameLabels(markers))


def folium_map(layers: Sequence[LayerData], *, lang: str = "de",
               tiles: TileSource | None = None, location: tuple[float, float] = ROSTOCK,
               zoom: int = 11) -> folium.Map:
    """One offline Leaflet map of the given layers (areas first, points on top, names above
    all), on a street map when ``tiles`` are given."""
    m = folium.Map(location=list(location), zoom_start=zoom, tiles=None, control_scale=True)
    # Map() passes min/max_zoom only to its own tile layer; without one, set them here.
    m.options.update(min_zoom=9, max_zoom=18)
    # Leaflet's grey ground → the deck basemap's land colour (div.: beats leaflet.css's
    # .leaflet-container wherever the stylesheets end up in the page).
    m.get_root().header.add_child(
        Element(f"<style>div.leaflet-container{{background:{LAND};}}</style>"),
        name="rostock_land")
    if tiles is not None:
        credit = escape_text(tiles.attribution(lang))
        if tiles.attribution_url:
            credit = f'<a href="{escape_text(tiles.attribution_url)}">{credit}</a>'
        folium.TileLayer(tiles.url, attr=credit, name="streets", min_zoom=9, max_zoom=18,
                         max_native_zoom=tiles.max_zoom, subdomains="",
                         control=False).add_to(m)
    for data in sorted((d for d in layers if d.spec.kind != "label"),
                       key=lambda d: DRAW_ORDER[d.spec.kind]):
        layer = geojson_layer(data, on_streets=tiles is not None)
        if layer is not None:
            layer.add_to(m)
    names = [d for d in layers if d.spec.kind == "label"]
    if names:
        label_markers(m, names)
    return _offline(m)


def map_html(m: folium.Map) -> str:
    """The full standalone HTML page of the map (for size measurements)."""
    return m.get_root().render()
