"""Decoder for DWD's raw monthly CLIMAT reports (WMO FM 71), one station at a time.

DWD publishes one file per month with every station of the world:
https://opendata.dwd.de/climate_environment/CDC/observations_global/CLIMAT/monthly/raw/CLIMAT_RAW_<YYYYMM>.txt
The files are ``;``-separated with a header line of 127 names (``year;month;IIiii;G1;Po;G1;...``);
field meanings are in DWD's ``readme_RAW_CLIMATs_eng.txt``.

Why the row is walked instead of read by header position: the header repeats the group-index
names (G1 … G4) and lists every group of a section at a fixed place, but a row only promises the
*order* of the groups. Each group starts with its index token (section 3 groups 0…9, section 4
groups 0…7, …) followed by a fixed number of fields (which may themselves be empty); groups the
station did not report may be dropped, so later groups can shift left with empty fields padding
the end of the section. We therefore take the section boundaries from the header (first
G1/G2/G3/G4) and, inside a section, skip empty tokens and read every non-empty token as a group
index followed by that group's fields. Group indices must rise within a section; a token that
is not the index of a later group means the row is misaligned, and we raise instead of guessing.

Decoding conventions (all values are floats, NaN where not reported):

* temperatures are tenths of °C with a separate sign field ``sn`` (0 = +, 1 = −); ``sn`` = 9
  announces relative humidity instead of a temperature, and a value with an empty sign field
  cannot be signed – both become NaN;
* pressures and vapour pressure are tenths of hPa; DWD writes station pressure with its
  thousands digit (``10222`` = 1022.2 hPa), so no digit is restored;
* R1 (monthly precipitation) is whole mm, Rx (highest daily amount, section 4) tenths of mm.
  The WMO Manual on Codes (FM 71) reserves ``9999`` in both for a *trace* of precipitation;
  DWD's readme is silent on it and no Warnemünde report 2003–2021 uses it. We decode a trace
  as 0.0 mm – precipitation fell but too little to measure, so it must count
  as "nothing" in sums and maxima, never as 9999 mm or 999.9 mm;
* day of an extreme (section 4): WMO adds 50 when the extreme occurred on more than one day; we
  store only the (first) day of month, i.e. the code modulo 50, and drop the "several days" flag;
  a day code outside 1…31 / 51…81 (e.g. ``00``) becomes NaN;
* a section-3 group the station left out gives NaN for its day counts. In practice stations
  such as Warnemünde omit a group when all its counts are zero (no frost days in June), so
  callers wanting counts may treat NaN in these columns as 0 – the parser does not guess.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

import pandas as pd

from ..errors import excerpt

__all__ = ["COLUMNS", "ClimatFormatError", "parse_climat", "parse_climat_files"]


class ClimatFormatError(ValueError):
    """A CLIMAT file or station row cannot be decoded; ``str()`` is one readable sentence."""


# Field names of each group, keyed by section marker and group index (order as in DWD's header).
GROUPS: dict[str, dict[int, tuple[str, ...]]] = {
    "G1": {
        1: ("Po",),
        2: ("P",),
        3: ("sn", "T", "st"),
        4: ("sn", "Tx", "sn", "Tn"),
        5: ("e",),
        6: ("R1", "Rd", "nr"),
        7: ("S1", "ps"),
        8: ("mP", "mT", "mTx", "mTn"),
        9: ("me", "mR", "mS"),
    },
    "G2": {
        0: ("Yb", "Yc"),
        1: ("Po",),
        2: ("P",),
        3: ("sn", "T", "st"),
        4: ("sn", "Tx", "sn", "Tn"),
        5: ("e",),
        6: ("R1", "nr"),
        7: ("S1",),
        8: ("YP", "YT", "YTx"),
        9: ("Ye", "YR", "YS"),
    },
    "G3": {
        0: ("T25", "T30"),
        1: ("T35", "T40"),
        2: ("Tn0", "Tx0"),
        3: ("R01", "R05"),
        4: ("R10", "R50"),
        5: ("R100", "R150"),
        6: ("s00", "s01"),
        7: ("s10", "s50"),
        8: ("f10", "f20", "f30"),
        9: ("V1", "V2", "V3"),
    },
    "G4": {
        0: ("sn", "Txd", "yx"),
        1: ("sn", "Tnd", "yn"),
        2: ("sn", "Tax", "yax"),
        3: ("sn", "Tan", "yan"),
        4: ("Rx", "yr"),
        5: ("iw", "fx", "yfx"),
        6: ("Dts", "Dgr"),
        7: ("iy", "Gx", "Gn"),
    },
}
SECTIONS: tuple[str, ...] = tuple(GROUPS)

COLUMNS: tuple[str, ...] = (
    "year",
    "month",
    "wmo_id",
    "p_station_hpa",
    "p_sealevel_hpa",
    "t_mean_c",
    "t_sd_daily_c",
    "tx_mean_c",
    "tn_mean_c",
    "vapour_pressure_hpa",
    "precip_mm",
    "days_precip_ge1mm",
    "sunshine_h",
    "days_tx_ge25",
    "days_tx_ge30",
    "days_tn_lt0",
    "days_tx_lt0",
    "days_snow_gt0cm",
    "days_wind_ge10ms",
    "t_daily_mean_max_c",
    "t_daily_mean_min_c",
    "t_abs_max_c",
    "day_t_abs_max",
    "t_abs_min_c",
    "day_t_abs_min",
    "precip_daily_max_mm",
    "day_precip_daily_max",
)
INT_COLUMNS: tuple[str, ...] = ("year", "month", "wmo_id")

TRACE = 9999  # WMO FM 71 code for a trace of precipitation in R1R1R1R1 and RxRxRxRx
_NAN = math.nan
_FILE_MONTH = re.compile(r"CLIMAT_RAW_(\d{4})(\d{2})")


def _where(source: str, year: int | None = None, month: int | None = None) -> str:
    """Name the file and, when known, the month, so every error message says where it is."""
    name = source or "CLIMAT text"
    return f"{name} ({year:04d}-{month:02d})" if year and month else name


def _number(token: str, where: str, what: str) -> float:
    """Decode one numeric field; empty or slashed ("///") fields are simply not reported."""
    token = token.strip()
    if not token or "/" in token:
        return _NAN
    if not token.isdigit():
        raise ClimatFormatError(f"{where}: field {what} holds {excerpt(token)}, which is not a "
                                "number.")
    return float(int(token))


def _tenths(token: str, where: str, what: str) -> float:
    """A field in tenths of a unit (hPa, °C, mm) as a value in that unit."""
    return round(_number(token, where, what) / 10, 1)


def _temperature(sign: str, value: str, where: str, what: str) -> float:
    """A temperature in tenths of °C with its separate sign field (0 = +, 1 = −)."""
    tenths = _number(value, where, what)
    sign = sign.strip()
    if sign not in ("", "0", "1", "9"):
        raise ClimatFormatError(f"{where}: the sign of {what} is {excerpt(sign)}, expected 0, 1 "
                                "or 9.")
    if sign in ("", "9") or math.isnan(tenths):
        # 9 announces relative humidity instead of a temperature, and a value without its
        # sign cannot be trusted (−3.2 and +3.2 look the same), so neither is a temperature
        return _NAN
    return round((-tenths if sign == "1" else tenths) / 10, 1)


def _precip(token: str, scale: float, where: str, what: str) -> float:
    """Precipitation with the WMO trace code (9999) decoded as 0.0 mm."""
    value = _number(token, where, what)
    if value == TRACE:
        return 0.0
    return round(value * scale, 1)


def _day(token: str, where: str, what: str) -> float:
    """Day of month of an extreme; WMO's +50 ("on several days") is removed."""
    day = _number(token, where, what)
    if math.isnan(day):
        return _NAN
    day = day - 50 if day > 50 else day
    return day if 1 <= day <= 31 else _NAN


