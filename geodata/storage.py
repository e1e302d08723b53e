"""What both stores (files and PostGIS) write the same way: the frame as GeoParquet, its
checksum, the record's timestamps and atomic JSON files.

Apart from ``store`` and ``postgis`` so neither imports the other's internals.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd


def now() -> str:
    """UTC now as ISO 8601 to the second, as every record stores it."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_bytes_atomic(path: Path, data: bytes, *, durable: bool = False) -> None:
    """Replace ``path`` so that readers (another server process, a browser) see the old file
    or the new one, never half of one. The temporary name is unique, so two writers at once
    (replicas sharing a data folder) cannot mix their bytes; ``durable`` also survives a
    power cut (the file and its folder are synced). The file is readable by all (0644)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _fsync_dir(path.parent)


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    write_bytes_atomic(path, json.dumps(data, ensure_ascii=False, indent=2,
                                        default=str).encode("utf-8"), durable=True)


def write_frame(frame: pd.DataFrame, path: Path | io.BytesIO) -> None:
    """Parquet (GeoParquet for GeoDataFrames); split out so tests can break it half-way."""
    if isinstance(frame, gpd.GeoDataFrame):
        frame.to_parquet(path, index=False, compression="zstd", schema_version="1.1.0")
    else:
        frame.to_parquet(path, index=False, compression="zstd")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def frame_checksum(frame: pd.DataFrame) -> str:
    """SHA-256 of the frame written as the file store writes it (deterministic)."""
    buf = io.BytesIO()
    write_frame(frame, buf)
    return hashlib.sha256(buf.getvalue()).hexdigest()
