"""The sea at Warnemünde: annual mean sea level from the monthly PSMSL record, and the
storm-surge classes of the German Baltic coast (the one place they are defined).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import pandas as pd

from .climate import Trend, linear_trend

# PSMSL builds an annual mean only from years with at least 11 monthly values.
MIN_MONTHS_PER_YEAR = 11


def annual_sea_level(sl: pd.DataFrame) -> pd.DataFrame:
    """Annual mean sea level for years with at least 11 monthly values (as PSMSL does for
    its annual files): the Baltic's seasonal cycle of several centimetres would bias a mean
    over fewer months. Years with fewer months are kept as rows with NaN ``msl_mm`` so a line
    breaks there. Columns: year, msl_mm, months.
    """
    grouped = sl.groupby("year")["msl_mm"]
    out = pd.DataFrame({"mean": grouped.mean(), "months": grouped.count()})
    out["msl_mm"] = out["mean"].where(out["months"] >= MIN_MONTHS_PER_YEAR)
    years = pd.RangeIndex(int(out.index.min()), int(out.index.max()) + 1, name="year")
    out = out.reindex(years)
    out["months"] = out["months"].fillna(0).astype(int)
    return out.reset_index()[["year", "msl_mm", "months"]]


# The second headline trend starts here: the rise since the middle of the 20th century.
RECENT_FROM = 1950


@dataclass(frozen=True)
class SeaLevelTrends:
    """Linear trends of the monthly record (mm per year): all of it, and since ``since``."""

    whole: Trend
    recent: Trend
    since: int
    first_month: str  # "1855-04": the first and last month with a value
    last_month: str


def sea_level_trends(sl: pd.DataFrame, since: int = RECENT_FROM) -> SeaLevelTrends:
    """Least-squares trends through every monthly value (missing months left out), over
    the whole record and from January of ``since``."""
    valid = sl.dropna(subset=["msl_mm"]).sort_values("decimal_year")
    if valid.empty:
        raise ValueError("the sea-level record has no values")
    recent = valid[valid["year"] >= since]
    if recent["year"].nunique() < 10:
        raise ValueError(f"too few years since {since} for a trend")
    first, last = valid.iloc[0], valid.iloc[-1]
    return SeaLevelTrends(
        whole=linear_trend(valid["decimal_year"], valid["msl_mm"]),
        recent=linear_trend(recent["decimal_year"], recent["msl_mm"]), since=since,
        first_month=f"{int(first.year):04d}-{int(first.month):02d}",
        last_month=f"{int(last.year):04d}-{int(last.month):02d}")


class SurgeClass(NamedTuple):
    """A storm-surge class of the German Baltic coast: lower_cm <= height above MW < upper_cm."""

    de: str
    en: str
    lower_cm: float
    upper_cm: float | None  # None: open top class


# BSH classes for the Baltic, in cm above mean water (MW).
SURGE_CLASSES: tuple[SurgeClass, ...] = (
    SurgeClass("Sturmflut", "storm surge", 100.0, 125.0),
    SurgeClass("mittlere Sturmflut", "moderate storm surge", 125.0, 150.0),
    SurgeClass("schwere Sturmflut", "severe storm surge", 150.0, 200.0),
    SurgeClass("sehr schwere Sturmflut", "very severe storm surge", 200.0, None),
)
# Their origin is the catalogue entry of this id (publisher BSH, cited via sturmflutmonitor.de).
SURGE_DATASET = "sturmflutklassen"


def surge_class(above_mw_cm: float) -> tuple[str, str] | None:
    """The (German, English) storm-surge class of a height above mean water, None below
    1 m or for anything that is not a finite number."""
    if not isinstance(above_mw_cm, int | float) or not math.isfinite(above_mw_cm):
        return None
    for cls in SURGE_CLASSES:
        if above_mw_cm >= cls.lower_cm and (cls.upper_cm is None or above_mw_cm < cls.upper_cm):
            return cls.de, cls.en
    return None


def storm_surge_classes() -> pd.DataFrame:
    """The classes as a table in metres above mean water; ``upper_m`` is NaN for the open
    top class. Columns: class_de, class_en, lower_m, upper_m; ``.attrs["source"]`` names
    the catalogue entry that says where they come from."""
    df = pd.DataFrame(
        [(c.de, c.en, c.lower_cm / 100, math.nan if c.upper_cm is None else c.upper_cm / 100)
         for c in SURGE_CLASSES],
        columns=["class_de", "class_en", "lower_m", "upper_m"],
    )
    df.attrs["source"] = SURGE_DATASET
    return df
