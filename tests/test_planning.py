"""Planner statistics against figures computed by hand from the published rows."""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import pandas as pd
import pytest

from geodata import loaders, planning
from tests.helpers.mirror import fast_settings, needs_mirror

pytestmark = needs_mirror

AGE = ["dichte", "durchschnittsalter", "anteil_65_plus", "anteil_single"]


@pytest.fixture(scope="module")
def ind(good_store: Path) -> pd.DataFrame:
    return loaders.indicators(fast_settings(good_store, None))


@pytest.fixture(scope="module")
def area(good_store: Path) -> pd.Series:
    return loaders.districts(fast_settings(good_store, None)).set_index("code")["area_km2"]


def by_code(ind: pd.DataFrame, indicator: str, year: int) -> dict[str, float]:
    """The published rows as a plain dict: the test's own source of truth."""
    rows = ind[(ind.indicator == indicator) & (ind.year == year)]
    return {str(r.code): float(r.value) for r in rows.itertuples()}


def test_compare_four_districts_by_hand(ind: pd.DataFrame, area: pd.Series) -> None:
    codes = ["A", "E", "K", "N"]
    chosen = ["einwohner", "dichte", "anteil_65_plus"]
    out = planning.compare(ind, codes, chosen, 2023, area_km2=area).set_index(
        ["indicator", "code"])
    assert len(out) == 12
    for indicator in chosen:
        vals = by_code(ind, indicator, 2023)
        assert len(vals) == 21
        mean = statistics.mean(vals.values())
        sd = statistics.pstdev(vals.values())
        ordered = sorted(vals.values(), reverse=True)
        for code in codes:
            row = out.loc[(indicator, code)]
            z = (vals[code] - mean) / sd
            assert row["value"] == vals[code]
            assert row["mean"] == pytest.approx(mean, rel=1e-12)
            assert row["sd"] == pytest.approx(sd, rel=1e-12)
            assert row["z"] == pytest.approx(z, rel=1e-9)
            assert row["flag"] == (abs(z) > 1)
            assert row["rank"] == ordered.index(vals[code]) + 1
            assert row["n"] == 21
            assert row["note"] is None
    # Readable anchors: Stadtmitte has the most residents, Warnemünde the oldest population,
    # Kröpeliner-Tor-Vorstadt the densest and the youngest.
    assert out.loc[("einwohner", "N"), "rank"] == 1
    assert out.loc[("dichte", "K"), "rank"] == 1
    assert out.loc[("anteil_65_plus", "A"), "rank"] == 1
    assert out.loc[("anteil_65_plus", "K"), "rank"] == 21
    assert out.xs("einwohner", level="indicator")["flag"].to_dict() == {
        "A": False, "E": True, "K": True, "N": True}
    assert out.loc[("einwohner", "A"), "mean"] == pytest.approx(211692 / 21)


def test_city_figures_are_not_the_mean(ind: pd.DataFrame, area: pd.Series,
                                       good_store: Path) -> None:
    out = planning.compare(ind, ["A", "E"], ["einwohner", "dichte", "anteil_65_plus"], 2023,
                           area_km2=area).set_index(["indicator", "code"])
    assert out.loc[("einwohner", "A"), "city"] == 211692
    pop = by_code(ind, "einwohner", 2023)
    share = by_code(ind, "anteil_65_plus", 2023)
    weighted = sum(share[c] * pop[c] for c in pop) / sum(pop.values())
    assert out.loc[("anteil_65_plus", "A"), "city"] == pytest.approx(weighted)
    assert out.loc[("dichte", "A"), "city"] == pytest.approx(211692 / float(area.sum()))
    # Unweighted mean and resident-weighted city figure really differ here.
    assert abs(out.loc[("anteil_65_plus", "A"), "mean"] - weighted) > 1
    reference = loaders.city_reference(fast_settings(good_store, None))
    for indicator in ["einwohner", "dichte", "anteil_65_plus"]:
        assert out.loc[(indicator, "E"), "city"] == pytest.approx(reference[(indicator, 2023)])


def test_indicator_not_published_keeps_rows(ind: pd.DataFrame) -> None:
    out = planning.compare(ind, ["A", "E"], ["dichte", "anteil_alleinerziehende"], 2011)
    missing = out[out.indicator == "anteil_alleinerziehende"]
    assert list(missing.code) == ["A", "E"]
    assert missing["value"].isna().all() and (missing["n"] == 0).all()
    assert missing["rank"].isna().all() and not missing["flag"].any()
    assert missing["note"].str.contains("not published in 2011").all()
    assert missing["note"].str.contains("different base").all()
    assert out[out.indicator == "dichte"]["value"].notna().all()


@pytest.mark.parametrize("codes", [["A"], ["A", "B", "C", "D", "E"]])
def test_compare_needs_two_to_four_districts(ind: pd.DataFrame, codes: list[str]) -> None:
    with pytest.raises(ValueError, match="between 2 and 4"):
        planning.compare(ind, codes, ["einwohner"], 2023)


def test_unknown_names_are_named(ind: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="gluecksindex"):
        planning.compare(ind, ["A", "E"], ["einwohner", "gluecksindex"], 2023)
    with pytest.raises(ValueError, match="Z"):
        planning.compare(ind, ["A", "Z"], ["einwohner"], 2023)
    with pytest.raises(ValueError, match="gluecksindex"):
        planning.trends(ind, ["A"], "gluecksindex")
    with pytest.raises(ValueError, match="gluecksindex"):
        planning.twins(ind, "A", ["gluecksindex"], 2023)


