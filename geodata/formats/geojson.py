"""GeoJSON FeatureCollections from OpenData.HRO and the reference mirror."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from .. import validate as v
from ..catalogue import Dataset, Part
from ..errors import ValidationError, excerpt


def read_json(dataset: str, path: Path) -> tuple[Any, str]:
    """The parsed file and its name for messages; an empty, truncated or non-UTF-8 file
    gets a sentence saying which, not a parser trace."""
    name = path.name.split("__")[-1]
    raw = path.read_bytes()
    if not raw.strip():
        raise ValidationError(dataset, f"{name} is empty (0 bytes of content)")
    try:
        return json.loads(raw), name
    except json.JSONDecodeError as exc:
        raise ValidationError(
            dataset,
            f"{name} is not valid JSON (it breaks at byte {exc.pos:,} of {len(raw):,}: "
            f"{exc.msg}); the download may be truncated",
        ) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(dataset, f"{name} is not UTF-8 text") from exc


def read_feature_collection(dataset: str, path: Path) -> tuple[gpd.GeoDataFrame, str | None]:
    """Parse without GDAL so that a truncated file gets a sentence, not a driver trace."""
    obj, name = read_json(dataset, path)
    if not isinstance(obj, dict) or obj.get("type") != "FeatureCollection":
        kind = excerpt(obj.get("type")) if isinstance(obj, dict) else type(obj).__name__
        raise ValidationError(dataset, f"{name} is not a GeoJSON FeatureCollection ({kind})")
    features = obj.get("features")
    if not isinstance(features, list) or not features:
        raise ValidationError(dataset, f"{name} holds no features (empty FeatureCollection)")
    crs = None
    member = obj.get("crs")
    if isinstance(member, dict):
        crs = (member.get("properties") or {}).get("name")
    try:
        gdf = gpd.GeoDataFrame.from_features(features)
    except Exception as exc:  # shapely raises several types for broken coordinates
        raise ValidationError(dataset, f"{name} has unreadable geometry "
                              f"({type(exc).__name__}: {excerpt(exc, 80)})") from exc
    if "geometry" not in gdf.columns or gdf.geometry.isna().all():
        raise ValidationError(dataset, f"{name} has features without geometry")
    return gdf, crs


def parse(ds: Dataset, files: list[tuple[Part, Path]]) -> gpd.GeoDataFrame:
    frames = []
    for part, path in files:
        where = path.name.split("__")[-1]
        gdf, declared = read_feature_collection(ds.id, path)
        gdf = gdf.rename(columns=ds.rename)
        gdf = v.check_columns(ds.id, gdf, ds.columns, where)
        gdf = v.check_geometry(ds.id, gdf, ds.geometry, ds.key, where)
        gdf = v.check_crs_and_bounds(ds.id, gdf, ds.source_crs or v.DISPLAY_CRS, declared,
                                     ds.key, where)
        for name, value in part.params.items():
            gdf[name] = value
        frames.append(gdf)
    out = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=v.WORK_CRS)
    if ds.district_codes:
        v.check_district_codes(ds.id, out[ds.key], files[0][1].name)
    elif ds.key and ds.key in out.columns and len(files) == 1:
        v.check_unique(ds.id, out[ds.key], ds.key, files[0][1].name)
    # Keep objects-as-text columns as plain strings: parquet and the UI like them simpler.
    for col in out.columns:
        if col != "geometry" and out[col].dtype == object:
            out[col] = out[col].astype("string")
    return out
