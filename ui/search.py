"""The search field: a citizen types an address, a street or a place and gets its district.

What is typed goes to ``geodata.search`` on this server and nowhere else, and is not logged.
``?q=`` in a link (or a QR code) fills the field; the best result is then chosen, so a
shared link opens on the same place. Choosing another result puts its exact name into the
field (and the link).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace

import streamlit as st

from geodata.search import MAX_QUERY, Hit, Query
from layers.build import LayerData
from layers.deck import MapView
from layers.geometry import lonlat
from layers.spec import Query as LayerQuery
from text import escape_markdown

from . import data, state
from .i18n import lang, t
from .widgets import PROFILE_ANCHOR

SCOPE = ""
APPLIED = "_search_applied"  # the result whose district was last put into the picker


def describe(hit: Hit, language: str | None = None) -> str:
    """'Lange Str. 12 — Stadtbereich Stadtmitte, Ortsteil Stadtmitte' (plain text)."""
    lg = language or lang()
    kind = t(f"search_kind_{hit.kind}", lg)
    if hit.kind == "stadtbereich":
        return f"{hit.name} — {kind}"
    where = []
    if hit.district:
        where.append(f"{t('search_kind_stadtbereich', lg)} {hit.district}")
    else:
        where.append(t("search_outside", lg))
    if hit.ortsteil and hit.kind != "ortsteil":
        where.append(f"{t('search_kind_ortsteil', lg)} {hit.ortsteil}")
    text = f"{hit.name} ({kind}) — {', '.join(where)}"
    if hit.also:
        names = data.district_names()
        text += " " + t("search_also", lg, names=", ".join(names.get(c, c) for c in hit.also))
    if hit.approximate:
        text += f" ({t('search_approximate', lg)})"
    return text


# Without a street map, closer in shows one colour only: the district must stay in view.
ZOOM_WITHOUT_STREETS = 13.0


def camera(hit: Hit | None, streets: bool = True) -> MapView | None:
    """The map view centred on a result, at a zoom that fits its kind."""
    if hit is None:
        return None
    lon, lat = lonlat(hit.x, hit.y)
    try:
        return MapView(lat, lon, hit.zoom if streets else min(hit.zoom, ZOOM_WITHOUT_STREETS))
    except ValueError:  # outside the map's bounds: leave the view alone
        return None


def _pick(key: str, query_key: str, hits: list[Hit]) -> None:
    """Another result chosen: its exact name becomes the query, so it leads from now on."""
    chosen = st.session_state.get(key)
    if chosen:
        st.session_state[query_key] = hits[int(chosen)].name


def search_box(profile_below: bool = True) -> Hit | None:
    """The field, its results and the note on what the search can find; returns the chosen
    result (the best one unless another was picked). ``profile_below``: a link leads down
    to the district's profile."""
    gazetteer = data.gazetteer()
    if gazetteer is None:
        return None
    query_key = state.bind("q", str, lambda v: isinstance(v, str) and len(v) <= MAX_QUERY, "",
                           SCOPE)
    text = st.text_input(t("search_label"), key=query_key, max_chars=MAX_QUERY,
                         placeholder=t("search_placeholder"))
    state.publish(q=text.strip() or None)
    if not text.strip():
        _coverage_note(gazetteer, None)
        return None
    hits = gazetteer.search(text)
    query = Query.parse(text)
    if not hits:
        st.info(t("search_nothing", q=escape_markdown(text)), icon="🔎")
        _coverage_note(gazetteer, query)
        return None
    lg = lang()
    key = "w_hit_" + hashlib.sha256(text.encode()).hexdigest()[:12]
    index = st.radio(t("search_results"), range(len(hits)), key=key,
                     format_func=lambda i: escape_markdown(describe(hits[i], lg)),
                     on_change=_pick, args=(key, query_key, hits))
    hit = hits[int(index or 0)]
    if query.number is not None and hit.kind != "address":
        _coverage_note(gazetteer, query)
    if hit.district and profile_below:
        st.markdown(f"[{t('search_to_profile', district=escape_markdown(hit.district))}]"
                    f"(#{PROFILE_ANCHOR})")
    return hit


def _coverage_note(gazetteer, query: Query | None) -> None:  # type: ignore[no-untyped-def]
    """One calm sentence on what the search cannot find here (yet)."""
    if not gazetteer.has_streets:
        st.caption(t("search_needs_lists"))
    elif not gazetteer.has_addresses:
        st.caption(t("search_needs_addresses"))
    elif query is not None and query.number is not None:
        st.caption(t("search_no_house", number=f"{query.number}{query.letter}"))


def newly_chosen(hit: Hit | None, page: str) -> str | None:
    """The district of a result the first time it is chosen on ``page`` (then the picker is
    free again): a link with both ``q`` and ``district`` keeps its district."""
    if hit is None or not hit.code:
        return None
    ident = f"{hit.kind}|{hit.name}|{hit.code}"
    applied = f"{APPLIED}_{page}"
    if applied not in st.session_state:
        st.session_state[applied] = ident if "district" in st.query_params else None
    if st.session_state[applied] == ident:
        return None
    st.session_state[applied] = ident
    return hit.code


def marks(code: str | None, hit: Hit | None, query: LayerQuery) -> list[LayerData]:
    """What the map marks: the chosen district's outline and the place found."""
    out = []
    if code:
        out.append(data.layer("auswahl", replace(query, codes=(code,)), warn=False))
    if hit is not None:
        out.append(data.layer("treffer", replace(query, point=(hit.x, hit.y),
                                                  point_label=hit.name), warn=False))
    return [x for x in out if x is not None]