def _walk(row: list[str], start: int, stop: int, section: str, where: str) -> dict[int, list[str]]:
    """Split one section of a row into {group index: its fields} by reading group-index tokens."""
    layout = GROUPS[section]
    groups: dict[int, list[str]] = {}
    last = -1
    i = start
    while i < stop:
        token = row[i].strip()
        if not token:
            # padding left behind by a dropped group
            i += 1
            continue
        index = int(token) if token.isdigit() else -1
        if index not in layout or index <= last:
            raise ClimatFormatError(
                f"{where}: field {i + 1} holds {excerpt(token)} where section {section[1]} "
                f"expects the index of one of its groups {sorted(g for g in layout if g > last)}."
            )
        size = len(layout[index])
        if i + 1 + size > stop:
            raise ClimatFormatError(
                f"{where}: group {index} of section {section[1]} runs past the end of the section."
            )
        groups[index] = row[i + 1 : i + 1 + size]
        last = index
        i += 1 + size
    return groups


def _header(line: str, source: str) -> tuple[dict[str, int], list[tuple[str, int, int]]]:
    """Positions of year/month/IIiii and the (start, stop) field range of each section."""
    names = [name.strip() for name in line.split(";")]
    missing = [key for key in ("year", "month", "IIiii", *SECTIONS) if key not in names]
    if missing:
        raise ClimatFormatError(
            f"{_where(source)}: the header line lacks {', '.join(missing)}, "
            "so it is not a DWD CLIMAT_RAW header."
        )
    keys = {key: names.index(key) for key in ("year", "month", "IIiii")}
    starts = [names.index(section) for section in SECTIONS]
    if starts != sorted(starts) or starts[0] <= max(keys.values()):
        raise ClimatFormatError(
            f"{_where(source)}: the header has its sections out of order (G1 … G4 after IIiii)."
        )
    bounds = list(zip(SECTIONS, starts, [*starts[1:], len(names)], strict=True))
    keys["fields"] = len(names)
    return keys, bounds


