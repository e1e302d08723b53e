"""Files the browser loads from the app itself at ``/app/static``: the vendored Leaflet, the
offline basemap style (generated from the stored data) and the page-language script.

They are generated, so they do not belong in the project: they live in ``<data_dir>/static``
(``GEODATA_DIR``), beside the store they are made from, and the project tree stays
read-only at run time. Streamlit serves ``static/`` next to the main script and has no
setting for another folder; :func:`install` (called by ``server.serve`` before the server
starts) points its static serving here. The app's cache (``ui.data.basemap_url``) decides
when to call :func:`prepare` again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import geodata
from geodata import loaders
from geodata.tiles import TileSource
from layers import basemap
from layers.assets import install_leaflet

from . import page_lang

STATIC_URL = "/app/static"


def folder(settings: geodata.Settings) -> Path:
    """Where this instance's generated files live: under its data folder."""
    return Path(settings.data_dir) / "static"


def install(settings: geodata.Settings) -> Path:
    """Write what does not depend on the data, and serve ``/app/static`` from :func:`folder`
    (Streamlit looks the folder up through ``file_util.get_app_static_dir`` when it builds
    its routes, so this must run before the server starts)."""
    from streamlit import file_util

    target = folder(settings)
    install_leaflet(target)
    page_lang.write_script(target)
    file_util.get_app_static_dir = lambda _main_script_path: str(target)
    return target


def prepare(settings: geodata.Settings,
            streets: TileSource | None = None) -> str:
    """Write Leaflet and the basemap style (on a street map when ``streets`` are given);
    returns the style's URL. ``?v=`` is the written file's own checksum: the URL is served
    as immutable, so it must change whenever the style does (data, or which street map)."""
    store = geodata.open_store(settings)
    target = folder(settings)
    install_leaflet(target)
    districts = loaders.districts(settings) if store.has("stadtbereiche") else None
    water = loaders.water(settings) if store.has("wasser") else None
    path = basemap.write_style(target, water, districts, streets)
    version = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
    return f"{STATIC_URL}/{path.relative_to(target).as_posix()}?v={version}"
