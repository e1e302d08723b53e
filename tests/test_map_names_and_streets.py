"""Names on the map and the street map under it: placement without overlap, escaping, the
offline tile pack, the configured tile server and its one allowed address."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from app import settings as app_settings
from geodata.errors import ValidationError
from geodata.osm import extract_date, read_extract
from geodata.tiles import TileSource
from layers import labels, tilepack
from layers.basemap import style
from layers.build import build
from layers.deck import ROSTOCK_VIEW, deck
from layers.leaflet import folium_map, map_html
from layers.spec import Query
from tests.helpers.app import run_app
from tests.helpers.mirror import fast_settings, needs_mirror, renamed_store
from tests.helpers.osm import write_extract

URL = re.compile(r"https?://", re.IGNORECASE)


def _names(store: Path, lang: str = "de") -> list:
    q = Query(lang=lang)
    settings = fast_settings(store, None)
    return [build("indikator", q, settings), build("namen_stadtbereiche", q, settings)]


def _text_rows(spec: dict) -> list[dict]:
    return next(layer["data"] for layer in spec["layers"] if layer["@@type"] == "TextLayer")


@needs_mirror
def test_deck_names_every_district_that_has_room_and_none_overlap(good_store: Path) -> None:
    spec = json.loads(deck(_names(good_store), "/s.json").to_json())
    rows = _text_rows(spec)
    names = [r["name"] for r in rows]
    # The districts most people live in keep their names at the city view.
    assert {"Stadtmitte", "Kröpeliner-Tor-Vorstadt", "Lütten Klein", "Warnemünde"} <= set(names)
    zoom = ROSTOCK_VIEW.zoom
    boxes = [labels.box(*r["position"], r["name"], r["size"], zoom) for r in rows]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert not labels._overlap(a, b), (a, b)
    # Closer in, more of them have room; the halo and the browser's own fonts draw them.
    closer = json.loads(deck(_names(good_store), "/s.json",
                             view=ROSTOCK_VIEW.__class__(longitude=12.12, latitude=54.12,
                                                         zoom=12.5)).to_json())
    assert len(_text_rows(closer)) > len(rows)
    layer = next(x for x in spec["layers"] if x["@@type"] == "TextLayer")
    assert layer["characterSet"] == "auto" and layer["outlineWidth"] > 0
    assert "http" not in layer["fontFamily"]


def test_min_zoom_is_the_first_zoom_with_room() -> None:
    lon, lat = [12.10, 12.101, 12.3], [54.10, 54.10, 54.2]
    names, sizes = ["Groß Klein", "Lütten Klein", "Rostock-Heide"], [14, 14, 14]
    zooms = labels.min_zooms(lon, lat, names, sizes)
    assert zooms[0] == labels.MIN_ZOOM and zooms[2] == labels.MIN_ZOOM
    z = zooms[1]
    assert labels.MIN_ZOOM < z <= labels.MAX_ZOOM
    assert not labels._overlap(labels.box(lon[0], lat[0], names[0], 14, z),
                               labels.box(lon[1], lat[1], names[1], 14, z))
    assert labels._overlap(labels.box(lon[0], lat[0], names[0], 14, z - 1),
                           labels.box(lon[1], lat[1], names[1], 14, z - 1))


@needs_mirror
def test_leaflet_names_are_escaped_markers_shown_from_their_zoom(
        tmp_path: Path, good_store: Path) -> None:
    evil = "<img src=x onerror=alert(1)>`${alert(2)}`"
    store = renamed_store(tmp_path / "data", good_store, {"N": evil})
    html = map_html(folium_map(_names(store)))
    assert "<img src=x" not in html and "onerror=alert(1)>" not in html
    assert "\\u0026lt;img src=x onerror=alert(1)\\u0026gt;" in html  # escaped, then JSON-safe
    assert html.count('"\\u003cspan class=\\"stadtbereich hro-min-') == 21  # one per district
    assert "L.divIcon(" in html and "marker-icon" not in html
    assert "data-zoom" in html and ".hro-min-" in html
    assert not URL.search(html.replace("http://www.w3.org", ""))


@needs_mirror
def test_deck_data_cannot_turn_a_name_into_code(tmp_path: Path, good_store: Path) -> None:
    """deck.gl's JSON converter reads strings beginning with "@@" as functions."""
    store = renamed_store(tmp_path / "data", good_store, {"N": "@@=1+1", "A": "@@#GL.ONE"})
    spec = json.loads(deck(_names(store), "/s.json").to_json())
    strings = re.findall(r'"(@@[^"]*)"', json.dumps(spec["layers"]))
    assert not [s for s in strings if "1+1" in s or "GL.ONE" in s], strings
    choropleth = next(x for x in spec["layers"] if x["id"] == "indikator")
    label = next(f["properties"]["label"] for f in choropleth["data"]
                 if f["properties"]["code"] == "N")
    assert label == "\u200b@@=1+1"


