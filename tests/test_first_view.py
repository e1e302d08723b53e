"""The overview's first view: its heading, text and map as a picture in the first HTML, so
a phone shows the page before Streamlit's code has arrived; gone once the page stands.
The picture is the map's own layer (layers.svg); names from data stay text."""

from __future__ import annotations

import re
import urllib.parse
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import pytest

from layers.build import build
from layers.spec import Query
from layers.svg import render
from server import first_view
from tests.helpers.browser import ARTIFACTS, READY, App, in_browser, serve
from tests.helpers.mirror import fast_settings, needs_mirror, renamed_store
from tests.helpers.net import http_get

SVG = "{http://www.w3.org/2000/svg}"


def picture(block: str) -> ET.Element:
    src = re.search(r'<img alt="[^"]*" width="\d+" src="([^"]+)"', block).group(1)
    assert src.startswith("data:image/svg+xml;charset=utf-8,")
    return ET.fromstring(urllib.parse.unquote(src.split(",", 1)[1]))


@needs_mirror
def test_the_picture_is_the_maps_own_layer_north_up_with_names(good_store: Path) -> None:
    settings = fast_settings(good_store, None)
    query = Query(lang="de")
    layers = [build(i, query, settings) for i in first_view.LAYERS]
    svg = ET.fromstring(render(layers, None, 720, "Karte"))
    fills = [p.get("fill") for p in svg.iter(f"{SVG}path")]
    assert len(fills) == 21 and sorted(fills) == sorted(layers[0].gdf["fill"])
    names = {t.text: (float(t.get("x")), float(t.get("y"))) for t in svg.iter(f"{SVG}text")}
    assert {"Warnemünde", "Stadtmitte", "Rostock-Heide"} <= set(names)
    assert names["Warnemünde"][1] < names["Stadtmitte"][1]  # north is up
    assert names["Rostock-Heide"][0] > names["Warnemünde"][0]  # east is right
    assert svg.get("viewBox").startswith("0 0 720 ")


def test_only_the_overview_without_a_chosen_view_gets_it() -> None:
    assert first_view.wanted(".", b"") and first_view.wanted("", "lang=en")
    assert first_view.wanted("index.html", b"lang=de")
    for path, query in [("planung", b""), (".", b"district=N"), (".", b"q=Lange+Str"),
                        (".", b"indicator=dichte&lang=en"), ("wasser-warnow-wir", b"")]:
        assert not first_view.wanted(path, query), (path, query)


@needs_mirror
def test_the_block_reads_like_the_page_in_both_languages(good_store: Path) -> None:
    settings = fast_settings(good_store, None)
    de, en = first_view.markup("de", settings), first_view.markup("en", settings)
    assert "<h1>Rostock auf der Karte</h1>" in de and "<h1>Rostock on the map</h1>" in en
    assert "Einwohnerinnen und Einwohner 2023" in de
    assert de.count("<li><span") == 5  # the legend: five classes, as on the map
    assert "Datenstand 31.12.2023" in de and "Lizenz: CC0 1.0" in de  # source and date
    assert "<script" not in de.lower() and not re.search(r"<[^>]+\son\w+=", de)
    assert first_view.insert("<html><body><div id=root>", de).startswith(
        '<html><body><div id="first-view">')
    assert len(picture(de).findall(f"{SVG}path")) > 21  # districts and water


def test_without_data_there_is_no_block_and_no_error(tmp_path: Path) -> None:
    assert first_view.markup("de", fast_settings(tmp_path / "empty", None)) == ""
    assert first_view.insert("<body>x", "") == "<body>x"


CORPUS = {"A": '<img src=x onerror=alert("A")>', "N": "</text><script>alert(1)</script>"}


@needs_mirror
def test_hostile_names_stay_text_in_the_block_and_its_picture(
        tmp_path: Path, good_store: Path) -> None:
    store = renamed_store(tmp_path / "data", good_store, CORPUS)
    block = first_view.markup("de", fast_settings(store, None))
    assert block and not any(p in block for p in CORPUS.values())
    svg = picture(block)
    assert not [e for e in svg.iter() if e.tag.endswith(("script", "img", "foreignObject"))]
    assert not [a for e in svg.iter() for a in e.attrib if a.lower().startswith("on")]
    texts = {t.text for t in svg.iter(f"{SVG}text")}
    assert set(CORPUS.values()) & texts  # shown as typed, where it has room


@pytest.fixture(scope="module")
def app(good_store: Path) -> Iterator[App]:
    ARTIFACTS.mkdir(exist_ok=True)
    yield from serve(good_store)


@in_browser
def test_the_server_sends_it_with_the_overview_only(app: App) -> None:
    def page(path: str) -> str:
        status, _h, body = http_get(app.url + path, **{"Accept-Encoding": "identity"})
        assert status == 200, path
        return body.decode()

    assert page("/").count('<div id="first-view">') == 1
    assert "<h1>Rostock on the map</h1>" in page("/?lang=en")
    for path in ("/planung", "/?district=N", "/?q=Lange%20Str"):
        assert 'id="first-view"' not in page(path), path


@in_browser
def test_a_phone_sees_the_map_before_streamlits_code_and_the_page_after(app: App,
                                                                        browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    held = []  # Streamlit's main bundle, held back: the page has no code to draw with
    bundle = re.compile(r".*/static/js/index\.[^/]*\.js(\?.*)?$")
    page.route(bundle, lambda route: held.append(route))
    with page.expect_request(bundle):
        page.goto(app.url + "/", wait_until="commit")
    page.wait_for_function("""() => {
        const box = document.getElementById('first-view');
        const img = box && box.querySelector('img');
        return img && img.complete && img.naturalWidth > 300
            && getComputedStyle(box).display !== 'none'; }""")
    view = page.locator("#first-view")
    assert view.locator("h1").inner_text() == "Rostock auf der Karte"
    assert view.locator("img").bounding_box()["width"] > 300  # the map fills the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "first-view-phone.png"))
    assert held, "the bundle was not held"
    for route in held:
        route.continue_()
    page.unroute(bundle)
    page.wait_for_selector(READY, timeout=90_000)
    page.wait_for_selector("html:not([data-preview])", state="attached", timeout=60_000)
    assert view.count() == 0  # the interactive page has taken over: the block is gone
    assert page.locator("h1").count() == 1  # one heading, Streamlit's
    page.locator("[data-testid='stDeckGlJsonChart']").first.wait_for(timeout=60_000)
    context.close()
