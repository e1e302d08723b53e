"""AppTest for the planner workspace: four districts compared, a twin search, link restore."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geodata import loaders
from tests.helpers.app import run_app
from tests.helpers.mirror import fast_settings, needs_mirror

pytestmark = [needs_mirror, pytest.mark.usefixtures("app_env")]
PAGE = "pages/planer.py"


def run(**params: str) -> AppTest:
    return run_app(PAGE, params_after_switch=True, **params)


def frame(at: AppTest, column: str):
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_four_districts_compared_with_hand_computed_statistics(good_store: Path) -> None:
    at = run()
    at.multiselect(key="w_plan_districts").set_value(["A", "E", "K", "N"]).run()
    at.multiselect(key="w_plan_indicators").set_value(["einwohner", "dichte"]).run()
    at.select_slider(key="w_plan_year").set_value(2023).run()
    table = frame(at, "Mittel der 21")
    assert len(table) == 8  # 4 districts × 2 indicators
    ind = loaders.indicators(fast_settings(good_store, None))
    pop = ind[(ind.indicator == "einwohner") & (ind.year == 2023)].set_index("code").value
    mean, sd = statistics.mean(pop), statistics.pstdev(pop)
    row = table[(table["Stadtbereich"] == "Stadtmitte")
                & (table["Kennwert"] == "Einwohnerinnen und Einwohner")].iloc[0]
    assert row["Wert"] == "21.279" and row["Rang"] == "1 / 21"  # people are whole
    assert row["Mittel der 21"] == f"{mean:,.1f}".replace(",", "X").replace(".", ",") \
        .replace("X", ".")
    z = (pop["N"] - mean) / sd
    assert row["z"] == f"+{z:.2f}".replace(".", ",") and row["mehr als 1 SD"] == "⚑"
    assert row["Gesamtstadt"] == "211.692"
    dense = table[(table["Stadtbereich"] == "Stadtmitte")
                  & (table["Kennwert"] == "Bevölkerungsdichte")].iloc[0]
    assert dense["Wert"] == "4.574"  # as published: inhabitants per km², no decimals
    captions = " ".join(c.value for c in at.caption)
    assert "Gesamtstadt: bei Anzahlen die Summe der Melderegister-Zahlen der 21 " \
        "Stadtbereiche" in captions
    assert "„Rostock gesamt“: Summe der Melderegister-Zahlen der 21 Stadtbereiche." in captions
    assert "Datenstand 31.12.2023 · abgerufen" in captions.replace("\\", "")
    assert at.query_params["districts"] == "A,E,K,N"
    assert len(at.get("deck_gl_json_chart")) == 2  # small multiples, one per indicator


def test_twin_search(good_store: Path) -> None:
    at = run(indicators="dichte,durchschnittsalter,anteil_65_plus,anteil_single", year="2023")
    at.selectbox(key="w_plan_twin").set_value("E").run()
    twins = frame(at, "Abstand")
    assert list(twins["Stadtbereich"]) == ["Südstadt", "Reutershagen", "Groß Klein"]
    assert twins.iloc[0]["Abstand"] == "1,34"
    # The gaps in the page's language, German with the typographic minus (was "-1.10").
    differs = " ".join(twins["Größte Unterschiede"])
    assert "−" in differs and not any(c in differs for c in "-.")
    at.radio(key="w_lang").set_value("en").run()
    differs_en = " ".join(frame(at, "Distance")["Largest differences"])
    assert "Mean age" in differs_en and "Durchschnittsalter" not in differs_en
    # Hand-computed: z-scores (ddof 0) across the 21 districts, Euclidean distance E–L.
    ind = loaders.indicators(fast_settings(good_store, None))
    total = 0.0
    for indicator in ("dichte", "durchschnittsalter", "anteil_65_plus", "anteil_single"):
        v = ind[(ind.indicator == indicator) & (ind.year == 2023)].set_index("code").value
        mean, sd = statistics.mean(v), statistics.pstdev(v)
        total += ((v["E"] - mean) / sd - (v["L"] - mean) / sd) ** 2
    assert round(total ** 0.5, 2) == 1.34


def test_a_shared_link_restores_the_view() -> None:
    at = run(districts="A,B,C", indicators="anteil_65_plus", year="2019", twin="K",
             trend="anteil_65_plus")
    assert at.multiselect(key="w_plan_districts").value == ["A", "B", "C"]
    assert at.multiselect(key="w_plan_indicators").value == ["anteil_65_plus"]
    assert at.select_slider(key="w_plan_year").value == 2019
    assert at.selectbox(key="w_plan_twin").value == "K"


def test_too_few_districts_says_so() -> None:
    at = run(districts="A")
    assert any("zwei bis vier" in i.value for i in at.info)


def test_trends_show_breaks_not_interpolation() -> None:
    at = run(indicators="durchschnittsalter", districts="A,E")
    captions = " ".join(c.value for c in at.caption)
    assert "2020" in captions and "2022" in captions  # the gap is named
    spec = next(c.proto.spec for c in at.get("vega_lite_chart") if '"year"' in c.proto.spec)
    assert "break-paths-show-domains" in spec  # lines break at missing years


def test_an_indicator_not_published_that_year_is_named() -> None:
    at = run(districts="A,E", indicators="einwohner,durchschnittsalter", year="2010")
    assert any("„Durchschnittsalter“ ist für 2010 nicht veröffentlicht." in c.value
               for c in at.caption)



def _trend_names(at: AppTest) -> set[str]:
    """The names drawn in the trend chart (its data travel beside the spec, as Arrow)."""
    import pyarrow as pa

    chart = next(c for c in at.get("vega_lite_chart") if '"year"' in c.proto.spec)
    return {n for d in chart.proto.datasets
            for n in pa.ipc.open_stream(d.data.data).read_pandas()["name"]}


def test_a_sum_is_compared_indexed_not_on_one_axis_with_the_districts() -> None:
    """Residents of the whole city (≈ 211,000) would flatten the districts' lines (8,000 to
    21,000): drawn as counts the city is left out and the caption says where it is; indexed
    (base year = 100) it is drawn."""
    at = run(districts="A,E", indicators="einwohner")
    assert _trend_names(at) == {"Warnemünde", "Lütten Klein"}
    assert any("die indexierte Ansicht zeigt sie" in c.value for c in at.caption)
    at.toggle(key="w_plan_indexed").set_value(True).run()
    assert _trend_names(at) == {"Warnemünde", "Lütten Klein", "Rostock gesamt"}
    at = run(districts="A,E", indicators="anteil_65_plus")  # a share: the city belongs
    assert "Rostock gesamt" in _trend_names(at)
