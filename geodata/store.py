"""GeoParquet store with one JSON record per dataset (Stand, source, licence, checksum).

Each dataset's data lives in ``<id>.<checksum>.parquet``; the JSON record names the current
file and is replaced atomically, so writing it is the commit: a crash before that leaves the
previous good copy in charge, a crash after it only leaves an old file to sweep away.
Loading reads local files only.

``open_store(settings)`` picks this file store or, when a database URL is configured, the
PostGIS store (``geodata.postgis``) with the same methods; callers never construct either.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

import geopandas as gpd
import pandas as pd

from .config import Settings
from .errors import GeodataError, StoreError
from .fetch import _describe_oserror
from .storage import now, sha256_file, write_frame, write_json_atomic


class DatasetStore(Protocol):
    """What refresh, loaders, CLI and app need from a store (files or PostGIS).

    ``meta`` holds Stand, source, licence and ``file_sha256``: the checksum of the data as
    GeoParquet, the same in both stores, which the app uses as its cache key.
    """

    raw: Path  # local cache of downloaded files, for conditional requests

    def describe(self) -> str: ...
    def problem(self) -> str | None: ...
    def meta(self, dataset_id: str) -> dict[str, Any] | None: ...
    def has(self, dataset_id: str) -> bool: ...
    def load(self, dataset_id: str) -> pd.DataFrame: ...
    def size_bytes(self) -> int: ...
    def lock(self, dataset_id: str) -> contextlib.AbstractContextManager[None]: ...
    def commit(self, dataset_id: str, frame: pd.DataFrame, meta: dict[str, Any]) -> dict: ...
    def touch(self, dataset_id: str, **fields: Any) -> None: ...
    def record_error(self, dataset_id: str, error: GeodataError) -> None: ...


def open_store(settings: Settings) -> DatasetStore:
    """PostGIS when ``settings.database_url`` is set, else GeoParquet files (the default)."""
    if settings.database_url:
        from .postgis import PostgisStore  # psycopg is only imported when a database is used

        return PostgisStore(settings)
    return Store(settings)


def checksums(settings: Settings, dataset_ids: Iterable[str]) -> dict[str, str]:
    """The stored files' checksums ("" for none): what is built from them is stale when
    they change (the app's caches, the profiles, the overview's first view)."""
    store = open_store(settings)
    return {i: str((store.meta(i) or {}).get("file_sha256") or "") for i in dataset_ids}


# Parsed files, shared by every Store of the process. A file's name carries its checksum
# (plus mtime and size in the key, for files replaced in place), so a key always means the
# same content. Parsing costs 20–50 ms a file (mostly the CRS) and every new map re-reads
# districts, water and the population table: under load this was half of a rerun.
_PARSED: OrderedDict[tuple[str, int, int], pd.DataFrame] = OrderedDict()
_PARSED_MAX = 32
_PARSED_LOCK = threading.Lock()


def _read_cached(path: Path, geometry: bool) -> pd.DataFrame:
    """A private copy of the parsed file (callers may add columns to what they get)."""
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _PARSED_LOCK:
        frame = _PARSED.get(key)
        if frame is not None:
            _PARSED.move_to_end(key)
    if frame is None:
        frame = gpd.read_parquet(path) if geometry else pd.read_parquet(path)
        with _PARSED_LOCK:
            _PARSED[key] = frame
            while len(_PARSED) > _PARSED_MAX:
                _PARSED.popitem(last=False)
    return frame.copy()


class Store:
    """The default store: GeoParquet files in ``<data_dir>/store``."""

    def __init__(self, settings: Settings) -> None:
        self.root = Path(settings.data_dir)
        self.dir = self.root / "store"
        self.raw = self.root / "raw"

    def describe(self) -> str:
        return f"files in {self.dir}"

    def problem(self) -> str | None:
        """Files are always there to read; a missing one is a missing dataset, not an outage."""
        return None

    # -- reading ----------------------------------------------------------------------------

    def meta_path(self, dataset_id: str) -> Path:
        return self.dir / f"{dataset_id}.json"

    def meta(self, dataset_id: str) -> dict[str, Any] | None:
        path = self.meta_path(dataset_id)
        if not path.is_file():
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return None

    def has(self, dataset_id: str) -> bool:
        meta = self.meta(dataset_id)
        return bool(meta and meta.get("file") and (self.dir / meta["file"]).is_file())

    def load(self, dataset_id: str) -> pd.DataFrame:
        """The last good copy; raises StoreError (kind ``missing``) when there is none."""
        meta = self.meta(dataset_id)
        if not meta or not meta.get("file"):
            raise StoreError(
                dataset_id, "there is no local copy yet; run `python -m geodata refresh`",
                "missing",
            )
        path = self.dir / meta["file"]
        try:
            return _read_cached(path, bool(meta.get("geometry")))
        except (OSError, ValueError) as exc:
            raise StoreError(dataset_id, f"the local copy {path.name} cannot be read ({exc})",
                             "missing") from exc

    def size_bytes(self) -> int:
        if not self.dir.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.dir.iterdir() if p.is_file())

    # -- writing ----------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, dataset_id: str) -> Iterator[None]:
        """One refresh per dataset at a time, across processes (CLI and app)."""
        self.dir.mkdir(parents=True, exist_ok=True)
        with (self.dir / f".{dataset_id}.lock").open("w") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def commit(self, dataset_id: str, frame: pd.DataFrame, meta: dict[str, Any]) -> dict:
        """Write the frame, then the record; the previous copy stays valid until the record."""
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{dataset_id}.parquet.tmp"
        try:
            write_frame(frame, tmp)
            with tmp.open("rb") as fh:
                os.fsync(fh.fileno())
            checksum = sha256_file(tmp)
            final = self.dir / f"{dataset_id}.{checksum[:16]}.parquet"
            os.replace(tmp, final)
            record = {**meta, "file": final.name, "file_sha256": checksum,
                      "file_bytes": final.stat().st_size, "last_error": None,
                      "last_error_kind": None, "last_error_at": None}
            write_json_atomic(self.meta_path(dataset_id), record)
        except OSError as exc:
            raise StoreError(dataset_id, f"writing the local copy failed "
                             f"({_describe_oserror(exc)}); the previous copy is kept",
                             "write") from exc
        finally:
            tmp.unlink(missing_ok=True)
        self._sweep(dataset_id, keep=final.name)
        return record

    def _sweep(self, dataset_id: str, keep: str) -> None:
        for old in self.dir.glob(f"{dataset_id}.*.parquet"):
            if old.name != keep:
                old.unlink(missing_ok=True)

    def touch(self, dataset_id: str, **fields: Any) -> None:
        """Update the record (checked_at, cleared error) without touching the data."""
        meta = self.meta(dataset_id) or {"id": dataset_id}
        meta.update(fields)
        write_json_atomic(self.meta_path(dataset_id), meta)

    def record_error(self, dataset_id: str, error: GeodataError) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        meta = self.meta(dataset_id) or {"id": dataset_id}
        meta.update(last_error=str(error), last_error_kind=error.kind, last_error_at=now())
        write_json_atomic(self.meta_path(dataset_id), meta)
