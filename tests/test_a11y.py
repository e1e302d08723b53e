"""Accessibility (BITV 2.0 / WCAG 2.1 AA) in the real browser and in the app's structure.

* axe-core (``axe-playwright-python``, axe-core 4.12) in Debian's headless Chromium on every
  page of ``ui.frame.all_pages()``, German and English, plus the overview's other states
  (Leaflet view, a district profile): no serious or critical violation. Reports land in
  test-artifacts/axe-*.json.
* The page declares its language from the very first HTML and follows the switch.
* Every map comes with its legend, a sentence and a table (AppTest, every page).
* The accessibility statement shows the configured feedback contact.
* While each page is open in both languages: its rendered text (chart axes drawn by Vega
  included) has no words or number formats of the other language
  (tests/helpers/language.py; the AppTest side is tests/test_language.py).
"""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

from tests.helpers.app import page_scripts, page_urls, run_app
from tests.helpers.browser import ARTIFACTS, App, in_browser, settled
from tests.helpers.language import problems

PAGES = page_urls()
SCRIPTS = page_scripts()
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}
# Moderate rules we have fixed and keep fixed: headings that skip a level confuse screen
# reader users navigating by heading; two maps both called "Map" are two landmarks nobody
# can tell apart (server.page_lang names them).
ALSO_BLOCKING = {"heading-order", "landmark-unique"}



# Every text node the page shows (SVG chart labels included), one per line; parts marked as
# another language (the presenter's second caption, the language switch) are left out.
RENDERED_TEXT = """() => {
  const lang = document.documentElement.lang, out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!el || el.closest('style, script, noscript')) continue;
    const marked = el.closest('[lang]');
    if (marked && marked !== document.documentElement && marked.lang !== lang) continue;
    if (n.data.trim()) out.push(n.data.trim());
  }
  return out.join('\\n');
}"""


