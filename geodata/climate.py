"""Arithmetic on the climate series: trends, anomalies against a reference period, summer
days. Plain pandas (no charts), so a notebook gets the same figures as the pages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

# The WMO reference period: DWD and most climate communication compare against it.
WMO_REF: tuple[int, int] = (1961, 1990)
# The headline comparison: today's climate normal against the first 30 years measured.
RECENT_NORMAL: tuple[int, int] = (1991, 2020)
EARLY_PERIOD: tuple[int, int] = (1881, 1910)
SUMMER_MONTHS = (5, 6, 7, 8, 9)


@dataclass(frozen=True)
class Trend:
    slope_per_year: float
    intercept: float
    start: float
    end: float
    n: int

    def at(self, x: float) -> float:
        return self.intercept + self.slope_per_year * x


def linear_trend(x: pd.Series, y: pd.Series) -> Trend:
    """Least-squares line through the non-missing points (e.g. mm per year)."""
    mask = x.notna() & y.notna()
    xs, ys = x[mask].to_numpy(float), y[mask].to_numpy(float)
    if len(xs) < 2:
        raise ValueError("a trend needs at least two values")
    slope, intercept = np.polyfit(xs, ys, 1)
    return Trend(float(slope), float(intercept), float(xs.min()), float(xs.max()), len(xs))


@dataclass(frozen=True)
class Warming:
    """The figures people quote about a warming series (°C; per decade = 10 years)."""

    first_year: int
    last_year: int
    per_decade: float  # slope of the least-squares line over all years, × 10
    recent: tuple[int, int]
    recent_mean: float
    early: tuple[int, int]
    early_mean: float
    warmest_year: int
    warmest_value: float

    @property
    def difference(self) -> float:
        """How much warmer the recent period is than the early one."""
        return self.recent_mean - self.early_mean


def _period_mean(rows: pd.DataFrame, period: tuple[int, int], variable: str) -> float:
    """Mean over a period that must be complete: a 30-year mean over fewer years would not
    be the figure it claims to be."""
    a, b = period
    values = rows.loc[rows["year"].between(a, b), "value"]
    if len(values) != b - a + 1:
        raise ValueError(f"'{variable}' has {len(values)} of the {b - a + 1} years {a}–{b}; "
                         "a period mean needs all of them")
    return float(values.mean())


def warming(mv: pd.DataFrame, variable: str = "temperatur",
            recent: tuple[int, int] = RECENT_NORMAL,
            early: tuple[int, int] = EARLY_PERIOD) -> Warming:
    """Linear trend per decade over the whole series (first year to latest), the mean of
    ``recent`` against the mean of ``early``, and the warmest year (the first, on a tie)."""
    rows = mv.loc[mv["variable"] == variable, ["year", "value"]].dropna(subset=["value"])
    if rows.empty:
        raise ValueError(f"There are no values for the variable '{variable}'.")
    rows = rows.astype({"year": int, "value": float}).sort_values("year", ignore_index=True)
    trend = linear_trend(rows["year"].astype(float), rows["value"])
    warmest = rows.loc[rows["value"].idxmax()]
    return Warming(
        first_year=int(rows["year"].iloc[0]), last_year=int(rows["year"].iloc[-1]),
        per_decade=trend.slope_per_year * 10,
        recent=recent, recent_mean=_period_mean(rows, recent, variable),
        early=early, early_mean=_period_mean(rows, early, variable),
        warmest_year=int(warmest["year"]), warmest_value=float(warmest["value"]))


def anomalies(
    mv: pd.DataFrame, variable: str = "temperatur", ref: tuple[int, int] = WMO_REF
) -> pd.DataFrame:
    """Annual values and their difference from the reference-period mean.

    The WMO reference period 1961–1990 is the default because DWD and most climate
    communication compare against it. Returns year, value, anomaly (sorted by year); the
    reference mean is in ``.attrs["ref_mean"]``.
    """
    a, b = int(ref[0]), int(ref[1])
    if a > b:
        raise ValueError(f"The reference period {a}–{b} must start before it ends.")
    rows = mv.loc[mv["variable"] == variable, ["year", "value"]].dropna(subset=["value"])
    if rows.empty:
        raise ValueError(f"There are no values for the variable '{variable}'.")
    rows = rows.astype({"year": int, "value": float}).sort_values("year", ignore_index=True)
    in_ref = rows.loc[rows["year"].between(a, b), "value"]
    if in_ref.empty:
        raise ValueError(
            f"The reference period {a}–{b} has no data for '{variable}' "
            f"(the data cover {rows['year'].min()}–{rows['year'].max()}).")
    ref_mean = float(in_ref.mean())
    rows["anomaly"] = rows["value"] - ref_mean
    rows.attrs["ref_mean"] = ref_mean
    rows.attrs["ref"] = (a, b)
    return rows


def _known_days(days: pd.Series, t_abs_max: pd.Series, threshold: float) -> pd.Series:
    """Reported day counts; a missing count becomes 0 only where the month's absolute
    maximum proves it (below the threshold), otherwise it stays NaN (unknown)."""
    provably_zero = days.isna() & (t_abs_max < threshold)
    return days.mask(provably_zero, 0.0)


def summer_days(monthly: pd.DataFrame) -> pd.DataFrame:
    """Per year: days >= 25 °C, days >= 30 °C, the hottest temperature and whether the year
    is complete enough to compare.

    In the CLIMAT messages a missing ``days_tx_ge25``/``days_tx_ge30`` usually means the group
    was not reported, which in practice means no such day. NaN is kept as "not reported": a
    month's missing count is counted as 0 only if that month's absolute maximum
    (``t_abs_max_c``) is below the threshold, and the number of such months is reported in
    ``filled_ge25``/``filled_ge30``. ``complete`` is True only if all of May–September of that
    year are present (rows with a temperature) and their counts are known; only then are the
    sums comparable between years.

    Columns: year, days_ge25, days_ge30, t_max_c, summer_months, filled_ge25, filled_ge30,
    complete.
    """
    df = monthly.copy()
    present = df["t_mean_c"].notna() | df["t_abs_max_c"].notna()
    df = df.loc[present]
    ge25 = _known_days(df["days_tx_ge25"], df["t_abs_max_c"], 25.0)
    ge30 = _known_days(df["days_tx_ge30"], df["t_abs_max_c"], 30.0)
    summer = df["month"].isin(SUMMER_MONTHS)
    work = pd.DataFrame({
        "year": df["year"].astype(int),
        "month": df["month"].astype(int),
        "ge25": ge25,
        "ge30": ge30,
        "t_abs_max_c": df["t_abs_max_c"],
        "summer": summer,
        "filled25": df["days_tx_ge25"].isna() & ge25.notna(),
        "filled30": df["days_tx_ge30"].isna() & ge30.notna(),
        "unknown_summer": summer & (ge25.isna() | ge30.isna()),
    })
    grouped = work.groupby("year")
    out = pd.DataFrame({
        "days_ge25": grouped["ge25"].sum(min_count=1),
        "days_ge30": grouped["ge30"].sum(min_count=1),
        "t_max_c": grouped["t_abs_max_c"].max(),
        "summer_months": work.loc[work["summer"]].groupby("year")["month"].nunique(),
        "filled_ge25": grouped["filled25"].sum(),
        "filled_ge30": grouped["filled30"].sum(),
        "unknown": grouped["unknown_summer"].sum(),
    })
    out["summer_months"] = out["summer_months"].fillna(0).astype(int)
    out["complete"] = (out["summer_months"] == len(SUMMER_MONTHS)) & (out["unknown"] == 0)
    out = out.drop(columns="unknown").reset_index()
    return out.astype({"year": int, "filled_ge25": int, "filled_ge30": int})
