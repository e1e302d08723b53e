"""Leaflet from an installed package, served by the app itself: the map needs no internet.

``XStatic-Leaflet`` ships Leaflet's distribution files. :func:`install_leaflet` copies them
into the folder Streamlit serves at ``/app/static/`` (``server.static``: under the data
folder; ``server.enableStaticServing = true``). The folium renderer (``layers.leaflet``)
points every map at :data:`LEAFLET_JS` / :data:`LEAFLET_CSS` and at nothing else.
"""

from __future__ import annotations

from pathlib import Path

from xstatic.pkg import leaflet as _xstatic_leaflet

from geodata.storage import write_bytes_atomic

LEAFLET_VERSION = _xstatic_leaflet.VERSION
STATIC_URL = "/app/static"
VENDOR_DIR = "vendor/leaflet"
# The version in the URL lets browsers keep the files (server.compress: immutable).
LEAFLET_JS = f"{STATIC_URL}/{VENDOR_DIR}/leaflet.js?v={LEAFLET_VERSION}"
LEAFLET_CSS = f"{STATIC_URL}/{VENDOR_DIR}/leaflet.css?v={LEAFLET_VERSION}"


def leaflet_source() -> Path:
    """The folder of the installed package holding leaflet.js, leaflet.css and images/."""
    return Path(_xstatic_leaflet.BASE_DIR)


def _wanted(source: Path) -> list[Path]:
    """Relative paths to copy: the minified script, the stylesheet and its images."""
    files = [Path("leaflet.js"), Path("leaflet.css")]
    files += sorted(p.relative_to(source) for p in (source / "images").iterdir() if p.is_file())
    return files


def _same(a: Path, b: Path) -> bool:
    try:
        return b.stat().st_size == a.stat().st_size and b.read_bytes() == a.read_bytes()
    except FileNotFoundError:
        return False


def install_leaflet(static_dir: Path) -> Path:
    """Copy Leaflet into ``<static_dir>/vendor/leaflet/``; returns that folder.

    Idempotent: files already identical are left alone (no write, same mtime).
    """
    source = leaflet_source()
    target_dir = Path(static_dir) / VENDOR_DIR
    for rel in _wanted(source):
        src, dst = source / rel, target_dir / rel
        if not _same(src, dst):
            write_bytes_atomic(dst, src.read_bytes())
    return target_dir
