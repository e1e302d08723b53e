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
    body = texts(at).replace("\\", "")  # Markdown escapes
    assert project.goal_de in body and "Lizenz:" in body
    # Both dates, labelled, as German readers write them; ISO in English. No bare "Stand".
    assert re.search(r"· abgerufen \d{2}\.\d{2}\.\d{4}\.", body), body
    if "bevoelkerung" in project.datasets:
        assert "Datenstand 31.12.2023 · abgerufen" in body
    assert "Stand:" not in body and not re.search(r"abgerufen \d{4}-", body)
    en = run(project.script, lang="en")
    assert [s.value for s in en.header] == SECTIONS_EN
    assert project.goal_en in texts(en)
    assert re.search(r"· retrieved \d{4}-\d{2}-\d{2}\.", texts(en))
    if "bevoelkerung" in project.datasets:
        assert "Data as of 2023-12-31 · retrieved" in texts(en).replace("\\", "")


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
    body = texts(at).replace("\\", "")
    assert ("Seit 1855 ist der Meeresspiegel in Warnemünde im Mittel um 1,3 mm pro Jahr "
            "gestiegen, zusammen etwa 21 cm; seit 1950 um 1,7 mm pro Jahr (lineare Trends "
            "aller Monatswerte 04/1855–12/2017).") in body
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Anstieg pro Jahr seit 1855"] == "+1,3 mm"
    assert metrics["Anstieg pro Jahr seit 1950"] == "+1,7 mm"
    surges = next(d.value for d in at.dataframe if "Klasse" in d.value.columns)
    assert list(surges["Klasse"]) == ["Sturmflut", "mittlere Sturmflut", "schwere Sturmflut",
                                      "sehr schwere Sturmflut"]
    assert surges["Höhe über Mittelwasser"].iloc[0] == "1,00 – 1,25 m"
    # The table, the chart and the places each say where they come from.
    assert ("Quelle: Sturmflut-Klassen der deutschen Ostseeküste (BSH) — Bundesamt für "
            "Seeschifffahrt und Hydrographie (BSH). Lizenz: amtliche Einteilung, ohne "
            "Lizenzangabe. Ohne Datum in den Daten · im Dashboard hinterlegt.") in body
    assert ("Zeitraum der Daten 04/1855–12/2017 · abgerufen") in body
    assert "Orte der Kernprojekte (Lage mit Quelle je Ort) — Rostock Smart City Dashboard" \
        in body
    # Offline: one calm sentence in German, no English reason.
    assert [i.value for i in at.info if "PEGELONLINE" in i.value] == [
        "Der aktuelle Wasserstand kommt live von PEGELONLINE und braucht eine "
        "Internetverbindung; gerade ist der Dienst nicht erreichbar."]
    assert "Haedgehalbinsel mit HafenSport" in body  # named, though not on the map
    en = texts(run("pages/projekt_wasser.py", lang="en"))
    assert "Haedge peninsula with HafenSport" in en and "Haedgehalbinsel" not in en


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
    hot = next(d.value for d in at.dataframe
               if "Hitze-Empfindlichkeit (0–100)" in d.value.columns)
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
    assert "Nur mit Internetverbindung: Bäume (Baumkataster)" in body  # one calm sentence
    assert len(at.get("vega_lite_chart")) == 4
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert metrics["Erwärmung pro Jahrzehnt (1881–2023)"][0] == "+0,12 °C"
    assert metrics["Mittel 1991–2020"] == ("9,2 °C", "+1,4 °C gegenüber 1881–1910 (7,8 °C)")
    assert metrics["Wärmstes Jahr"] == ("2019", "Jahresmittel 10,45 °C")
    assert "Eine Hitze- oder Stadtklimakarte als offene Daten haben wir auf OpenData.HRO " \
        "nicht gefunden" in body
    # The layer says what it is: no heat load, no temperature.
    legend = next(m.value for m in at.markdown if 'class="legend"' in m.value)
    assert "Hitze-Empfindlichkeit: Bevölkerungsdichte und Anteil 65+" in legend
    assert "Hoher Wert: dicht bewohnt und viele Menschen ab 65" in legend
    assert "Hitzebelastung" not in body and "Hitzebelastung" not in legend


def test_data_platform_catalogue_downloads_and_resilience() -> None:
    at = run("pages/projekt_daten.py")
    table = next(d.value for d in at.dataframe if "Lizenz" in d.value.columns)
    assert len(table) == len(load_catalogue()) and "Herausgeber" in table.columns
    rows = table.set_index("Datensatz")
    when = rows["Datenstand bzw. Zeitraum"]
    assert when["Bevölkerungsstruktur je Stadtbereich 2005–2023"] == "31.12.2023"
    assert when["Monatsklima Rostock-Warnemünde (CLIMAT, WMO 10170)"] == "03/2003–07/2021"
    assert when["Stadtbereiche (21 statistische Bezirke)"] == "–"
    assert rows.loc["Baumkataster", "Abgerufen"] == "–"
    assert rows.loc["Orte der Kernprojekte (Lage mit Quelle je Ort)", "Abgerufen"] == \
        "im Dashboard hinterlegt"
    cells = table.astype(str).to_numpy().ravel().tolist()
    assert not {"None", "nan", "NaT", "<NA>"} & set(cells)
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


def test_app_page_describes_a_district_in_plain_words_offline() -> None:
    """Offline (its four point layers are online-only) the page still says something of
    its own: the city, then the chosen district in words, outlined on the map."""
    at = run("pages/projekt_app.py")
    body = texts(at).replace("\\", "")
    assert ("**Rostock** hat 211.692 Einwohnerinnen und Einwohner (Melderegister, Summe der "
            "21 Stadtbereiche am 31.12.2023) auf 181,4 km².") in body
    online = [i.value for i in at.info if "Internet" in i.value]
    assert online == ["Nur mit Internetverbindung: Haltestellen, Spielplätze, Öffentliche "
                      "Toiletten, Trinkwasserspender kommen direkt aus dem Netz und fehlen "
                      "gerade auf der Karte."]
    at.selectbox(key="w_district").set_value("E").run()
    body = texts(at).replace("\\", "")
    assert "**Lütten Klein** hat 17.079 Einwohnerinnen und Einwohner (2023)" in body
    assert "Durchschnittsalter (50,0 Jahre) ist höher als im Stadtdurchschnitt" in body
    assert len([i for i in at.info if "Internet" in i.value]) == 1  # said once
    (spec,) = decks(at)
    outline = next(x for x in spec["layers"] if x["id"] == "auswahl")
    assert [f["properties"]["code"] for f in outline["data"]] == ["E"]


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
