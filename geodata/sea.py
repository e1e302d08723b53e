"""The sea at Warnemünde: annual mean sea level from the monthly PSMSL record, and the
storm-surge classes of the German Baltic coast (the one place they are defined).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import pandas as pd

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
SURGE_SOURCE = (
    "BSH (Bundesamt für Seeschifffahrt und Hydrographie), Sturmflutklassen Ostsee; "
    "as listed in the project's domain notes (§4.3, no URL given there), cross-checked "
    "with https://sturmflutmonitor.de/faq/index.php.de (quoting BSH: Sturmfluten)"
)


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
    top class. Columns: class_de, class_en, lower_m, upper_m; ``.attrs["source"]``."""
    df = pd.DataFrame(
        [(c.de, c.en, c.lower_cm / 100, math.nan if c.upper_cm is None else c.upper_cm / 100)
         for c in SURGE_CLASSES],
        columns=["class_de", "class_en", "lower_m", "upper_m"],
    )
    df.attrs["source"] = SURGE_SOURCE
    return df
