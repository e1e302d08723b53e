"""The frame every page shares: page registry, language switch."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from . import state
from .i18n import LANGS, t


@dataclass(frozen=True)
class PageDef:
    script: str
    title_key: str
    icon: str
    url_path: str
    default: bool = False


# A URL path must never equal a file name in pages/: on a fresh server Streamlit's legacy
# router runs first, and a deep link like /klima would run pages/klima.py on its own,
# without this frame. With distinct names it falls back to dashboard.py, which then routes.
PAGES: tuple[PageDef, ...] = (
    PageDef("pages/uebersicht.py", "page_overview", "🗺️", "karte", default=True),
    PageDef("pages/klimawandel.py", "page_climate", "🌡️", "klima"),
    PageDef("pages/wasser.py", "page_water", "🌊", "warnow"),
    PageDef("pages/datenquellen.py", "page_data", "📚", "daten"),
)


def language_switch() -> str:
    key = state.bind_choice("lang", LANGS, "de")
    with st.sidebar:
        value = st.radio(t("language"), LANGS, key=key, horizontal=True,
                         format_func=lambda c: {"de": "Deutsch", "en": "English"}[c])
    state.publish(lang=None if value == "de" else value)
    return value


def navigation() -> st.navigation:
    return st.navigation([
        st.Page(p.script, title=t(p.title_key), icon=p.icon, url_path=p.url_path,
                default=p.default)
        for p in PAGES
    ])
