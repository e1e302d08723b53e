"""Downloads for the "Urbane Datenplattform" page: every stored dataset as a file to take away.

Pure functions, no Streamlit: ``export(id, fmt)`` returns ``(content, file name, MIME type)``
ready for a download button.

Formats
-------
``geojson`` (spatial datasets only)
    A plain RFC 7946 FeatureCollection: lon/lat in EPSG:4326 (reprojected by
    ``layers.geometry.to_display``, so coordinates are rounded to 5 decimals ≈ 1 m), polygon
    rings wound counter-clockwise (right-hand rule), no ``crs`` member, no extra top-level
    members, no feature ids; UTF-8 without BOM (RFC 8259), umlauts written as they are.
    Every feature carries its provenance as properties — ``source``, ``licence``,
    ``data_date`` (the data's own date, e.g. ``2023-12-31`` or ``1881–2023``; null when the
    data carry none) and ``retrieved`` — because readers such as geopandas and QGIS keep
    properties but drop foreign top-level members. A data column of the same name wins;
    the provenance then goes under ``meta_<name>``.
``csv`` (every dataset)
    UTF-8 *with* BOM, so Excel recognises the encoding; "," as separator and "." as decimal
    mark, as the city publishes its own CSVs on OpenData.HRO (machine-readable first; German
    Excel may need "Daten → Aus Text/CSV" to split the columns); floats with up to 15
    significant digits, so whole numbers stored as floats print without ".0", and missing
    values as empty fields. Lines end in "\n". A text cell starting with = + - @, a tab or a
    carriage return gets a leading apostrophe (OWASP), so no spreadsheet runs it as a
    formula; numeric columns stay as they are. The first line is the header: source,
    licence and Stand are *not* written into the file but returned by
    ``attribution_header`` for the page to show next to the button. Spatial datasets carry
    their attributes plus a ``geometry_wkt`` column (WKT, EPSG:4326, x = lon, y = lat).

File names are ``rostock_<dataset>_<data date>.<ext>`` with the data's own date from the
store record (``2023-12-31``, ``1881-2023``), or ``abgerufen-<day>`` for data that carry no
date — never the server's file date or today's date.
"""

from __future__ import annotations

import json
import re
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geodata import catalogue, loaders
from geodata.config import Settings, load_settings
from geodata.reference import compact
from geodata.store import DatasetStore, open_store
from layers.geometry import DECIMALS, to_display
from text import escape_csv, source_line

MIME = {"geojson": "application/geo+json", "csv": "text/csv"}
CSV_SEPARATOR = ","
WKT_COLUMN = "geometry_wkt"



def export_formats(dataset_id: str) -> list[str]:
    """``["geojson", "csv"]`` for spatial datasets, ``["csv"]`` for tables.

    Raises KeyError for a dataset the catalogue does not list.
    """
    return ["geojson", "csv"] if catalogue.get(dataset_id).is_spatial else ["csv"]


def _store(settings: Settings | None) -> DatasetStore:
    return open_store(settings or load_settings())


def _file_date(meta: dict[str, Any] | None) -> str | None:
    """The data's own date for a file name, else the retrieval day (marked as such)."""
    meta = meta or {}
    own = compact(meta.get("reference"))
    if own:
        return own
    retrieved = str(meta.get("retrieved_at") or "")[:10]
    return f"abgerufen-{retrieved}" if retrieved else None


def file_name(dataset_id: str, fmt: str, date: str | None) -> str:
    """``rostock_bevoelkerung_2023-12-31.csv``; ``undatiert`` when no date is known."""
    safe = re.sub(r"[^0-9A-Za-z-]+", "-", date or "").strip("-") or "undatiert"
    return f"rostock_{dataset_id}_{safe}.{fmt}"


