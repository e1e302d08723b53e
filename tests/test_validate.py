"""Validation rules on small frames the tests build themselves."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from geodata import ValidationError
from geodata import validate as v


def _square(x: float, y: float, d: float = 0.01) -> Polygon:
    return Polygon([(x, y), (x + d, y), (x + d, y + d), (x, y + d)])


def test_columns_are_typed_and_missing_ones_named() -> None:
    df = pd.DataFrame({"a": ["1", "2"], "b": ["1,5", "x"]})
    out = v.check_columns("ds", df, {"a": "int"}, "f.csv")
    assert out["a"].tolist() == [1, 2]
    with pytest.raises(ValidationError, match=r"ds: f\.csv lacks the required column c"):
        v.check_columns("ds", df, {"c": "float"}, "f.csv")
    with pytest.raises(ValidationError, match="non-numeric value '1,5' in column b"):
        v.check_columns("ds", df, {"b": "float"}, "f.csv")
    with pytest.raises(ValidationError, match="fractional values"):
        v.check_columns("ds", pd.DataFrame({"a": ["1.5"]}), {"a": "int"}, "f.csv")


def test_district_codes_must_be_a_to_u_once_each() -> None:
    v.check_district_codes("ds", list("ABCDEFGHIJKLMNOPQRSTU"), "f")
    with pytest.raises(ValidationError, match="lacks the district codes U"):
        v.check_district_codes("ds", list("ABCDEFGHIJKLMNOPQRST"), "f")
    with pytest.raises(ValidationError, match="unknown district codes Z"):
        v.check_district_codes("ds", [*"ABCDEFGHIJKLMNOPQRSTU", "Z"], "f")


def test_slightly_invalid_polygon_is_repaired_with_make_valid() -> None:
    # A ring that touches itself at one point (a "pinched" polygon): invalid, same area.
    pinched = Polygon([(12.0, 54.1), (12.02, 54.1), (12.02, 54.12), (12.01, 54.1),
                       (12.0, 54.12)])
    gdf = gpd.GeoDataFrame({"code": ["A"]}, geometry=[pinched], crs=4326)
    assert not gdf.is_valid.all()
    out = v.check_geometry("ds", gdf, "polygon", "code", "f")
    assert out.is_valid.all()
    assert out.geometry.iloc[0].area == pytest.approx(abs(pinched.area), rel=0.01)


def test_wrong_geometry_kind_is_named() -> None:
    gdf = gpd.GeoDataFrame({"code": ["A"]}, geometry=[Point(12.1, 54.1)], crs=4326)
    with pytest.raises(ValidationError, match="code A is a Point, expected polygon"):
        v.check_geometry("ds", gdf, "polygon", "code", "f")


def test_bounds_and_crs() -> None:
    gdf = gpd.GeoDataFrame({"code": ["A", "B"]},
                           geometry=[_square(12.1, 54.1), _square(12.2, 54.1)])
    out = v.check_crs_and_bounds("ds", gdf, "EPSG:4326", None, "code", "f")
    assert out.crs.to_epsg() == 25833
    assert v.check_crs_and_bounds("ds", gdf, "EPSG:4326", "urn:ogc:def:crs:OGC:1.3:CRS84",
                                  "code", "f").crs.to_epsg() == 25833
    far = gpd.GeoDataFrame({"code": ["X"]}, geometry=[_square(13.4, 52.5)])
    with pytest.raises(ValidationError, match=r"1 of 1 features lie outside.*13\.40° E"):
        v.check_crs_and_bounds("ds", far, "EPSG:4326", None, "code", "f")
