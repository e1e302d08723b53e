"""The structure every core-project page follows: goal, where, data, status and sources.

Each page fills the "what the data shows" part with its own widgets; the frame is shared.
"""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from app.projects import Project, get
from geodata import loaders
from layers import registry
from layers.build import LayerData
from layers.deck import MapView
from layers.spec import Query
from text import escape_markdown

from . import data, widgets
from .i18n import lang, t


def intro(project_id: str) -> Project:
    project = get(project_id)
    st.title(f"{project.icon} {project.name}")
    if project.inferred:
        st.caption(t("project_inferred"))
    st.header(t("section_goal"))
    st.write(project.text("goal", lang()))
    return project


def where(project: Project, query: Query, layer_ids: Sequence[str] | None = None,
          key: str = "project_map", extruded: bool = False,
          marks: Sequence[LayerData] = (), camera: MapView | None = None) -> str | None:
    """The map of the project's layers; layers whose source is unreachable are named once.
    Returns the district code the user clicked, if any."""
    where_heading(project)
    return map_block(layer_ids or project.layers, query, key, extruded, marks, camera)


def where_heading(project: Project) -> None:
    """The section's heading and text, for a page that puts something before its map."""
    st.header(t("section_where"))
    st.write(project.text("where", lang()))


def map_block(layer_ids: Sequence[str], query: Query, key: str = "project_map",
              extruded: bool = False, marks: Sequence[LayerData] = (),
              camera: MapView | None = None) -> str | None:
    """Map with legend, summary and table beside it (``marks``: a chosen district or a
    place found, drawn on top); returns a clicked district code."""
    shown, missing = data.layers(layer_ids, query)
    clicked = None
    if missing:  # one calm sentence: what needs the internet
        names = ", ".join(registry.get(i).title(lang()) for i in missing)
        st.info(t("layers_unreachable", names=escape_markdown(names)), icon="📡")
    if shown:
        left, right = st.columns([3, 2])
        with left:
            clicked = widgets.map_view([*shown, *marks], key=key, height=520,
                                       extruded=extruded, camera=camera)
        with right:
            for layer in shown:
                widgets.layer_panel(layer)
    return clicked


def data_heading() -> None:
    st.header(t("section_data"))


def places_without_position(project: Project) -> None:
    """Name the project's places that have no published coordinates (not on the map)."""
    places = data.load(loaders.places, project.place_project or project.id)
    names = ", ".join(places[places.geometry.isna()]["name_en" if lang() == "en" else "name"])
    if names:
        st.caption(t("places_without_position", names=escape_markdown(names)))


def status_and_sources(project: Project) -> None:
    st.header(t("section_status"))
    st.write(project.text("status", lang()))
    st.markdown(t("project_sources") + "\n" + "\n".join(f"- <{url}>" for url in project.sources))
    widgets.sources_footer(project.datasets)


def query(project: Project, **fields: object) -> Query:
    """The page's query: indicator/year from the URL-bound pickers plus project fields."""
    base = widgets.query(**{k: v for k, v in fields.items() if k in ("indicator", "year")})
    extra = {k: v for k, v in fields.items() if k not in ("indicator", "year")}
    return Query(**{**base.__dict__, "project": project.place_project, **extra})
