"""The district profiles (``profiles/``) served by the app's own server at ``/profile/``.

Files come from ``<data folder>/profiles/current`` (the last complete build; a new build
switches the link atomically), are compressed like every other text (``server.compress``)
and cached: hashed assets for a year, pages revalidated. When the stored data are newer
than the build (a refresh that did not run ``make site``), the server rebuilds them in the
background after its warm-up; ``DASHBOARD_PROFILES_AUTOBUILD=0`` turns that off.
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

import geodata
from profiles.build import current, is_stale

from .compress import IMMUTABLE

PREFIX = "profile"
# Crawlers may read the profiles (and the app's pages); Streamlit's own endpoints are no
# pages. Without it, /robots.txt answered with the app's HTML.
ROBOTS = "User-agent: *\nDisallow: /_stcore/\nAllow: /\n"
ENV_AUTOBUILD = "DASHBOARD_PROFILES_AUTOBUILD"


class ProfileFiles:
    """ASGI app for the files of the current build; nothing outside it is reachable."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder

    def _root(self) -> Path:
        return self.folder or current(geodata.load_settings())

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        from starlette.responses import FileResponse, PlainTextResponse

        path = scope["path"]
        root_path = scope.get("root_path", "")
        rel = path[len(root_path):] if root_path and path.startswith(root_path) else path
        base = self._root().resolve()
        target = (base / rel.lstrip("/")).resolve()
        if target.is_dir():
            target = target / "index.html"
        if (scope["method"] not in ("GET", "HEAD") or not target.is_relative_to(base)
                or not target.is_file() or target.suffix == ".gz"):
            await PlainTextResponse("Not found", status_code=404)(scope, receive, send)
            return
        hashed = target.relative_to(base).parts[0] == "assets"
        response = FileResponse(target, headers={
            "Cache-Control": IMMUTABLE if hashed else "no-cache",
            "X-Content-Type-Options": "nosniff"})
        await response(scope, receive, send)


def profile_path(code: str | None, lang: str) -> str | None:
    """``profile/de/stadtmitte.html``: a district's profile below the app's address, when
    built (a link relative to the app works behind any base path)."""
    if not code:
        return None
    try:
        manifest = json.loads((current(geodata.load_settings()) / "manifest.json").read_text(
            encoding="utf-8"))
        rel = manifest["districts"][code][lang]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    # the build writes slugs; anything else in the file does not become a link
    ok = isinstance(rel, str) and re.fullmatch(r"(de|en)/[a-z0-9-]+\.html", rel)
    return f"{PREFIX}/{rel}" if ok else None


def profile_url(base_url: str, code: str | None, lang: str) -> str | None:
    """The address of a district's profile (for the presenter's QR code), when built."""
    path = profile_path(code, lang)
    return f"{base_url.rstrip('/')}/{path}" if path else None


def install() -> None:
    """Mount :class:`ProfileFiles` at ``/profile`` in front of Streamlit's routes."""
    from starlette.responses import PlainTextResponse, RedirectResponse
    from starlette.routing import Mount, Route
    from streamlit import config
    from streamlit.url_util import make_url_path
    from streamlit.web.server.starlette import starlette_app as sa

    if getattr(sa.create_streamlit_routes, "_profiles", False):
        return
    original = sa.create_streamlit_routes

    def create(runtime: Any) -> list:
        base = config.get_option("server.baseUrlPath") or ""
        path = make_url_path(base, PREFIX)

        async def slash(_request: Any) -> RedirectResponse:
            return RedirectResponse(path + "/", status_code=301)

        async def robots(_request: Any) -> PlainTextResponse:
            return PlainTextResponse(ROBOTS, headers={"Cache-Control": "public, max-age=86400"})

        return [Route(path, slash, methods=["GET", "HEAD"]),
                Route(make_url_path(base, "robots.txt"), robots, methods=["GET", "HEAD"]),
                Mount(path, app=ProfileFiles()), *original(runtime)]

    create._profiles = True  # type: ignore[attr-defined]
    sa.create_streamlit_routes = create


def rebuild_when_stale(after: threading.Event) -> threading.Thread | None:
    """Rebuild the profiles in the background when the data are newer (after ``after``)."""
    if os.environ.get(ENV_AUTOBUILD, "1") == "0":
        return None

    def run() -> None:
        after.wait()
        settings = geodata.load_settings()
        try:
            if not geodata.open_store(settings).has("stadtbereiche") or not is_stale(settings):
                return
            from profiles.build import build
            from profiles.pdf import chromium

            result = build(settings, pdf=chromium() is not None)
            print(f"  Profiles rebuilt: {len(result.pages)} pages, {len(result.pdfs)} PDFs "
                  f"in {result.seconds:.0f} s", flush=True)
        except Exception as exc:  # the app serves on; the old build stays in place
            print(f"  Profiles not rebuilt: {exc}", flush=True)

    thread = threading.Thread(target=run, name="profiles", daemon=True)
    thread.start()
    return thread