def _station_rows(lines: list[str], column: int, wmo_id: int) -> list[list[str]]:
    """All rows whose IIiii field is the station, identical duplicates collapsed."""
    rows: list[list[str]] = []
    for line in lines:
        fields = line.split(";")
        if len(fields) <= column:
            continue
        token = fields[column].strip()
        if token.isdigit() and int(token) == wmo_id and fields not in rows:
            rows.append(fields)
    return rows


def _int_field(row: list[str], column: int) -> int | None:
    """Year or month of a row, None when absent or not a number."""
    if column >= len(row):
        return None
    token = row[column].strip()
    return int(token) if token.isdigit() else None


def parse_climat(text: str, wmo_id: int = 10170, source: str = "") -> dict | None:
    """Decode the row of station `wmo_id` from one CLIMAT_RAW file's text.

    Returns a dict with the keys of `COLUMNS`, or None if the station has no row in the file
    (not every station reports every month). `source` (usually the file name) names the file in
    error messages and, when it looks like ``CLIMAT_RAW_YYYYMM``, lets us check that the row's
    year/month match the file it came from. Identical duplicate rows count once; differing ones
    raise, because we cannot tell which report is the valid one.
    """
    # a BOM would hide the first header name ("year") from the header check
    lines = [line for line in text.lstrip("\ufeff").splitlines() if line.strip()]
    if not lines:
        raise ClimatFormatError(f"{_where(source)}: the file is empty, not even a header line.")
    keys, bounds = _header(lines[0], source)
    rows = _station_rows(lines[1:], keys["IIiii"], wmo_id)
    if not rows:
        return None

    file_month = _FILE_MONTH.search(source)
    year = _int_field(rows[0], keys["year"])
    month = _int_field(rows[0], keys["month"])
    if (year is None or month is None) and file_month:
        year, month = int(file_month[1]), int(file_month[2])
    where = _where(source, year, month)
    if len(rows) > 1:
        raise ClimatFormatError(f"{where}: station {wmo_id} has {len(rows)} differing rows.")
    row = rows[0]
    if len(row) != keys["fields"]:
        raise ClimatFormatError(
            f"{where}: the row of station {wmo_id} has {len(row)} fields where the header has "
            f"{keys['fields']}, so it is truncated or malformed."
        )
    if year is None or month is None or not 1 <= month <= 12:
        raise ClimatFormatError(f"{where}: the row of station {wmo_id} has no valid year/month.")
    if file_month and (int(file_month[1]), int(file_month[2])) != (year, month):
        raise ClimatFormatError(
            f"{where}: the row of station {wmo_id} is dated {year:04d}-{month:02d}, "
            f"but the file name says {file_month[1]}-{file_month[2]}."
        )

    sections = {name: _walk(row, start, stop, name, where) for name, start, stop in bounds}
    return _decode(sections, year, month, wmo_id, where)


