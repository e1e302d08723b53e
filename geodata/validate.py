"""Checks shared by all formats. Each failure raises one sentence naming dataset and problem."""

from __future__ import annotations

import zipfile
from collections.abc import Iterable
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError

from .catalogue import DISTRICT_CODES, Limits
from .errors import ValidationError, excerpt, excerpts, one_line

WORK_CRS = "EPSG:25833"
DISPLAY_CRS = "EPSG:4326"
# The city (lon 12.00–12.30, lat 54.05–54.24) plus room for the water reference around it.
ROSTOCK_BBOX_LONLAT = (11.85, 53.95, 12.45, 54.35)
_to_work = Transformer.from_crs(DISPLAY_CRS, WORK_CRS, always_xy=True)
ROSTOCK_BBOX_WORK = (
    *_to_work.transform(ROSTOCK_BBOX_LONLAT[0], ROSTOCK_BBOX_LONLAT[1]),
    *_to_work.transform(ROSTOCK_BBOX_LONLAT[2], ROSTOCK_BBOX_LONLAT[3]),
)
# make_valid may fix a self-touching ring; if it changes a polygon's area by more than this,
# the polygon was not slightly off but broken (e.g. a bow-tie), and we refuse the file.
MAX_REPAIR_AREA_CHANGE = 0.01

_POLYGONAL = {"Polygon", "MultiPolygon"}
_KINDS = {
    "polygon": _POLYGONAL,
    "point": {"Point", "MultiPoint"},
    "line": {"LineString", "MultiLineString"},
}


def _fmt(n: float) -> str:
    return f"{n:,.0f}"


def check_columns(
    dataset: str, df: pd.DataFrame, columns: dict[str, str], where: str
) -> pd.DataFrame:
    """Required columns exist and hold their type; values are converted in place."""
    missing = [c for c in columns if c not in df.columns]
    if missing:
        found = excerpts(c for c in df.columns if c != "geometry")
        noun = "column" if len(missing) == 1 else "columns"
        raise ValidationError(
            dataset, f"{where} lacks the required {noun} {', '.join(missing)} (found: {found})"
        )
    df = df.copy()
    for col, kind in columns.items():
        if kind == "str":
            bad = df[col].isna()
            if bad.any():
                raise ValidationError(dataset, f"{where} has empty values in column {col}")
            df[col] = df[col].astype(str).str.strip()
            continue
        raw = df[col]
        as_text = raw.astype(str).str.strip() if raw.dtype == object or raw.dtype == "str" else raw
        num = pd.to_numeric(as_text, errors="coerce")
        bad = num.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
        if bad.any():
            example = raw[bad].iloc[0]
            raise ValidationError(
                dataset, f"{where} has a non-numeric value {excerpt(example)} in column {col}"
            )
        if kind == "int":
            if (num.dropna() % 1 != 0).any():
                raise ValidationError(dataset, f"{where} has fractional values in column {col}")
            df[col] = num.astype("Int64")
        else:
            df[col] = num.astype("float64")
    return df


def check_district_codes(dataset: str, codes: Iterable[str], where: str) -> None:
    """Exactly the 21 codes A–U, each once."""
    codes = [str(c).strip().upper() for c in codes]
    counts = pd.Series(codes).value_counts()
    dupes = sorted(counts[counts > 1].index)
    if dupes:
        raise ValidationError(
            dataset, f"{where} lists the district code {excerpts(dupes)} more than once"
        )
    missing = sorted(set(DISTRICT_CODES) - set(codes))
    unknown = sorted(set(codes) - set(DISTRICT_CODES))
    if unknown:
        raise ValidationError(dataset, f"{where} has unknown district codes {excerpts(unknown)}")
    if missing:
        raise ValidationError(
            dataset, f"{where} lacks the district codes {', '.join(missing)} (expected A–U)"
        )


def _label(gdf: gpd.GeoDataFrame, idx: int, key: str | None) -> str:
    if key and key in gdf.columns:
        return f"{key} {one_line(gdf.iloc[idx][key], 40)}"
    return f"feature {idx + 1}"


def check_geometry(
    dataset: str, gdf: gpd.GeoDataFrame, kind: str | None, key: str | None, where: str
) -> gpd.GeoDataFrame:
    """Geometry present, of the right kind, and valid (repaired with make_valid where safe)."""
    if gdf.empty:
        raise ValidationError(dataset, f"{where} holds no features (empty FeatureCollection)")
    geoms = gdf.geometry.values
    empty = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise ValidationError(dataset, f"{where}: {_label(gdf, i, key)} has no geometry")
    allowed = _KINDS.get(kind or "any")
    if allowed:
        types = gdf.geom_type
        wrong = ~types.isin(allowed)
        if wrong.any():
            i = int(np.flatnonzero(wrong.to_numpy())[0])
            raise ValidationError(
                dataset, f"{where}: {_label(gdf, i, key)} is a {types.iloc[i]}, expected {kind}"
            )
    invalid = ~shapely.is_valid(geoms)
    if not invalid.any():
        return gdf
    gdf = gdf.copy()
    for i in np.flatnonzero(invalid):
        before = geoms[i]
        reason = shapely.is_valid_reason(before)
        fixed = shapely.make_valid(before)
        if before.geom_type in _POLYGONAL:
            polys = [g for g in getattr(fixed, "geoms", [fixed]) if g.geom_type in _POLYGONAL]
            fixed = shapely.union_all(polys) if polys else shapely.Polygon()
            area_before = abs(before.area)
            change = abs(fixed.area - area_before) / max(area_before, fixed.area, 1e-12)
            if fixed.is_empty or change > MAX_REPAIR_AREA_CHANGE:
                raise ValidationError(
                    dataset,
                    f"{where}: {_label(gdf, int(i), key)} is an invalid polygon ({reason}) "
                    f"that cannot be repaired without changing its area by {change:.0%}",
                )
        gdf.geometry.values[i] = fixed
    return gdf


