"""The city's address list (OpenData.HRO ``adressenliste``): one row per house number.

The portal serves it as JSON; the copies in use elsewhere are a plain array of flat objects
(``strasse_name``, ``strasse_schluessel``, ``hausnummer``, ``hausnummer_zusatz``,
``postleitzahl``, ``gemeindeteil_name`` …), and a GeoJSON FeatureCollection of points with the
same properties is accepted too. Whether the official file carries coordinates could not be
checked offline, so both are read: a position from the geometry or from coordinate fields
(lon/lat, or x/y in EPSG:25833), and none otherwise — the search then places such an address
on its street (``geodata.search``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .. import validate as v
from ..catalogue import Dataset, Part
from ..errors import ValidationError, excerpt
from .geojson import read_json

TEXT_COLUMNS = ("strasse_name", "strasse_schluessel", "hausnummer_zusatz", "postleitzahl",
                "gemeindeteil_name", "uuid")
# Coordinate fields a flat record may carry, as (x, y, CRS).
COORDINATE_FIELDS = (("lon", "lat", "EPSG:4326"), ("laenge", "breite", "EPSG:4326"),
                     ("x", "y", None), ("rechtswert", "hochwert", "EPSG:25833"))


def _records(dataset: str, path: Path) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """The rows, and their GeoJSON geometries when the file is a FeatureCollection."""
    obj, name = read_json(dataset, path)
    if isinstance(obj, dict) and obj.get("type") == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list):
            raise ValidationError(dataset, f"{name} has no list of features")
        rows = [dict(f.get("properties") or {}) if isinstance(f, dict) else {}
                for f in features]
        return rows, [f.get("geometry") if isinstance(f, dict) else None for f in features]
    if isinstance(obj, list):
        if not all(isinstance(r, dict) for r in obj):
            raise ValidationError(dataset, f"{name} is a list, but not of address records")
        return obj, None
    kind = excerpt(obj.get("type")) if isinstance(obj, dict) else type(obj).__name__
    raise ValidationError(dataset, f"{name} is neither a list of addresses nor a GeoJSON "
                          f"FeatureCollection ({kind})")


def _points(dataset: str, frame: pd.DataFrame, geometries: list[Any] | None,
            where: str) -> gpd.GeoSeries:
    """One point per row in the file's own CRS (empty where it gives no position);
    ``parse`` checks and reprojects them as every format does (validate)."""
    if geometries is not None:
        try:
            shapes = [shapely.geometry.shape(g) if isinstance(g, dict) else None
                      for g in geometries]
        except Exception as exc:  # shapely raises several types for broken coordinates
            raise ValidationError(dataset, f"{where} has unreadable geometry "
                                  f"({type(exc).__name__}: {excerpt(exc, 80)})") from exc
        wrong = [s.geom_type for s in shapes if s is not None and s.geom_type != "Point"]
        if wrong:
            raise ValidationError(dataset, f"{where}: an address is a {wrong[0]}, "
                                  "expected a point")
        return gpd.GeoSeries(shapes, index=frame.index, crs=v.DISPLAY_CRS)
    for xcol, ycol, crs in COORDINATE_FIELDS:
        if xcol in frame.columns and ycol in frame.columns:
            xs = pd.to_numeric(frame[xcol], errors="coerce").to_numpy(float)
            ys = pd.to_numeric(frame[ycol], errors="coerce").to_numpy(float)
            if crs is None:  # x/y: degrees or metres, told apart by their size
                crs = v.DISPLAY_CRS if np.nanmax(np.abs(xs), initial=0) <= 180 else v.WORK_CRS
            ok = np.isfinite(xs) & np.isfinite(ys)
            points = np.array([shapely.Point(x, y) if good else None
                               for x, y, good in zip(xs, ys, ok, strict=True)], dtype=object)
            return gpd.GeoSeries(points, index=frame.index, crs=crs)
    return gpd.GeoSeries([None] * len(frame), index=frame.index, crs=v.WORK_CRS)


def parse(ds: Dataset, files: list[tuple[Part, Path]]) -> gpd.GeoDataFrame:
    frames = []
    for _part, path in files:
        where = path.name.split("__")[-1]
        rows, geometries = _records(ds.id, path)
        if not rows:
            raise ValidationError(ds.id, f"{where} holds no addresses")
        frame = pd.DataFrame(rows).rename(columns=ds.rename)
        frame = v.check_columns(ds.id, frame, ds.columns, where)
        numbers = frame["hausnummer"]
        if ((numbers < 1) | (numbers > 9999)).any():
            bad = numbers[(numbers < 1) | (numbers > 9999)].iloc[0]
            raise ValidationError(ds.id, f"{where} has an impossible house number {bad}")
        points = _points(ds.id, frame, geometries, where)
        located = points.notna() & ~points.is_empty.fillna(True)
        if located.any():  # every position given must lie in Rostock
            checked = v.check_crs_and_bounds(
                ds.id, gpd.GeoDataFrame(geometry=points[located]), str(points.crs), None, None,
                where)
            points = gpd.GeoSeries(checked.geometry, crs=v.WORK_CRS).reindex(frame.index)
        else:
            points = gpd.GeoSeries([None] * len(frame), index=frame.index, crs=v.WORK_CRS)
        keep = {c: frame[c] if c in frame.columns else pd.Series(pd.NA, index=frame.index)
                for c in TEXT_COLUMNS}
        out = pd.DataFrame({c: s.astype("string").str.strip().replace("", pd.NA)
                            for c, s in keep.items()})
        out.insert(1, "hausnummer", frame["hausnummer"].astype("Int64"))
        out["hausnummer_zusatz"] = out["hausnummer_zusatz"].str.lower()
        frames.append(gpd.GeoDataFrame(out, geometry=points, crs=v.WORK_CRS))
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=v.WORK_CRS)
