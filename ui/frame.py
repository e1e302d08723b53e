"""The frame every page shares: page registry, language switch."""

from __future__ import annotations

import streamlit as st

from app.pages import ABOUT_PAGES, CITY_PAGES
from app.projects import projects

from . import a11y, state
from .i18n import LANGS, t


def all_pages() -> list[tuple[str, str, str, str, bool]]:
    """(script, title, icon, url_path, default) of every page, city pages first."""
    out = [(p.script, t(p.title_key), p.icon, p.url_path, p.default) for p in CITY_PAGES]
    out += [(p.script, p.name, p.icon, p.url_path, False) for p in projects()]
    out += [(p.script, t(p.title_key), p.icon, p.url_path, p.default) for p in ABOUT_PAGES]
    return out


def language_switch() -> str:
    key = state.bind_choice("lang", LANGS, "de")
    with st.sidebar:
        value = st.radio(t("language"), LANGS, key=key, horizontal=True,
                         format_func=lambda c: {"de": "Deutsch", "en": "English"}[c])
    state.publish(lang=None if value == "de" else value)
    return value


def navigation() -> st.navigation:
    pages = [st.Page(script, title=title, icon=icon, url_path=url, default=default)
             for script, title, icon, url, default in all_pages()]
    n_city, n_about = len(CITY_PAGES), len(ABOUT_PAGES)
    sections = {t("nav_city"): pages[:n_city], t("nav_projects"): pages[n_city:-n_about],
                t("nav_about"): pages[-n_about:]}
    # Streamlit's own sidebar menu puts section headers straight into its <ul> (invalid list
    # markup that screen readers stumble over; axe-core flags it). Plain page links instead.
    nav = st.navigation(sections, position="hidden")
    a11y.style()
    with st.sidebar:
        for title, items in sections.items():
            st.markdown(f"**{title}**")
            for page in items:
                st.page_link(page)
    return nav