# --- the street map ------------------------------------------------------------------------


def test_the_style_puts_the_tiles_under_the_districts() -> None:
    plain = style(None, None)
    assert "streets" not in plain["sources"]
    tiles = TileSource("http://127.0.0.1:9/{z}/{x}/{y}.png", "© Test", "© Test", max_zoom=16)
    with_streets = style(None, None, tiles)
    assert with_streets["sources"]["streets"]["tiles"] == [tiles.url]
    assert with_streets["sources"]["streets"]["attribution"] == "© Test"
    assert [layer["id"] for layer in with_streets["layers"]][:2] == ["land", "streets"]


def test_the_street_map_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    config = tmp_path / "dashboard.toml"
    config.write_text('[basemap]\ntiles = ""\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    assert app_settings.street_map() is None
    monkeypatch.setenv("DASHBOARD_BASEMAP_TILES", "https://tiles.example.org/{z}/{x}/{y}.png")
    with pytest.raises(ValueError, match="attribution"):
        app_settings.street_map()
    monkeypatch.setenv("DASHBOARD_BASEMAP_ATTRIBUTION", "© Beispiel")
    street = app_settings.street_map()
    assert street and street.origin == "https://tiles.example.org"
    assert street.attribution_en == "© Beispiel"
    for broken in ("javascript:alert(1)//{z}{x}{y}", "https://tiles.example.org/a.png",
                   "https://evil.example/{z}/{x}/{y}.png\"><script>"):
        monkeypatch.setenv("DASHBOARD_BASEMAP_TILES", broken)
        with pytest.raises(ValueError, match="tile address"):
            app_settings.street_map()


@needs_mirror
def test_online_tiles_off_in_offline_mode_the_pack_on(monkeypatch: pytest.MonkeyPatch,
                                                      app_env: Path, tmp_path: Path) -> None:
    monkeypatch.setenv("DASHBOARD_BASEMAP_TILES", "https://tiles.example.org/{z}/{x}/{y}.png")
    monkeypatch.setenv("DASHBOARD_BASEMAP_ATTRIBUTION", "© Beispiel")

    def style_of(at) -> str:  # type: ignore[no-untyped-def]
        return json.loads(at.get("deck_gl_json_chart")[0].proto.json)["mapStyle"]

    at = run_app()
    assert "style-streets.json" in style_of(at)
    assert any("Beispiel" in c.value for c in at.caption)  # the credit under the map
    assert any(t.label == "Straßenkarte" for t in at.toggle)
    monkeypatch.setenv("GEODATA_OFFLINE", "1")
    at = run_app()
    assert "style-streets.json" not in style_of(at)
    assert not any(t.label == "Straßenkarte" for t in at.toggle)
    at = run_app(streets="0")  # switched off by the visitor (and in the link)
    assert "style-streets.json" not in style_of(at)


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_extract(tmp_path_factory.mktemp("osm") / "rostock-test.osm")


SMALL_BOX = (12.10, 54.085, 12.15, 54.10)  # the test streets near the Stadthafen


def test_the_extract_is_read_by_kind(extract: Path) -> None:
    found = read_extract(extract)
    counts = {kind: len(frame) for kind, frame in found.items()}
    assert counts["minor"] == 6 and counts["major"] == 1 and counts["water"] == 1
    assert counts["green"] == 1 and counts["rail"] == 1 and counts["building"] == 1
    assert "Lange Str." in set(found["minor"]["name"])


def test_a_broken_or_huge_extract_is_refused(tmp_path: Path, extract: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "bad.osm"
    bad.write_text("this is no OSM file")
    with pytest.raises(ValidationError, match="cannot be read as OpenStreetMap data"):
        read_extract(bad)
    with pytest.raises(ValidationError, match="no OpenStreetMap extract"):
        read_extract(tmp_path / "missing.osm.pbf")
    monkeypatch.setattr("geodata.osm.MAX_BYTES", 100)
    with pytest.raises(ValidationError, match="more than"):
        read_extract(extract)


def test_the_pack_draws_the_streets_and_replaces_a_pack_only_when_done(
        tmp_path: Path, extract: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / tilepack.PACK_DIR
    stats = tilepack.render(read_extract(extract), folder, (12, 15), SMALL_BOX, "test.osm")
    assert stats.tiles == sum(
        (x1 - x0 + 1) * (y1 - y0 + 1)
        for x0, x1, y0, y1 in (tilepack.tile_range(SMALL_BOX, z) for z in range(12, 16)))
    meta = json.loads((folder / tilepack.META).read_text())
    assert meta["tiles"] == stats.tiles and meta["attribution_de"] == tilepack.CREDIT_DE
    source = tilepack.pack_source(tmp_path)
    assert source and source.url == "/app/static/tiles/{z}/{x}/{y}.png"
    assert source.origin == ""  # served by the app itself: no other address to allow
    assert source.max_zoom == 15
    # A road is drawn where Lange Straße runs (white over the light ground; away from the
    # middle, where its name is written).
    (tx, ty), (px, py) = _tile_pixel(12.1310, 54.091457, 15)
    image = Image.open(folder / "15" / str(tx) / f"{ty}.png").convert("RGB")
    r, g, b = image.getpixel((px, py))
    assert min(r, g, b) > 240, (r, g, b)
    # A build that fails half-way leaves the old pack as it was.
    before = sorted(p.name for p in folder.rglob("*.png"))

    def broken(*_a: object, **_k: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(tilepack._Drawer, "tile", broken)
    with pytest.raises(RuntimeError):
        tilepack.render(read_extract(extract), folder, (12, 15), SMALL_BOX)
    assert sorted(p.name for p in folder.rglob("*.png")) == before
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".tiles-")]


def _angle(a: tuple[float, float], b: tuple[float, float]) -> float:
    """The screen angle (degrees, counter-clockwise, never upside down) from a to b."""
    from tests.helpers.browser import mercator_px

    (x0, y0), (x1, y1) = (mercator_px(*p, 2 ** 16 * 256) for p in (a, b))
    angle = -math.degrees(math.atan2(y1 - y0, x1 - x0))
    return angle - 180 if angle > 90 else angle + 180 if angle <= -90 else angle


def test_street_names_follow_their_streets_from_their_zoom_and_never_overlap(
        extract: Path) -> None:
    drawer = tilepack._Drawer(read_extract(extract))
    assert drawer.street_labels(13) == []
    assert {lb.name for lb in drawer.street_labels(14)} == {"Am Strande"}  # main roads first
    at16 = drawer.street_labels(16)
    assert {"Lange Str.", "Kröpeliner Str.", "Am Strande", "Doberaner Str."} <= {
        lb.name for lb in at16}
    kroepeliner = next(lb for lb in at16 if lb.name == "Kröpeliner Str.")
    # Along the street (it rises to the east), read left to right.
    assert abs(kroepeliner.angle - _angle((12.1315, 54.0878), (12.1395, 54.0888))) < 1.5
    assert all(-90 < lb.angle <= 90 for lb in at16)
    assert sum(lb.name == "Am Strande" for lb in at16) >= 2  # a long street: again and again
    boxes = [lb.box for lb in at16]
    assert not any(a.intersects(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])


def test_street_names_left_out_where_they_do_not_fit_or_would_cover_another() -> None:
    import geopandas as gpd
    from shapely.geometry import LineString

    def street(name: str, lon0: float, lat: float, lon1: float) -> tuple[str, LineString]:
        return name, LineString([(lon0, lat), (lon1, lat)])

    rows = [street("Kurz", 12.1300, 54.090, 12.1302),  # 13 m: shorter than its name
            street("Obere Parallelstraße", 12.120, 54.0950, 12.126),
            street("Untere Parallelstraße", 12.120, 54.09495, 12.126),  # 5 m beside it
            street("Böse\x00\u202e<b>Straße</b>", 12.120, 54.080, 12.126),
            street("x" * 200, 12.100, 54.070, 12.150)]
    minor = gpd.GeoDataFrame({"name": [n for n, _g in rows]},
                             geometry=[g for _n, g in rows], crs="EPSG:4326")
    names = [lb.name for lb in tilepack._Drawer({"minor": minor}).street_labels(16)]
    assert "Kurz" not in names
    assert len({"Obere Parallelstraße", "Untere Parallelstraße"} & set(names)) == 1
    assert "Böse<b>Straße</b>" in names  # drawn as letters; control characters dropped
    assert not [n for n in names if n.startswith("xxx")]


def _dark_pixels(path: Path) -> int:
    """Pixels as dark as the names' text (the darkest line, the rail, is far lighter)."""
    return int((np.asarray(Image.open(path).convert("L")) < 110).sum())


def test_the_pack_writes_the_names_into_the_tiles_and_goes_on_without_a_font(
        tmp_path: Path, extract: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    features = read_extract(extract)
    stats = tilepack.render(features, tmp_path / "named", (13, 16), SMALL_BOX)
    assert stats.names >= 8  # Am Strande from 14, all five streets at 15 and 16
    assert json.loads((tmp_path / "named" / tilepack.META).read_text())["street_names"] == \
        stats.names
    label = next(lb for lb in tilepack._Drawer(features).street_labels(16)
                 if lb.name == "Lange Str.")
    tx, ty = int(label.x // (256 * tilepack.SCALE)), int(label.y // (256 * tilepack.SCALE))
    named = tmp_path / "named" / "16" / str(tx) / f"{ty}.png"
    assert _dark_pixels(named) > 40
    x0, x1, y0, y1 = tilepack.tile_range(SMALL_BOX, 13)
    assert not any(_dark_pixels(tmp_path / "named" / "13" / str(x) / f"{y}.png")
                   for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
    monkeypatch.setattr("layers.street_names.FONT_FILES", ("no-such-font.ttf",))
    assert tilepack.render(features, tmp_path / "plain", (16, 16), SMALL_BOX).names == 0
    plain = tmp_path / "plain" / "16" / str(tx) / f"{ty}.png"
    assert _dark_pixels(plain) == 0


def _tile_pixel(lon: float, lat: float, zoom: int) -> tuple[tuple[int, int], tuple[int, int]]:
    from tests.helpers.browser import mercator_px

    px, py = mercator_px(lon, lat, 2 ** zoom * 256)
    return (int(px // 256), int(py // 256)), (int(px % 256), int(py % 256))


@needs_mirror
def test_the_pack_command_adds_the_sea_osm_draws_only_as_a_coastline(
        tmp_path: Path, extract: Path, good_store: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEODATA_DIR", str(good_store))
    monkeypatch.delenv("GEODATA_MIRROR", raising=False)
    out = tmp_path / "tiles"
    assert tilepack.main([str(extract), "--zooms", "11-11", "--out", str(out)]) == 0
    (tx, ty), (px, py) = _tile_pixel(12.06, 54.20, 11)  # the Baltic off Warnemünde
    sea = Image.open(out / "11" / str(tx) / f"{ty}.png").convert("RGB").getpixel((px, py))
    assert all(abs(a - b) <= 6 for a, b in zip(sea, (0xB3, 0xD4, 0xE6), strict=True)), sea
    meta = json.loads((out / tilepack.META).read_text())
    assert meta["source"] == extract.name
    assert meta["source_date"] == "2026-11-30"  # the data's last edit, not the file's date


def test_an_extract_dates_itself_by_its_header_or_its_newest_edit(tmp_path: Path) -> None:
    import osmium

    assert extract_date(write_extract(tmp_path / "dated.osm")) == "2026-11-30"
    assert extract_date(write_extract(tmp_path / "undated.osm", edited=None)) == ""
    (tmp_path / "broken.osm").write_text("no OSM data")
    assert extract_date(tmp_path / "broken.osm") == ""
    header = osmium.io.Header()  # as Geofabrik writes it: the replication time
    header.set("osmosis_replication_timestamp", "2026-12-01T21:20:02Z")
    writer = osmium.SimpleWriter(str(tmp_path / "geofabrik.osm.pbf"), 0, header)
    writer.add_node(osmium.osm.mutable.Node(id=1, location=(12.1, 54.1), version=1))
    writer.close()
    assert extract_date(tmp_path / "geofabrik.osm.pbf") == "2026-12-01"


@needs_mirror
def test_the_pack_says_the_date_of_its_data_under_the_map(
        monkeypatch: pytest.MonkeyPatch, store_copy: Path, extract: Path,
        tmp_path: Path) -> None:
    monkeypatch.setenv("GEODATA_DIR", str(store_copy))
    monkeypatch.delenv("GEODATA_MIRROR", raising=False)
    monkeypatch.delenv("DASHBOARD_BASEMAP_TILES", raising=False)
    assert tilepack.main([str(extract), "--zooms", "12-12"]) == 0
    assert tilepack.pack_source(store_copy).data_date == "2026-11-30"

    def credit(at) -> str:  # type: ignore[no-untyped-def]
        return next(c.value for c in at.caption if "OpenStreetMap" in c.value)

    assert credit(run_app()) == "Straßenkarte: © OpenStreetMap-Mitwirkende · Datenstand 30.11.2026"
    assert "data as of" in credit(run_app(lang="en"))
    assert credit(run_app(view="leaflet")).endswith("Datenstand 30.11.2026")
    undated = write_extract(tmp_path / "undated.osm", edited=None)
    assert tilepack.main([str(undated), "--zooms", "12-12"]) == 0
    assert "Datenstand unbekannt" in credit(run_app())


@needs_mirror
def test_the_style_url_changes_with_the_street_map(good_store: Path, tmp_path: Path) -> None:
    """The style is served as immutable by its URL: switching the street map (or turning it
    off) must give a new URL, or browsers keep the old map for a year."""
    import shutil

    from server import static
    from tests.helpers.mirror import DATA_ONLY

    store = tmp_path / "data"
    shutil.copytree(good_store, store, ignore=DATA_ONLY)
    settings = fast_settings(store, None)
    one = TileSource("https://a.example/{z}/{x}/{y}.png", "© A", "© A")
    other = TileSource("https://b.example/{z}/{x}/{y}.png", "© B", "© B")
    urls = [static.prepare(settings, s) for s in (None, one, other, one)]
    assert len(set(urls[:3])) == 3  # own basemap, and two street maps: three URLs
    assert urls[3] == urls[1]  # the same map keeps its URL (browsers keep their copy)
