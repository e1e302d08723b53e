"""The district profiles' search: built from the city's street and address lists (written
by the tests in the official layout), it runs in the page and leads to a district's
profile; it folds names as the app's search does; without JavaScript the form hands the
text to the app."""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from geodata import loaders
from geodata.search import Query, fold
from tests.helpers.browser import ARTIFACTS, App, in_browser, serve
from tests.helpers.mirror import fast_settings, needs_mirror


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory, search_store: Path) -> Path:
    """The search store's copy with its profiles built (no PDFs: not what is tested here)."""
    from profiles.build import build

    first = tmp_path_factory.mktemp("profiles-first") / "data"
    shutil.copytree(search_store, first)
    build(fast_settings(first, None), pdf=False)
    # as an operator might copy a data folder: the profiles' ``current`` link becomes a
    # plain folder, and the next build copes
    target = tmp_path_factory.mktemp("profiles-search") / "data"
    shutil.copytree(first, target)
    assert not (target / "profiles" / "current").is_symlink()
    build(fast_settings(target, None), pdf=False)
    assert (target / "profiles" / "current").is_symlink()
    return target


def page_html(store: Path, rel: str) -> str:
    return (store / "profiles" / "current" / rel).read_text(encoding="utf-8")


@needs_mirror
def test_every_page_has_a_search_form_that_works_without_javascript(store: Path) -> None:
    for rel, lang in (("de/index.html", "de"), ("de/stadtmitte.html", "de"),
                      ("en/warnemuende.html", "en")):
        html = page_html(store, rel)
        form = re.search(r'<form id="search"[^>]*>(.*?)</form>', html, re.S)
        assert form, rel
        assert 'action="../../" method="get"' in form.group(0)  # the app's own ?q=
        assert 'name="q"' in form.group(1) and 'role="search"' in form.group(0)
        assert ('name="lang" value="en"' in form.group(1)) == (lang == "en")
        config = json.loads(html_lib.unescape(re.search(
            r'<script type="application/json" id="search-config">(.*?)</script>',
            html, re.S).group(1)))
        assert config["districts"]["N"] == {"name": "Stadtmitte", "href": "stadtmitte.html"}
        index = store / "profiles" / "current" / config["index"].removeprefix("../")
        assert json.loads(index.read_text())["has_addresses"]
    # the street and address lists are named among the sources, with their dates
    assert "Straßen" in page_html(store, "de/index.html").split('id="h-src"')[1]


@pytest.fixture(scope="module")
def app(store: Path) -> Iterator[App]:
    ARTIFACTS.mkdir(exist_ok=True)
    yield from serve(store)


# What residents type, the first result and the profile it leads to.
TYPED = [
    ("Kröpeliner Str. 1a", "Kröpeliner Str. 1a", "stadtmitte.html"),
    ("kropeliner strasse 1 a", "Kröpeliner Str. 1a", "stadtmitte.html"),
    ("Doberaner Straße 44b", "Doberaner Str. 44b", "kroepeliner-tor-vorstadt.html"),
    ("Seestrasse 1", "Seestr. 1", "warnemuende.html"),
    ("warnemunde", "Warnemünde", "warnemuende.html"),
    ("Stadtmite", "Stadtmitte", "stadtmitte.html"),
    ("Lütten Klein", "Lütten Klein", "luetten-klein.html"),
    ("Doberahner", "Doberaner Str.", "kroepeliner-tor-vorstadt.html"),
]


