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

import asyncio
import hashlib
import re
import urllib.parse
from pathlib import Path
from typing import Any

from geodata.storage import write_bytes_atomic
from text import LANGS

DEFAULT = LANGS[0]
HTML_TAG = re.compile(r"<html\b[^>]*>", re.IGNORECASE)
OTHERS = ",".join(f"'{x}'" for x in LANGS[1:])
SCRIPT_NAME = "page-lang.js"
# Follows the URL parameter on every history change. It also names the map canvases:
# MapLibre labels each one "Map" (English, role "region"), so a page with two maps had two
# identical landmarks and a German page an English one. Each canvas is named in the page's
# language, numbered when there are several.
# On the first load it also holds the page back (``data-loading`` on <html>, hidden by
# STEADY_CSS) until it stands: the sidebar is there and no widget is still a placeholder
# (Streamlit draws a 40 px skeleton until a widget's code has loaded, then the real, taller
# widget pushes the map down). At most 4 s, whatever happens. ``data-preview`` lasts as long
# (at most 30 s): while it is set, the overview's first view (``server.first_view``) covers
# the page, so a slow phone reads the page's text and map instead of a blank screen; then
# the block is removed (one h1 per page, nothing hidden left for a screen reader).
FOLLOW_JS = (
    "(function(){var d=document.documentElement,q=false;"
    "d.setAttribute('data-loading','');d.setAttribute('data-preview','');"
    "setTimeout(function(){d.removeAttribute('data-loading');},4000);"
    "function p(){d.removeAttribute('data-preview');"
    "var f=document.getElementById('first-view');if(f)f.remove();}"
    "setTimeout(p,30000);"
    "function n(){q=false;var m=document.querySelectorAll("
    "'canvas.maplibregl-canvas,canvas.mapboxgl-canvas');"
    "var b=d.lang==='en'?'Map':'Karte';"
    "for(var i=0;i<m.length;i++){var t=m.length>1?b+' '+(i+1):b;"
    "if(m[i].getAttribute('aria-label')!==t)m[i].setAttribute('aria-label',t);}"
    "if((d.hasAttribute('data-loading')||d.hasAttribute('data-preview'))"
    "&&document.querySelector('[data-testid=stSidebar]')"
    "&&document.querySelector('[data-testid=stMain] [data-testid=stElementContainer]')"
    "&&!document.querySelector('[data-testid=stMain] [data-testid=stSkeleton]'))"
    "{d.removeAttribute('data-loading');p();}}"
    "function s(){var l=new URLSearchParams(location.search).get('lang');"
    f"d.lang=[{OTHERS}].indexOf(l)>=0?l:'{DEFAULT}';n();}}"
    "new MutationObserver(function(){if(!q){q=true;requestAnimationFrame(n);}})"
    ".observe(d,{childList:true,subtree:true});"
    "['pushState','replaceState'].forEach(function(m){var o=history[m];"
    "history[m]=function(){var r=o.apply(this,arguments);s();return r;};});"
    "addEventListener('popstate',s);s();})();\n"
)
# Relative like Streamlit's own assets, so it also works under a base URL path. Classic (not
# deferred): it runs before Streamlit's module bundle first touches the history. The version
# in the URL lets browsers keep it (server.compress marks versioned /app/static immutable).
FOLLOW_VERSION = hashlib.sha256(FOLLOW_JS.encode()).hexdigest()[:12]
FOLLOW_TAG = f'<script src="./app/static/{SCRIPT_NAME}?v={FOLLOW_VERSION}"></script>'


def lang_of(query_string: str | bytes) -> str:
    """The page language a URL's query asks for; the default for anything unknown."""
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    value = urllib.parse.parse_qs(query_string).get("lang", [DEFAULT])[-1]
    return value if value in LANGS else DEFAULT


# Streamlit loads the code of most widgets lazily: the page's elements arrive over the
# websocket, then each kind of widget fetches its chunk, and until it has it a placeholder
# stands where the widget will be (the page shifts when it arrives). The overview, the
# default page, uses these; every page opens with a deck.gl map, whose 3 MB bundle would
# otherwise only be requested once the first map element has arrived. Preloading them (and
# the modules they import) from the start lets the browser fetch and compile them while
# the page connects. A chunk the installed Streamlit does not have is skipped.
PRELOADED = ("DeckGlJsonChart", "webgl-device", "Radio", "PageLink", "ButtonGroup",
             "Selectbox", "Slider", "DataFrame", "rehype-raw")