def _decode(
    sections: dict[str, dict[int, list[str]]], year: int, month: int, wmo_id: int, where: str
) -> dict:
    """Turn the walked groups into the output columns (units as in the module docstring)."""

    def field(section: str, group: int, name: str, nth: int = 0) -> str:
        # the nth occurrence of `name` in that group ("sn" appears twice in group 4), "" if absent
        fields = sections[section].get(group)
        if fields is None:
            return ""
        positions = [i for i, n in enumerate(GROUPS[section][group]) if n == name]
        return fields[positions[nth]]

    def temp(section: str, group: int, name: str, nth: int = 0) -> float:
        return _temperature(
            field(section, group, "sn", nth), field(section, group, name), where, name
        )

    def count(section: str, group: int, name: str) -> float:
        return _number(field(section, group, name), where, name)

    return {
        "year": year,
        "month": month,
        "wmo_id": wmo_id,
        "p_station_hpa": _tenths(field("G1", 1, "Po"), where, "Po"),
        "p_sealevel_hpa": _tenths(field("G1", 2, "P"), where, "P"),
        "t_mean_c": temp("G1", 3, "T"),
        "t_sd_daily_c": _tenths(field("G1", 3, "st"), where, "st"),
        "tx_mean_c": temp("G1", 4, "Tx", 0),
        "tn_mean_c": temp("G1", 4, "Tn", 1),
        "vapour_pressure_hpa": _tenths(field("G1", 5, "e"), where, "e"),
        "precip_mm": _precip(field("G1", 6, "R1"), 1.0, where, "R1"),
        "days_precip_ge1mm": count("G1", 6, "nr"),
        "sunshine_h": count("G1", 7, "S1"),
        "days_tx_ge25": count("G3", 0, "T25"),
        "days_tx_ge30": count("G3", 0, "T30"),
        "days_tn_lt0": count("G3", 2, "Tn0"),
        "days_tx_lt0": count("G3", 2, "Tx0"),
        "days_snow_gt0cm": count("G3", 6, "s00"),
        "days_wind_ge10ms": count("G3", 8, "f10"),
        "t_daily_mean_max_c": temp("G4", 0, "Txd"),
        "t_daily_mean_min_c": temp("G4", 1, "Tnd"),
        "t_abs_max_c": temp("G4", 2, "Tax"),
        "day_t_abs_max": _day(field("G4", 2, "yax"), where, "yax"),
        "t_abs_min_c": temp("G4", 3, "Tan"),
        "day_t_abs_min": _day(field("G4", 3, "yan"), where, "yan"),
        "precip_daily_max_mm": _precip(field("G4", 4, "Rx"), 0.1, where, "Rx"),
        "day_precip_daily_max": _day(field("G4", 4, "yr"), where, "yr"),
    }


def parse_climat_files(texts: Iterable[tuple[str, str]], wmo_id: int = 10170) -> pd.DataFrame:
    """(source_name, text) pairs -> one row per month, sorted by (year, month).

    Duplicates of a month are rejected with ClimatFormatError.

    Files without a row for the station are skipped. A month found in two files is an error
    (e.g. a backup copy ``CLIMAT_RAW_201903.txt~`` next to the real file), because silently
    picking one would hide which report the figures come from.
    """
    records: list[dict] = []
    seen: dict[tuple[int, int], str] = {}
    for source, text in texts:
        record = parse_climat(text, wmo_id=wmo_id, source=source)
        if record is None:
            continue
        key = (record["year"], record["month"])
        if key in seen:
            raise ClimatFormatError(
                f"{_where(source, *key)}: station {wmo_id} has this month already in {seen[key]}, "
                "so the month is duplicated."
            )
        seen[key] = source
        records.append(record)
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    frame = frame.sort_values(["year", "month"], kind="stable").reset_index(drop=True)
    for column in COLUMNS:
        frame[column] = frame[column].astype("int64" if column in INT_COLUMNS else "float64")
    return frame
