"""Real headless Chromium (Debian's chromium, driven by Playwright) against `streamlit run`.

Every test records the page's requests (none may leave 127.0.0.1), console errors and
JavaScript dialogs (an XSS payload would open one). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from geodata import refresh
from layers.build import build
from layers.spec import Query
from tests.conftest import (
    DISTRICTS_JSON,
    ROOT,
    Fault,
    MirrorServer,
    fast_settings,
    free_port,
    needs_mirror,
)
from tests.services import wait_healthy

pytestmark = [pytest.mark.browser, needs_mirror]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--use-gl=swiftshader", "--enable-unsafe-swiftshader"]
EVIL_A = "<img src=x onerror=alert(1)>"
EVIL_B = "`${alert(1)}`"
VIEW = {"lon": 12.125, "lat": 54.135, "zoom": 10.3}  # layers.deck.ROSTOCK_VIEW

if not CHROMIUM and os.environ.get("CI"):
    raise RuntimeError("CI needs Debian's chromium for the browser tests (make system-deps)")
pytestmark.append(pytest.mark.skipif(not CHROMIUM, reason="no chromium on this machine"))


@dataclass
class App:
    url: str
    store: Path
    process: subprocess.Popen = field(repr=False)


def _start_app(store: Path) -> App:
    port = free_port()
    env = {**os.environ, "GEODATA_DIR": str(store)}
    env.pop("GEODATA_MIRROR", None)
    log = (ARTIFACTS / f"streamlit-{port}.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "ui.serve", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, timeout=60, what=f"streamlit (log: {log.name})")
    except RuntimeError:
        proc.kill()
        raise
    return App(url, store, proc)


def serve(store: Path) -> Iterator[App]:
    """One app server for a test module (every browser module's ``app`` fixture)."""
    ARTIFACTS.mkdir(exist_ok=True)
    running = _start_app(store)
    yield running
    running.process.terminate()
    running.process.wait(10)


@pytest.fixture(scope="module")
def app(good_store: Path) -> Iterator[App]:
    yield from serve(good_store)


@pytest.fixture(scope="module")
def evil_app(tmp_path_factory: pytest.TempPathFactory, good_store: Path) -> Iterator[App]:
    """The same app on data whose district names are attacks, loaded the normal way."""
    ARTIFACTS.mkdir(exist_ok=True)
    store = tmp_path_factory.mktemp("evil") / "data"
    shutil.copytree(good_store, store)
    obj = json.loads(DISTRICTS_JSON.read_bytes())
    for feature in obj["features"]:
        code = feature["properties"]["code"]
        if code in ("A", "B"):
            feature["properties"]["bezeichnung"] = EVIL_A if code == "A" else EVIL_B
    server = MirrorServer(DISTRICTS_JSON.parents[4])
    server.faults["stadtbereiche.json"] = Fault(body=json.dumps(obj).encode())
    try:
        (outcome,) = refresh(["stadtbereiche"], fast_settings(store, server.url))
    finally:
        server.close()
    assert outcome.status == "updated", outcome.message
    yield from serve(store)


@dataclass
class Watched:
    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # URLs answered with 4xx/5xx


def launch() -> Iterator[object]:
    """Debian's Chromium for a test module (every browser module's ``browser`` fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launch()


def watch(browser, width: int = 1400, height: int = 1300) -> Iterator[Watched]:
    """A page whose requests, console errors and dialogs are recorded; afterwards nothing
    may have left 127.0.0.1 and no script may have opened a dialog."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    page = context.new_page()
    w = Watched(page)
    page.on("request", lambda r: w.requests.append(r.url))
    page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.errors.append(str(e)))
    page.on("response", lambda r: w.failed.append(r.url) if r.status >= 400 else None)

    def on_dialog(d) -> None:
        w.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    context.on("page", lambda p: (p.on("dialog", on_dialog),
                                  p.on("request", lambda r: w.requests.append(r.url))))
    yield w
    context.close()
    outside = sorted({u for u in w.requests
                      if not u.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))})
    assert not outside, f"requests left the machine: {outside}"
    assert not w.dialogs, f"a script ran: {w.dialogs}"


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    yield from watch(browser)


