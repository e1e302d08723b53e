"""The app's only cache of data, keyed by dataset id and the stored file's checksum.

On first use a dataset may be missing locally: it is fetched once (mirror or official host)
with a visible progress bar, and a failure is shown as a sentence, not a traceback.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
import streamlit as st

import geodata
from app import settings as app_settings
from geodata import loaders, search
from geodata.refresh import check_mirror
from geodata.tiles import TileSource
from layers import registry, tilepack
from layers.build import LayerData, build
from layers.deck import VIEW_3D, VIEW_SMALL, CompactDeck, MapView, deck
from layers.spec import Query
from server import static
from text import data_date, escape_markdown, number, source_line
from text.provenance import dates

from .i18n import day, lang, t

log = logging.getLogger(__name__)


def _settings() -> geodata.Settings:
    return geodata.load_settings()


# After a failed fetch the app waits this long before trying that dataset again. The memory
# is shared by all sessions: at an offline event every new visitor would otherwise wait for
# the same timeouts again.
RETRY_AFTER_S = 300
_failed_at: dict[str, float] = {}
_failed_lock = threading.Lock()


def stamp(dataset_ids: Iterable[str]) -> str:
    """Checksums of the stored files: a cache key that changes exactly when the data do."""
    return "|".join(geodata.checksums(_settings(), dataset_ids).values())



def ensure(dataset_ids: Iterable[str]) -> list[geodata.Outcome]:
    """Fetch what has no local copy yet, with ``st.progress``; returns the failures."""
    dataset_ids = geodata.stored(dataset_ids)
    settings = _settings()
    if not settings.fetch_on_demand:  # a replica: the refresh job alone fetches
        return []
    store = geodata.open_store(settings)
    now = time.time()
    with _failed_lock:
        missing = [i for i in dataset_ids if not store.has(i)
                   and now - _failed_at.get(i, 0) > RETRY_AFTER_S]
    if not missing:
        return []
    total = sum(len(geodata.get(i).parts) for i in missing)
    bar = st.progress(0.0, text=t("loading_first"))
    done = 0

    def progress(dataset_id: str, _n: int, _parts: int) -> None:
        nonlocal done
        done += 1
        title = geodata.get(dataset_id).title(lang())
        bar.progress(min(done / total, 1.0), text=t("loading_dataset", title=title,
                                                     done=done, total=total))

    # A visitor is waiting: one retry and short timeouts (the CLI keeps its patient ones).
    quick = settings.with_(retries=1, connect_timeout=min(settings.connect_timeout, 3.0))
    try:
        outcomes = geodata.refresh(missing, quick, progress)
    except geodata.MirrorError as exc:  # one sentence for all, not one per dataset
        outcomes = [geodata.Outcome(i, "failed", str(exc), kind=exc.kind) for i in missing]
        log.warning("refresh: %s", exc)  # the folder's path stays in the log; available()
        # says it on the page, once, in the page's language
    bar.empty()
    with _failed_lock:
        for o in outcomes:
            if not o.ok:
                _failed_at[o.dataset] = now
    return [o for o in outcomes if not o.ok]


# With the shared database down every question to it waits for the connect timeout, so
# whether it answers is asked at most this often (for all sessions together).
PROBLEM_TTL_S = 10.0
_problems: dict[str | None, tuple[float, str | None]] = {}


def store_problem() -> str | None:
    """Why the store cannot be read at all right now (None when it can)."""
    settings = _settings()
    checked, problem = _problems.get(settings.database_url, (float("-inf"), None))
    now = time.monotonic()
    if now - checked > PROBLEM_TTL_S:
        problem = geodata.open_store(settings).problem()
        if problem:
            log.warning("%s", problem)
        _problems[settings.database_url] = (now, problem)
    return problem


def outage_notice() -> None:
    """One plain sentence on every page while the database is down (details go to the log:
    host names are not for the public)."""
    if store_problem():
        st.warning(t("store_unreachable"), icon="⚠️")


_SHOWN = "_refresh_failed_shown"
LOCAL_TIME = ZoneInfo("Europe/Berlin")


def start_run() -> None:
    """Called by the frame at the start of every run: each notice below once per page."""
    st.session_state[_SHOWN] = set()


def refresh_failed(meta: dict[str, Any]) -> str | None:
    """The calm sentence for a dataset that has a good copy (its record ``meta``) when its
    last refresh failed; None when that went well. It names the copy in use by both its
    dates, as every source line does: the data's own date and the day it was retrieved."""
    failed_at = meta.get("last_error_at")
    if not failed_at:
        return None
    failed = datetime.fromisoformat(str(failed_at)).astimezone(LOCAL_TIME).date().isoformat()
    in_use = {"reference": meta.get("reference"), "retrieved_at": meta.get("retrieved_at")}
    return t("refresh_failed", dataset=geodata.get(str(meta.get("id"))).title(lang()),
             failed=day(failed), dates=dates(in_use, lang(), capital=False))