@in_browser
def test_typed_names_lead_to_their_districts_profile(app: App, browser) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(f"{app.url}/profile/de/index.html")
    page.wait_for_selector("html[data-map-ready]", state="attached", timeout=30_000)
    assert not any("search." in u and u.endswith(".json") for u in requests)  # not yet
    first = page.locator("#search-results li").first
    for typed, name, href in TYPED:
        page.fill("#q", typed)
        page.wait_for_function("([t]) => document.getElementById('q').value === t && "
                               "document.getElementById('search-status').textContent",
                               arg=[typed])
        assert first.locator("a").inner_text() == name, typed
        assert first.locator("a").get_attribute("href") == href, typed
        assert "Stadtbereich" in first.locator(".where").inner_text()
    page.fill("#q", "Lange Straße 999")
    page.wait_for_function("document.getElementById('search-status').textContent"
                           ".includes('999')")
    assert first.locator("a").inner_text() == "Lange Str."  # the street, and it says so
    page.fill("#q", "Xylophonweg")
    page.wait_for_function("document.getElementById('search-status').textContent"
                           ".includes('nichts gefunden')")
    assert page.locator("#search-results li").count() == 0
    page.fill("#q", "Doberaner Str. 44 b")
    page.wait_for_selector("#search-results li a")
    street = page.locator("#search-results li").nth(1)
    assert street.locator("a").inner_text() == "Doberaner Str."
    assert "führt auch durch Stadtmitte" in street.locator(".where").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "profile-search-phone.png"))
    page.press("#q", "Enter")  # the best hit's profile
    page.wait_for_url("**/de/kroepeliner-tor-vorstadt.html")
    assert page.locator("h1").inner_text() == "Kröpeliner-Tor-Vorstadt"
    assert all(u.startswith(app.url) for u in requests), requests  # nothing typed left
    context.close()


@in_browser
def test_the_page_folds_names_as_the_app_does(app: App, browser, store: Path) -> None:
    gaz = loaders.gazetteer(fast_settings(store, None))
    texts = [e.name for e in gaz.entries] + [
        "KRÖPELINER STRASSE", "Kröpeliner Straße 1 a", "Gartenstrase 3", "Seestr.12",
        "Wismarschestasse", "Straße des Friedens", "Am Strom 59, 18119 Rostock", "ẞ groß",
        "Crêpe Café", "Ærø  –  Œuvre", "Œ", "1a", "  ", "<b>x</b>", "Mühlen-Str. 7 B"]
    page = browser.new_page()
    page.goto(f"{app.url}/profile/en/index.html")
    page.wait_for_function("window.rostockSearch !== undefined")
    folded = page.evaluate("(ts) => ts.map(t => rostockSearch.fold(t))", texts)
    assert folded == [fold(t) for t in texts]
    parsed = page.evaluate("(ts) => ts.map(t => rostockSearch.parse(t))", texts)
    for text, got in zip(texts, parsed, strict=True):
        query = Query.parse(text)
        house = None if query.number is None else f"{query.number}{query.letter}"
        assert (got["name"], got["house"]) == (query.name, house), text
    page.close()


@in_browser
def test_without_javascript_the_form_asks_the_app(app: App, browser) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{app.url}/profile/en/stadtmitte.html")
    page.fill("#q", "Kröpeliner Str. 1a")
    page.press("#q", "Enter")
    page.wait_for_url(lambda url: "q=" in url)
    parts = urlsplit(page.url)
    assert parts.path == "/"
    assert parse_qs(parts.query) == {"q": ["Kröpeliner Str. 1a"], "lang": ["en"]}
    context.close()


def test_a_build_replaces_a_copied_current_folder(tmp_path: Path) -> None:
    """``cp -r`` of a data folder turns the ``current`` link into a folder; the next build
    still switches (and the copy is pruned as the oldest build)."""
    from profiles.build import _prune, _switch

    root = tmp_path / "profiles"
    (root / "current").mkdir(parents=True)
    (root / "current" / "index.html").write_text("old copy")
    new = root / "build-20261207-030000-1"
    new.mkdir()
    (new / "index.html").write_text("new")
    _switch(root, new)
    assert (root / "current").is_symlink()
    assert (root / "current" / "index.html").read_text() == "new"
    _prune(root, new, keep=1)
    assert sorted(p.name for p in root.iterdir()) == ["build-20261207-030000-1", "current"]


def test_the_script_parses_in_older_safari() -> None:
    """Safari before 16.4 rejects a whole script with a lookbehind: the search would be
    gone on those phones (the form still works, through the app)."""
    from pathlib import Path

    js = (Path(__file__).parent.parent / "profiles" / "static" / "search.js").read_text()
    assert "(?<=" not in js and "(?<!" not in js
