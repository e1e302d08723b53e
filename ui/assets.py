"""Files the browser loads from the app itself (``static/``), prepared once per server."""

from __future__ import annotations

import hashlib
from pathlib import Path

import streamlit as st

import geodata
from geodata import loaders
from layers import basemap
from layers.assets import install_leaflet

from .data import stamp

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_URL = "/app/static"


def _stamp(*dataset_ids: str) -> str:
    """Short form of the data checksums, for the style URL's cache-busting parameter."""
    return hashlib.sha256(stamp(dataset_ids).encode()).hexdigest()[:12]


@st.cache_resource(show_spinner=False)
def _prepare(stamp: str) -> str:
    settings = geodata.load_settings()
    store = geodata.open_store(settings)
    install_leaflet(STATIC_DIR)
    districts = loaders.districts(settings) if store.has("stadtbereiche") else None
    water = loaders.water(settings) if store.has("wasser") else None
    basemap.write_style(STATIC_DIR, water, districts)
    return f"{STATIC_URL}/{basemap.STYLE_NAME}?v={stamp}"


def basemap_url() -> str:
    """URL of the local map style; rebuilt when districts or water change."""
    return _prepare(_stamp("stadtbereiche", "wasser"))