def _refresh_failed_notice(store: geodata.DatasetStore, dataset_ids: Iterable[str]) -> None:
    shown = st.session_state.setdefault(_SHOWN, set())
    for dataset_id in dataset_ids:
        if dataset_id in shown:
            continue
        sentence = refresh_failed({"id": dataset_id, **(store.meta(dataset_id) or {})})
        if sentence:
            shown.add(dataset_id)
            st.info(escape_markdown(sentence), icon="ℹ️")


def _mirror_found(settings: geodata.Settings) -> bool:
    try:
        check_mirror(settings)
    except geodata.MirrorError:
        return False
    return True


def available(dataset_ids: Iterable[str], warn: bool = True) -> bool:
    """Make sure the datasets are here (fetching once if needed); warn about what is not,
    and say (once per page) when a dataset's last refresh failed and its older copy is in
    use. Packaged entries (geodata.Dataset.packaged) ship with the dashboard: always here."""
    ids = geodata.stored(dataset_ids)
    if store_problem():  # outage_notice() has said so; downloading would not help
        return False
    ensure(ids)
    settings = _settings()
    store = geodata.open_store(settings)
    missing = [i for i in ids if not store.has(i)]
    if missing and not _mirror_found(settings):  # one sentence for all datasets
        shown = st.session_state.setdefault(_SHOWN, set())
        if warn and "mirror" not in shown:
            shown.add("mirror")
            st.warning(t("data_unavailable", message=t("error.mirror")), icon="⚠️")
        return False
    waiting = "not_loaded_yet" if settings.fetch_on_demand else "not_refreshed_yet"
    for dataset_id in missing if warn else []:
        meta = store.meta(dataset_id) or {}
        title = geodata.get(dataset_id).title(lang())
        # The English detail stays in the log and `geodata status`; the page says it in
        # its own language.
        reason = (f"{title}: {error_text(meta, lang())}" if meta.get("last_error")
                  else t(waiting, dataset=title))
        st.warning(t("data_unavailable", message=escape_markdown(reason)), icon="⚠️")
    _refresh_failed_notice(store, [i for i in ids if i not in missing])
    return not missing


@st.cache_data(show_spinner=False, max_entries=64)
def _cached(loader_name: str, args: tuple, stamp: str) -> Any:
    return getattr(loaders, loader_name)(*args)


def load(loader: loaders.Loader, *args: Any) -> Any:
    """A loader of ``geodata.loaders`` through the cache, keyed by the data it declares it
    reads (``loader.datasets``); None when that data is missing (a warning says which)."""
    if getattr(loaders, loader.__name__, None) is not loader:
        raise ValueError(f"{loader!r} is not a loader of geodata.loaders")
    if loader.datasets and not available(loader.datasets):
        return None
    return _cached(loader.__name__, args, stamp((*loader.datasets, *loader.optional)))


@st.cache_data(show_spinner=False, max_entries=16)
def _points(dataset_id: str, stamp: str) -> Any:
    return loaders.points(dataset_id)


def points(dataset_id: str) -> Any:
    """An online point dataset through the cache; None when it cannot be had."""
    if not available([dataset_id], warn=False):
        return None
    return _points(dataset_id, stamp([dataset_id]))


# pyproj keeps its PROJ context (and each CRS's and transformer's parsed form) per thread,
# and Streamlit runs every rerun in a new thread: a new map there paid about 0.15 s to set
# PROJ up again. New layers and decks are built in this one long-lived thread instead.
_BUILDER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="map-builder")