def axe_violations(page, name: str) -> list[dict]:
    """axe-core over the page and every frame in it (the Leaflet map is an iframe)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    for frame in page.frames[1:]:
        frame.evaluate(axe.axe_script)  # axe collects results from frames that have it
    result = axe.run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    (ARTIFACTS / f"axe-{name}.json").write_text(
        json.dumps(result.response["violations"], indent=1, ensure_ascii=False))
    assert result.response["passes"], "axe checked nothing: the page did not render"
    return [v for v in result.response["violations"]
            if v["impact"] in BLOCKING or v["id"] in ALSO_BLOCKING]


def _describe(violations: list[dict]) -> str:
    return "\n".join(f"{v['impact']} {v['id']}: {v['help']} — "
                     + "; ".join(n["html"][:120] for n in v["nodes"][:3]) for v in violations)


@in_browser
@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("url", PAGES, ids=lambda u: u or "start")
def test_no_serious_axe_violation_on_any_page(app: App, page, url: str, lang: str) -> None:
    page.goto(f"{app.url}/{url}?lang={lang}")
    settled(page)
    assert page.locator("h1").count() == 1
    bad = axe_violations(page, f"{url or 'start'}-{lang}")
    assert not bad, _describe(bad)
    found = problems(page.evaluate(RENDERED_TEXT), lang)
    assert not found, "text of the other language:\n" + "\n".join(found[:25])


@in_browser
@pytest.mark.parametrize("state", ["view=leaflet&layers=indikator,wasserflaechen",
                                   "district=E&indicator=anteil_65_plus"],
                         ids=["leaflet", "profile"])
def test_no_serious_axe_violation_in_other_states(app: App, page, state: str) -> None:
    page.goto(f"{app.url}/?{state}")
    settled(page)
    if "leaflet" in state:
        frame = page.frame_locator("iframe[title*='streamlit_folium']")
        frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    else:
        page.get_by_role("heading", name="Profil: Lütten Klein").wait_for(timeout=60_000)
    bad = axe_violations(page, state.split("=")[0])
    assert not bad, _describe(bad)


@in_browser
def test_first_html_declares_the_language(app: App) -> None:
    """Before any script runs: what a screen reader gets from the server."""
    def html_tag(path: str) -> str:
        with urllib.request.urlopen(f"{app.url}{path}", timeout=30) as r:
            text = r.read().decode()
        return text[text.index("<html"):text.index(">", text.index("<html")) + 1]

    assert html_tag("/") == '<html lang="de">'
    assert html_tag("/?lang=en") == '<html lang="en">'
    assert html_tag("/planung?lang=en&year=2019") == '<html lang="en">'
    assert html_tag("/?lang=xx") == '<html lang="de">'  # unknown: the default


@in_browser
def test_language_attribute_follows_the_switch(app: App, page) -> None:
    lang = "() => document.documentElement.lang"
    page.goto(app.url)
    settled(page)
    assert page.evaluate(lang) == "de"
    page.get_by_text("English", exact=True).click()
    page.get_by_role("heading", name="Rostock on the map").wait_for(timeout=30_000)
    page.wait_for_function("() => document.documentElement.lang === 'en'", timeout=10_000)
    page.get_by_text("Deutsch", exact=True).click()
    page.get_by_role("heading", name="Rostock auf der Karte").wait_for(timeout=30_000)
    page.wait_for_function("() => document.documentElement.lang === 'de'", timeout=10_000)


@in_browser
def test_every_map_is_named_in_the_page_language(app: App, page) -> None:
    """MapLibre calls each map canvas "Map"; the planner shows several maps at once."""
    names = ("() => [...document.querySelectorAll('canvas.maplibregl-canvas,"
             "canvas.mapboxgl-canvas')].map(c => c.getAttribute('aria-label'))")
    page.goto(f"{app.url}/planung")
    settled(page)
    # Named once the page script has run over every canvas (after the last one appeared).
    page.wait_for_function(f"() => {{ const n = ({names})(); "
                           "return n.length > 1 && n.every(x => x && x.startsWith('Karte')); }",
                           timeout=60_000)
    german = page.evaluate(names)
    assert german == [f"Karte {i}" for i in range(1, len(german) + 1)], german
    page.goto(f"{app.url}/?lang=en")
    settled(page)
    page.wait_for_function(f"() => {{ const n = ({names})(); "
                           "return n.length == 1 && n[0] === 'Map'; }", timeout=60_000)
    assert page.evaluate(names) == ["Map"]


# --- structure: every map has words and a table beside it (AppTest, no browser) ------------


@pytest.mark.parametrize("script,url", SCRIPTS, ids=[u for _s, u in SCRIPTS])
def test_every_map_has_a_legend_a_sentence_and_a_table(app_env: Path, script: str,
                                                       url: str) -> None:
    at = run_app(script)
    decks = at.get("deck_gl_json_chart")
    legends = [m for m in at.markdown if 'class="legend"' in m.value]
    tables = at.dataframe
    if not decks:
        assert url == "barrierefreiheit" or not legends
        return
    assert len(legends) >= len(decks)
    if url == "praesentation":
        # A kiosk view for a room (no room for a table at 1920×1080): every step links to
        # the same view on its page, which has the tables (a conforming alternate version).
        links = [m.value for m in at.markdown if 'class="tour-link"' in m.value]
        assert links and re.search(r'href="[^"]+/[a-z-]*\?layers=', links[0]), links
        # On the screen itself, screen readers get each choropleth as a hidden HTML table.
        hidden = [m.value for m in at.markdown if '<div class="sr-only"><table>' in m.value]
        filled = [layer for deck in decks for layer in json.loads(deck.proto.json)["layers"]
                  if layer["@@type"] == "GeoJsonLayer" and layer.get("filled")
                  and len(layer["data"]) > 1]
        assert len(hidden) >= 1 and len(hidden) >= len(filled), (hidden, len(filled))
        for table, layer in zip(hidden, filled, strict=False):
            assert table.count("<tr>") == len(layer["data"]) + 1  # header + one per area
        tables = []
        decks = []
    # Each layer's panel (or small map) has a table.
    assert len(tables) >= len(decks)
    for deck in decks:
        spec = json.loads(deck.proto.json)
        for layer in spec["layers"]:
            if layer["@@type"] == "GeoJsonLayer" and layer.get("filled"):
                # A choropleth's table lists every district the map colours.
                n = len(layer["data"])
                assert any(len(t.value) == n for t in tables), (url, layer["id"], n)
    sentences = [m.value for m in at.markdown if "am höchsten in" in m.value
                 or "Objekt" in m.value]
    assert sentences, f"{url}: no sentence describing the map"


def test_statement_shows_the_configured_contact(app_env: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app("pages/erklaerung_barrierefreiheit.py")
    text = "\n".join(m.value for m in at.markdown)
    assert at.title[0].value == "Erklärung zur Barrierefreiheit"
    assert "teilweise" in text and "mailto:geodienste@rostock.de" in text  # the default
    assert re.search(r"überprüft am \d{2}\\?\.\d{2}\.\d{4}\.", text), text
    config = tmp_path / "dashboard.toml"
    config.write_text('[accessibility]\nfeedback_name = "Team Dashboard"\n'
                      'feedback_email = "barrieren@example.org"\n'
                      'feedback_url = "https://example.org/feedback"\n', encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_CONFIG", str(config))
    at = run_app("pages/erklaerung_barrierefreiheit.py", lang="en")
    text = "\n".join(m.value for m in at.markdown)
    assert at.title[0].value == "Accessibility statement"
    assert "Team Dashboard" in text and "mailto:barrieren@example.org" in text
    assert "](https://example.org/feedback)" in text
    config.write_text('[accessibility]\nfeedback_email = "barrieren@example.org"\n',
                      encoding="utf-8")
    monkeypatch.setenv("DASHBOARD_FEEDBACK_EMAIL", "javascript:alert(1)")
    at = run_app("pages/erklaerung_barrierefreiheit.py")
    text = "\n".join(m.value for m in at.markdown)
    assert "javascript:" not in text and "mailto:" not in text  # not an address: not shown
    assert "keine Kontaktadresse" in text


def test_statement_is_in_the_navigation() -> None:
    assert ("pages/erklaerung_barrierefreiheit.py", "barrierefreiheit") in SCRIPTS