# On a deep link (/<page>) Streamlit's frontend first probes /<page>/_stcore/… to find its
# base path; those 404s are Streamlit's own, not the app's.
STREAMLIT_PROBE = re.compile(r"^http://127\.0\.0\.1:\d+/[^/]+/_stcore/(health|host-config)$")


def _no_console_errors(w: Watched) -> None:
    real_failures = [u for u in w.failed if not STREAMLIT_PROBE.match(u)]
    assert not real_failures, real_failures
    # A failed load is reported twice: as a response (checked above) and on the console.
    real = [e for e in w.errors
            if not e.startswith("Failed to load resource") and ".map" not in e]
    assert not real, real


def _screen_point(box: dict, lon: float, lat: float) -> tuple[float, float]:
    """Web-Mercator pixel of lon/lat in the deck canvas at the initial view (512 px tiles)."""
    world = 512 * 2 ** VIEW["zoom"]

    def merc(lo: float, la: float) -> tuple[float, float]:
        x = (lo + 180) / 360 * world
        s = math.sin(math.radians(la))
        y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * world
        return x, y

    cx, cy = merc(VIEW["lon"], VIEW["lat"])
    px, py = merc(lon, lat)
    return box["x"] + box["width"] / 2 + (px - cx), box["y"] + box["height"] / 2 + (py - cy)


def _district_point(store: Path, code: str) -> tuple[float, float]:
    gdf = build("indikator", Query(), fast_settings(store, None)).gdf.set_index("code")
    pt = gdf.loc[code].geometry.representative_point()
    return pt.x, pt.y


WATER_RGB = (0xB3, 0xD4, 0xE6)  # layers.basemap.WATER


def _wait_for_basemap(page, box: dict, timeout_s: float = 20.0) -> None:
    """The local basemap has painted: the map's top-left corner (open sea at the initial
    view) shows its water colour (WATER_RGB). Under load it paints after the deck layers."""
    from io import BytesIO

    from PIL import Image

    deadline = time.time() + timeout_s
    pixel = None
    while time.time() < deadline:
        png = page.screenshot(clip={"x": box["x"] + 12, "y": box["y"] + 12, "width": 8,
                                    "height": 8})
        pixel = Image.open(BytesIO(png)).convert("RGB").getpixel((4, 4))
        # The basemap's water, possibly under a translucent water layer: clearly blue.
        # Before the basemap paints, the corner shows the page's light beige.
        if pixel[2] - pixel[0] > 30:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the offline basemap did not draw (corner pixel {pixel})")


def _open_map(w: Watched, url: str) -> dict:
    page = w.page
    page.goto(url)
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    canvas.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stDeckGlJsonChart'] canvas\")]"
        ".some(c => c.width > 100)", timeout=30_000)
    box = page.locator("[data-testid='stDeckGlJsonChart']").first.bounding_box()
    _wait_for_basemap(page, box)
    return box


def _hover_tooltip(w: Watched, box: dict, lon: float, lat: float) -> str:
    x, y = _screen_point(box, lon, lat)
    w.page.mouse.move(x - 3, y - 3)
    w.page.mouse.move(x, y)
    tooltip = w.page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=10_000)
    return tooltip.inner_text()


def test_overview_draws_the_map_and_shows_a_tooltip(app: App, watched: Watched) -> None:
    box = _open_map(watched, f"{app.url}/?indicator=anteil_65_plus")
    shot = ARTIFACTS / "overview.png"
    watched.page.screenshot(path=str(shot))
    # The canvas drew: the map area holds many colours, not one blank fill.
    png = watched.page.screenshot(clip=box)
    from io import BytesIO

    from PIL import Image

    colours = Image.open(BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 16) or []
    assert len(colours) > 20
    # Viridis' darkest class (#440154, Warnemünde 41.6 %) is on screen, drawn at alpha 190
    # over the basemap's land colour (#f4f1ea).
    a = 190 / 255
    dark = [round(a * c + (1 - a) * bg) for c, bg in zip((0x44, 0x01, 0x54), (0xF4, 0xF1, 0xEA),
                                                          strict=True)]
    assert any(sum(abs(x - y) for x, y in zip(rgb, dark, strict=True)) < 30
               for _n, rgb in colours), dark
    text = _hover_tooltip(watched, box, *_district_point(app.store, "N"))
    assert "Stadtbereich: Stadtmitte" in text
    assert "Anteil 65 Jahre und älter (%): " in text
    _no_console_errors(watched)


