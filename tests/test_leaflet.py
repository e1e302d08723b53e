"""The folium renderer: offline assets only, deck's colours, tooltips that stay escaped."""

from __future__ import annotations

import dataclasses
import json
import re
import warnings
from pathlib import Path
from typing import Any

import folium
import pytest

import geodata
from layers import deck
from layers.assets import (
    LEAFLET_CSS,
    LEAFLET_JS,
    LEAFLET_VERSION,
    install_leaflet,
    leaflet_source,
)
from layers.basemap import OSM
from layers.build import LayerData, build, tip_html
from layers.leaflet import folium_map, map_html
from layers.palettes import rgba
from layers.spec import FILL_OPACITY, Query
from tests.helpers.mirror import MIRROR, needs_mirror

LAYER_IDS = ("indikator", "hitze", "wasserflaechen", "warnow", "uferbezirke", "orte_wasser")
URL = re.compile(r"https?://", re.IGNORECASE)


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> geodata.Settings:
    if not MIRROR.is_dir():
        pytest.skip(f"no offline mirror at {MIRROR}")
    s = geodata.Settings(data_dir=tmp_path_factory.mktemp("s"), mirror=str(MIRROR))
    outcomes = geodata.refresh(["stadtbereiche", "bevoelkerung", "wasser"], s)
    assert all(o.status != "failed" for o in outcomes), outcomes
    return s


@pytest.fixture(scope="module")
def all_layers(settings: geodata.Settings) -> dict[str, LayerData]:
    q = Query(indicator="anteil_65_plus")
    return {i: build(i, q, settings) for i in LAYER_IDS}


# --- reading the page back -------------------------------------------------------------

def _payloads(html: str) -> list[dict]:
    """The GeoJSON each layer embeds (``<var>_add({...});``), decoded as the browser would."""
    out = []
    decoder = json.JSONDecoder()
    for match in re.finditer(r"geo_json_\w+_add\(\{", html):
        obj, _ = decoder.raw_decode(html, match.end() - 1)
        out.append(obj)
    return out


def _styles(html: str) -> list[dict[Any, dict]]:
    """Per layer: feature id → style, from the ``_styler`` switch folium writes."""
    out = []
    for body in re.findall(r"_styler\(feature\) \{\s*switch\(feature\.id\) \{(.*?)\n\s*\}\n",
                           html, re.DOTALL):
        cases: dict[Any, dict] = {}
        for ids, style in re.findall(r"((?:case [^:]+: )+)\s*return (\{.*?\});", body):
            for case in re.findall(r"case ([^:]+):", ids):
                cases[json.loads(case)] = json.loads(style)
        default = re.search(r"default:\s*return (\{.*?\});", body)
        assert default, body
        cases["default"] = json.loads(default.group(1))
        out.append(cases)
    return out


def _fills(html: str) -> list[list[str]]:
    """Per layer, in feature order: the fillColor Leaflet will paint."""
    out = []
    for data, styles in zip(_payloads(html), _styles(html), strict=True):
        out.append([styles.get(f["id"], styles["default"]).get("fillColor")
                    for f in data["features"]])
    return out


