"""The overview's first view: its title, its introduction and its map as a picture, in the
very first HTML — readable before any of Streamlit's JavaScript has arrived.

A phone on a mobile network waits seconds for the 2 MB of code that draw the interactive
page; until then Streamlit's page is blank (and ``server.page_lang`` keeps it hidden until
it stands, at most 4 s). This block covers exactly that time: the page's own heading and
text and the default map (the same layer, classes, colours and names, drawn by
``layers.svg``), with legend and source. It disappears when the interactive page stands —
CSS on ``page_lang``'s ``data-preview`` flag, no script of its own.

Only on the overview opened without a chosen view (a shared link with ``?indicator=…`` or
``?district=…`` would show something else than the picture). Built once per language and
data state (warmed at start), and left out whenever it cannot be built.
"""

from __future__ import annotations

import logging
import threading
import urllib.parse
from xml.sax.saxutils import escape

import geodata
from layers.build import LayerData, build
from layers.registry import get as get_layer
from layers.spec import Query
from layers.svg import render
from text import LANGS, escape_text, source_line, t

log = logging.getLogger(__name__)

LAYERS = ("indikator", "namen_stadtbereiche")  # the overview's default map and its names
DATASETS = tuple(dict.fromkeys([d for i in LAYERS for d in get_layer(i).datasets]))
WIDTH = 720
# Shown while <html data-loading>; then gone. Sized like Streamlit's page (its font, its
# main column's padding) so the switch reads as the page filling in, not as a new page.
CSS = (
    "<style>#first-view{position:fixed;inset:0;z-index:1000001;overflow:auto;"
    "background:#fff;color:#31333f;font-family:'Source Sans',system-ui,sans-serif}"
    "html:not([data-preview]) #first-view{display:none}"
    "#first-view .fv{max-width:46rem;margin:0 auto;padding:3.5rem 1rem 2rem}"
    "#first-view h1{font-size:2.25rem;font-weight:700;line-height:1.2;margin:0 0 1rem}"
    "#first-view p{font-size:1rem;line-height:1.6;margin:0 0 1rem}"
    "#first-view img{display:block;max-width:100%;width:auto;height:auto;max-height:70vh;"
    "border:1px solid #ddd}"
    "#first-view ul{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;"
    "gap:.25rem 1rem;font-size:.9rem}"
    "#first-view li span{display:inline-block;width:1.1rem;height:.8rem;margin-right:.3rem;"
    "border:1px solid #666;vertical-align:-1px}"
    "#first-view .small{font-size:.85rem;color:#5c5e6b}"
    "@media (max-width:640px){#first-view h1{font-size:1.75rem}"
    "#first-view .fv{padding-top:2rem}}</style>"
)

_lock = threading.Lock()
_cache: dict[tuple[str, str], str] = {}


def wanted(rel_path: str, query_string: str | bytes) -> bool:
    """The overview itself, with no parameter but the language."""
    if rel_path.strip("/") not in ("", ".", "index.html"):  # "." is how Starlette names "/"
        return False
    if isinstance(query_string, bytes):
        query_string = query_string.decode("latin-1")
    return set(urllib.parse.parse_qs(query_string)) <= {"lang"}


def _legend(layer: LayerData) -> str:
    items = "".join(f'<li><span style="background:{escape(colour)}"></span>'
                    f"{escape_text(label)}</li>" for colour, label in layer.legend())
    return f"<ul>{items}</ul>"


def _build(lang: str, settings: geodata.Settings) -> str:
    from geodata import loaders

    query = Query(lang=lang)
    layers = [build(i, query, settings) for i in LAYERS]
    main = layers[0]
    caption = f"{main.title} {main.year}" + (f" ({main.unit})" if main.unit else "")
    water = loaders.water(settings) if geodata.open_store(settings).has("wasser") else None
    svg = render(layers, water, WIDTH, t("first_view_map", lang, what=caption))
    src = "data:image/svg+xml;charset=utf-8," + urllib.parse.quote(svg, safe=" =:/;,'()")
    sources = " ".join(source_line(loaders.info(i, settings), lang)
                       for i in main.spec.cited)
    return (
        f'<div id="first-view"><div class="fv"><h1>{escape_text(t("overview_title", lang))}'
        f'</h1><p>{escape_text(t("overview_intro", lang))}</p>'
        f'<p><strong>{escape_text(caption)}</strong></p>'
        f'<img alt="{escape_text(t("first_view_map", lang, what=caption))}" '
        f'width="{WIDTH}" src="{src}">{_legend(main)}'
        f'<p class="small">{escape_text(sources)}</p>'
        f'<p class="small">{escape_text(t("first_view_wait", lang))}</p></div></div>' + CSS)


def markup(lang: str, settings: geodata.Settings | None = None) -> str:
    """The block for ``lang`` as of the stored data; empty when it cannot be built."""
    try:
        settings = settings or geodata.load_settings()
        key = (lang, "|".join(geodata.checksums(settings, DATASETS).values()))
        with _lock:
            if key not in _cache:
                if len(_cache) >= 2 * len(LANGS):  # an older data state: not needed again
                    _cache.clear()
                _cache[key] = _build(lang, settings)
            return _cache[key]
    except Exception:  # a first view is a courtesy: the page works without it
        log.exception("first view: not built")
        return ""


def insert(page: str, block: str) -> str:
    """The block right after <body>, before Streamlit's root."""
    return page.replace("<body>", "<body>" + block, 1) if block else page
