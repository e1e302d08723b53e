"""What both stores (files and PostGIS) write the same way: the frame as GeoParquet, its
checksum, the record's timestamps and atomic JSON files.

Apart from ``store`` and ``postgis`` so neither imports the other's internals.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
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


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, default=str)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


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
