"""The page declares its language (WCAG 3.1.1): ``<html lang="de">``, or ``en`` on ``?lang=en``.

Streamlit's index.html says ``lang="en"`` whatever the app shows, so a screen reader would
read German text with English pronunciation. :func:`install` (called by ``server.serve`` before
the server starts; nothing in site-packages is modified) makes the server answer every
request for the app's HTML with a copy whose ``lang`` follows the URL's ``lang`` parameter,
so the very first HTML is right. A small script keeps the attribute in step when the
language switch rewrites the URL (Streamlit updates it with ``history.pushState`` /
``replaceState``) and on back/forward, and gives each map canvas a name in that
language. The script is a file served from ``/app/static`` (``server.static`` writes it; not
inline), so a Content-Security-Policy without 'unsafe-inline'
(deploy/nginx.conf.template) lets it run.
"""

from __future__ import annotations

import os
import re
import urllib.parse
from pathlib import Path
from typing import Any

from text import LANGS

DEFAULT = LANGS[0]
HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
OTHERS = ",".join(f"'{x}'" for x in LANGS[1:])
SCRIPT_NAME = "page-lang.js"
# Follows the URL parameter on every history change. It also names the map canvases:
# MapLibre labels each one "Map" (English, role "region"), so a page with two maps had two
# identical landmarks and a German page an English one. Each canvas is named in the page's
# language, numbered when there are several. Only these two attributes are touched.
FOLLOW_JS = (
    "(function(){var d=document.documentElement,q=false;"
    "function n(){q=false;var m=document.querySelectorAll("
    "'canvas.maplibregl-canvas,canvas.mapboxgl-canvas');"
    "var b=d.lang==='en'?'Map':'Karte';"
    "for(var i=0;i<m.length;i++){var t=m.length>1?b+' '+(i+1):b;"
    "if(m[i].getAttribute('aria-label')!==t)m[i].setAttribute('aria-label',t);}}"
    "function s(){var l=new URLSearchParams(location.search).get('lang');"
    f"d.lang=[{OTHERS}].indexOf(l)>=0?l:'{DEFAULT}';n();}}"
    "new MutationObserver(function(){if(!q){q=true;requestAnimationFrame(n);}})"
    ".observe(d,{childList:true,subtree:true});"
    "['pushState','replaceState'].forEach(function(m){var o=history[m];"
    "history[m]=function(){var r=o.apply(this,arguments);s();return r;};});"
    "addEventListener('popstate',s);s();})();\n"
)
# Relative like Streamlit's own assets, so it also works under a base URL path. Classic (not
# deferred): it runs before Streamlit's module bundle first touches the history.
FOLLOW_TAG = f'<script src="./app/static/{SCRIPT_NAME}"></script>'


def lang_of(query_string: str | bytes) -> str:
    """The page language a URL's query asks for; the default for anything unknown."""
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    value = urllib.parse.parse_qs(query_string).get("lang", [DEFAULT])[-1]
    return value if value in LANGS else DEFAULT


def localise(html: str, lang: str) -> str:
    """Streamlit's index.html with ``<html lang=…>`` set and the follow script in <head>."""
    if lang not in LANGS:
        lang = DEFAULT
    out, n = HTML_TAG.subn(f'<html lang="{lang}">', html, count=1)
    if n != 1:
        raise ValueError("no <html> tag in Streamlit's index.html")
    return out.replace("<head>", "<head>" + FOLLOW_TAG, 1)


def write_script(static_dir: Path) -> Path:
    """Put the follow script where Streamlit's static serving finds it (atomically)."""
    target = static_dir / SCRIPT_NAME
    if target.is_file() and target.read_text(encoding="utf-8") == FOLLOW_JS:
        return target
    static_dir.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{SCRIPT_NAME}.{os.getpid()}.tmp")
    tmp.write_text(FOLLOW_JS, encoding="utf-8")
    os.replace(tmp, target)
    return target


def install() -> None:
    """Wrap Streamlit's static handler so its index.html answers come localised."""
    from starlette.responses import HTMLResponse
    from streamlit.web.server.starlette import starlette_static_routes as routes

    if getattr(routes.create_streamlit_static_handler, "_page_lang", False):
        return
    original = routes.create_streamlit_static_handler

    def create(directory: str, base_url: str | None) -> Any:
        handler = original(directory, base_url)
        index = Path(directory, "index.html").resolve()
        source = index.read_text(encoding="utf-8")
        pages = {lang: localise(source, lang) for lang in LANGS}
        get_response = handler.get_response

        async def localised(path: str, scope: Any) -> Any:
            response = await get_response(path, scope)
            served = getattr(response, "path", None)
            if served is None or Path(served).resolve() != index:
                return response
            return HTMLResponse(pages[lang_of(scope.get("query_string", b""))],
                                status_code=response.status_code,
                                headers={"Cache-Control": "no-cache"})

        handler.get_response = localised
        return handler

    create._page_lang = True  # type: ignore[attr-defined]
    routes.create_streamlit_static_handler = create
