"""Climate and waterfront charts, checked against the real DWD and PSMSL data from the mirror."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import pytest

import geodata
from figures import charts
from geodata import climate, loaders, sea
from tests.helpers.mirror import MIRROR, needs_mirror
from text import texts

pytestmark = needs_mirror

IDS = ["klima_mv", "klima_warnemuende", "meeresspiegel_warnemuende"]


@pytest.fixture(scope="session")
def settings(tmp_path_factory: pytest.TempPathFactory) -> geodata.Settings:
    """A store holding only the three climate/water datasets, refreshed from the folder mirror."""
    data_dir = tmp_path_factory.mktemp("charts-store")
    outcomes = geodata.refresh(IDS, settings=geodata.Settings(data_dir=data_dir,
                                                              mirror=str(MIRROR)))
    failed = [o.message for o in outcomes if not o.ok]
    assert not failed, failed
    return geodata.Settings(data_dir=Path(data_dir))


@pytest.fixture(scope="session")
def mv(settings: geodata.Settings) -> pd.DataFrame:
    return loaders.climate_mv(settings)


@pytest.fixture(scope="session")
def monthly(settings: geodata.Settings) -> pd.DataFrame:
    return loaders.climate_warnemuende(settings)


@pytest.fixture(scope="session")
def sl(settings: geodata.Settings) -> pd.DataFrame:
    return loaders.sea_level(settings)


def spec(chart: alt.TopLevelMixin) -> dict[str, Any]:
    return chart.to_dict()


def datasets(d: dict[str, Any]) -> list[list[dict[str, Any]]]:
    return list(d.get("datasets", {}).values())


def only_dataset(d: dict[str, Any]) -> pd.DataFrame:
    (values,) = datasets(d)
    return pd.DataFrame(values)


def subtitle(d: dict[str, Any]) -> str:
    return d["title"]["subtitle"]


# --- anomalies and stripes -------------------------------------------------------------------


def test_anomaly_2023_is_value_minus_reference_mean(mv: pd.DataFrame) -> None:
    temp = mv[mv["variable"] == "temperatur"]
    ref_mean = temp.loc[temp["year"].between(1961, 1990), "value"].mean()
    value_2023 = float(temp.loc[temp["year"] == 2023, "value"].iloc[0])
    an = climate.anomalies(mv).set_index("year")
    assert an.loc[2023, "anomaly"] > 0
    assert an.loc[2023, "anomaly"] == pytest.approx(value_2023 - ref_mean)
    assert an.attrs["ref_mean"] == pytest.approx(ref_mean)


def test_reference_period_without_data_is_a_clear_error(mv: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="reference period 1700–1730 has no data"):
        climate.anomalies(mv, ref=(1700, 1730))
    # Sunshine starts in 1951: a 1881–1910 reference cannot exist.
    with pytest.raises(ValueError, match="no data"):
        climate.anomalies(mv, "sonnenschein", ref=(1881, 1910))


def test_stripes_one_per_year_with_symmetric_colours(mv: pd.DataFrame) -> None:
    d = spec(charts.warming_stripes(mv))
    data = only_dataset(d)
    assert sorted(data["year"]) == list(range(1881, 2024))
    assert d["mark"]["type"] == "rect"
    assert d["encoding"]["x"]["axis"] is None
    scale = d["encoding"]["color"]["scale"]
    assert scale["domain"][0] == -scale["domain"][1]
    assert scale["domain"][1] == pytest.approx(data["anomaly"].abs().max())
    assert scale["scheme"] == "redblue" and scale["reverse"] is True  # blue cold, red warm
    titles = [t["title"] for t in d["encoding"]["tooltip"]]
    assert titles[0] == "Jahr" and "Abweichung" in titles[2]
    # Screen readers get the story, with German numbers.
    assert "1881 bis 2023" in d["description"] and "°C" in d["description"]
    assert "8,2 °C" in d["description"]


def test_anomaly_chart_names_reference_period_and_colours_by_sign(mv: pd.DataFrame) -> None:
    d = spec(charts.anomaly_chart(mv))
    assert "1961–1990" in d["title"]["text"]
    data = only_dataset(d)
    warm = data[data["anomaly"] > 0]["direction"].unique()
    cold = data[data["anomaly"] <= 0]["direction"].unique()
    assert list(warm) == ["wärmer als 1961–1990"] and list(cold) == ["kühler als 1961–1990"]
    colour = d["layer"][0]["encoding"]["color"]["scale"]
    assert dict(zip(colour["domain"], colour["range"], strict=True)) == {
        "kühler als 1961–1990": charts.BLUE, "wärmer als 1961–1990": charts.RED}
    # The 10-year mean starts with the tenth year and is the mean of the last ten anomalies.
    data = data.set_index("year")
    assert data["rolling"].first_valid_index() == 1890
    assert data.loc[2023, "rolling"] == pytest.approx(data.loc[2014:2023, "anomaly"].mean(),
                                                      abs=0.01)


def test_english_titles_differ_from_german(mv: pd.DataFrame, monthly: pd.DataFrame,
                                           sl: pd.DataFrame) -> None:
    makers = [
        lambda lang: charts.warming_stripes(mv, lang=lang),
        lambda lang: charts.anomaly_chart(mv, lang=lang),
        lambda lang: charts.warnemuende_monthly_chart(monthly, lang=lang),
        lambda lang: charts.summer_days_chart(monthly, lang=lang),
        lambda lang: charts.sea_level_chart(sl, lang=lang),
    ]
    for make in makers:
        de, en = spec(make("de")), spec(make("en"))
        assert de["title"]["text"] != en["title"]["text"]
        assert subtitle(de) != subtitle(en)
        assert de["description"] != en["description"]
        # German charts carry the German number locale, English ones Vega's default.
        assert de["config"]["locale"]["number"]["decimal"] == ","
        assert "locale" not in en.get("config", {})
    chart_keys = {lang: {k for k in texts(lang) if k.startswith("chart.")}
                  for lang in ("de", "en")}
    assert chart_keys["de"] and chart_keys["de"] == chart_keys["en"]


def test_no_chart_points_to_the_network(mv: pd.DataFrame, monthly: pd.DataFrame,
                                        sl: pd.DataFrame) -> None:
    all_charts = [
        charts.warming_stripes(mv), charts.anomaly_chart(mv, "en"),
        charts.warnemuende_monthly_chart(monthly),
        charts.warnemuende_monthly_chart(monthly, "precip_mm", "en"),
        charts.summer_days_chart(monthly), charts.sea_level_chart(sl, "en"),
    ]
    for chart in all_charts:
        d = spec(chart)
        d.pop("$schema")  # the schema id is never fetched by the renderer
        text = json.dumps(d, ensure_ascii=False)
        assert "http" not in text
        assert '"url"' not in text
        assert datasets(d), "data must be inline"
        assert sum(len(v) for v in datasets(d)) < 500  # small inline data


# --- Warnemünde monthly ----------------------------------------------------------------------


def test_monthly_chart_has_band_and_breaks_at_missing_months(monthly: pd.DataFrame) -> None:
    d = spec(charts.warnemuende_monthly_chart(monthly))
    area, line = d["layer"]
    assert area["mark"]["type"] == "area"
    assert area["encoding"]["y"]["field"] == "tn_mean_c"
    assert area["encoding"]["y2"]["field"] == "tx_mean_c"
    assert line["mark"]["invalid"] == "break-paths-show-domains"
    assert len(only_dataset(d)) == len(monthly)  # 2003-03..2021-07, nothing added or lost

    # Drop two summer months: they come back as null rows (a gap), not as interpolated values.
    holed = monthly[~((monthly["year"] == 2010) & monthly["month"].isin([6, 7]))]
    data = only_dataset(spec(charts.warnemuende_monthly_chart(holed)))
    gap = data[data["date"].isin(["2010-06-01", "2010-07-01"])]
    assert len(gap) == 2 and gap["t_mean_c"].isna().all()
    assert len(data) == len(monthly)


def test_monthly_chart_other_variables_without_band(monthly: pd.DataFrame) -> None:
    d = spec(charts.warnemuende_monthly_chart(monthly, "precip_mm", lang="en"))
    assert [layer["mark"]["type"] for layer in d["layer"]] == ["line"]
    assert "precipitation" in d["title"]["text"]
    with pytest.raises(ValueError, match="not supported"):
        charts.warnemuende_monthly_chart(monthly, "days_tx_ge25")


# --- summer days -----------------------------------------------------------------------------


def test_summer_days_flags_incomplete_years(monthly: pd.DataFrame) -> None:
    table = climate.summer_days(monthly).set_index("year")
    summer = monthly[monthly["month"].between(5, 9)].groupby("year")["month"].nunique()
    expected_incomplete = sorted(int(y) for y, n in summer.items() if n < 5)
    assert expected_incomplete == [2021]  # the series ends in July 2021
    assert sorted(table.index[~table["complete"]]) == expected_incomplete
    # 2003 starts in March, so its summer is complete.
    assert table.loc[2003, "complete"]
    # Reported counts are summed; not-reported months are counted as 0 only because their
    # absolute maximum stayed below 25 °C, and that fill is made visible.
    year = monthly[monthly["year"] == 2018]
    assert table.loc[2018, "days_ge25"] == year["days_tx_ge25"].sum()
    assert table.loc[2018, "filled_ge25"] == year["days_tx_ge25"].isna().sum()
    assert (year.loc[year["days_tx_ge25"].isna(), "t_abs_max_c"] < 25).all()
    assert table.loc[2018, "t_max_c"] == year["t_abs_max_c"].max()


def test_summer_days_keep_unknown_counts_unknown(monthly: pd.DataFrame) -> None:
    # A July without the day counts but with a 31 °C maximum cannot be counted as 0 days.
    doctored = monthly.copy()
    july = (doctored["year"] == 2012) & (doctored["month"] == 7)
    doctored.loc[july, ["days_tx_ge25", "days_tx_ge30"]] = np.nan
    doctored.loc[july, "t_abs_max_c"] = 31.0
    table = climate.summer_days(doctored).set_index("year")
    assert not table.loc[2012, "complete"]
    assert table.loc[2011, "complete"]


def test_summer_days_chart_shows_only_complete_years(monthly: pd.DataFrame) -> None:
    d = spec(charts.summer_days_chart(monthly))
    data = only_dataset(d)
    assert 2021 not in set(data["year"])
    assert sorted(set(data["year"])) == list(range(2003, 2021))
    assert "2021" in subtitle(d) and "Mai–September" in subtitle(d)
    assert "left out" in subtitle(spec(charts.summer_days_chart(monthly, lang="en")))


# --- sea level -------------------------------------------------------------------------------


def test_sea_level_trend_in_subtitle_formatted_per_language(sl: pd.DataFrame) -> None:
    trend = climate.linear_trend(sl["decimal_year"], sl["msl_mm"])
    assert trend.slope_per_year == pytest.approx(1.27, abs=0.01)
    de = subtitle(spec(charts.sea_level_chart(sl)))
    en = subtitle(spec(charts.sea_level_chart(sl, lang="en")))
    assert "Trend: 1,3 mm pro Jahr (1855–2017)" in de
    assert "Trend: 1.3 mm per year (1855–2017)" in en


def test_annual_sea_level_needs_eleven_months(sl: pd.DataFrame) -> None:
    counts = sl.groupby("year")["msl_mm"].count()
    short = sorted(int(y) for y, n in counts.items() if n < 11)
    assert short == [1855, 1992]  # the record starts in April 1855; 1992 lacks two months
    d = spec(charts.sea_level_chart(sl))
    annual = next(pd.DataFrame(v) for v in datasets(d) if len(v) > 2).set_index("year")
    assert annual.loc[short, "msl_mm"].isna().all()  # left out (a gap in the line)
    full = annual.index.difference(short)
    assert annual.loc[full, "msl_mm"].notna().all()
    assert annual.loc[2000, "msl_mm"] == pytest.approx(
        sl.loc[sl["year"] == 2000, "msl_mm"].mean(), abs=0.051)
    trend = next(pd.DataFrame(v) for v in datasets(d) if len(v) == 2)
    assert trend["trend_mm"].iloc[1] > trend["trend_mm"].iloc[0]


# --- storm-surge classes ---------------------------------------------------------------------


def test_storm_surge_classes_are_contiguous() -> None:
    classes = sea.storm_surge_classes()
    assert list(classes["class_de"]) == ["Sturmflut", "mittlere Sturmflut", "schwere Sturmflut",
                                         "sehr schwere Sturmflut"]
    assert list(classes["lower_m"]) == [1.00, 1.25, 1.50, 2.00]
    assert list(classes["upper_m"].iloc[:-1]) == list(classes["lower_m"].iloc[1:])
    assert np.isnan(classes["upper_m"].iloc[-1])
    origin = geodata.get(classes.attrs["source"])  # the catalogue says where they come from
    assert "(BSH)" in origin.publisher and origin.packaged


def test_age_chart_spaces_years_as_time_and_breaks_where_none_were_published() -> None:
    """The register's age shares exist for 2016–2019 and 2023: 2019 → 2023 is four years on
    the axis, not one step, and no line is drawn across the unpublished years."""
    rows = [{"year": y, "group": g, "area": a, "value": v}
            for y in (2016, 2017, 2018, 2019, 2023)
            for g, a, v in (("unter 15 Jahre", "Südstadt", 8.5), ("ab 65", "Südstadt", 30.0),
                            ("unter 15 Jahre", "Rostock gesamt", 11.9),
                            ("ab 65", "Rostock gesamt", 24.7))]
    spec = charts.age_trend_chart(pd.DataFrame(rows), "Südstadt", "de").to_dict()
    lines, points = spec["layer"]
    x = lines["encoding"]["x"]
    assert x["type"] == "quantitative" and x["axis"]["values"] == [2016, 2017, 2018, 2019, 2023]
    data = pd.DataFrame(spec["datasets"][spec["data"]["name"]])
    gap = data[data["year"].between(2020, 2022)]
    assert len(gap) == 3 * 4 and gap["value"].isna().all()  # empty rows: the lines break
    assert lines["mark"]["invalid"] == "break-paths-show-domains"
    # the legend tells the district (solid) from the city (dashed) by their lines
    legend = lines["encoding"]["strokeDash"]["legend"]
    assert legend["symbolType"] == "stroke" and "strokeDash" not in points.get("encoding", {})