def check_crs_and_bounds(
    dataset: str,
    gdf: gpd.GeoDataFrame,
    expected_crs: str,
    declared_crs: str | None,
    key: str | None,
    where: str,
) -> gpd.GeoDataFrame:
    """The file's CRS is the one the catalogue promises and every feature lies near Rostock.

    Returns the frame in the working CRS EPSG:25833.
    """
    expected = CRS.from_user_input(expected_crs)
    if declared_crs:
        try:
            declared = CRS.from_user_input(declared_crs)
        except (CRSError, TypeError, ValueError):
            raise ValidationError(dataset, f"{where} declares a coordinate system that is not "
                                  f"one: {excerpt(declared_crs)}") from None
        same = declared == expected or (
            expected.to_epsg() == 4326 and declared.to_string().endswith("CRS84")
        )
        if not same:
            raise ValidationError(
                dataset,
                f"{where} declares the coordinate system {declared.to_string()}, "
                f"but {expected_crs} was expected",
            )
    minx, miny, maxx, maxy = gdf.total_bounds
    if expected.is_geographic and (max(abs(minx), abs(maxx)) > 180 or max(abs(miny), abs(maxy))
                                   > 90):
        raise ValidationError(
            dataset,
            f"{where} has coordinates that are not longitude/latitude (values up to "
            f"{_fmt(max(abs(maxx), abs(maxy)))}): the geometry seems to be in a projected CRS "
            f"such as EPSG:25833 instead of {expected_crs}",
        )
    gdf = gdf.set_crs(expected, allow_override=True).to_crs(WORK_CRS)
    bx0, by0, bx1, by1 = ROSTOCK_BBOX_WORK
    b = gdf.geometry.bounds
    outside = ((b.minx < bx0) | (b.miny < by0) | (b.maxx > bx1) | (b.maxy > by1)).to_numpy()
    if outside.any():
        i = int(np.flatnonzero(outside)[0])
        pt = gdf.geometry.iloc[[i]].representative_point().to_crs(DISPLAY_CRS).iloc[0]
        raise ValidationError(
            dataset,
            f"{where}: {int(outside.sum())} of {len(gdf)} features lie outside the Rostock "
            f"area (first: {_label(gdf, i, key)} near {pt.x:.2f}° E, {pt.y:.2f}° N)",
        )
    return gdf


def check_archive(dataset: str, path: Path, name: str, limits: Limits) -> None:
    """An archive (an .xlsx is a zip) is measured before anything is unpacked: its table of
    contents states how many members it has and how large each unpacks. Python's zipfile
    never returns more than a member's stated size (a lie ends in a CRC error), so the sum
    bounds what openpyxl can read. Refused: too many members, or too much unpacked."""
    with path.open("rb") as fh:
        end = zipfile._EndRecData(fh)  # the end record only: no member parsed yet
        if end is None:
            raise ValidationError(dataset, f"{name} is not a zip archive (an .xlsx is one): "
                                  "damaged or another kind of file", "format")
        members = int(end[zipfile._ECD_ENTRIES_TOTAL])
        if members > limits.max_members:
            raise ValidationError(dataset, f"{name} holds {members:,} files, more than "
                                  f"{limits.phrase('max_members')}", "size")
        try:
            with zipfile.ZipFile(fh) as zf:
                unpacked = sum(i.file_size for i in zf.infolist())
        except (zipfile.BadZipFile, OSError) as exc:
            raise ValidationError(dataset, f"{name} is a damaged zip archive "
                                  f"({excerpt(exc, 60)})", "format") from None
    if unpacked > limits.unpacked_bytes:
        raise ValidationError(dataset, f"{name} unpacks to {unpacked / 1e6:,.1f} MB, more "
                              f"than {limits.phrase('max_unpacked_mb')}; it was not unpacked",
                              "size")


_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body")


def refuse_html(dataset: str, path: Path, name: str) -> None:
    """A web page where a data file was expected (an error or login page answered with 200)
    is named as such, not as a truncated or malformed file."""
    with path.open("rb") as fh:
        head = fh.read(1024).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith(_HTML_START) or (head.startswith(b"<") and b"<html" in head):
        raise ValidationError(dataset, f"{name} is a web page (HTML), not the data file: the "
                              "server sent a page (an error or login page?) instead", "format")


def check_unique(dataset: str, values: pd.Series, what: str, where: str) -> None:
    dupes = values[values.duplicated()]
    if not dupes.empty:
        raise ValidationError(dataset,
                              f"{where} lists {what} {excerpt(dupes.iloc[0])} more than once")
