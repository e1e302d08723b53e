"""Tabular sources: OpenData.HRO district tables, DWD regional means, PSMSL sea level."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd

from .. import validate as v
from ..catalogue import Dataset, Part
from ..errors import ValidationError, excerpt


def _display_name(path: Path) -> str:
    return path.name.split("__")[-1]


def _read_text(dataset: str, path: Path) -> str:
    raw = path.read_bytes()
    if not raw.strip():
        raise ValidationError(dataset, f"{_display_name(path)} is empty")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(dataset, f"{_display_name(path)} is neither UTF-8 nor Windows-1252 text")


def _read_district_frame(ds: Dataset, path: Path, ext: str) -> pd.DataFrame:
    dataset, name = ds.id, _display_name(path)
    try:
        if ext == "xlsx":
            v.check_archive(dataset, path, name, ds.limits)
            df = pd.read_excel(path, dtype=str, engine="openpyxl")
        else:
            text = _read_text(dataset, path)
            sep = ";" if text.splitlines()[0].count(";") > text.splitlines()[0].count(",") else ","
            df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False,
                             na_values=[""])
    except ValidationError:
        raise
    except Exception as exc:
        raise ValidationError(dataset, f"{name} cannot be read as a table "
                              f"({excerpt(exc, 80)})") from exc
    df.columns = [str(c).strip() for c in df.columns]
    # Some copies carry a leading unnamed row index (R's write.csv); it is not data.
    df = df.loc[:, [c for c in df.columns if c and not c.startswith("Unnamed")]]
    return df


def parse_district_tables(ds: Dataset, files: list[tuple[Part, Path]]) -> pd.DataFrame:
    """Wide year × topic tables → one tidy table: code, year, topic, indicator, value."""
    long_frames = []
    for part, path in files:
        name = _display_name(path)
        df = _read_district_frame(ds, path, part.params.get("ext", "csv"))
        df = df.rename(columns=ds.rename)
        df = v.check_columns(ds.id, df, {ds.key or "stadtbereich_code": "str"}, name)
        df = v.check_columns(ds.id, df, part.columns, name)
        codes = df[ds.key].str.upper()
        v.check_district_codes(ds.id, codes, name)
        numeric = [c for c in df.columns if c not in {ds.key, "stadtbereich_bezeichnung"}]
        extra = [c for c in numeric if c not in part.columns]
        df = v.check_columns(ds.id, df, {c: "float" for c in extra}, name)
        long = df.assign(code=codes).melt(
            id_vars="code", value_vars=numeric, var_name="indicator", value_name="value"
        )
        long["year"] = int(part.params["year"])
        long["topic"] = part.params["topic"]
        long_frames.append(long)
    out = pd.concat(long_frames, ignore_index=True)
    out["value"] = out["value"].astype("float64")
    out["year"] = out["year"].astype("int16")
    out = out[["code", "year", "topic", "indicator", "value"]]
    dup = out.duplicated(["code", "year", "indicator"])
    if dup.any():
        row = out[dup].iloc[0]
        raise ValidationError(
            ds.id, f"the indicator {row.indicator} for {row.year} appears in two files"
        )
    return out.sort_values(["year", "topic", "indicator", "code"], ignore_index=True)


def parse_dwd_regional(ds: Dataset, files: list[tuple[Part, Path]]) -> pd.DataFrame:
    """DWD regional-average files → variable, year, value, unit for one Bundesland."""
    region = ds.options.get("region", "Mecklenburg-Vorpommern")
    frames = []
    for part, path in files:
        name = _display_name(path)
        lines = _read_text(ds.id, path).splitlines()
        try:
            start = next(i for i, line in enumerate(lines) if line.startswith("Jahr;"))
        except StopIteration:
            raise ValidationError(ds.id, f"{name} has no header line starting with 'Jahr;'") \
                from None
        df = pd.read_csv(io.StringIO("\n".join(lines[start:])), sep=";", dtype=str)
        df.columns = [c.strip() for c in df.columns]
        if region not in df.columns:
            raise ValidationError(ds.id, f"{name} lacks the column {region}")
        years = pd.to_numeric(df.iloc[:, 0], errors="coerce")
        values = pd.to_numeric(df[region].str.strip(), errors="coerce")
        bad = years.isna() | values.isna()
        if bad.any():
            row = df[bad].iloc[0]
            raise ValidationError(ds.id, f"{name} has an unreadable row: {excerpt(';'.join(row))}")
        if years.duplicated().any():
            dup_year = int(years[years.duplicated()].iloc[0])
            raise ValidationError(ds.id, f"{name} lists the year {dup_year} twice")
        frames.append(pd.DataFrame({
            "variable": part.params["variable"],
            "year": years.astype("int16"),
            "value": values.astype("float64"),
            "unit": part.params.get("unit", ""),
        }))
    return pd.concat(frames, ignore_index=True)


def parse_psmsl(ds: Dataset, files: list[tuple[Part, Path]]) -> pd.DataFrame:
    """PSMSL RLR monthly file → year, month, msl_mm (NaN where -99999), missing days, flag."""
    (_part, path), = files
    name = _display_name(path)
    rows = []
    for n, line in enumerate(_read_text(ds.id, path).splitlines(), start=1):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(";")]
        if len(fields) != 4:
            raise ValidationError(ds.id, f"{name} line {n} has {len(fields)} fields instead of 4")
        try:
            rows.append((float(fields[0]), int(fields[1]), int(fields[2]), fields[3]))
        except ValueError:
            raise ValidationError(ds.id, f"{name} line {n} is not numeric: {excerpt(line)}") \
                from None
    if not rows:
        raise ValidationError(ds.id, f"{name} holds no rows")
    df = pd.DataFrame(rows, columns=["decimal_year", "msl_mm", "missing_days", "flag"])
    year = np.floor(df["decimal_year"]).astype(int)
    month = np.rint((df["decimal_year"] - year) * 12 + 0.5).astype(int)
    if not month.between(1, 12).all():
        raise ValidationError(ds.id, f"{name} has decimal years that are not mid-month values")
    df.insert(0, "year", year.astype("int16"))
    df.insert(1, "month", month.astype("int8"))
    df["msl_mm"] = df["msl_mm"].where(df["msl_mm"] != -99999).astype("float64")
    df["missing_days"] = df["missing_days"].where(df["missing_days"] != -99999)
    key = df["year"].astype(int) * 100 + df["month"].astype(int)
    if key.duplicated().any():
        raise ValidationError(ds.id, f"{name} lists a month twice")
    if not key.is_monotonic_increasing:
        raise ValidationError(ds.id, f"{name} is not in time order")
    return df
