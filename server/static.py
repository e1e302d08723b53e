"""Files the browser loads from the app itself (``static/``): the vendored Leaflet and the
offline basemap style, generated from the stored data. Plain Python: the app's cache
(``ui.data.basemap_url``) decides when to call :func:`prepare` again.
"""

from __future__ import annotations

from pathlib import Path

import geodata
from geodata import loaders
from layers import basemap
from layers.assets import install_leaflet

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
STATIC_URL = "/app/static"


def prepare(settings: geodata.Settings, version: str) -> str:
    """Write Leaflet and the basemap style; returns the style's URL (``?v=`` busts caches)."""
    store = geodata.open_store(settings)
    install_leaflet(STATIC_DIR)
    districts = loaders.districts(settings) if store.has("stadtbereiche") else None
    water = loaders.water(settings) if store.has("wasser") else None
    basemap.write_style(STATIC_DIR, water, districts)
    return f"{STATIC_URL}/{basemap.STYLE_NAME}?v={version}"
