"""Exports of a planner's selection (figures.report), checked with the mirrored district data."""

from __future__ import annotations

import csv
import io
import json
import socket
import struct
from io import BytesIO
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest
import shapely

import geodata
from figures import charts
from figures.report import (
    chart_png,
    report_filename,
    selection_csv,
    selection_geojson,
    wide_table,
)
from geodata import loaders
from tests.helpers.mirror import fast_settings, needs_mirror

CODES = ["A", "E", "K", "N"]
INDICATORS = ["einwohner", "dichte", "anteil_65_plus"]
YEAR = 2023
LON, LAT = (11.9, 12.4), (54.0, 54.3)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def settings(good_store: Path) -> geodata.Settings:
    return fast_settings(good_store, None)


@pytest.fixture(scope="module")
def long(settings: geodata.Settings) -> pd.DataFrame:
    ind = loaders.indicators(settings)
    return ind[ind["code"].isin(CODES) & (ind["year"] == YEAR)
               & ind["indicator"].isin(INDICATORS)].reset_index(drop=True)


@pytest.fixture(scope="module")
def districts(settings: geodata.Settings) -> gpd.GeoDataFrame:
    return loaders.districts(settings)


@pytest.fixture(scope="module")
def table(long: pd.DataFrame, districts: gpd.GeoDataFrame) -> pd.DataFrame:
    """The comparison table as the page builds it: one row per district, one column per
    indicator."""
    wide = long.pivot(index="code", columns="indicator", values="value")[INDICATORS]
    wide.columns.name = None
    wide = wide.reset_index()
    wide.insert(1, "name", wide["code"].map(districts.set_index("code")["name"]))
    return wide


@pytest.fixture(scope="module")
def sources(settings: geodata.Settings) -> list[dict[str, Any]]:
    return [loaders.info("bevoelkerung", settings), loaders.info("stadtbereiche", settings)]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise OSError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


# --- CSV -----------------------------------------------------------------------------------------


