"""Hostile text from data, in the real browser: no script runs, the text shows literally.

The district names (Stadtbereiche) and Ortsteil names of a store are replaced by an attack
corpus and loaded the normal way (served by the loopback mirror, refreshed, validated). They
reach every text path of the app: deck.gl and Leaflet tooltips (the app has no popups),
tables, the map's summary sentence, the district picker, profile headings, Markdown
paragraphs and captions, the planner's pickers, and the charts' accessible descriptions.
Each page is checked for dialogs (an ``alert`` would open one), for markup the corpus would
create (``img``, ``svg`` with handlers, ``javascript:`` links, KaTeX maths) and for the
corpus shown as typed. Tables are canvas-drawn, so there the check is the table data itself.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from layers.build import build
from layers.spec import Query
from tests.helpers.browser import (
    ARTIFACTS,
    BROWSER,
    LEAFLET_FRAME,
    App,
    district_point,
    hover_tooltip,
    leaflet_tooltip_texts,
    open_map,
    serve,
    settled,
)
from tests.helpers.mirror import fast_settings, renamed_store

pytestmark = BROWSER

CORPUS = {
    "A": '<img src=x onerror=alert("A")>',
    "B": '"><svg onload=alert("B")>',
    "C": 'javascript:alert("C")',
    "D": '${alert("D")}',
    "F": '`alert("F")` and ``x``',
    "G": 'back\\slash \\u0027 \\" \\n end',
    "H": '[klick](javascript:alert("H"))',
    "I": "*fett* _kursiv_ $x^2$ :red[rot] # kein Titel",
}
ORTSTEIL_CORPUS = ['<img src=y onerror=alert("O1")>', '${alert("O2")}', "`O3` \\ $O3$"]
# Markup the corpus would create if anything were interpreted.
INJECTED = """() => {
  const root = document.querySelector('.stApp');
  return {
    img: root.querySelectorAll('img[src="x"], img[src="y"]').length,
    handlers: [...root.querySelectorAll('*')].filter(e => [...e.attributes]
        .some(a => a.name.startsWith('on'))).length,
    jslinks: root.querySelectorAll('a[href^="javascript:" i]').length,
    katex: root.querySelectorAll('.katex').length,
  }; }"""
CLEAN = {"img": 0, "handlers": 0, "jslinks": 0, "katex": 0}


@pytest.fixture(scope="module")
def hostile_app(tmp_path_factory: pytest.TempPathFactory, good_store: Path) -> Iterator[App]:
    ARTIFACTS.mkdir(exist_ok=True)
    store = renamed_store(tmp_path_factory.mktemp("xss") / "data", good_store, CORPUS,
                          ORTSTEIL_CORPUS)
    yield from serve(store)


def visible_text(page) -> str:
    return page.evaluate("() => document.querySelector('.stApp').innerText")


def test_corpus_survives_loading_unchanged(hostile_app: App) -> None:
    """The attack arrives in the app's data as typed (else the browser checks prove little),
    and each map's table holds it literally (tables are drawn on a canvas)."""
    settings = fast_settings(hostile_app.store, None)
    layer = build("indikator", Query(), settings)
    names = dict(zip(layer.gdf["code"], layer.gdf["label"], strict=True))
    assert {c: names[c] for c in CORPUS} == CORPUS
    column = layer.table().iloc[:, 0].tolist()
    assert set(CORPUS.values()) <= set(column)
    quarters = build("ortsteile", Query(), settings).table().iloc[:, 0].tolist()
    assert set(ORTSTEIL_CORPUS) <= set(quarters)


def test_deck_tooltips_show_the_corpus_as_text(hostile_app: App, watched) -> None:
    box = open_map(watched, f"{hostile_app.url}/?layers=indikator")
    for code, payload in CORPUS.items():
        watched.page.mouse.move(5, 5)
        text = hover_tooltip(watched, box, *district_point(hostile_app.store, code),
                             expect=payload)
        assert f"Stadtbereich: {payload}" in text, (code, text)
    assert watched.page.evaluate(INJECTED) == CLEAN
    watched.page.screenshot(path=str(ARTIFACTS / "xss-corpus-deck.png"))


def test_leaflet_tooltips_show_the_corpus_as_text(hostile_app: App,
                                                  watched) -> None:
    page = watched.page
    page.goto(f"{hostile_app.url}/?view=leaflet&layers=indikator,ortsteile")
    wanted = set(CORPUS.values()) | set(ORTSTEIL_CORPUS)
    seen = leaflet_tooltip_texts(page, wanted, tip_timeout_ms=1_500)
    frame = page.frame_locator(LEAFLET_FRAME)
    assert seen == wanted, wanted - seen
    inside = frame.locator("body")
    assert inside.locator("img[src='x'], img[src='y']").count() == 0
    assert page.evaluate(INJECTED) == CLEAN


PAGES = [
    # (path, codes whose names must show as typed)
    *[(f"/?layers=indikator&district={c}", [c]) for c in CORPUS],
    *[(f"/rostock-app?district={c}", [c]) for c in ("A", "H", "I")],
    ("/planung?districts=A,B,C,D&indicators=einwohner,dichte", ["A", "B", "C", "D"]),
    ("/planung?districts=F,G,H,I&indicators=einwohner", ["F", "G", "H", "I"]),
    ("/begegnungszentren", []),
    ("/?layers=ortsteile", []),
]


@pytest.mark.parametrize("path,codes", PAGES, ids=[p for p, _c in PAGES])
def test_pages_show_the_corpus_literally(hostile_app: App, watched,
                                         path: str,
                                         codes: list[str]) -> None:
    page = watched.page
    page.goto(hostile_app.url + path)
    settled(page)
    page.get_by_role("heading", level=1).first.wait_for(timeout=60_000)
    text = visible_text(page)
    slug = "".join(c if c.isalnum() else "-" for c in path).strip("-")
    (ARTIFACTS / f"xss-page-{slug}.txt").write_text(text, encoding="utf-8")
    for code in codes:
        with contextlib.suppress(Exception):  # widgets further down may still be drawing
            page.wait_for_function("(p) => document.querySelector('.stApp').innerText"
                                   ".includes(p)", arg=CORPUS[code], timeout=30_000)
        assert CORPUS[code] in visible_text(page), (code, CORPUS[code])
        if "district=" in path and "rostock-app" not in path:
            heading = page.get_by_role("heading", name="Profil:")
            heading.wait_for(timeout=30_000)
            assert heading.inner_text().strip() == f"Profil: {CORPUS[code]}"
            # The trend chart's accessible description names the district as typed.
            page.wait_for_function(
                "(p) => [...document.querySelectorAll('[aria-label]')]"
                ".some(e => e.getAttribute('aria-label').includes(p))", arg=CORPUS[code],
                timeout=30_000)
    if path == "/begegnungszentren":
        caption = page.locator("[data-testid='stCaptionContainer']").filter(
            has_text="ohne bekanntes").first
        shown = [p for p in CORPUS.values() if p in caption.inner_text()]
        assert shown, caption.inner_text()  # districts without a centre, named as typed
    assert page.evaluate(INJECTED) == CLEAN