def test_trend_of_residents_indexed_to_2005(ind: pd.DataFrame) -> None:
    out = planning.trends(ind, ["N", "E"], "einwohner").set_index(["code", "year"])
    n2005, n2023 = by_code(ind, "einwohner", 2005)["N"], by_code(ind, "einwohner", 2023)["N"]
    assert out.loc[("N", 2005), "indexed"] == 100
    assert out.loc[("N", 2023), "indexed"] == pytest.approx(n2023 / n2005 * 100)
    city2005 = sum(by_code(ind, "einwohner", 2005).values())
    assert out.loc[("Rostock", 2023), "value"] == 211692
    assert out.loc[("Rostock", 2023), "indexed"] == pytest.approx(211692 / city2005 * 100)
    assert out.loc[("Rostock", 2023), "indexed"] == pytest.approx(107.339, abs=0.001)
    assert (out["base"] == 2005).all() and out["base_note"].isna().all()
    assert out["published"].all() and not out["break_before"].any()
    assert len(out) == 3 * 19


def test_trend_with_a_gap_is_not_interpolated(ind: pd.DataFrame) -> None:
    out = planning.trends(ind, ["A"], "durchschnittsalter").set_index(["code", "year"])
    for code in ["A", "Rostock"]:
        series = out.loc[code]
        published = [y for y in series.index if series.loc[y, "published"]]
        assert published == [2016, 2017, 2018, 2019, 2023]
        assert series.loc[2020:2022, "value"].isna().all()
        assert series.loc[2020:2022, "indexed"].isna().all()
        assert [y for y in series.index if series.loc[y, "break_before"]] == [2023]
        assert (series["base"] == 2016).all()
        assert series["base_note"].iloc[0].startswith("no value in 2005")
    a = by_code(ind, "durchschnittsalter", 2023)["A"] / by_code(ind, "durchschnittsalter",
                                                                2016)["A"]
    assert out.loc[("A", 2023), "indexed"] == pytest.approx(a * 100)


def test_breaks(ind: pd.DataFrame) -> None:
    gaps = planning.breaks(ind, "durchschnittsalter")
    assert [(b["kind"], b["years"]) for b in gaps] == [("gap", [2020, 2021, 2022])]
    assert "2023" in gaps[0]["text_en"]
    single = planning.breaks(ind, "anteil_alleinerziehende")
    assert ("definition", [2011]) in [(b["kind"], b["years"]) for b in single]
    assert planning.breaks(ind, "einwohner") == []
    assert planning.breaks(ind, "bestandsveraenderung")[0]["years"] == [2022, 2023]
    with pytest.raises(ValueError, match="gluecksindex"):
        planning.breaks(ind, "gluecksindex")


def test_twins_by_hand(ind: pd.DataFrame) -> None:
    z: dict[str, dict[str, float]] = {}
    for indicator in AGE:
        vals = by_code(ind, indicator, 2023)
        mean, sd = statistics.mean(vals.values()), statistics.pstdev(vals.values())
        z[indicator] = {c: (v - mean) / sd for c, v in vals.items()}
    dist = {c: math.sqrt(sum((z[i][c] - z[i]["E"]) ** 2 for i in AGE))
            for c in z["dichte"] if c != "E"}
    expected = sorted(dist, key=dist.get)[:3]
    out = planning.twins(ind, "E", AGE, 2023)
    assert list(out.code) == expected
    assert out.distance.tolist() == pytest.approx([dist[c] for c in expected], rel=1e-9)
    assert (out.n_indicators == 4).all()
    top = out.code[0]
    largest = max(AGE, key=lambda i: abs(z[i][top] - z[i]["E"]))
    first, gap = out.differs[0][0]
    assert first == largest
    assert gap == pytest.approx(z[largest][top] - z[largest]["E"], rel=1e-9)


def test_twins_skip_missing_indicators(ind: pd.DataFrame) -> None:
    out = planning.twins(ind, "E", ["dichte", "durchschnittsalter"], 2021, n=2)
    assert (out.n_indicators == 1).all()
    vals = by_code(ind, "dichte", 2021)
    sd = statistics.pstdev(vals.values())
    assert out.distance[0] == pytest.approx(abs(vals[out.code[0]] - vals["E"]) / sd)
    with pytest.raises(ValueError, match="No usable indicator"):
        planning.twins(ind, "E", ["durchschnittsalter"], 2021)
    with pytest.raises(ValueError, match="Z"):
        planning.twins(ind, "Z", AGE, 2023)


def test_method_texts() -> None:
    for text in (planning.METHOD_DE, planning.METHOD_EN):
        assert 2 <= text.count(". ") + 1 <= 4


def test_gap_spans_name_the_unpublished_years() -> None:
    from geodata.planning import gap_spans

    assert gap_spans([2016, 2017, 2018, 2019, 2023]) == ["2020\u20132022"]
    assert gap_spans([2011, 2013, 2014, 2016]) == ["2012", "2015"]
    assert gap_spans([2005, 2006]) == [] and gap_spans([]) == []