@needs_mirror
def test_csv_opens_with_german_spreadsheet_settings(
        table: pd.DataFrame, sources: list[dict[str, Any]]) -> None:
    content = selection_csv(table, sources)
    assert content.startswith(b"\xef\xbb\xbf")
    text = content.decode("utf-8-sig")
    assert text.count("\r\n") == len(table) + 1 and "\n" not in text.replace("\r\n", "")
    assert "17079;" in text and "17.079" not in text  # no thousands separator

    back = pd.read_csv(BytesIO(content), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(back.columns) == [
        "Kürzel", "Stadtbereich", "Einwohnerinnen und Einwohner (Personen)",
        "Bevölkerungsdichte (Einw./km²)", "Anteil 65 Jahre und älter (%)",
        "quelle", "lizenz", "datenstand", "abgerufen"]
    values = back.iloc[:, 2:5]
    assert all(pd.api.types.is_numeric_dtype(dtype) for dtype in values.dtypes)
    residents = back.set_index("Stadtbereich")["Einwohnerinnen und Einwohner (Personen)"]
    assert residents["Lütten Klein"] == 17079
    pd.testing.assert_frame_equal(
        values.set_axis(INDICATORS, axis=1).astype(float),
        table[INDICATORS].astype(float), check_exact=True)
    assert list(back["Kürzel"]) == CODES

    retrieved = sources[0]["retrieved_at"]
    day = f"{retrieved[8:10]}.{retrieved[5:7]}.{retrieved[:4]}"
    for row in back.itertuples():
        assert "OpenData.HRO" in row.quelle and "Bevölkerungsstruktur" in row.quelle
        assert row.lizenz.startswith("CC0 1.0") and "creativecommons.org" in row.lizenz
        # The data's own date per source (population: 31.12.2023; the districts carry none)
        # and the retrieval day, never one for the other.
        assert row.datenstand == "31.12.2023 | ohne Datum in den Daten"
        assert row.abgerufen == day


@needs_mirror
def test_csv_in_english(table: pd.DataFrame, sources: list[dict[str, Any]]) -> None:
    back = pd.read_csv(BytesIO(selection_csv(table.set_index("code"), sources, lang="en")),
                       sep=";", decimal=",", encoding="utf-8-sig")
    assert list(back.columns) == ["Code", "District", "Residents (people)",
                                  "Population density (residents/km²)", "Share aged 65+ (%)",
                                  "source", "licence", "data_date", "retrieved"]
    assert back["source"].str.contains("Population structure").all()


def test_csv_numbers_without_exponent_and_gaps_as_empty_fields() -> None:
    frame = pd.DataFrame({"code": ["A", "B"], "x": [0.00001, float("nan")],
                          "y": [1234567.25, -3.5], "n": [1, 2]})
    sources = [{"title": "Test", "publisher": "Amt; Rostock", "licence": "dl-de/by-2-0",
                "reference": None, "retrieved_at": None}]
    text = selection_csv(frame, sources).decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[1] == ('A;0,00001;1234567,25;1;"Test – Amt; Rostock";dl-de/by-2-0;'
                        'unbekannt;unbekannt')
    assert lines[2].startswith("B;;-3,5;2;")
    back = pd.read_csv(BytesIO(text.encode("utf-8-sig")), sep=";", decimal=",")
    assert back["x"].iloc[0] == 0.00001 and back["quelle"].iloc[0] == "Test – Amt; Rostock"


def test_csv_text_cells_cannot_run_as_formulas() -> None:
    """OWASP: a text cell or header starting with = + - @, tab or CR gets an apostrophe;
    numbers written with a decimal comma (−3,5) are left as they are."""
    frame = pd.DataFrame({"code": ["A", "B"], "name": ['=HYPERLINK("http://x","y")', "\t-Nord"],
                          "=1+1": [-3.5, 2.0], "n": [-1, 2]})
    sources = [{"title": "@Test", "publisher": "+Amt", "licence": "CC0", "reference": None}]
    rows = list(csv.reader(io.StringIO(selection_csv(frame, sources).decode("utf-8-sig"),
                                       newline=""), delimiter=";"))
    assert rows[0][:4] == ["Kürzel", "Stadtbereich", "'=1+1", "n"]
    assert rows[1][:4] == ["A", "'=HYPERLINK(\"http://x\",\"y\")", "-3,5", "-1"]
    assert rows[2][:2] == ["B", "'\t-Nord"]
    assert rows[1][4] == "'@Test – +Amt"


# --- GeoJSON -------------------------------------------------------------------------------------


@needs_mirror
def test_geojson_round_trips_with_metadata(
        districts: gpd.GeoDataFrame, table: pd.DataFrame,
        sources: list[dict[str, Any]]) -> None:
    assert districts.crs.to_epsg() == 25833
    content = selection_geojson(districts, table, sources)

    back = gpd.read_file(BytesIO(content))
    assert len(back) == 4 and back.crs.to_epsg() == 4326
    minx, miny, maxx, maxy = back.total_bounds
    assert LON[0] <= minx < maxx <= LON[1] and LAT[0] <= miny < maxy <= LAT[1]
    assert list(back["code"]) == CODES
    assert back.set_index("name").at["Lütten Klein", "einwohner"] == 17079
    pd.testing.assert_frame_equal(back[["code", "name", *INDICATORS]].astype({"einwohner": float}),
                                  table.astype({"einwohner": float}), check_exact=True,
                                  check_dtype=False)
    # Same shapes as the source geometry (within the 5-decimal rounding of ~1 m).
    original = districts.set_index("code").loc[CODES].to_crs(4326).geometry.values
    assert shapely.hausdorff_distance(back.geometry.values, original).max() < 1e-4

    doc = json.loads(content)
    assert "crs" not in doc
    meta = doc["metadata"]
    assert len(meta["generated"]) == 10 and meta["generated"][4] == "-"
    assert [s["title"] for s in meta["sources"]] == [sources[0]["title_de"],
                                                     sources[1]["title_de"]]
    for src in meta["sources"]:
        assert src["licence"] == "CC0 1.0" and src["retrieved"]
        assert src["url"].startswith("https://")
    assert meta["sources"][0]["data_date"] == "31.12.2023"
    # Each feature carries source, licence and both dates (readers drop "metadata").
    for feature in doc["features"]:
        props = feature["properties"]
        assert "Bevölkerungsstruktur" in props["quelle"] and "CC0 1.0" in props["lizenz"]
        assert props["datenstand"] == "31.12.2023 | ohne Datum in den Daten"
        assert props["abgerufen"] == meta["sources"][0]["retrieved"]
    back_props = gpd.read_file(BytesIO(content))
    assert {"quelle", "lizenz", "datenstand", "abgerufen"} <= set(back_props.columns)
    en = json.loads(selection_geojson(districts, table, sources, lang="en"))
    props = en["features"][0]["properties"]
    assert props["data_date"] == "2023-12-31 | no date in the data"
    assert "Population structure" in props["source"]
    assert meta["fields"]["dichte"] == {"label": "Bevölkerungsdichte", "unit": "Einw./km²"}
    for feature in doc["features"]:
        ring = feature["geometry"]["coordinates"][0]
        if feature["geometry"]["type"] == "MultiPolygon":
            ring = ring[0]
        assert shapely.LinearRing(ring).is_ccw  # RFC 7946 right-hand rule


@needs_mirror
def test_geojson_from_the_long_table(
        districts: gpd.GeoDataFrame, long: pd.DataFrame, table: pd.DataFrame,
        sources: list[dict[str, Any]]) -> None:
    wide = wide_table(long)
    assert set(wide.columns) >= {"code", "year", *INDICATORS}
    props = json.loads(selection_geojson(districts, long, sources))["features"]
    by_code = {f["properties"]["code"]: f["properties"] for f in props}
    assert set(by_code) == set(CODES)
    assert by_code["E"]["name"] == "Lütten Klein" and by_code["E"]["einwohner"] == 17079
    assert by_code["E"]["year"] == YEAR
    expected = table.set_index("code")
    for code in CODES:
        for ind in INDICATORS:
            assert by_code[code][ind] == expected.at[code, ind]


@needs_mirror
def test_geojson_refuses_unknown_districts(
        districts: gpd.GeoDataFrame, table: pd.DataFrame) -> None:
    bad = pd.concat([table, pd.DataFrame({"code": ["ZZ"], "einwohner": [1.0]})])
    with pytest.raises(ValueError, match="ZZ"):
        selection_geojson(districts, bad, [])
    with pytest.raises(ValueError, match="CRS"):
        selection_geojson(districts.set_crs(None, allow_override=True), table, [])


# --- PNG -----------------------------------------------------------------------------------------


def _png_size(content: bytes) -> tuple[int, int]:
    assert content[:8] == PNG_SIGNATURE and content[12:16] == b"IHDR"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


@needs_mirror
def test_chart_png_renders_offline(no_network: None, settings: geodata.Settings) -> None:
    """socket.connect is patched to fail, so any Python-side download would raise. vl-convert
    itself is Rust (no Python sockets): that it cannot fetch either is what
    ``test_chart_png_refuses_url_data`` shows."""
    ind = loaders.indicators(settings)
    pop = ind[(ind["code"] == "E") & (ind["indicator"] == "einwohner")]
    chart = charts.population_trend_chart(pop, "Lütten Klein")
    assert chart.to_dict()["config"]["locale"]["number"]["decimal"] == ","

    content = chart_png(chart)
    width, height = _png_size(content)
    assert 300 <= width <= 1600 and 400 <= height <= 800  # 220 px plot + axes, scale 2
    assert 5_000 < len(content) < 500_000

    small = chart_png(chart, scale=1.0)
    w1, h1 = _png_size(small)
    assert abs(width - 2 * w1) <= 2 and abs(height - 2 * h1) <= 2
    with pytest.raises(ValueError, match="scale"):
        chart_png(chart, scale=0)


def test_chart_png_refuses_url_data(no_network: None) -> None:
    spec = {"data": {"url": "https://example.invalid/data.csv"}, "mark": "point",
            "encoding": {"x": {"field": "a", "type": "quantitative"}}}
    with pytest.raises(ValueError, match="not allowed"):
        chart_png(spec)


# --- file names ----------------------------------------------------------------------------------


def test_report_filename_is_safe() -> None:
    assert report_filename("vergleich", CODES, 2023, "csv") == "rostock_vergleich_A-E-K-N_2023.csv"
    assert report_filename("Vergleich", ["A", "E"], 2023, ".GeoJSON") == \
        "rostock_vergleich_A-E_2023.geojson"
    assert report_filename("Diagramm Größe", ["K", "K", "../N"], 2022, "png") == \
        "rostock_diagramm-groesse_K-N_2022.png"
    assert report_filename("", [], 2023, "csv") == "rostock_auswahl_alle_2023.csv"
    many = report_filename("vergleich", [chr(c) * 3 for c in range(65, 86)], 2023, "csv")
    other = report_filename("vergleich", [chr(c) * 3 for c in range(66, 86)], 2023, "csv")
    assert many != other and len(many) < 100
    for name in (many, other):
        assert all(ch.isascii() and (ch.isalnum() or ch in "-_.") for ch in name)
    with pytest.raises(ValueError):
        report_filename("vergleich", CODES, 2023, "..")