def provenance_properties(info: dict[str, Any]) -> dict[str, str | None]:
    """What each exported feature carries about its origin (language-free keys and ISO
    dates): ``source``, ``licence``, ``data_date``, ``retrieved``."""
    link = info.get("page") or ("" if "{" in str(info.get("source_url") or "")
                                else info.get("source_url") or "")
    source = str(info.get("attribution") or info.get("publisher") or "")
    licence = str(info.get("licence") or "")
    if info.get("licence_url"):
        licence = f"{licence} ({info['licence_url']})"
    return {"source": f"{source}, {link}" if link else source, "licence": licence,
            "data_date": compact(info.get("reference")),
            "retrieved": str(info.get("retrieved_at") or "")[:10] or None}


def stamp_features(collection: dict[str, Any], provenance: dict[str, Any]) -> dict[str, Any]:
    """Add the provenance to every feature's properties (a data column of the same name
    keeps its value; the provenance then goes under ``meta_<name>``)."""
    for feature in collection.get("features", []):
        props = feature.get("properties") or {}
        for key, value in provenance.items():
            props[key if key not in props else f"meta_{key}"] = value
        feature["properties"] = props
    return collection


def _check_format(dataset_id: str, fmt: str) -> str:
    formats = export_formats(dataset_id)
    key = str(fmt).lower().lstrip(".")
    if key not in formats:
        raise ValueError(f"{dataset_id} cannot be exported as {fmt!r}; "
                         f"its formats are: {', '.join(formats)}")
    return key


def geojson_bytes(gdf: gpd.GeoDataFrame, provenance: dict[str, Any] | None = None) -> bytes:
    """A plain RFC 7946 FeatureCollection (lon/lat, right-hand rule, no crs), UTF-8, each
    feature with the ``provenance`` properties."""
    display = to_display(gdf)
    display.geometry = shapely.orient_polygons(display.geometry.values, exterior_cw=False)
    collection = stamp_features(display.to_geo_dict(na="null", drop_id=True), provenance or {})
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"),
                      allow_nan=False).encode("utf-8")


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """UTF-8 with BOM, "," separated, "." decimals, header first; spatial frames get their
    geometry as WKT in EPSG:4326 in a last ``geometry_wkt`` column."""
    if isinstance(frame, gpd.GeoDataFrame):
        display = to_display(frame)
        table = pd.DataFrame(display.drop(columns=display.geometry.name))
        table[WKT_COLUMN] = shapely.to_wkt(display.geometry.values,
                                           rounding_precision=DECIMALS, trim=True)
    else:
        table = frame
    # %.15g: 15 significant digits give back every published decimal, and a count stored as
    # float is written "102", not "102.0". Text cells cannot start a formula (escape_csv).
    text = escape_csv(table).to_csv(index=False, sep=CSV_SEPARATOR, decimal=".",
                                    lineterminator="\n", float_format="%.15g")
    return text.encode("utf-8-sig")


def export(dataset_id: str, fmt: str, settings: Settings | None = None
           ) -> tuple[bytes, str, str]:
    """``(content, file name, MIME type)`` of a dataset's local copy in ``fmt``.

    Raises KeyError for an unknown dataset, ValueError for a format the dataset does not
    offer (see ``export_formats``) and ``geodata.StoreError`` when there is no local copy.
    """
    ds = catalogue.get(dataset_id)
    key = _check_format(ds.id, fmt)
    store = _store(settings)
    frame = store.load(ds.id)
    meta = store.meta(ds.id)
    if key == "geojson":
        content = geojson_bytes(frame, provenance_properties(ds.provenance() | (meta or {})))
    else:
        content = csv_bytes(frame)
    return content, file_name(ds.id, key, _file_date(meta)), MIME[key]


def attribution_header(dataset_id: str, settings: Settings | None = None,
                       lang: str = "de") -> str:
    """One line to show (and keep) with a download: the source line (title, publisher,
    licence, the data's own date, the retrieval day) and the link to the source.

    Kept out of the CSV so its first line stays the header; works without a local copy.
    """
    ds = catalogue.get(dataset_id)
    info = loaders.info(ds.id, settings or load_settings())
    link = ds.page or ("" if "{" in ds.official_url else ds.official_url)
    return f"{source_line(info, 'en' if str(lang)[:2].lower() == 'en' else 'de')} {link}".strip()
