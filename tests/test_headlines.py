"""The figures people quote, computed from the stored data by geodata (not typed in):
warming per decade, 1991–2020 against 1881–1910, the warmest year, the sea-level trends
since 1855 and since 1950, and the city's area."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geodata import climate, loaders, sea
from tests.helpers.mirror import fast_settings, needs_mirror


@pytest.fixture(scope="module")
def settings(good_store: Path):
    return fast_settings(good_store, None)


@needs_mirror
def test_warming_of_mecklenburg_vorpommern(settings) -> None:
    w = loaders.warming_figures(settings)
    mv = loaders.climate_mv(settings)
    t = mv[mv.variable == "temperatur"]
    slope = np.polyfit(t.year.astype(float), t.value, 1)[0]
    assert (w.first_year, w.last_year) == (1881, 2023)
    assert w.per_decade == pytest.approx(slope * 10) and round(w.per_decade, 2) == 0.12
    assert round(w.recent_mean, 1) == 9.2 and round(w.early_mean, 1) == 7.8
    assert round(w.difference, 1) == 1.4
    assert (w.warmest_year, w.warmest_value) == (2019, 10.45)
    assert w.warmest_value == t.value.max()


def test_warming_on_a_made_up_series() -> None:
    years = np.arange(1881, 2024)
    mv = pd.DataFrame({"variable": "temperatur", "year": years,
                       "value": 8.0 + 0.02 * (years - 1881)})
    w = climate.warming(mv)
    assert w.per_decade == pytest.approx(0.2)
    assert w.early_mean == pytest.approx(8.0 + 0.02 * 14.5)
    assert w.warmest_year == 2023
    gap = mv[mv.year != 1900]
    with pytest.raises(ValueError, match="29 of the 30 years 1881–1910"):
        climate.warming(gap)
    with pytest.raises(ValueError, match="no values"):
        climate.warming(mv.assign(variable="niederschlag"))


@needs_mirror
def test_sea_level_trends_since_1855_and_since_1950(settings) -> None:
    figures = loaders.sea_level_figures(settings)
    assert (figures.first_month, figures.last_month) == ("1855-04", "2017-12")
    assert round(figures.whole.slope_per_year, 1) == 1.3
    assert figures.since == 1950 and round(figures.recent.slope_per_year, 1) == 1.7
    sl = loaders.sea_level(settings).dropna(subset=["msl_mm"])
    recent = sl[sl.year >= 1950]
    assert figures.recent.n == len(recent) and figures.whole.n == len(sl)
    assert figures.recent.slope_per_year == pytest.approx(
        np.polyfit(recent.decimal_year, recent.msl_mm, 1)[0])


def test_sea_level_trends_need_enough_recent_years() -> None:
    sl = pd.DataFrame({"year": [1900, 1901, 1951], "month": [1, 1, 1],
                       "decimal_year": [1900.04, 1901.04, 1951.04],
                       "msl_mm": [7000.0, 7001.0, 7050.0]})
    with pytest.raises(ValueError, match="too few years since 1950"):
        sea.sea_level_trends(sl)


@needs_mirror
def test_city_area_from_the_district_polygons(settings) -> None:
    assert round(loaders.city_area_km2(settings), 1) == 181.4
