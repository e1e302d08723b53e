"""The app's only cache of data, keyed by dataset id and the stored file's checksum.

On first use a dataset may be missing locally: it is fetched once (mirror or official host)
with a visible progress bar, and a failure is shown as a sentence, not a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd
import streamlit as st

import geodata
from geodata import loaders

from .i18n import t


def _settings() -> geodata.Settings:
    return geodata.load_settings()


def _stamp(dataset_id: str) -> str:
    meta = geodata.Store(_settings()).meta(dataset_id) or {}
    return str(meta.get("file_sha256") or "")


def ensure(dataset_ids: Iterable[str]) -> list[geodata.Outcome]:
    """Fetch what has no local copy yet, with ``st.progress``; returns the failures."""
    settings = _settings()
    store = geodata.Store(settings)
    missing = [i for i in dataset_ids if not store.has(i)]
    if not missing:
        return []
    total = sum(len(geodata.get(i).parts) for i in missing)
    bar = st.progress(0.0, text=t("loading_first"))
    done = 0

    def progress(dataset_id: str, _n: int, _parts: int) -> None:
        nonlocal done
        done += 1
        title = geodata.get(dataset_id).title(st.session_state.get("lang", "de"))
        bar.progress(min(done / total, 1.0), text=t("loading_dataset", title=title,
                                                     done=done, total=total))

    outcomes = geodata.refresh(missing, settings, progress)
    bar.empty()
    return [o for o in outcomes if not o.ok]


@st.cache_data(show_spinner=False, max_entries=64)
def _cached(loader_name: str, dataset_id: str, stamp: str) -> Any:
    return getattr(loaders, loader_name)()


def load(loader_name: str, dataset_id: str) -> Any:
    """Call ``geodata.loaders.<loader_name>`` through the cache; None when there is no data."""
    failures = ensure([dataset_id])
    for failure in failures:
        st.warning(t("data_unavailable", message=failure.message))
    if not geodata.Store(_settings()).has(dataset_id):
        return None
    return _cached(loader_name, dataset_id, _stamp(dataset_id))


def catalogue_status() -> pd.DataFrame:
    """One row per dataset with Stand, rows, licence and the last error."""
    rows = []
    for ds in geodata.load_catalogue().values():
        info = loaders.info(ds.id, _settings())
        rows.append({
            "id": ds.id,
            "title": ds.title(st.session_state.get("lang", "de")),
            "stand": info["stand"],
            "rows": info["rows"],
            "licence": ds.licence,
            "source": ds.official_url or ds.note,
            "available": info["available"],
            "last_error": info["last_error"] or "",
        })
    return pd.DataFrame(rows)