FONTS = ("SourceSansVF-Upright.ttf", "MaterialSymbols-Rounded")
# Before the first script run's elements arrive, Streamlit draws an empty, centred page
# without a sidebar; then the wide layout and the sidebar (every page has the language
# switch there) push everything sideways, and widgets replace their placeholders: layout
# shifts of about 0.47 in all. The page stays invisible while FOLLOW_JS says it is loading
# (a moment, with the same elements), so nobody sees it jump.
STEADY_CSS = ("<style>html[data-loading] [data-testid=stAppViewContainer]"
              "{visibility:hidden}</style>")
IMPORTS = re.compile(r'(?:from|import)\s*"\./([\w.-]+\.js)"')


def _imports(js: Path, name: str, seen: set[str]) -> list[str]:
    """``name`` and, depth first, the modules it imports statically."""
    if name in seen or not (js / name).is_file():
        return []
    seen.add(name)
    head = (js / name).read_text(encoding="utf-8", errors="replace")[:30_000]
    out = [name]
    for dep in IMPORTS.findall(head):
        out += _imports(js, dep, seen)
    return out


def preloads(static_dir: Path, html: str, chunks: tuple[str, ...] = PRELOADED) -> str:
    """``<link rel=modulepreload>`` tags for the named lazy chunks and their static imports
    (as far as index.html does not load them already), and their stylesheets."""
    js = Path(static_dir, "static", "js")
    seen = {m for m in re.findall(r"\./static/js/([\w.-]+\.js)", html)}
    wanted: list[str] = []
    for chunk in chunks:
        for path in sorted(js.glob(f"{chunk}.*.js")):
            wanted += _imports(js, path.name, seen)
    links = [f'<link rel="modulepreload" crossorigin href="./static/js/{n}">' for n in wanted]
    for chunk in chunks:
        links += [f'<link rel="stylesheet" href="./static/css/{p.name}">'
                  for p in sorted(Path(static_dir, "static", "css").glob(f"{chunk}.*.css"))]
    # The text font and the icon font: arriving late, they change line heights and widths.
    for font in FONTS:
        links += [f'<link rel="preload" as="font" type="font/woff2" crossorigin '
                  f'href="./static/media/{p.name}">'
                  for p in sorted(Path(static_dir, "static", "media").glob(f"{font}.*.woff2"))]
    return "".join(links) + STEADY_CSS


def localise(html: str, lang: str, extra_head: str = "") -> str:
    """Streamlit's index.html with ``<html lang=…>`` set and the follow script in <head>."""
    if lang not in LANGS:
        lang = DEFAULT
    out, n = HTML_TAG.subn(f'<html lang="{lang}">', html, count=1)
    if n != 1:
        raise ValueError("no <html> tag in Streamlit's index.html")
    return out.replace("<head>", "<head>" + FOLLOW_TAG, 1).replace(
        "</head>", extra_head + "</head>", 1)


def write_script(static_dir: Path) -> Path:
    """Put the follow script where Streamlit's static serving finds it (atomically)."""
    target = static_dir / SCRIPT_NAME
    if target.is_file() and target.read_text(encoding="utf-8") == FOLLOW_JS:
        return target
    write_bytes_atomic(target, FOLLOW_JS.encode("utf-8"))
    return target


def install() -> None:
    """Wrap Streamlit's static handler so its index.html answers come localised."""
    from starlette.responses import HTMLResponse
    from streamlit.web.server.starlette import starlette_static_routes as routes

    from . import first_view

    if getattr(routes.create_streamlit_static_handler, "_page_lang", False):
        return
    original = routes.create_streamlit_static_handler

    def create(directory: str, base_url: str | None) -> Any:
        handler = original(directory, base_url)
        index = Path(directory, "index.html").resolve()
        source = index.read_text(encoding="utf-8")
        extra = preloads(Path(directory), source)
        pages = {lang: localise(source, lang, extra) for lang in LANGS}
        get_response = handler.get_response

        async def localised(path: str, scope: Any) -> Any:
            response = await get_response(path, scope)
            served = getattr(response, "path", None)
            if served is None or Path(served).resolve() != index:
                return response
            query = scope.get("query_string", b"")
            lang = lang_of(query)
            page = pages[lang]
            if first_view.wanted(path, query):
                # built once per language and data state (warmed at start); off the loop
                block = await asyncio.to_thread(first_view.markup, lang)
                page = first_view.insert(page, block)
            return HTMLResponse(page, status_code=response.status_code,
                                headers={"Cache-Control": "no-cache"})

        handler.get_response = localised
        return handler

    create._page_lang = True  # type: ignore[attr-defined]
    routes.create_streamlit_static_handler = create
