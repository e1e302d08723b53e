"""Exports of a planner's current selection: a comparison table of a few districts ×
indicators, their geometry and a chart. Pure functions, no Streamlit; each returns bytes
ready for a download button, ``report_filename`` gives the matching file name.

The comparison table
--------------------
Wide, one row per district: ``code`` (Stadtbereich letter), optionally ``name`` and
``year``, then one column per indicator id of ``geodata.indicators`` (``einwohner``,
``dichte``, ``anteil_65_plus``, …). A table indexed by ``code`` works too (the index becomes
a column). Other columns are passed through unchanged. ``selection_geojson`` also accepts
the long form of ``geodata.loaders.indicators`` (code, year, indicator, value) and spreads
it out to one property per indicator (per indicator and year when several years are given).

Sources
-------
A list of dicts as ``geodata.loaders.info`` returns them (``title_de``/``title_en`` or
``title``, ``publisher``, ``licence``, ``licence_url``, ``page``/``source_url``, the data's
own date ``reference`` and ``retrieved_at``); missing keys are left out, a missing date is
written as "unbekannt"/"unknown". Dates are written as ``text.data_date`` writes them.

Formats
-------
``selection_csv``
    For German spreadsheet settings, so Excel and LibreOffice in de_DE open the file by
    double-click with numbers as numbers: UTF-8 *with* BOM, ";" as separator, decimal comma,
    no thousands separator, "\\r\\n" line ends, missing values as empty fields, floats with
    up to 15 significant digits and never in exponent notation; text cells that would start
    a formula get a leading apostrophe (OWASP). Column headers are in the chosen language
    (indicator ids become "label (unit)"). Source, licence, the data's own date and the
    retrieval day travel as four extra columns (``quelle``, ``lizenz``, ``datenstand``,
    ``abgerufen``; English ``source``, ``licence``, ``data_date``, ``retrieved``) repeated
    on every row — rather than a trailing block of
    ``# ``-comment lines — because every CSV reader (pandas, R, Excel, LibreOffice, GIS
    tools, database imports) reads them without special options: a comment block breaks
    the rectangular shape (Excel shows it as stray rows, pandas needs ``comment="#"`` which
    also cuts any value containing "#"), and the attribution stays with each row when rows
    are filtered, sorted or copied into another sheet. The cost is a few hundred repeated
    bytes per row, irrelevant for a handful of districts.
``selection_geojson``
    RFC 7946 FeatureCollection in EPSG:4326 (``layers.geometry.to_display``: 5 decimals,
    polygons wound counter-clockwise), one feature per selected district with ``code``,
    ``name``, the comparison values and the same four source columns as the CSV as
    properties (readers such as geopandas and QGIS keep properties), plus a top-level
    foreign member ``"metadata": {"sources": [...], "generated": "YYYY-MM-DD", "fields":
    {...}}`` for readers that look there (RFC 7946 §6.1; GDAL/geopandas drop it). UTF-8
    without BOM.
``chart_png``
    An Altair chart as PNG via vl-convert (Vega and Vega-Lite compiled into the wheel, run in
    an embedded V8; Liberation Sans is bundled, so text renders without system fonts). No
    network access: data must be inline (as every chart of ``figures.charts`` is) and
    ``allowed_base_urls=[]`` makes any URL data source an error instead of a download.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from datetime import date
from typing import Any

import altair as alt
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geodata.indicators import BY_ID
from layers.geometry import to_display
from text import data_date, day, escape_csv, t

from .export import stamp_features

CSV_MIME = "text/csv"
GEOJSON_MIME = "application/geo+json"
PNG_MIME = "image/png"
CSV_SEPARATOR = ";"
CSV_DECIMAL = ","
CSV_LINE_END = "\r\n"
# Longest run of district codes in a file name before it is shortened (with a hash).
MAX_CODES_CHARS = 60

_TEXTS: dict[str, dict[str, str]] = {
    "de": {"source": "quelle", "licence": "lizenz", "data_date": "datenstand",
           "retrieved": "abgerufen", "unknown": "unbekannt",
           "code": "Kürzel", "name": "Stadtbereich", "year": "Jahr", "indicator": "Kennzahl",
           "value": "Wert", "unit": "Einheit"},
    "en": {"source": "source", "licence": "licence", "data_date": "data_date",
           "retrieved": "retrieved", "unknown": "unknown",
           "code": "Code", "name": "District", "year": "Year", "indicator": "Indicator",
           "value": "Value", "unit": "Unit"},
}


def _lang(lang: str) -> str:
    code = str(lang or "de")[:2].lower()
    return code if code in _TEXTS else "de"


# --- sources -----------------------------------------------------------------------------------


def _source(src: dict[str, Any], lang: str) -> dict[str, str]:
    """One source normalised to title, publisher, licence, licence_url, url, data_date and
    retrieved (dates as the page's language writes them)."""
    title = src.get(f"title_{lang}") or src.get("title") or src.get("title_de") or src.get("id")
    url = src.get("page") or src.get("url") or src.get("source_url") or ""
    if "{" in str(url):  # a URL template (one file per year/topic) is no link to follow
        url = ""
    publisher = (src.get("publisher_en") if lang == "en" else None) or src.get("publisher")
    licence = (src.get("licence_en") if lang == "en" else None) or src.get("licence")
    out = {"title": title, "publisher": publisher, "licence": licence,
           "licence_url": src.get("licence_url"), "url": url,
           "data_date": (data_date(src["reference"], lang) or t("source.no_date", lang))
           if src.get("reference") else None,
           "retrieved": day(src.get("retrieved_at"), lang)}
    return {k: str(v) for k, v in out.items() if v not in (None, "")}


def _joined(values: list[str]) -> str:
    """One value when all sources agree, else the values in source order, " | " between."""
    if values and all(v == values[0] for v in values):
        return values[0]
    return " | ".join(values)


def _source_columns(sources: list[dict[str, Any]], lang: str) -> dict[str, str]:
    words = _TEXTS[lang]
    srcs = [_source(s, lang) for s in sources]
    quelle = []
    for s in srcs:
        text = " – ".join(s[k] for k in ("title", "publisher") if k in s)
        quelle.append(f"{text}, {s['url']}" if "url" in s else text)
    licences = []
    for s in srcs:
        licence = s.get("licence", words["unknown"])
        licences.append(f"{licence} ({s['licence_url']})" if "licence_url" in s else licence)
    own = [s.get("data_date", words["unknown"]) for s in srcs]
    retrieved = [s.get("retrieved", words["unknown"]) for s in srcs]
    if not srcs:
        quelle = licences = own = retrieved = [words["unknown"]]
    return {words["source"]: " | ".join(quelle), words["licence"]: _joined(licences),
            words["data_date"]: " | ".join(own), words["retrieved"]: _joined(retrieved)}


# --- the table -----------------------------------------------------------------------------------


def _flat(table: pd.DataFrame) -> pd.DataFrame:
    """The table with a meaningful index (e.g. ``code``) turned into columns."""
    if isinstance(table.index, pd.RangeIndex) and table.index.name is None:
        return table.copy()
    return table.reset_index()


def _header(column: Any, lang: str) -> str:
    words = _TEXTS[lang]
    key = str(column)
    if key in BY_ID:
        ind = BY_ID[key]
        label = ind.label(lang)
        unit = ind.unit(lang)
        return label if unit == "%" and label.endswith("(%)") else f"{label} ({unit})"
    return words.get(key, key) if key in ("code", "name", "year", "indicator", "value",
                                          "unit") else key


def _number_text(value: float) -> str | None:
    """15 significant digits, decimal comma, never exponent notation; NaN → empty."""
    if value is None or not np.isfinite(value):
        return None
    text = f"{value:.15g}"
    if "e" in text:
        text = np.format_float_positional(float(text), trim="-")
    return text.replace(".", CSV_DECIMAL)


def selection_csv(table: pd.DataFrame, sources: list[dict[str, Any]], lang: str = "de"
                  ) -> bytes:
    """The comparison table as CSV for German spreadsheets (see the module docstring):
    UTF-8 with BOM, ";" separated, decimal comma, "\\r\\n", headers in ``lang``, and the
    sources' text in three extra columns (quelle, lizenz, stand) on every row."""
    lang = _lang(lang)
    frame = _flat(table)
    numbers = set()
    for col in frame.columns:
        if pd.api.types.is_float_dtype(frame[col].dtype):
            numbers.add(_header(col, lang))
            frame[col] = pd.Series(
                [_number_text(v) for v in frame[col].astype("float64")],
                index=frame.index, dtype="object")
    frame.columns = [_header(c, lang) for c in frame.columns]
    if len(set(frame.columns)) != len(frame.columns):
        raise ValueError(f"the table has duplicate column names: {list(frame.columns)}")
    extra = _source_columns(sources, lang)
    clash = set(extra) & set(frame.columns)
    if clash:
        raise ValueError(f"the table already has the source columns {sorted(clash)}")
    for name, value in extra.items():
        frame[name] = value
    text = escape_csv(frame, numbers).to_csv(index=False, sep=CSV_SEPARATOR,
                                             decimal=CSV_DECIMAL, lineterminator=CSV_LINE_END)
    return text.encode("utf-8-sig")


# --- GeoJSON -------------------------------------------------------------------------------------


def wide_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per district: a long table (code, indicator, value[, year, name]) is spread
    out to one column per indicator (``<indicator>_<year>`` when it spans several years);
    a wide table is returned as it is (index turned into columns)."""
    frame = _flat(table)
    if not {"code", "indicator", "value"} <= set(frame.columns):
        return frame
    years = frame["year"].dropna().unique() if "year" in frame.columns else []
    key = frame["indicator"].astype(str)
    if len(years) > 1:
        key = key + "_" + frame["year"].astype(int).astype(str)
    wide = (frame.assign(_key=key)
            .pivot_table(index="code", columns="_key", values="value", aggfunc="first",
                         sort=False))
    wide.columns.name = None
    wide = wide.reset_index()
    if "name" in frame.columns:
        names = frame.drop_duplicates("code").set_index("code")["name"]
        wide.insert(1, "name", wide["code"].map(names))
    if len(years) == 1:
        wide.insert(1 + ("name" in wide.columns), "year", int(years[0]))
    return wide


def _json_default(value: Any) -> Any:
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return None if not np.isfinite(value) else float(value)
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, pd.Timestamp | date):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _field_info(columns: list[str], lang: str) -> dict[str, dict[str, str]]:
    fields = {}
    for col in columns:
        base = re.sub(r"_\d{4}$", "", col) if col not in BY_ID else col
        if base in BY_ID:
            fields[col] = {"label": BY_ID[base].label(lang), "unit": BY_ID[base].unit(lang)}
    return fields


def selection_geojson(gdf: gpd.GeoDataFrame, table: pd.DataFrame,
                      sources: list[dict[str, Any]], lang: str = "de") -> bytes:
    """The selected districts as an RFC 7946 FeatureCollection with their comparison values.

    ``gdf``: district geometry with ``code`` (and ``name``), any CRS (the store's is
    EPSG:25833); ``table``: the comparison table (see the module docstring). One feature per
    row of the table, in its order, with ``code``, ``name`` and one property per value;
    missing values are ``null``. Raises ValueError when ``gdf`` has no CRS or lacks a code of
    the table.
    """
    lang = _lang(lang)
    if gdf.crs is None:
        raise ValueError("the district geometry has no CRS")
    wide = wide_table(table)
    if "code" not in wide.columns:
        raise ValueError("the comparison table needs a 'code' column (or index)")
    codes = [str(c) for c in wide["code"]]
    if len(set(codes)) != len(codes):
        raise ValueError(f"the comparison table lists a district twice: {codes}")
    shapes = gdf.assign(code=gdf["code"].astype(str)).drop_duplicates("code").set_index("code")
    missing = [c for c in codes if c not in shapes.index]
    if missing:
        raise ValueError(f"no geometry for the districts {missing}")
    props = wide.assign(code=codes)
    if "name" not in props.columns and "name" in shapes.columns:
        props.insert(1, "name", [shapes.at[c, "name"] for c in codes])
    selected = gpd.GeoDataFrame(props, geometry=list(shapes.loc[codes].geometry.values),
                                crs=gdf.crs)
    display = to_display(selected)
    display.geometry = shapely.orient_polygons(display.geometry.values, exterior_cw=False)
    collection = stamp_features(display.to_geo_dict(na="null", drop_id=True),
                                _source_columns(sources, lang))
    value_columns = [str(c) for c in props.columns if c not in ("code", "name", "year")]
    collection["metadata"] = {
        "sources": [_source(s, lang) for s in sources],
        "generated": date.today().isoformat(),
        "fields": _field_info(value_columns, lang),
    }
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":"), allow_nan=False,
                      default=_json_default).encode("utf-8")


# --- PNG -----------------------------------------------------------------------------------------


def _vegalite_version() -> str | None:
    """The Vega-Lite version Altair writes (e.g. "6.4"), if vl-convert has it."""
    import vl_convert as vlc

    match = re.match(r"v?(\d+)\.(\d+)", alt.SCHEMA_VERSION)
    version = f"{match.group(1)}.{match.group(2)}" if match else None
    return version if version in vlc.get_vegalite_versions() else None


def chart_png(chart: alt.TopLevelMixin | dict[str, Any], scale: float = 2.0) -> bytes:
    """An Altair chart (or a Vega-Lite dict) rendered to PNG, offline.

    vl-convert runs Vega-Lite and Vega in an embedded V8 with fonts bundled (Liberation
    Sans), so nothing is fetched: the chart's data must be inline (Altair's default data
    transformer and every chart of ``figures.charts``); a URL data source raises ValueError
    because ``allowed_base_urls=[]`` forbids loading anything. The chart's own
    ``config.locale`` (German decimal comma and thousands dot) is honoured. ``scale`` 2.0
    gives sharp images on high-DPI screens and in print (a 400 px wide chart → 800 px).
    The first render in a process takes ~1 s (V8 start-up), later ones ~0.1 s.
    """
    import vl_convert as vlc

    if not scale > 0:
        raise ValueError(f"scale must be positive, not {scale!r}")
    spec = chart if isinstance(chart, dict) else chart.to_dict()
    return vlc.vegalite_to_png(spec, vl_version=_vegalite_version(), scale=float(scale),
                               allowed_base_urls=[])


# Fonts with the same metrics on the server (vl-convert lays out text with Liberation Sans,
# which it bundles) and in browsers and PDFs (Arial and Helvetica share its metrics).
SVG_FONT = "Liberation Sans, Arial, Helvetica, sans-serif"
_SVG_ALLOWED_HREF = re.compile(r"^#")


def chart_svg(chart: alt.TopLevelMixin | dict[str, Any]) -> str:
    """An Altair chart (or a Vega-Lite dict) as SVG text for a static page, offline.

    Vega writes text from data as escaped character data. As a second line of defence the
    result is parsed and refused (ValueError) if it holds anything active: a script,
    ``foreignObject``, an event-handler attribute or a link that is not to the image itself.
    """
    import xml.etree.ElementTree as ET

    import vl_convert as vlc

    spec = dict(chart if isinstance(chart, dict) else chart.to_dict())
    spec["config"] = {**spec.get("config", {}), "font": SVG_FONT}
    svg = vlc.vegalite_to_svg(spec, vl_version=_vegalite_version(), allowed_base_urls=[])
    for element in ET.fromstring(svg).iter():
        tag = element.tag.rsplit("}", 1)[-1].lower()
        if tag in {"script", "foreignobject", "iframe", "object", "embed"}:
            raise ValueError(f"chart SVG holds a <{tag}>")
        for name, value in element.attrib.items():
            local = name.rsplit("}", 1)[-1].lower()
            if local.startswith("on") or (local == "href" and
                                          not _SVG_ALLOWED_HREF.match(value)):
                raise ValueError(f"chart SVG holds an active attribute {local}")
    return svg


# --- file names ----------------------------------------------------------------------------------

_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss"})


def _safe(text: str) -> str:
    """ASCII letters, digits and single "-" only (umlauts transliterated)."""
    ascii_text = unicodedata.normalize("NFKD", str(text).translate(_GERMAN))
    ascii_text = ascii_text.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^0-9A-Za-z]+", "-", ascii_text).strip("-")


def report_filename(kind: str, codes: list[str], year: int, ext: str) -> str:
    """``rostock_vergleich_A-E-K-N_2023.csv``: kind, district codes (in the order given,
    duplicates dropped) and year, in ASCII letters, digits, "-" and "_" only.

    A long list of codes is cut and given a short hash so different selections keep
    different names. Raises ValueError for an extension without letters or digits.
    """
    kind_part = _safe(kind).lower() or "auswahl"
    seen: list[str] = []
    for code in codes:
        safe = _safe(code)
        if safe and safe not in seen:
            seen.append(safe)
    codes_part = "-".join(seen) or "alle"
    if len(codes_part) > MAX_CODES_CHARS:
        digest = hashlib.sha1(codes_part.encode()).hexdigest()[:8]
        codes_part = f"{codes_part[:MAX_CODES_CHARS].rstrip('-')}-{digest}"
    suffix = re.sub(r"[^0-9a-z]+", "", str(ext).lower())
    if not suffix:
        raise ValueError(f"not a file extension: {ext!r}")
    return f"rostock_{kind_part}_{codes_part}_{int(year)}.{suffix}"
