"""Derived indicators agree with the published figures they come from."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geodata import loaders
from geodata.indicators import INDICATORS, derive, latest_year
from tests.helpers.mirror import fast_settings, needs_mirror

pytestmark = needs_mirror


@pytest.fixture(scope="module")
def ind(good_store: Path) -> pd.DataFrame:
    return loaders.indicators(fast_settings(good_store, None)).set_index(
        ["indicator", "year", "code"]).sort_index()


def test_every_indicator_has_data_and_labels(ind: pd.DataFrame) -> None:
    present = set(ind.index.get_level_values("indicator"))
    assert present == {i.id for i in INDICATORS}
    assert ind.label_de.notna().all() and ind.label_en.notna().all()


def test_shares_from_age_counts(ind: pd.DataFrame) -> None:
    # Warnemünde 2023: 1,569 aged 65–75 and 1,974 aged 75+ of 8,512 residents.
    assert ind.loc[("anteil_65_plus", 2023, "A"), "value"] == pytest.approx(41.6, abs=0.05)
    # 124 + 149 + 450 under 15.
    assert ind.loc[("anteil_unter_15", 2023, "A"), "value"] == pytest.approx(8.5, abs=0.05)
    assert ind.loc[("durchschnittsalter", 2023, "A"), "value"] == pytest.approx(55.6)


def test_change_on_previous_year(ind: pd.DataFrame) -> None:
    pop = ind.xs("einwohner", level="indicator")["value"]
    change = ind.xs("veraenderung_vorjahr", level="indicator")["value"]
    assert change[(2023, "B")] == pop[(2023, "B")] - pop[(2022, "B")]
    assert 2005 not in change.index.get_level_values("year")
    pct = ind.loc[("veraenderung_vorjahr_pct", 2023, "B"), "value"]
    assert pct == pytest.approx(change[(2023, "B")] / pop[(2022, "B")] * 100, abs=0.01)


def test_change_is_never_computed_across_a_gap() -> None:
    tidy = pd.DataFrame({
        "code": ["A"] * 3, "year": [2010, 2011, 2013], "topic": "insgesamt",
        "indicator": "einwohnerzahl", "value": [100.0, 110.0, 200.0]})
    out = derive(tidy).set_index(["indicator", "year"])["value"]
    assert out[("veraenderung_vorjahr", 2011)] == 10
    assert ("veraenderung_vorjahr", 2013) not in out.index


def test_published_years_only(good_store: Path) -> None:
    years = loaders.indicator_years(fast_settings(good_store, None))
    assert years["einwohner"] == list(range(2005, 2024))
    assert years["durchschnittsalter"] == [2016, 2017, 2018, 2019, 2023]
    assert years["wanderungssaldo"][-1] == 2019
    assert years["anteil_alleinerziehende"] == [2019, 2020, 2021, 2022, 2023]
    # The year a page opens with: the latest published, of the city or of one district.
    ind = loaders.indicators(fast_settings(good_store, None))
    assert latest_year(ind) == 2023 and latest_year(ind, "wanderungssaldo") == 2019
    assert latest_year(ind[~((ind.code == "N") & (ind.year == 2023))], code="N") == 2022
    with pytest.raises(LookupError, match="no published years"):
        latest_year(ind, "no_such_indicator")


def test_sea_level_trend_in_mm_per_year(good_store: Path) -> None:
    trend = loaders.sea_level_trend(fast_settings(good_store, None))
    assert trend.slope_per_year == pytest.approx(1.27, abs=0.05)
    assert trend.n == 1951 and trend.start < 1856 and trend.end > 2017


def test_info_has_source_licence_and_both_dates(good_store: Path) -> None:
    info = loaders.info("bevoelkerung", fast_settings(good_store, None))
    assert info["available"] and info["period"] == "2005–2023"
    assert info["reference"] == {"kind": "day", "start": "2023-12-31", "end": "2023-12-31"}
    assert info["retrieved_at"][:4] >= "2024" and "stand" not in info
    assert info["licence"] == "CC0 1.0"
    missing = loaders.info("baeume", fast_settings(good_store, None))
    assert missing["available"] is False and missing["retrieved_at"] is None
    assert missing["reference"] is None  # no copy: the date is unknown, not absent
    places = loaders.info("orte", fast_settings(good_store, None))
    assert places["packaged"] and places["available"] and places["retrieved_at"] is None
