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

File names are ``rostock_<dataset>_<Stand>.<ext>``, with the dataset's Stand from the store
record (the server's Last-Modified date), not today's date.
"""

from __future__ import annotations

import json
import re
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from geodata import catalogue
from geodata.config import Settings, load_settings
from geodata.store import DatasetStore, open_store
from layers.geometry import DECIMALS, to_display
from text import escape_csv

MIME = {"geojson": "application/geo+json", "csv": "text/csv"}
CSV_SEPARATOR = ","
WKT_COLUMN = "geometry_wkt"

_TEXTS = {
    "de": {"source": "Quelle", "licence": "Lizenz", "stand": "Stand", "unknown": "unbekannt"},
    "en": {"source": "Source", "licence": "Licence", "stand": "Date", "unknown": "unknown"},
}


def export_formats(dataset_id: str) -> list[str]:
    """``["geojson", "csv"]`` for spatial datasets, ``["csv"]`` for tables.

    Raises KeyError for a dataset the catalogue does not list.
    """
    return ["geojson", "csv"] if catalogue.get(dataset_id).is_spatial else ["csv"]


def _store(settings: Settings | None) -> DatasetStore:
    return open_store(settings or load_settings())


def _stand(meta: dict[str, Any] | None) -> str | None:
    meta = meta or {}
    stand = meta.get("stand") or str(meta.get("retrieved_at") or "")[:10]
    return str(stand) if stand else None


def file_name(dataset_id: str, fmt: str, stand: str | None) -> str:
    """``rostock_stadtbereiche_2026-11-22.geojson``; ``undatiert`` when the Stand is unknown."""
    safe = re.sub(r"[^0-9A-Za-z-]+", "-", stand or "").strip("-") or "undatiert"
    return f"rostock_{dataset_id}_{safe}.{fmt}"


def _check_format(dataset_id: str, fmt: str) -> str:
    formats = export_formats(dataset_id)
    key = str(fmt).lower().lstrip(".")
    if key not in formats:
        raise ValueError(f"{dataset_id} cannot be exported as {fmt!r}; "
                         f"its formats are: {', '.join(formats)}")
    return key


def geojson_bytes(gdf: gpd.GeoDataFrame) -> bytes:
    """A plain RFC 7946 FeatureCollection (lon/lat, right-hand rule, no crs), UTF-8."""
    display = to_display(gdf)
    display.geometry = shapely.orient_polygons(display.geometry.values, exterior_cw=False)
    collection = display.to_geo_dict(na="null", drop_id=True)
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
    content = geojson_bytes(frame) if key == "geojson" else csv_bytes(frame)
    return content, file_name(ds.id, key, _stand(store.meta(ds.id))), MIME[key]


def attribution_header(dataset_id: str, settings: Settings | None = None,
                       lang: str = "de") -> str:
    """One line to show (and keep) with a download: title, source, licence and Stand.

    Kept out of the CSV so its first line stays the header; works without a local copy
    (the Stand is then "unbekannt").
    """
    ds = catalogue.get(dataset_id)
    words = _TEXTS["en" if str(lang)[:2].lower() == "en" else "de"]
    stand = _stand(_store(settings).meta(ds.id)) or words["unknown"]
    source = ds.attribution.removeprefix("Quelle: ").removeprefix("Source: ")
    link = ds.page or ("" if "{" in ds.official_url else ds.official_url)
    source = f"{source}, {link}" if link else source
    return (f"{ds.title(lang)} – {words['source']}: {source} – {words['licence']}: "
            f"{ds.licence} ({ds.licence_url}) – {words['stand']}: {stand}")
