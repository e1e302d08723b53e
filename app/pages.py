"""The page registry: every page's script, title key, icon and URL path, in menu order."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageDef:
    script: str
    title_key: str
    icon: str
    url_path: str
    default: bool = False


# A URL path must never equal a file name in pages/: on a fresh server Streamlit's legacy
# router runs first, and a deep link like /klima would run pages/klima.py on its own,
# without the frame. With distinct names it falls back to dashboard.py, which then routes.
CITY_PAGES: tuple[PageDef, ...] = (
    PageDef("pages/uebersicht.py", "page_overview", "🗺️", "karte", default=True),
    PageDef("pages/planer.py", "page_planner", "📊", "planung"),
    PageDef("pages/vortrag.py", "page_presenter", "📽️", "praesentation"),
)
# Pages about the dashboard itself, listed after the projects.
ABOUT_PAGES: tuple[PageDef, ...] = (
    PageDef("pages/erklaerung_barrierefreiheit.py", "page_accessibility", "♿",
            "barrierefreiheit"),
)
# The city map: the default page, served at "/" (a deep link to /karte first shows a
# "page not found" notice).
MAP_PAGE = next(p.url_path for p in CITY_PAGES if p.default)
