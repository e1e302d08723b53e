"""Every page on a phone (390×844): nothing scrolls the page sideways, nothing is cut off at
the right edge; a chart fits its column or, when it is as wide as a table, scrolls inside its
own box like a table does."""

from __future__ import annotations

import pytest

from tests.helpers.browser import ARTIFACTS, BROWSER, App, settled
from tests.helpers.mirror import ROOT

pytestmark = BROWSER

# What sticks out past the right edge and is not inside a box that scrolls sideways
# (content in an SVG counts as its <svg>; visually hidden screen-reader tables and the
# slider's invisible native input do not count).
CUT = """() => {
  const W = document.documentElement.clientWidth;
  const out = [];
  for (const e of document.querySelectorAll('.stApp *')) {
    if (e.closest('.sr-only') || (e.ownerSVGElement) || e.matches('input[type=range]')) continue;
    const r = e.getBoundingClientRect();
    if (!r.width || !r.height || r.right <= W + 1) continue;
    const s = getComputedStyle(e);
    if (s.visibility === 'hidden' || s.opacity === '0') continue;
    let box = e.parentElement, scrolls = false;
    while (box) {
      const ox = getComputedStyle(box).overflowX;
      if (ox === 'auto' || ox === 'scroll') {
        scrolls = box.getBoundingClientRect().right <= W + 1; break;
      }
      if (ox === 'hidden' || ox === 'clip') break;
      box = box.parentElement;
    }
    if (!scrolls) {
      const owner = e.closest('[data-testid]');
      out.push(`${e.tagName.toLowerCase()} in ${owner ? owner.dataset.testid : '?'} ` +
               `reaches ${Math.round(r.right)} px`);
    }
  }
  const main = document.querySelector('[data-testid=stMain]');
  return {page: document.documentElement.scrollWidth - W,
          main: main ? main.scrollWidth - main.clientWidth : 0,
          cut: [...new Set(out)].slice(0, 10)};
}"""


def _paths() -> list[str]:
    import sys

    sys.path.insert(0, str(ROOT))
    from app.pages import ABOUT_PAGES, CITY_PAGES
    from app.projects import projects

    urls = [p.url_path for p in CITY_PAGES if not p.default] + \
        [p.url_path for p in projects()] + [p.url_path for p in ABOUT_PAGES]
    return ["", "?district=A", "?view=leaflet", *urls]


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True, device_scale_factor=2, locale="de-DE")
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("path", _paths())
def test_page_fits_a_phone(app: App, phone, path: str) -> None:
    phone.goto(f"{app.url}/{path}")
    settled(phone)
    tabs = phone.locator("[role=tab]")
    views = max(1, tabs.count())
    for i in range(views):  # every tab of the planner
        if i:
            tabs.nth(i).click()
            settled(phone)
        found = phone.evaluate(CUT)
        name = (path.replace("?", "_").replace("=", "-") or "karte") + (f"-tab{i}" if i else "")
        phone.screenshot(path=str(ARTIFACTS / f"phone-{name}.png"))
        assert found["page"] <= 0 and found["main"] <= 0, (path, i, found)
        assert not found["cut"], (path, i, found["cut"])


def test_the_planners_comparison_bars_have_room(app: App, phone) -> None:
    """Each chosen district's bar is drawn at a readable height. Streamlit fits a chart with
    its title and legend into the chart's height unless told otherwise; the bars had
    shrunk to nothing under their titles."""
    phone.goto(f"{app.url}/planung?districts=A,E,K,N&indicators=einwohner,dichte&year=2019")
    charts = phone.get_by_test_id("stVegaLiteChart")
    charts.nth(1).locator("svg .mark-rect path").nth(3).wait_for(timeout=90_000)
    for i in range(2):
        heights = charts.nth(i).locator("svg .mark-rect path").evaluate_all(
            "ps => ps.map(p => p.getBoundingClientRect().height)")
        assert len(heights) == 4, heights  # one bar per district
        assert min(heights) >= 12, heights  # a bar a finger and an eye can find
        # no axis title under the bars that a phone's edge would cut: the unit stands in
        # the chart's title above it
        assert charts.nth(i).locator("svg .role-axis-title").count() == 0
    assert phone.get_by_text("Bevölkerungsdichte (Einw./km²)", exact=True).first.is_visible()


def test_the_heatmap_names_every_column_and_district_in_full(app: App, phone) -> None:
    """As Streamlit draws it (its theme's font): Vega hides axis labels whose boxes overlap
    (opacity 0) and cuts long ones with an ellipsis; the slanted column names and
    "Kröpeliner-Tor-Vorstadt" were hidden or cut."""
    phone.goto(f"{app.url}/datenplattform")
    chart = phone.get_by_test_id("stVegaLiteChart").filter(has_text="Biestow")
    chart.locator("svg .role-axis-label text").last.wait_for(timeout=90_000)
    labels = chart.locator("svg .role-axis-label text").evaluate_all(
        "ts => ts.map(t => [t.textContent, getComputedStyle(t).opacity])")
    hidden = [text for text, opacity in labels if opacity == "0"]
    cut = [text for text, _ in labels if text.endswith("…")]
    assert not hidden and not cut, (hidden, cut)
    texts = {text for text, _ in labels}
    assert {"Bevölkerungsdichte", "Durchschnittsalter", "Kröpeliner-Tor-Vorstadt",
            "Gartenstadt/Stadtweide"} <= texts, texts


def test_the_planners_trend_chart_keeps_its_height_under_its_legend(app: App, phone) -> None:
    """The trend's plot is drawn 300 px high with its legend below it, not squeezed into
    300 px together with the legend (it was about 80 px on a phone)."""
    phone.goto(f"{app.url}/planung?districts=A,E,K,N&indicators=einwohner,dichte")
    phone.get_by_role("tab", name="Entwicklung").click(timeout=90_000)
    chart = phone.get_by_test_id("stVegaLiteChart").filter(visible=True).first
    grid = chart.locator("svg .role-axis-grid")  # the horizontal lines span the plot
    grid.first.wait_for(timeout=60_000)
    heights = grid.evaluate_all("gs => gs.map(g => g.getBoundingClientRect().height)")
    assert max(heights) >= 280, heights


@pytest.mark.parametrize("path", ["gruenes-rostock", "wasser-warnow-wir"])
def test_chart_titles_wrap_instead_of_being_cut(app: App, phone, path: str) -> None:
    """Vega cannot wrap a title: on a phone it cut them ("Temperatur in
    Mecklenburg-Vorpommern: A…"). The titles and subtitles stand above the charts as text,
    and no text inside a chart ends in an ellipsis."""
    phone.goto(f"{app.url}/{path}")
    charts = phone.get_by_test_id("stVegaLiteChart")
    charts.last.locator("svg text").first.wait_for(timeout=90_000)
    cut = charts.locator("svg text").evaluate_all(
        "ts => ts.map(t => t.textContent).filter(s => s.endsWith('…'))")
    assert not cut, cut
    title = "Meeresspiegel in Warnemünde seit" if path.startswith("wasser") else \
        "Temperatur in Mecklenburg-Vorpommern: Abweichung vom Mittel"
    assert phone.get_by_text(title).first.is_visible()