def test_switching_language(app: App, watched: Watched) -> None:
    page = watched.page
    page.goto(app.url)
    page.get_by_role("heading", name="Rostock auf der Karte").wait_for(timeout=60_000)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Rostock on the map").wait_for(timeout=30_000)
    page.wait_for_function("() => location.search.includes('lang=en')", timeout=10_000)
    assert page.get_by_text("Map layers").is_visible()
    page.screenshot(path=str(ARTIFACTS / "overview-en.png"))
    _no_console_errors(watched)


def test_leaflet_view_is_offline_too(app: App, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{app.url}/?view=leaflet&layers=indikator,wasserflaechen")
    frame = page.frame_locator("iframe[title*='streamlit_folium']")
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    assert frame.locator("path.leaflet-interactive").count() >= 21
    page.screenshot(path=str(ARTIFACTS / "overview-leaflet.png"))
    assert any("/app/static/vendor/leaflet/leaflet.js" in u for u in watched.requests)
    _no_console_errors(watched)


def test_evil_district_names_stay_text_in_deck(evil_app: App, watched: Watched) -> None:
    box = _open_map(watched, evil_app.url)
    text_a = _hover_tooltip(watched, box, *_district_point(evil_app.store, "A"))
    assert f"Stadtbereich: {EVIL_A}" in text_a
    watched.page.mouse.move(5, 5)
    text_b = _hover_tooltip(watched, box, *_district_point(evil_app.store, "B"))
    assert f"Stadtbereich: {EVIL_B}" in text_b
    assert watched.page.locator("img[src='x']").count() == 0
    watched.page.screenshot(path=str(ARTIFACTS / "xss-deck.png"))


def test_evil_district_names_stay_text_in_leaflet(evil_app: App, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{evil_app.url}/?view=leaflet&layers=indikator")
    frame = page.frame_locator("iframe[title*='streamlit_folium']")
    paths = frame.locator("path.leaflet-interactive")
    paths.first.wait_for(timeout=60_000)
    seen: set[str] = set()
    for i in range(paths.count()):
        paths.nth(i).hover(force=True)
        tip = frame.locator(".leaflet-tooltip")
        try:
            tip.first.wait_for(state="visible", timeout=2_000)
        except Exception:  # a hidden sliver of a polygon: no tooltip to read
            continue
        text = tip.first.inner_text()
        seen |= {e for e in (EVIL_A, EVIL_B) if e in text}
        if len(seen) == 2:
            break
    assert seen == {EVIL_A, EVIL_B}
    assert frame.locator("img[src='x']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "xss-leaflet.png"))


def test_clicking_a_district_opens_its_profile(app: App, watched: Watched) -> None:
    box = _open_map(watched, f"{app.url}/?layers=indikator")
    lon_lat = _district_point(app.store, "E")
    # Hover first: once the tooltip names the district, deck.gl can pick it, and the click
    # lands on a map that is ready (on a busy machine it may not be right after painting).
    assert "Lütten Klein" in _hover_tooltip(watched, box, *lon_lat)
    x, y = _screen_point(box, *lon_lat)
    watched.page.mouse.click(x, y)
    heading = watched.page.get_by_role("heading", name="Profil: Lütten Klein")
    heading.wait_for(timeout=30_000)
    watched.page.wait_for_function("() => location.search.includes('district=E')",
                                   timeout=10_000)
    metric = watched.page.locator("[data-testid='stMetricValue']").first
    metric.wait_for(timeout=30_000)
    assert metric.inner_text() == "17.079"  # residents of Lütten Klein 2023
    heading.scroll_into_view_if_needed()
    watched.page.wait_for_timeout(500)
    watched.page.screenshot(path=str(ARTIFACTS / "profile.png"))
    _no_console_errors(watched)


def test_deep_link_on_a_fresh_server_keeps_the_frame(good_store: Path, browser) -> None:
    """The first request a new server sees is a shared link to a sub-page."""
    fresh = _start_app(good_store)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{fresh.url}/gruenes-rostock?lang=en")
        page.get_by_role("heading", name="What it is about").wait_for(timeout=60_000)
        assert page.get_by_text("Language").is_visible()  # the shared frame ran
        assert page.get_by_role("link", name="Map").is_visible()  # the registry's navigation
        page.close()
    finally:
        fresh.process.terminate()
        fresh.process.wait(10)


@pytest.mark.parametrize("project", __import__("ui.projects").projects.projects(),
                         ids=lambda p: p.id)
def test_every_project_page_in_the_browser(app: App, watched: Watched, project) -> None:
    page = watched.page
    page.goto(f"{app.url}/{project.url_path}")
    page.get_by_role("heading", name="Stand und Quellen").wait_for(timeout=90_000)
    page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=60_000)
    box = page.locator("[data-testid='stDeckGlJsonChart']").first.bounding_box()
    _wait_for_basemap(page, box)
    assert page.get_by_role("heading", name="Worum es geht").is_visible()
    page.screenshot(path=str(ARTIFACTS / f"projekt-{project.id}.png"))
    _no_console_errors(watched)


def test_planner_shared_link_restores_and_exports(app: App, watched: Watched,
                                                  tmp_path: Path) -> None:
    import io

    import geopandas as gpd
    import pandas as pd

    page = watched.page
    page.goto(f"{app.url}/planung?districts=A,E,K,N&indicators=einwohner,dichte&year=2019")
    page.get_by_role("tab", name="Vergleich").wait_for(timeout=90_000)
    for name in ("Warnemünde", "Lütten Klein", "Kröpeliner-Tor-Vorstadt", "Stadtmitte"):
        page.get_by_test_id("stMultiSelect").first.get_by_text(name).wait_for(timeout=30_000)
    indicators = page.get_by_test_id("stMultiSelect").nth(1)
    indicators.get_by_text("Bevölkerungsdichte").wait_for(timeout=10_000)
    assert indicators.get_by_text("Einwohnerinnen und Einwohner").is_visible()
    assert page.get_by_test_id("stSlider").first.get_by_text("2019").is_visible()
    page.get_by_role("tab", name="Export und Link").click()
    with page.expect_download(timeout=30_000) as csv_dl:
        page.get_by_role("button", name="CSV").click()
    csv_path = tmp_path / csv_dl.value.suggested_filename
    csv_dl.value.save_as(csv_path)
    assert csv_path.name == "rostock_vergleich_A-E-K-N_2019.csv"
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: German spreadsheets detect UTF-8
    table = pd.read_csv(io.BytesIO(raw), sep=";", decimal=",", encoding="utf-8-sig")
    # One row per district and indicator, with the statistics of the comparison.
    assert len(table) == 8 and {"quelle", "lizenz", "stand"} <= set(table.columns)
    assert "CC0 1.0" in table["lizenz"].iloc[0]
    from geodata import loaders

    ind = loaders.indicators(fast_settings(app.store, None))
    expected = ind[(ind.code == "E") & (ind.indicator == "einwohner") & (ind.year == 2019)]
    row = table[(table["Kürzel"] == "E")
                & (table["Kennwert"] == "Einwohnerinnen und Einwohner")]
    assert row["Wert"].iloc[0] == expected.value.iloc[0]  # read as a number, not text
    assert table["z"].dtype.kind == "f" and table["Rang"].dtype.kind in "if"
    with page.expect_download(timeout=30_000) as geo_dl:
        page.get_by_role("button", name="GeoJSON").click()
    geo_path = tmp_path / geo_dl.value.suggested_filename
    geo_dl.value.save_as(geo_path)
    gdf = gpd.read_file(geo_path)
    assert sorted(gdf["code"]) == ["A", "E", "K", "N"] and gdf.crs.to_epsg() == 4326
    meta = json.loads(geo_path.read_text())["metadata"]
    assert meta["sources"] and all(s["stand"] for s in meta["sources"])
    link = page.locator("[data-testid='stCode']").first.inner_text()
    assert "districts=A%2CE%2CK%2CN" in link or "districts=A,E,K,N" in link
    assert "year=2019" in link
    page.screenshot(path=str(ARTIFACTS / "planer-export.png"))
    _no_console_errors(watched)