def _collected_links(m: folium.Map, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run streamlit-folium's own st_folium up to its component call and keep its args."""
    import streamlit_folium

    got: dict[str, Any] = {}

    def fake_component(**kwargs: Any) -> Any:
        got.update(kwargs)
        return kwargs.get("default")

    monkeypatch.setattr(streamlit_folium, "_component_func", fake_component)
    streamlit_folium.st_folium(m, returned_objects=[])
    return got


# --- (a) offline ---------------------------------------------------------------------

@needs_mirror
def test_streamlit_folium_loads_only_the_local_leaflet(
        all_layers: dict[str, LayerData], monkeypatch: pytest.MonkeyPatch) -> None:
    for online in (False, True):
        got = _collected_links(folium_map(list(all_layers.values()), tiles=OSM if online else None),
                               monkeypatch)
        assert got["js_links"] == [LEAFLET_JS]
        assert got["css_links"] == [LEAFLET_CSS]
        assert not URL.search(got["header"]) and not URL.search(got["html"])
        assert bool(URL.search(got["script"])) is online  # only the OSM tile layer


@needs_mirror
def test_rendered_page_has_no_internet_address(all_layers: dict[str, LayerData]) -> None:
    html = map_html(folium_map(list(all_layers.values())))
    assert not URL.search(html)
    assert "tileLayer" not in html
    assert f'<script src="{LEAFLET_JS}"></script>' in html
    assert f'<link rel="stylesheet" href="{LEAFLET_CSS}"/>' in html
    assert html.count("<script src=") == 1 and html.count('rel="stylesheet"') == 1
    # folium's own defaults stay untouched for anyone else using it.
    assert any(URL.match(u) for _, u in folium.Map.default_js)


@needs_mirror
@pytest.mark.parametrize("lang,credit", [("de", "-Mitwirkende"), ("en", " contributors")])
def test_online_tiles_are_the_only_addresses(all_layers: dict[str, LayerData], lang: str,
                                            credit: str) -> None:
    html = map_html(folium_map([all_layers["indikator"]], lang=lang, tiles=OSM))
    tiles = re.search(r"L\.tileLayer\(.*?\);", html, re.DOTALL)
    assert tiles and "tile.openstreetmap.org" in tiles.group(0)
    attribution = re.search(r'"attribution": ("(?:[^"\\]|\\.)*")', tiles.group(0))
    assert attribution
    text = json.loads(attribution.group(1))
    assert "© OpenStreetMap" in text and text.endswith(credit + "</a>")
    rest = html[:tiles.start()] + html[tiles.end():]
    assert not URL.search(rest)


# --- (b) same colours as deck --------------------------------------------------------

@needs_mirror
def test_district_fills_equal_layerdata_and_deck(all_layers: dict[str, LayerData]) -> None:
    data = all_layers["indikator"]
    assert len(data.gdf) == 21
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. folium's GeometryCollection warning
        html = map_html(folium_map([data]))
    (fills,) = _fills(html)
    assert fills == list(data.gdf["fill"])
    assert len(set(fills)) == data.query.k  # the classes, not one colour
    deck_fills = [f["properties"]["fill"] for f in deck.deck_layer(data).data]
    assert deck_fills == [rgba(f, round(255 * FILL_OPACITY["choropleth"])) for f in fills]
    # ... and as see-through in both renderers
    (styles,) = _styles(html)
    assert {s.get("fillOpacity") for s in styles.values()} == {FILL_OPACITY["choropleth"]}


@needs_mirror
def test_every_kind_drawn_in_deck_order_with_its_colour(
        all_layers: dict[str, LayerData]) -> None:
    html = map_html(folium_map(list(all_layers.values())))
    payloads, styles = _payloads(html), _styles(html)
    kinds = ["choropleth", "choropleth", "area", "area", "line", "point"]
    ordered = sorted(all_layers.values(), key=lambda d: kinds.index(d.spec.kind))
    assert len(payloads) == len(styles) == len(ordered)
    for data, payload, style in zip(ordered, payloads, styles, strict=True):
        assert len(payload["features"]) == len(data.gdf)
        first = style.get(0, style["default"])
        if data.spec.kind == "line":
            assert first["color"] == data.spec.color and first["fill"] is False
        else:
            assert first["fillColor"] == data.gdf["fill"].iloc[0]
            assert first["color"] == "#ffffff"
        if data.spec.kind == "area":
            assert first["fillColor"] == data.spec.color and first["fillOpacity"] == 0.45
        if data.spec.kind == "choropleth":
            assert first["fillOpacity"] == 0.75
    assert "L.CircleMarker(latlng, opts)" in html
    # One Leaflet path per feature (a GeometryCollection would become a group whose paths
    # have no feature for the tooltip, and breaks folium's get_bounds).
    types = {f["geometry"]["type"] for p in payloads for f in p["features"]}
    assert types <= {"Polygon", "MultiPolygon", "LineString", "MultiLineString", "Point"}


def test_collections_become_one_drawable_geometry() -> None:
    from shapely.geometry import GeometryCollection, LineString, MultiPoint, Point, Polygon

    from layers.leaflet import _drawable

    square = Polygon([(0, 0), (1, 0), (1, 1), (0, 1)])
    other = Polygon([(2, 0), (3, 0), (3, 1), (2, 1)])
    sliver = LineString([(1, 1), (1, 1.00001)])
    messy = GeometryCollection([GeometryCollection([square, sliver]), other])
    (poly,) = _drawable(messy, "choropleth")
    assert poly.geom_type == "MultiPolygon" and poly.area == 2
    assert _drawable(GeometryCollection([square, sliver]), "area") == [square]
    assert _drawable(messy, "line") == [sliver]
    assert _drawable(MultiPoint([(0, 0), (1, 1)]), "point") == [Point(0, 0), Point(1, 1)]
    assert _drawable(None, "area") == [] and _drawable(Polygon(), "area") == []


# --- (c) tooltips: escaped once, nothing else from the data --------------------------

EVIL = ("<img src=x onerror=alert(1)>", "`${alert(1)}`")


def _evil(data: LayerData, evil: str) -> LayerData:
    gdf = data.gdf.copy()
    gdf["label"] = evil
    gdf["name"] = evil
    gdf["tip_html"] = [tip_html([("Stadtbereich", evil)])] * len(gdf)
    return dataclasses.replace(data, gdf=gdf)


@needs_mirror
@pytest.mark.parametrize("evil", EVIL)
def test_tooltip_text_stays_escaped(all_layers: dict[str, LayerData], evil: str) -> None:
    data = _evil(all_layers["indikator"], evil)
    html = map_html(folium_map([data]))
    scripts = "".join(re.findall(r"<script>(.*?)</script>", html, re.DOTALL))
    # Never the raw sequence, in the page or in a script.
    assert "<img src=x" not in html.lower()
    assert "`${" not in html and "`${" not in scripts
    # The JSON-escaped form of the raw label (\u003cimg …) is absent too: the label column
    # never reaches the page, only the escaped tooltip does.
    assert "\\u003cimg" not in html
    # alert(1) only inside each feature's escaped tooltip: label/name did not leak.
    assert html.count("alert(1)") == len(data.gdf)
    # What the browser decodes and puts into innerHTML is our escaped text, verbatim.
    (payload,) = _payloads(html)
    tips = {f["properties"]["tip_html"] for f in payload["features"]}
    assert tips == {tip_html([("Stadtbereich", evil)])}
    # Only the escaped tooltip and a validated district code (for click-to-select) leave
    # Python; names and values never do.
    assert all(set(f["properties"]) <= {"tip_html", "code"} for f in payload["features"])
    assert all(re.fullmatch(r"[A-U]", f["properties"].get("code", "A"))
               for f in payload["features"])
    (tip,) = tips
    if evil.startswith("<"):
        assert "&lt;img src=x onerror=alert(1)&gt;" in tip
        assert "\\u0026lt;img" in html  # the escaped form, JSON-encoded into the script
    else:
        assert "&#96;&#36;{alert(1)}&#96;" in tip
        assert "\\u0026#96;\\u0026#36;{" in html
    # Bound with GeoJsonTooltip on the one field, no labels from folium.
    assert 'let fields = ["tip_html"];' in html and "<th>" not in html


@needs_mirror
def test_bad_colour_never_reaches_the_script(all_layers: dict[str, LayerData]) -> None:
    data = all_layers["wasserflaechen"]
    gdf = data.gdf.copy()
    gdf["fill"] = "</script><script>alert(1)</script>"
    html = map_html(folium_map([dataclasses.replace(data, gdf=gdf)]))
    assert "alert(1)" not in html
    assert html.count("</script>") == html.count("<script")


# --- (d) Leaflet copied locally ------------------------------------------------------

def test_install_leaflet_copies_once(tmp_path: Path) -> None:
    target = install_leaflet(tmp_path)
    assert target == tmp_path / "vendor" / "leaflet"
    js = target / "leaflet.js"
    assert js.stat().st_size > 100_000
    assert (target / "leaflet.css").is_file()
    assert (target / "images" / "marker-icon.png").read_bytes() == (
        leaflet_source() / "images" / "marker-icon.png").read_bytes()
    # versioned, so browsers may keep them (server.compress marks them immutable)
    assert LEAFLET_JS.split("?")[0].endswith("/vendor/leaflet/leaflet.js")
    assert LEAFLET_CSS.split("?")[0].endswith("/vendor/leaflet/leaflet.css")
    assert LEAFLET_JS.endswith("?v=" + LEAFLET_VERSION)

    def snapshot() -> dict[str, tuple[int, int]]:
        return {str(p.relative_to(target)): (p.stat().st_mtime_ns, p.stat().st_ino)
                for p in sorted(target.rglob("*"))}

    before = snapshot()
    assert install_leaflet(tmp_path) == target
    assert snapshot() == before  # second call: nothing written
    assert not [p for p in target.rglob("*.tmp")]

    (target / "leaflet.css").write_text("broken")
    install_leaflet(tmp_path)
    assert (target / "leaflet.css").read_bytes() == (leaflet_source() / "leaflet.css").read_bytes()


def test_a_shared_view_shows_the_same_scale_in_both_maps() -> None:
    """``?at=`` carries deck.gl's zoom (512 px tiles); Leaflet (256 px) opens one step
    closer, so a link shows the same streets in either view."""
    import math

    from layers.deck import ROSTOCK_VIEW, MapView

    def metres_per_pixel(lat: float, zoom: float, tile: int) -> float:
        return 40_075_016.686 * math.cos(math.radians(lat)) / (tile * 2 ** zoom)

    for zoom in (10.3, 12.0, 13.0, 15.6):
        view = MapView(54.09, 12.14, zoom)
        deck_scale = metres_per_pixel(view.lat, zoom, 512)
        leaflet_scale = metres_per_pixel(view.lat, view.leaflet_zoom(), 256)
        assert 2 ** -0.5 <= leaflet_scale / deck_scale <= 2 ** 0.5, zoom
    assert MapView(54.09, 12.14, 17.0).leaflet_zoom() == 18  # the closest a link may ask
    # the default views agree too: deck's city view and folium's zoom_start
    import inspect

    from layers.leaflet import folium_map

    default = inspect.signature(folium_map).parameters["zoom"].default
    assert default == MapView(54.1, 12.1, ROSTOCK_VIEW.zoom).leaflet_zoom()