def _in_builder(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return _BUILDER.submit(fn, *args, **kwargs).result()


@st.cache_data(show_spinner=False, max_entries=256)
def _layer(layer_id: str, query: Query, stamp: str) -> LayerData:
    return _in_builder(build, layer_id, query)


def layer(layer_id: str, query: Query, warn: bool = True) -> LayerData | None:
    """A layer ready to draw, cached by layer, query and the data behind it."""
    spec = registry.get(layer_id)
    if not available(spec.datasets, warn):
        return None
    return _layer(layer_id, query, stamp(spec.datasets))


def names_for(drawn: Sequence[LayerData]) -> list[LayerData]:
    """The name layers (districts, Ortsteile) that go with the drawn layers."""
    if not drawn:
        return []
    ids = registry.names_for([d.spec.id for d in drawn])
    return [x for x in (layer(i, drawn[0].query, warn=False) for i in ids) if x is not None]


def district_names() -> dict[str, str]:
    """Code → name of the 21 Stadtbereiche (empty when they are not stored)."""
    districts = load(loaders.districts)
    return {} if districts is None else dict(zip(districts.code, districts.name, strict=True))


def layers(layer_ids: Sequence[str], query: Query) -> tuple[list[LayerData], list[str]]:
    """The layers that can be drawn, and the ids of those whose data cannot be had."""
    shown, missing = [], []
    for layer_id in layer_ids:
        built = layer(layer_id, query, warn=False)
        if built is None:
            missing.append(layer_id)
        else:
            shown.append(built)
    return shown, missing


@st.cache_resource(show_spinner=False, max_entries=64)
def _deck(key: tuple, _layers: tuple[LayerData, ...], map_style: str,
          extruded: bool, small: bool, view: MapView | None, on_streets: bool) -> CompactDeck:
    def make() -> CompactDeck:
        if view is not None:
            made = deck(_layers, map_style, view=view.view_state(), extruded=extruded,
                        on_streets=on_streets)
        elif extruded:
            made = deck(_layers, map_style, view=VIEW_3D, extruded=True, elevation_scale=1.0,
                        on_streets=on_streets)
        else:
            made = deck(_layers, map_style, view=VIEW_SMALL if small else None,
                        on_streets=on_streets)
        made.to_json()  # serialised once, here
        return made

    return _in_builder(make)


def deck_for(layers: Sequence[LayerData], map_style: str, extruded: bool = False,
             small: bool = False, view: MapView | None = None,
             on_streets: bool = False) -> CompactDeck:
    """One Deck per (layers, query, data, view), shared by reruns and sessions: its JSON is
    serialised once instead of on every rerun."""
    key = tuple((d.spec.id, d.query, stamp(d.spec.datasets)) for d in layers)
    return _deck(key, tuple(layers), map_style, extruded, small, view, on_streets)


@st.cache_resource(show_spinner=False)
def _static(stamp: str, streets: TileSource | None) -> str:
    return static.prepare(_settings(), streets)  # ``stamp``: written again when data change


def street_tiles() -> TileSource | None:
    """The street map to draw under the districts: the configured online one (never in
    offline mode), else the offline tile pack when one is built, else none."""
    settings = _settings()
    try:
        online = app_settings.street_map()
    except ValueError as exc:  # a malformed setting: say so in the log, draw without
        log.warning("no street map: %s", exc)
        online = None
    if online is not None and not settings.offline:
        return online
    return tilepack.pack_source(settings.data_dir)


def basemap_url(streets: TileSource | None = None) -> str:
    """URL of the local map style (on ``streets`` when given); written again when
    districts or water change."""
    return _static(stamp(("stadtbereiche", "wasser")), streets)


@st.cache_resource(show_spinner=False, max_entries=4)
def _gazetteer(stamp: str) -> search.Gazetteer:
    return loaders.gazetteer(_settings())


def gazetteer() -> search.Gazetteer | None:
    """The search's gazetteer, shared by all sessions; rebuilt when any list behind it
    changes. None without districts."""
    required, optional = loaders.gazetteer.datasets, loaders.gazetteer.optional
    if not available(required):
        return None
    return _gazetteer(stamp((*required, *optional)))


def source_lines(dataset_ids: Iterable[str], language: str) -> list[str]:
    """One plain-text source line per catalogue entry (``text.source_line``), in order."""
    settings = _settings()
    return [source_line(loaders.info(i, settings), language) for i in dict.fromkeys(dataset_ids)]


def catalogue_status() -> pd.DataFrame:
    """One row per catalogue entry: the data's own date, the retrieval day, rows, licence,
    publisher, source and the last error — as text, with "–" where there is nothing."""
    lg = lang()
    rows = []
    for ds in geodata.load_catalogue().values():
        info = loaders.info(ds.id, _settings())
        rows.append({
            "id": ds.id,
            "title": ds.title(lg),
            "data_date": data_date(info["reference"], lg) or "–",
            "retrieved": retrieved_day(info, lg),
            "rows": number(info["rows"], lg),
            "licence": ds.licence_in(lg),
            "publisher": ds.publisher_in(lg),
            "source": (ds.page or ds.package) if ds.packaged
            else (ds.official_url or t("source_mirror_only", lg)),
            "available": info["available"] and not ds.packaged,
            "last_error": error_text(info, lg),
        })
    return pd.DataFrame(rows)


ERROR_KINDS = ("timeout", "connection", "unavailable", "http", "answer", "format",
               "validation", "write", "missing")


def error_text(info: dict[str, Any], language: str) -> str:
    """The last failed refresh in a few words of the page's language (the English detail
    goes to the log and `python -m geodata status`); empty when the last one worked."""
    if not info.get("last_error"):
        return ""
    kind = info.get("last_error_kind")
    return t(f"error.{kind if kind in ERROR_KINDS else 'other'}", language)


def retrieved_day(info: dict[str, Any], language: str) -> str:
    """The retrieval day for a table cell, or what stands in for it."""
    if info.get("packaged"):
        return t("source.packaged", language)
    return day(info.get("retrieved_at"), language) or "–"


