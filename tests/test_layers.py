"""Layers: classes, colours, escaping, geometry and payload, from real data."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geodata import load_catalogue, loaders
from layers import geometry, registry
from layers.build import build, tip_html, tip_text
from layers.classify import classify
from layers.deck import deck
from layers.palettes import NO_DATA, colours
from layers.spec import Query
from tests.helpers.mirror import fast_settings, needs_mirror
from text import escape_text

EVIL = ["<img src=x onerror=alert(1)>", "`${alert(1)}`", "a\\b'\"&"]


def test_escape_neutralises_html_and_template_literals() -> None:
    for text in EVIL:
        out = escape_text(text)
        assert not set("<>\"'`$\\") & set(out)
    assert escape_text("<b>&") == "&lt;b&gt;&amp;"
    assert tip_html([("Name", EVIL[0])]) == "<b>Name</b>: &lt;img src=x onerror=alert(1)&gt;"
    assert tip_text([("Name", EVIL[1])]) == "Name: `${alert(1)}`"  # for innerText only


def test_classes_cover_all_values_with_distinct_colour_blind_safe_colours() -> None:
    values = pd.Series([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, None])
    for scheme in ("quantiles", "natural_breaks", "equal_interval"):
        for k in range(3, 8):
            c = classify(values, scheme, k)
            assert c.k <= k and len(set(c.colors)) == c.k
            assert c.bounds[-1] == 10 and c.minimum == 1
            assert all(c.index(v) is not None for v in range(1, 11))
    assert classify(values, k=5).color(None) == NO_DATA
    assert colours("viridis", 5)[0] == "#fde725" and colours("viridis", 5)[-1] == "#440154"
    with pytest.raises(ValueError, match="between 3 and 7"):
        classify(values, k=9)


def test_few_distinct_values_give_fewer_classes() -> None:
    assert classify(pd.Series([5, 5, 5, 7]), "quantiles", 5).k == 2


def test_registry_specs_are_complete() -> None:
    for spec in registry.LAYERS:
        assert spec.title("de") and spec.title("en") and spec.description("en")
        assert spec.tooltip or spec.kind == "label"  # names are text on the map themselves
        if spec.kind == "choropleth":
            assert spec.value
    assert {s.family for s in registry.LAYERS} == {"quality", "climate", "water"}
    with pytest.raises(KeyError, match="unknown layer"):
        registry.get("nope")




MIRRORED = {d.id for d in load_catalogue().values() if d.mirrored}


@needs_mirror
@pytest.mark.parametrize("layer_id", [s.id for s in registry.LAYERS
                                      if set(s.datasets) <= MIRRORED])
def test_every_layer_builds_with_a_table_and_summary(good_store: Path, layer_id: str) -> None:
    # Two picked districts, for the layer that outlines the planner's selection, and a
    # place the search found (at the Stadthafen), for the marker.
    query = Query(codes=("A", "E"), point=(313_560.0, 5_997_430.0), point_label="Test")
    data = build(layer_id, query, fast_settings(good_store, None))
    assert data.gdf.crs.to_epsg() == 4326
    assert len(data.gdf) > 0 and data.summary()
    if data.spec.kind == "label":  # names, no panel: a point and a name each
        assert data.gdf["label"].str.len().gt(0).all() and (data.gdf.geom_type == "Point").all()
    else:
        assert len(data.table()) == len(data.gdf)
    assert not data.gdf.geom_type.isin(["GeometryCollection"]).any()
    assert data.gdf.is_valid.all()


@needs_mirror
def test_district_layer_payload_stays_small(good_store: Path) -> None:
    data = build("indikator", Query(), fast_settings(good_store, None))
    size = len(deck([data], "/app/static/basemap/style.json").to_json())
    assert size < 300_000


@needs_mirror
def test_simplified_districts_have_no_gaps_or_overlaps(good_store: Path) -> None:
    d = loaders.districts(fast_settings(good_store, None))
    simple = geometry.simplify_coverage(d, 12.0)
    assert shapely.get_num_coordinates(simple.geometry.values).sum() < \
        shapely.get_num_coordinates(d.geometry.values).sum() / 2
    assert shapely.coverage_is_valid(simple.geometry.values)
    union_before, union_after = d.union_all(), simple.union_all()
    assert abs(union_after.area - union_before.area) / union_before.area < 0.002
    overlaps = sum(a.intersection(b).area for i, a in enumerate(simple.geometry)
                   for b in simple.geometry[i + 1:])
    assert overlaps < 1.0  # m², i.e. none
    # Per-polygon simplify (the wrong tool) does open gaps between neighbours:
    naive = d.copy()
    naive.geometry = d.geometry.simplify(40)
    assert not shapely.coverage_is_valid(naive.geometry.values)


@needs_mirror
def test_displayed_coverage_stays_clean_after_rounding(good_store: Path) -> None:
    data = build("indikator", Query(), fast_settings(good_store, None))
    metric = data.gdf.to_crs(25833)
    overlaps = sum(a.intersection(b).area for i, a in enumerate(metric.geometry)
                   for b in metric.geometry[i + 1:])
    assert overlaps < 50  # m² over the whole city: rounding to ~1 m, nothing visible


@needs_mirror
def test_choropleth_colours_follow_the_legend(good_store: Path) -> None:
    data = build("indikator", Query(indicator="dichte", k=4, scheme="natural_breaks"),
                 fast_settings(good_store, None))
    assert data.classes.k == 4
    for value, fill in zip(data.gdf["value"], data.gdf["fill"], strict=True):
        assert fill == data.classes.colors[data.classes.index(value)]
    labels = [label for _c, label in data.legend()]
    assert labels[0].startswith("33 –")  # Rostock-Heide, the least dense, 33 per km²


@needs_mirror
def test_unpublished_year_says_so(good_store: Path) -> None:
    data = build("indikator", Query(indicator="durchschnittsalter", year=2010),
                 fast_settings(good_store, None))
    assert not data.has_values and set(data.gdf.fill) == {NO_DATA}
    assert data.summary() == "Für 2010 liegen zu „Durchschnittsalter“ keine Daten vor."


@needs_mirror
def test_heat_index_is_the_mean_of_two_percentile_ranks(good_store: Path) -> None:
    settings = fast_settings(good_store, None)
    data = build("hitze", Query(year=2023), settings).gdf.set_index("code")
    ind = loaders.indicators(settings)
    one = ind[(ind.year == 2023) & ind.indicator.isin(["dichte", "anteil_65_plus"])].pivot(
        index="code", columns="indicator", values="value")
    expected = ((one.rank(pct=True) * 100).mean(axis=1)).round(0)
    pd.testing.assert_series_equal(data["value"].sort_index(), expected.sort_index(),
                                   check_names=False)
    assert data.loc["E", "value"] == expected.max()  # Lütten Klein: dense and older


@needs_mirror
def test_water_is_cut_out_of_district_fills(good_store: Path) -> None:
    settings = fast_settings(good_store, None)
    shown = build("indikator", Query(), settings).gdf.to_crs(25833).union_all()
    water = loaders.water(settings)
    river = water[water.layer == "unterwarnow_breitling"].union_all()
    assert shown.intersection(river).area / river.area < 0.02


@needs_mirror
def test_waterfront_districts(good_store: Path) -> None:
    data = build("uferbezirke", Query(), fast_settings(good_store, None))
    names = set(data.gdf.label)
    assert {"Warnemünde", "Rostock-Heide", "Schmarl", "Stadtmitte", "Gehlsdorf"} <= names
    assert "Südstadt" not in names


def test_cut_out_keeps_polygons_only() -> None:
    square = shapely.box(0, 0, 10, 10)
    gdf = gpd.GeoDataFrame(geometry=[square], crs=25833)
    holes = gpd.GeoDataFrame(geometry=[shapely.box(0, 0, 10, 5)], crs=25833)
    out = geometry.cut_out(gdf, holes)
    assert out.geometry.iloc[0].area == pytest.approx(50)
    assert out.geom_type.iloc[0] == "Polygon"
