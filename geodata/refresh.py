"""Refresh: download every part, validate, normalise, commit — or keep the last good copy."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from . import catalogue, reference
from .catalogue import Dataset
from .config import Settings, load_settings
from .errors import FetchError, GeodataError, MirrorError, excerpt
from .fetch import Session, fetch, make_session
from .formats.registry import PARSERS
from .storage import now, sha256_file, write_json_atomic
from .store import DatasetStore, open_store
from .validate import refuse_html

# Bump when parsing or normalisation changes, so stores made by older code are rebuilt.
# 2: records carry the data's own date (``reference``) instead of the server's file date.
PARSER_VERSION = 2

# (dataset id, parts done, parts total) — called after every file.
ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Outcome:
    dataset: str
    status: str  # "updated" | "unchanged" | "failed"
    message: str = ""
    rows: int = 0
    seconds: float = 0.0
    bytes_downloaded: int = 0
    kind: str = ""

    @property
    def ok(self) -> bool:
        return self.status != "failed"


def _period(frame: pd.DataFrame) -> str | None:
    if "year" in frame.columns and len(frame):
        lo, hi = int(frame["year"].min()), int(frame["year"].max())
        return f"{lo}–{hi}" if lo != hi else str(lo)
    return None


def recipe_hash(ds: Dataset) -> str:
    """Fingerprint of how a dataset is read: same bytes + same recipe = same store."""
    return hashlib.sha256(f"{PARSER_VERSION}|{ds!r}".encode()).hexdigest()[:16]


def _base_meta(ds: Dataset, settings: Settings) -> dict[str, Any]:
    return ds.provenance() | {"fetched_from": settings.mirror or "official"}


def refresh_dataset(
    ds: Dataset,
    settings: Settings,
    store: DatasetStore,
    session: Session,
    progress: ProgressCallback | None = None,
) -> Outcome:
    started = time.perf_counter()
    if ds.packaged:
        return Outcome(ds.id, "unchanged", "ships with the dashboard; nothing to download")
    try:
        with store.lock(ds.id):
            return _refresh_locked(ds, settings, store, session, progress, started)
    except GeodataError as exc:
        error = exc
    except Exception as exc:  # keep refreshing the others; say what broke
        error = GeodataError(ds.id, f"unexpected {type(exc).__name__}: {excerpt(exc, 80)}",
                             "internal")
    with contextlib.suppress(OSError, GeodataError):  # e.g. the database is down
        store.record_error(ds.id, error)
    return Outcome(ds.id, "failed", str(error), seconds=time.perf_counter() - started,
                   kind=error.kind)


def _refresh_locked(
    ds: Dataset, settings: Settings, store: DatasetStore, session: Session,
    progress: ProgressCallback | None, started: float,
) -> Outcome:
    raw_dir = store.raw / ds.id
    raw_dir.mkdir(parents=True, exist_ok=True)
    http_meta_path = raw_dir / "_http.json"
    try:
        http_meta: dict[str, dict[str, str | None]] = json.loads(http_meta_path.read_text())
    except (OSError, json.JSONDecodeError):
        http_meta = {}
    have_store = store.has(ds.id)
    _sweep_staging(raw_dir)
    staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=raw_dir))
    try:
        files: list[tuple[catalogue.Part, Path]] = []
        fresh: dict[str, dict[str, str | None]] = {}
        downloaded = 0
        for i, part in enumerate(ds.parts, start=1):
            source = part.source(settings.mirror)
            if source is None:
                raise FetchError(ds.id, "this reference geometry has no official download; "
                                 "it is only available from an offline mirror", "unavailable")
            cached = raw_dir / part.filename
            known = http_meta.get(part.filename, {}) if (have_store and cached.is_file()) else {}
            got = fetch(ds.id, source, staging / part.filename, session, settings,
                        etag=known.get("etag"), last_modified=known.get("last_modified"),
                        limits=ds.limits)
            if got.not_modified:
                files.append((part, cached))
                fresh[part.filename] = {"etag": got.etag or known.get("etag"),
                                        "last_modified": got.last_modified
                                        or known.get("last_modified")}
            else:
                assert got.path is not None
                refuse_html(ds.id, got.path, part.filename.split("__")[-1])
                files.append((part, got.path))
                fresh[part.filename] = {"etag": got.etag, "last_modified": got.last_modified}
                downloaded += got.size
            if progress:
                progress(ds.id, i, len(ds.parts))

        source_sha = hashlib.sha256(
            "".join(sha256_file(p) for _, p in files).encode()
        ).hexdigest()
        recipe = recipe_hash(ds)
        old = store.meta(ds.id) or {}
        if have_store and old.get("source_sha256") == source_sha and old.get("recipe") == recipe:
            store.touch(ds.id, checked_at=now(), last_error=None, last_error_kind=None,
                        last_error_at=None, fetched_from=settings.mirror or "official")
            _adopt(staging, raw_dir, fresh, http_meta_path)
            return Outcome(ds.id, "unchanged", "no change since the last refresh",
                           int(old.get("rows", 0)), time.perf_counter() - started, downloaded)

        frame = PARSERS[ds.format](ds, files)
        if frame.empty:
            raise GeodataError(ds.id, "the files hold no rows after validation")
        try:
            ref = reference.derive(ds.reference, frame, ds.reference_value)
        except (ValueError, KeyError) as exc:
            raise GeodataError(ds.id, f"the data's own date cannot be read ({exc})") from exc
        meta = _base_meta(ds, settings) | {
            "reference": ref,
            "retrieved_at": now(),
            "checked_at": now(),
            "rows": len(frame),
            "columns": [c for c in frame.columns if c != "geometry"],
            "geometry": isinstance(frame, gpd.GeoDataFrame),
            "crs": str(frame.crs) if isinstance(frame, gpd.GeoDataFrame) else None,
            "period": _period(frame),
            "parts": len(ds.parts),
            "source_sha256": source_sha,
            "recipe": recipe,
        }
        store.commit(ds.id, frame, meta)
        _adopt(staging, raw_dir, fresh, http_meta_path)
        return Outcome(ds.id, "updated", f"{len(frame):,} rows", len(frame),
                       time.perf_counter() - started, downloaded)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def check_mirror(settings: Settings) -> None:
    mirror = settings.mirror
    if mirror and not mirror.startswith(("http://", "https://")) and not Path(mirror).is_dir():
        raise MirrorError(f"the mirror folder {mirror} was not found (GEODATA_MIRROR or "
                          "--mirror), so nothing was refreshed")


STAGING_PREFIX = ".staging-"


def _sweep_staging(raw_dir: Path) -> None:
    """Remove what refreshes killed half-way left behind. Called under the dataset's lock,
    so no refresh of this dataset that is still running owns any of these folders."""
    for old in raw_dir.glob(STAGING_PREFIX + "*"):
        shutil.rmtree(old, ignore_errors=True)


def _adopt(staging: Path, raw_dir: Path, fresh: dict, http_meta_path: Path) -> None:
    """Keep the validated files for the next conditional request; the record goes last."""
    for path in staging.iterdir():
        os.replace(path, raw_dir / path.name)
    write_json_atomic(http_meta_path, fresh)


def refresh(
    ids: Iterable[str] | None = None,
    settings: Settings | None = None,
    progress: ProgressCallback | None = None,
    *,
    include_unmirrored: bool | None = None,
) -> list[Outcome]:
    """Refresh the given datasets (default: all; offline mirrors skip what they lack).

    Raises :class:`MirrorError` (one sentence, nothing recorded) when the mirror folder
    itself is missing: that is the setting's fault, not every dataset's.
    """
    settings = settings or load_settings()
    check_mirror(settings)
    store = open_store(settings)
    cat = catalogue.load_catalogue()
    if ids:
        chosen = [catalogue.get(i) for i in ids]
    else:
        if include_unmirrored is None:
            include_unmirrored = settings.mirror is None
        chosen = [d for d in cat.values()
                  if not d.packaged and (d.mirrored or include_unmirrored)]
        if settings.mirror is None:
            chosen = [d for d in chosen if not d.mirror_only]
    with make_session(settings) as session:
        return [refresh_dataset(ds, settings, store, session, progress) for ds in chosen]
