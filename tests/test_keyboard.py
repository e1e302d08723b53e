"""Keyboard only: the overview can be used without a mouse (WCAG 2.1.1).

Real headless Chromium; after ``goto`` only ``page.keyboard`` is used. The test tabs
through the page from the top, checks that every control is reached in order, turns a map
layer on, changes the indicator and the year, and chooses a district, each with keys.
"""

from __future__ import annotations

from tests.helpers.browser import ARTIFACTS, App, in_browser, settled, steady_screenshot
from tests.helpers.mirror import needs_mirror
from ui.frame import all_pages

pytestmark = [needs_mirror]
FOCUSED = """() => { const e = document.activeElement;
  return {tag: e.tagName, role: e.getAttribute('role') || '',
          label: e.getAttribute('aria-label') || '', text: (e.innerText || '').trim(),
          testid: e.getAttribute('data-testid') || '',
          href: e.getAttribute('href') || ''}; }"""


def tab_to(page, matches, limit: int = 80, key: str = "Tab") -> dict:
    """Press Tab until the focused element matches; fail when it never does."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        focused = page.evaluate(FOCUSED)
        seen.append(focused["label"] or focused["text"][:30] or focused["tag"])
        if matches(focused):
            return focused
    raise AssertionError(f"not reachable by {key}; focus went through {seen}")


def walk(page, until, limit: int = 80) -> list[dict]:
    """Every element Tab reaches, in order, up to the first that matches ``until``."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
        if until(seen[-1]):
            return seen
    raise AssertionError(f"not reachable by Tab: {[f['label'] or f['text'] for f in seen]}")


def wait_idle(page) -> None:
    settled(page)


@in_browser
def test_the_overview_works_with_the_keyboard_alone(app: App, page) -> None:
    page.goto(app.url)
    settled(page)
    # From the top: the skip link, the language, every page of the menu, then the page.
    walked = walk(page, lambda f: f["tag"] == "BUTTON" and f["text"].startswith("Lebensqual"))
    assert walked[0]["testid"] == "stSkipToContent"
    assert any(f["tag"] == "INPUT" and f["role"] in ("", "radio") for f in walked[:3])
    links = [f["text"] for f in walked if f["testid"] == "stPageLink-NavLink"]
    assert len(links) == len(all_pages())
    assert any("Barrierefreiheit" in x for x in links)

    # Map layers (pills: arrow keys move between them, Enter toggles): turn on "Ortsteile".
    tab_to(page, lambda f: f["text"].startswith("Ortsteile"), key="ArrowRight", limit=20)
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('ortsteile')", timeout=30_000)
    wait_idle(page)

    # The indicator: open the list, type, confirm.
    page.keyboard.press("Escape")
    tab_to(page, lambda f: f["label"] == "Kennwert")
    page.keyboard.type("Bevölkerungsdichte")
    page.keyboard.press("Enter")
    page.wait_for_function("() => location.search.includes('indicator=dichte')", timeout=30_000)
    wait_idle(page)
    legend = page.locator(".legend strong").first
    assert legend.inner_text().startswith("Bevölkerungsdichte")

    # The year: arrow keys on the slider.
    tab_to(page, lambda f: f["label"] == "Jahr")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => location.search.includes('year=2022')", timeout=30_000)
    wait_idle(page)
    assert "Bevölkerungsdichte 2022" in page.locator("[data-testid='stMarkdown']").filter(
        has_text="am höchsten in").first.inner_text()

    # A district: the picker below the map, typed and confirmed.
    tab_to(page, lambda f: f["label"] == "Stadtbereich", limit=120)
    page.keyboard.type("Lütten")
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Profil: Lütten Klein").wait_for(timeout=30_000)
    page.wait_for_function("() => location.search.includes('district=E')", timeout=10_000)
    wait_idle(page)
    # The profile shows figures, not placeholders: its first metric (after the city's own
    # three, "Rostock in Zahlen") has a label and a number.
    first = page.get_by_test_id("stMetric").nth(3)
    first.wait_for(timeout=30_000)
    assert "Einwohner" in first.inner_text() and any(c.isdigit() for c in first.inner_text())
    page.screenshot(path=str(ARTIFACTS / "keyboard.png"))


@in_browser
def test_focus_is_visible(app: App, page) -> None:
    """Where the keyboard is must show (WCAG 2.4.7): the focused indicator picker looks
    different from the same picker a moment later, when focus has moved on."""
    page.goto(app.url)
    settled(page)
    walk(page, lambda f: f["label"] == "Kennwert")
    box = page.get_by_test_id("stSelectbox").first
    focused = steady_screenshot(box)  # focus styles may animate in
    page.keyboard.press("Tab")  # on to the year slider
    assert page.evaluate(FOCUSED)["label"] == "Jahr"
    assert steady_screenshot(box) != focused
