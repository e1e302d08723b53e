"""Real headless Chromium (Debian's chromium, driven by Playwright) against `python -m server`.

Every test records the page's requests (none may leave 127.0.0.1), console errors and
JavaScript dialogs (an XSS payload would open one). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.projects import projects
from layers.spec import FILL_OPACITY
from tests.helpers.browser import (
    ARTIFACTS,
    BROWSER,
    CHROMIUM,
    LEAFLET_FRAME,
    App,
    Watched,
    district_point,
    hover_tooltip,
    leaflet_tooltip_texts,
    no_console_errors,
    open_map,
    screen_point,
    serve,
    start_app,
    steady_screenshot,
    wait_for_basemap,
)
from tests.helpers.mirror import fast_settings, renamed_store

EVIL_A = "<img src=x onerror=alert(1)>"
EVIL_B = "`${alert(1)}`"

if not CHROMIUM and os.environ.get("CI"):
    raise RuntimeError("CI needs Debian's chromium for the browser tests (make system-deps)")
pytestmark = BROWSER


@pytest.fixture(scope="module")
def evil_app(tmp_path_factory: pytest.TempPathFactory, good_store: Path) -> Iterator[App]:
    """The same app on data whose district names are attacks, loaded the normal way."""
    ARTIFACTS.mkdir(exist_ok=True)
    store = renamed_store(tmp_path_factory.mktemp("evil") / "data", good_store,
                          {"A": EVIL_A, "B": EVIL_B})
    yield from serve(store)


def test_overview_draws_the_map_and_shows_a_tooltip(app: App, watched: Watched) -> None:
    box = open_map(watched, f"{app.url}/?indicator=anteil_65_plus")
    shot = ARTIFACTS / "overview.png"
    watched.page.screenshot(path=str(shot))
    # The canvas drew: the map area holds many colours, not one blank fill.
    png = watched.page.screenshot(clip=box)
    from io import BytesIO

    from PIL import Image

    colours = Image.open(BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 16) or []
    assert len(colours) > 20
    # Viridis' darkest class (#440154, Warnemünde 41.6 %) is on screen, drawn at the
    # choropleth's opacity over the basemap's land colour (#f4f1ea).
    a = round(255 * FILL_OPACITY["choropleth"]) / 255
    dark = [round(a * c + (1 - a) * bg) for c, bg in zip((0x44, 0x01, 0x54), (0xF4, 0xF1, 0xEA),
                                                          strict=True)]
    assert any(sum(abs(x - y) for x, y in zip(rgb, dark, strict=True)) < 30
               for _n, rgb in colours), dark
    text = hover_tooltip(watched, box, *district_point(app.store, "N"),
                         expect="Stadtmitte")
    assert "Stadtbereich: Stadtmitte" in text
    assert "Anteil 65 Jahre und älter (%): " in text
    no_console_errors(watched)


def test_switching_language(app: App, watched: Watched) -> None:
    page = watched.page
    page.goto(app.url)
    page.get_by_role("heading", name="Rostock auf der Karte").wait_for(timeout=60_000)
    page.get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Rostock on the map").wait_for(timeout=30_000)
    page.wait_for_function("() => location.search.includes('lang=en')", timeout=10_000)
    page.get_by_text("Map layers").wait_for(timeout=15_000)
    page.screenshot(path=str(ARTIFACTS / "overview-en.png"))
    no_console_errors(watched)


def test_leaflet_view_is_offline_too(app: App, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{app.url}/?view=leaflet&layers=indikator,wasserflaechen")
    frame = page.frame_locator("iframe[title*='streamlit_folium']")
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    assert frame.locator("path.leaflet-interactive").count() >= 21
    page.screenshot(path=str(ARTIFACTS / "overview-leaflet.png"))
    assert any("/app/static/vendor/leaflet/leaflet.js" in u for u in watched.requests)
    no_console_errors(watched)


def test_evil_district_names_stay_text_in_deck(evil_app: App, watched: Watched) -> None:
    box = open_map(watched, evil_app.url)
    text_a = hover_tooltip(watched, box, *district_point(evil_app.store, "A"),
                           expect=EVIL_A)
    assert f"Stadtbereich: {EVIL_A}" in text_a
    watched.page.mouse.move(5, 5)
    text_b = hover_tooltip(watched, box, *district_point(evil_app.store, "B"),
                           expect=EVIL_B)
    assert f"Stadtbereich: {EVIL_B}" in text_b
    assert watched.page.locator("img[src='x']").count() == 0
    watched.page.screenshot(path=str(ARTIFACTS / "xss-deck.png"))


def test_evil_district_names_stay_text_in_leaflet(evil_app: App, watched: Watched) -> None:
    page = watched.page
    page.goto(f"{evil_app.url}/?view=leaflet&layers=indikator")
    seen = leaflet_tooltip_texts(page, {EVIL_A, EVIL_B})
    frame = page.frame_locator(LEAFLET_FRAME)
    assert seen == {EVIL_A, EVIL_B}
    assert frame.locator("img[src='x']").count() == 0
    page.screenshot(path=str(ARTIFACTS / "xss-leaflet.png"))


def test_clicking_a_district_opens_its_profile(app: App, watched: Watched) -> None:
    box = open_map(watched, f"{app.url}/?layers=indikator")
    lon_lat = district_point(app.store, "E")
    # Hover first: once the tooltip names the district, deck.gl can pick it, and the click
    # lands on a map that is ready (on a busy machine it may not be right after painting).
    assert "Lütten Klein" in hover_tooltip(watched, box, *lon_lat, expect="Lütten Klein")
    x, y = screen_point(box, *lon_lat)
    watched.page.mouse.click(x, y)
    heading = watched.page.get_by_role("heading", name="Profil: Lütten Klein")
    heading.wait_for(timeout=30_000)
    watched.page.wait_for_function("() => location.search.includes('district=E')",
                                   timeout=10_000)
    # The profile's metrics follow the city's own ("Rostock in Zahlen") on the page.
    metric = watched.page.locator("[data-testid='stMetric']").filter(
        has_text="Einwohnerinnen und Einwohner").last.locator("[data-testid='stMetricValue']")
    metric.wait_for(timeout=30_000)
    assert metric.inner_text() == "17.079"  # residents of Lütten Klein 2023
    heading.scroll_into_view_if_needed()
    steady_screenshot(watched.page, path=str(ARTIFACTS / "profile.png"))
    no_console_errors(watched)


def test_deep_link_on_a_fresh_server_keeps_the_frame(good_store: Path, browser) -> None:
    """The first request a new server sees is a shared link to a sub-page."""
    fresh = start_app(good_store)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{fresh.url}/gruenes-rostock?lang=en")
        page.get_by_role("heading", name="What it is about").wait_for(timeout=60_000)
        # the shared frame ran, with the registry's navigation (drawn beside the heading,
        # not necessarily with it: wait, do not race)
        page.get_by_text("Language").wait_for(timeout=15_000)
        page.get_by_role("link", name="Map").wait_for(timeout=15_000)
        page.close()
    finally:
        fresh.process.terminate()
        fresh.process.wait(10)


@pytest.mark.parametrize("project", projects(),
                         ids=lambda p: p.id)
def test_every_project_page_in_the_browser(app: App, watched: Watched, project) -> None:
    page = watched.page
    page.goto(f"{app.url}/{project.url_path}")
    page.get_by_role("heading", name="Stand und Quellen").wait_for(timeout=90_000)
    page.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=60_000)
    box = page.locator("[data-testid='stDeckGlJsonChart']").first.bounding_box()
    wait_for_basemap(page, box)
    page.get_by_role("heading", name="Worum es geht").wait_for(timeout=10_000)
    page.screenshot(path=str(ARTIFACTS / f"projekt-{project.id}.png"))
    no_console_errors(watched)


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
    indicators.get_by_text("Einwohnerinnen und Einwohner").wait_for(timeout=10_000)
    # The slider is drawn after the multiselects; wait for it rather than race it.
    page.get_by_test_id("stSlider").first.get_by_text("2019").wait_for(timeout=15_000)
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
    assert len(table) == 8
    assert {"quelle", "lizenz", "datenstand", "abgerufen"} <= set(table.columns)
    assert table["datenstand"].iloc[0] == "31.12.2023 | ohne Datum in den Daten"
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
    assert meta["sources"] and all(s["retrieved"] for s in meta["sources"])
    # Readers such as geopandas keep the provenance: it is in every feature.
    assert set(gdf["lizenz"]) == {"CC0 1.0 (https://creativecommons.org/publicdomain/zero/1.0/deed.de)"}
    assert set(gdf["datenstand"]) == {"31.12.2023 | ohne Datum in den Daten"}
    link = page.locator("[data-testid='stCode']").first.inner_text()
    assert "districts=A%2CE%2CK%2CN" in link or "districts=A,E,K,N" in link
    assert "year=2019" in link
    page.screenshot(path=str(ARTIFACTS / "planer-export.png"))
    no_console_errors(watched)
