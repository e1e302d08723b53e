"""AppTest for the seven core-project pages: shared structure, both languages, and the
numbers they show checked against the data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from app.projects import projects
from geodata import climate, load_catalogue, loaders
from tests.helpers.app import run_app
from tests.helpers.mirror import fast_settings, needs_mirror
from tests.helpers.net import free_port
from tests.helpers.pegel import FakePegel

pytestmark = [needs_mirror, pytest.mark.usefixtures("app_env")]
SECTIONS_DE = ["Worum es geht", "Wo in der Stadt", "Was die Daten zeigen", "Stand und Quellen"]
SECTIONS_EN = ["What it is about", "Where in the city", "What the data show",
               "Status and sources"]


@pytest.fixture(autouse=True)
def offline_gauge(monkeypatch: pytest.MonkeyPatch) -> None:
    """PEGELONLINE cannot be reached unless a test starts its fake server."""
    monkeypatch.setenv("PEGELONLINE_URL", f"http://127.0.0.1:{free_port()}/api")


def run(script: str, **params: str) -> AppTest:
    return run_app(script, **params)


def decks(at: AppTest) -> list[dict]:
    return [json.loads(d.proto.json) for d in at.get("deck_gl_json_chart")]


def texts(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                     + [i.value for i in at.info])


@pytest.mark.parametrize("project", projects(), ids=lambda p: p.id)
def test_every_project_page_has_the_shared_structure_in_both_languages(project) -> None:
    at = run(project.script)
    assert at.title[0].value == f"{project.icon} {project.name}"
    assert [s.value for s in at.header] == SECTIONS_DE
    assert decks(at), "every page has a map from the layer registry"
    assert any(m.value.startswith("**Quellen**") for m in at.markdown)
    body = texts(at)
    assert project.goal_de in body and "Lizenz:" in body and "Stand:" in body
    # Dates as German readers write them; ISO in English.
    assert re.search(r"Stand: \d{2}\\?\.\d{2}\.\d{4}\.", body), body  # "\." is Markdown
    assert not re.search(r"Stand: \d{4}-", body)
    en = run(project.script, lang="en")
    assert [s.value for s in en.header] == SECTIONS_EN
    assert project.goal_en in texts(en)
    assert re.search(r"Date: \d{4}-\d{2}-\d{2}\.", texts(en))


def test_navigation_lists_the_map_and_seven_projects() -> None:
    run_app()
    assert len(projects()) == 7
    assert [p.name for p in projects()] == [
        "Rostock App", "Urbane Datenplattform", "Smart City Lab / Stadtlabor",
        "Wasser. Warnow. Wir.", "Grünes Rostock", "Digitale Begegnungszentren",
        "Quartiersbaukasten"]
    assert sum(p.inferred for p in projects()) == 2


def test_water_page_sea_level_trend_and_surge_classes(good_store: Path) -> None:
    at = run("pages/projekt_wasser.py")
    sea = loaders.sea_level(fast_settings(good_store, None))
    trend = climate.linear_trend(sea.decimal_year, sea.msl_mm)
    assert round(trend.slope_per_year, 1) == 1.3
    assert "Trend 1855–2017: 1,3 mm pro Jahr" in texts(at)
    surges = next(d.value for d in at.dataframe if "Klasse" in d.value.columns)
    assert list(surges["Klasse"]) == ["Sturmflut", "mittlere Sturmflut", "schwere Sturmflut",
                                      "sehr schwere Sturmflut"]
    assert any("Aktueller Wasserstand nicht erreichbar" in i.value for i in at.info)
    assert "Haedgehalbinsel mit HafenSport" in texts(at)  # named, though not on the map


def test_water_page_shows_the_live_gauge_when_reachable(monkeypatch) -> None:
    fake = FakePegel()  # answers like PEGELONLINE: 612 cm at Warnemünde
    try:
        monkeypatch.setenv("PEGELONLINE_URL", fake.url)
        at = run("pages/projekt_wasser.py")
    finally:
        fake.close()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Wasserstand"] == "612 cm"
    assert metrics["gegenüber Mittelwasser (507 cm)"] == "+105 cm"
    assert metrics["Sturmflut-Klasse"] == "Sturmflut"


def test_green_page_hotspots_and_hottest_month(good_store: Path) -> None:
    at = run("pages/projekt_gruen.py")
    hot = next(d.value for d in at.dataframe if "Hitze-Index" in d.value.columns)
    assert hot.iloc[0]["Stadtbereich"] == "Lütten Klein"
    assert hot.iloc[0]["Rang (1 = höchster)"] == 1
    assert set(hot["Stadtbereich"]) == {"Stadtmitte", "Lütten Klein", "Dierkow-Neu",
                                        "Dierkow-Ost", "Dierkow-West"}
    monthly = loaders.climate_warnemuende(fast_settings(good_store, None))
    warm = monthly.loc[monthly.t_mean_c.idxmax()]
    assert (int(warm.year), int(warm.month)) == (2006, 7)
    body = texts(at)
    assert "Wärmster Monat seit 2003: Juli 2006" in body
    assert "im Juni 2019 mit 35,9 °C" in body
    assert "Bäume (Baumkataster)" in body  # offline: named as not reachable
    assert len(at.get("vega_lite_chart")) == 4


def test_data_platform_catalogue_downloads_and_resilience() -> None:
    at = run("pages/projekt_daten.py")
    table = next(d.value for d in at.dataframe if "Lizenz" in d.value.columns)
    assert len(table) == len(load_catalogue()) and "Herausgeber" in table.columns
    buttons = at.get("download_button")
    # 7 stored datasets: 3 spatial (GeoJSON + CSV) and 4 tables (CSV).
    assert len(buttons) == 10
    assert len(at.get("vega_lite_chart")) == 1


def test_lab_page_has_the_place_and_a_3d_view(good_store: Path) -> None:
    at = run("pages/projekt_labor.py")
    at.selectbox(key="w_indicator").set_value("dichte").run()
    place, three_d = decks(at)
    assert [f["label"] for f in place["layers"][0]["data"]] == ["Neuer Markt"]
    layer = three_d["layers"][0]
    assert layer["extruded"] is True and three_d["initialViewState"]["pitch"] == 50
    heights = {f["properties"]["code"]: f["properties"]["height"] for f in layer["data"]}
    ind = loaders.indicators(fast_settings(good_store, None))
    density = ind[(ind.indicator == "dichte") & (ind.year == 2023)].set_index("code").value
    assert heights[density.idxmax()] == max(heights.values()) == 3000
    assert heights[density.idxmin()] == 0 == min(heights.values())


def test_app_page_describes_a_district_in_plain_words() -> None:
    at = run("pages/projekt_app.py")
    assert "Wählen Sie oben Ihren Stadtbereich." in texts(at)
    at.selectbox(key="w_district").set_value("E").run()
    body = texts(at)
    assert "**Lütten Klein** hat 17.079 Einwohnerinnen und Einwohner (2023)" in body
    assert "Durchschnittsalter (50,0 Jahre) ist höher als im Stadtdurchschnitt" in body
    assert "Nicht erreichbar" in body and "Haltestellen" in body


def test_centres_page_lists_the_known_centres(good_store: Path) -> None:
    at = run("pages/projekt_begegnung.py")
    table = next(d.value for d in at.dataframe if "Adresse" in d.value.columns)
    assert len(table) == 8
    row = table[table["Begegnungszentrum"].str.contains("Börgerhus")].iloc[0]
    assert row["Adresse"] == "Gerüstbauerring 28" and row["Stadtbereich"] == "Groß Klein"
    ind = loaders.indicators(fast_settings(good_store, None))
    share = ind[(ind.indicator == "anteil_65_plus") & (ind.year == 2023) & (ind.code == "D")]
    assert row["Anteil 65 Jahre und älter (%)"] == f"{share.value.iloc[0]:.1f}".replace(".", ",")
    spec = decks(at)[0]
    sbz = next(x for x in spec["layers"] if x["id"] == "sbz")
    assert {f["properties"]["code"] for f in sbz["data"]} == set("CDEFGLPS")


def test_need_index_page_ranks_and_reacts_to_weights(good_store: Path) -> None:
    at = run("pages/projekt_quartier.py")
    top = next(d.value for d in at.dataframe if "Bedarfsindex" in d.value.columns)
    assert top.iloc[0]["Stadtbereich"] == "Evershagen" and top.iloc[0]["Bedarfsindex"] == "65"
    assert any("0,40 × Alleinerziehende" in c.value for c in at.caption)
    only_single_parents = run("pages/projekt_quartier.py", wt_alleinerziehende="1",
                              wt_kinder="0", wt_rueckgang="0")
    top2 = next(d.value for d in only_single_parents.dataframe
                if "Bedarfsindex" in d.value.columns)
    ind = loaders.indicators(fast_settings(good_store, None))
    sp = ind[(ind.indicator == "anteil_alleinerziehende") & (ind.year == 2023)]
    highest = loaders.districts(fast_settings(good_store, None)).set_index("code").loc[
        sp.loc[sp.value.idxmax(), "code"], "name"]
    assert top2.iloc[0]["Stadtbereich"] == highest == "Lütten Klein"
    assert isinstance(top2, pd.DataFrame)
