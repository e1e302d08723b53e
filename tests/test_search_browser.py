"""A citizen on a phone finds their place; names and streets on the map — in real Chromium.

The street map comes from a tile server the test starts on 127.0.0.1 (real HTTP, tiles drawn
by the project's own renderer from a small OSM extract), or from the offline tile pack the
app serves itself. Nothing may be asked of any other host.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from PIL import Image

from geodata.osm import read_extract
from layers import tilepack
from layers.build import build
from layers.spec import Query
from tests.helpers.browser import (
    ARTIFACTS,
    BROWSER,
    LEAFLET_FRAME,
    App,
    Watched,
    no_console_errors,
    open_map,
    screen_point,
    serve,
    settled,
    watch,
)
from tests.helpers.mirror import DATA_ONLY, MirrorServer, fast_settings
from tests.helpers.net import poll_until
from tests.helpers.osm import write_extract

pytestmark = BROWSER
STREET_VIEW = (54.0914, 12.1335, 14.0)  # Lange Straße, in the test extract
BOX = (12.10, 54.085, 12.15, 54.10)


@pytest.fixture(scope="module")
def search_app(search_store: Path) -> Iterator[App]:
    yield from serve(search_store)


@pytest.fixture(scope="module")
def tiles(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tiles") / "tiles"
    extract = write_extract(folder.parent / "test.osm")
    tilepack.render(read_extract(extract), folder, (13, 15), BOX, extract.name)
    return folder


@pytest.fixture(scope="module")
def tile_server(tiles: Path) -> Iterator[MirrorServer]:
    """A tile server on loopback; like public ones it allows cross-origin reads (the WebGL
    map reads tiles as pixel data)."""
    server = MirrorServer(tiles, headers={"Access-Control-Allow-Origin": "*"})
    yield server
    server.close()


@pytest.fixture(scope="module")
def street_app(good_store: Path, tile_server: MirrorServer) -> Iterator[App]:
    yield from serve(good_store, {
        "DASHBOARD_BASEMAP_TILES": f"{tile_server.url}/{{z}}/{{x}}/{{y}}.png",
        "DASHBOARD_BASEMAP_ATTRIBUTION": "© OpenStreetMap-Mitwirkende (Testkacheln)"})


@pytest.fixture(scope="module")
def pack_app(tmp_path_factory: pytest.TempPathFactory, good_store: Path,
             tiles: Path) -> Iterator[App]:
    store = tmp_path_factory.mktemp("pack") / "data"
    shutil.copytree(good_store, store, ignore=DATA_ONLY)
    shutil.copytree(tiles, store / tilepack.PACK_DIR)
    yield from serve(store)


@pytest.fixture
def phone(browser) -> Iterator[Watched]:
    yield from watch(browser, 390, 844)


def test_a_citizen_finds_their_street_on_a_phone(search_app: App, phone: Watched) -> None:
    page = phone.page
    page.goto(search_app.url)
    field = page.get_by_label("Adresse, Straße oder Ort suchen")
    field.wait_for(timeout=90_000)
    typed = "kroepeliner strase 1a"  # no umlaut, a typo, the letter glued on
    field.fill(typed)
    field.press("Enter")
    results = page.get_by_role("radiogroup", name="Treffer")
    results.wait_for(timeout=30_000)
    first = results.get_by_role("radio").first
    assert "Kröpeliner Str. 1a (Adresse) — Stadtbereich Stadtmitte" in \
        results.locator("label").first.inner_text()
    assert first.is_checked()
    page.get_by_role("heading", name="Profil: Stadtmitte").wait_for(timeout=30_000)
    # Choosing the street instead keeps its district and puts its name into the link.
    results.locator("label").nth(1).click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('q') === "
                           "'Kröpeliner Str.'", timeout=30_000)
    page.get_by_role("heading", name="Profil: Stadtmitte").wait_for(timeout=30_000)
    assert "district=N" in page.url
    settled(page)
    page.screenshot(path=str(ARTIFACTS / "search-phone.png"))
    no_console_errors(phone)
    # What was typed went to this server only, and its log does not hold it.
    assert search_app.log and search_app.log.is_file()
    log = search_app.log.read_text(encoding="utf-8")
    assert typed not in log and "kroepeliner" not in log.lower()


def test_district_names_are_on_the_map(app: App, watched: Watched) -> None:
    box = open_map(watched, app.url)
    names = build("namen_stadtbereiche", Query(), fast_settings(app.store, None)).gdf
    point = names[names["label"] == "Stadtmitte"].geometry.iloc[0]
    x, y = screen_point(box, point.x, point.y)

    def drawn() -> bool:
        png = watched.page.screenshot(clip={"x": x - 40, "y": y - 10, "width": 80,
                                            "height": 20})
        pixels = list(Image.open(BytesIO(png)).convert("RGB").get_flattened_data())
        dark = sum(1 for p in pixels if max(p) < 80)  # the name's letters
        light = sum(1 for p in pixels if min(p) > 235)  # their halo
        return dark > 25 and light > 25

    poll_until(drawn, 20, "the name Stadtmitte on the map")
    watched.page.screenshot(path=str(ARTIFACTS / "map-names.png"))
    no_console_errors(watched)


def test_names_in_the_leaflet_view(app: App, watched: Watched) -> None:
    watched.page.goto(f"{app.url}/?view=leaflet")
    frame = watched.page.frame_locator(LEAFLET_FRAME)
    name = frame.locator(".hro-label span", has_text="Stadtmitte")
    name.wait_for(timeout=60_000)  # visible
    poll_until(lambda: frame.locator(".hro-label span:visible").count() >= 10, 10,
               "ten names on the Leaflet map")
    watched.page.screenshot(path=str(ARTIFACTS / "map-names-leaflet.png"))


PARK = (12.1275, 54.0870)  # the park of the test extract, drawn green in its tiles
PARK_RGB, LAND_RGB = (0xDB, 0xE8, 0xCF), (0xF4, 0xF1, 0xEA)


def _pixel_at(watched: Watched, lon: float, lat: float) -> tuple[int, int, int]:
    box = watched.page.locator("[data-testid='stDeckGlJsonChart']").first.bounding_box()
    x, y = screen_point(box, lon, lat, STREET_VIEW)
    png = watched.page.screenshot(clip={"x": x - 1, "y": y - 1, "width": 3, "height": 3})
    return Image.open(BytesIO(png)).convert("RGB").getpixel((1, 1))


def _near(rgb: tuple[int, ...], ref: tuple[int, ...], tolerance: int = 12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(rgb, ref, strict=True))


def _open(watched: Watched, url: str) -> None:
    watched.page.goto(url)
    canvas = watched.page.locator("[data-testid='stDeckGlJsonChart']").first
    canvas.wait_for(timeout=90_000)
    canvas.scroll_into_view_if_needed()
    settled(watched.page)


def test_street_tiles_paint_from_the_configured_server_only(
        street_app: App, tile_server: MirrorServer, watched: Watched) -> None:
    # Only points on the map, so the ground shows as it is drawn.
    url = f"{street_app.url}/?layers=orte_wasser&at={','.join(map(str, STREET_VIEW))}"
    _open(watched, url)
    poll_until(lambda: watched.page.evaluate("1") and any(
        e.path.endswith(".png") for e in tile_server.log), 30, "the tile server to be asked")
    poll_until(lambda: _near(_pixel_at(watched, *PARK), PARK_RGB), 30, "the park from a tile")
    watched.page.screenshot(path=str(ARTIFACTS / "street-tiles.png"))
    # The credit: under the map, and in the map's own attribution.
    watched.page.get_by_test_id("stCaptionContainer").filter(
        has_text="Straßenkarte: © OpenStreetMap-Mitwirkende (Testkacheln)").wait_for(
        timeout=10_000)
    watched.page.locator(".mapboxgl-ctrl-attrib", has_text="Testkacheln").wait_for(
        timeout=10_000)  # exactly one: strict mode would refuse two
    _open(watched, url + "&streets=0")  # switched off: the plain ground again
    poll_until(lambda: _near(_pixel_at(watched, *PARK), LAND_RGB), 30, "the plain ground")
    asked = {u.split("/")[2] for u in watched.requests if u.startswith("http")}
    assert asked == {street_app.url.split("/")[2], tile_server.url.split("/")[2]}
    no_console_errors(watched)


def test_the_offline_pack_is_served_by_the_app(pack_app: App, watched: Watched) -> None:
    _open(watched, f"{pack_app.url}/?layers=orte_wasser&at={','.join(map(str, STREET_VIEW))}")
    poll_until(lambda: watched.page.evaluate("1") and any(
        u.startswith(f"{pack_app.url}/app/static/tiles/") for u in watched.requests), 30,
        "tiles from the app itself")
    poll_until(lambda: _near(_pixel_at(watched, *PARK), PARK_RGB), 30, "the park from the pack")
    assert not [u for u in watched.failed if "/tiles/" in u]
    watched.page.screenshot(path=str(ARTIFACTS / "street-pack.png"))
    no_console_errors(watched)
