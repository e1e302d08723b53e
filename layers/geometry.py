"""Geometry for display: simplified without gaps, reprojected to EPSG:4326, rounded.

The only module that turns working geometry (EPSG:25833) into display geometry.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import shapely
from pyproj import Transformer

DISPLAY_CRS = "EPSG:4326"
# 5 decimals of a degree ≈ 1 m: finer than any screen needs at city zoom.
DECIMALS = 5


def simplify_coverage(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    """Simplify polygons that share borders together, so neighbours keep one common edge."""
    out = gdf.copy()
    out.geometry = shapely.coverage_simplify(gdf.geometry.values, tolerance=tolerance_m)
    return out


def simplify(gdf: gpd.GeoDataFrame, tolerance_m: float) -> gpd.GeoDataFrame:
    out = gdf.copy()
    out.geometry = gdf.geometry.simplify(tolerance_m, preserve_topology=True)
    return out


def keep_dimension(geoms: np.ndarray, dims: np.ndarray) -> np.ndarray:
    """After make_valid, drop parts of a lower dimension (a polygon's zero-area slivers
    come back as lines inside a GeometryCollection, which renderers choke on)."""
    out = geoms.copy()
    for i, (geom, dim) in enumerate(zip(geoms, dims, strict=True)):
        if geom is None or geom.geom_type != "GeometryCollection":
            continue
        parts = [p for p in shapely.get_parts(geom) if shapely.get_dimensions(p) == dim]
        out[i] = shapely.union_all(parts) if parts else None
    return out


def to_display(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Reproject to lon/lat and round coordinates (smaller payload on every rerun)."""
    out = gdf.to_crs(DISPLAY_CRS)
    dims = shapely.get_dimensions(out.geometry.values)
    rounded = shapely.transform(out.geometry.values, lambda xy: np.round(xy, DECIMALS))
    out.geometry = keep_dimension(shapely.make_valid(rounded), dims)
    return out


_TO_DISPLAY = Transformer.from_crs("EPSG:25833", DISPLAY_CRS, always_xy=True)


def lonlat(x: float, y: float) -> tuple[float, float]:
    """One working-CRS point (EPSG:25833) as (lon, lat), e.g. to centre the map on it."""
    lon, lat = _TO_DISPLAY.transform(x, y)
    return round(float(lon), 6), round(float(lat), 6)


def centre(gdf: gpd.GeoDataFrame) -> tuple[float, float]:
    """(lon, lat) of the bounding box centre, for the initial view."""
    minx, miny, maxx, maxy = gdf.to_crs(DISPLAY_CRS).total_bounds
    return float((minx + maxx) / 2), float((miny + maxy) / 2)


def cut_out(gdf: gpd.GeoDataFrame, holes: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Remove ``holes`` (e.g. open water) from polygons, for display only.

    The official districts include the Unterwarnow and the Breitling; filled over them, the
    river disappears from the map.
    """
    if holes.empty:
        return gdf
    out = gdf.copy()
    mask = holes.union_all()
    dims = shapely.get_dimensions(out.geometry.values)
    out.geometry = keep_dimension(
        shapely.make_valid(out.geometry.difference(mask).values), dims)
    return out
