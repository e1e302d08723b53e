"""AppTest for every page: real data; what a user changes shows up in the deck spec."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers.app import run_app
from tests.helpers.mirror import needs_mirror

pytestmark = [needs_mirror, pytest.mark.usefixtures("app_env")]


def run(page: str | None = None, **params: str) -> AppTest:
    return run_app(page, **params)


def decks(at: AppTest) -> list[dict]:
    return [json.loads(d.proto.json) for d in at.get("deck_gl_json_chart")]


def layer(spec: dict, layer_id: str) -> dict:
    return next(x for x in spec["layers"] if x["id"] == layer_id)


def fills(spec: dict, layer_id: str = "indikator") -> dict[str, list[int]]:
    feats = layer(spec, layer_id)["data"]
    return {f["properties"]["code"]: f["properties"]["fill"][:3] for f in feats}


def legend_classes(at: AppTest) -> list[tuple[str, float, float]]:
    html = next(m.value for m in at.markdown if 'class="legend"' in m.value)
    out = []
    for colour, lo, hi in re.findall(
            r'background:(#[0-9a-f]{6})"></span>([\d.,−-]+) – ([\d.,−-]+)</li>', html):
        num = lambda s: float(s.replace(".", "").replace(",", ".").replace("−", "-"))  # noqa: E731
        out.append((colour, num(lo), num(hi)))
    return out


MARKS = {"names", "auswahl", "treffer"}  # names, the chosen district, a place found


def drawn(spec: dict) -> list[str]:
    """The layers chosen (what the map marks on top of them are layers of their own)."""
    return [x["id"] for x in spec["layers"] if x["id"] not in MARKS]


def test_overview_draws_the_default_layers_offline() -> None:
    at = run()
    (spec,) = decks(at)
    assert drawn(spec) == ["indikator", "orte_wasser"]
    assert "Stadtmitte" in {row["name"] for row in layer(spec, "names")["data"]}
    assert spec["mapStyle"].startswith("/app/static/basemap/style.json")
    assert "cartocdn" not in json.dumps(spec) and "mapbox://" not in json.dumps(spec)
    assert len(layer(spec, "indikator")["data"]) == 21
    table = at.dataframe[0].value
    assert table.iloc[0]["Stadtbereich"] == "Stadtmitte"
    assert table.iloc[0]["Einwohnerinnen und Einwohner (Personen)"] == "21.279"
    summary = [m.value for m in at.markdown if m.value.startswith("Einwohnerinnen")]
    assert summary and "am höchsten in Stadtmitte (21.279 Personen)" in summary[0]


def test_changing_indicator_year_and_layers_changes_the_map() -> None:
    at = run()
    before = fills(decks(at)[0])
    at.selectbox(key="w_indicator").set_value("anteil_65_plus").run()
    after_indicator = fills(decks(at)[0])
    assert after_indicator != before
    assert at.query_params["indicator"] == "anteil_65_plus"
    at.select_slider(key="w_year").set_value(2016).run()
    spec_2016 = decks(at)[0]
    values_2016 = {f["properties"]["code"]: f["properties"]["value"]
                   for f in layer(spec_2016, "indikator")["data"]}
    assert values_2016["A"] == pytest.approx(39.5, abs=3)  # Warnemünde, share 65+ in 2016
    assert at.query_params["year"] == "2016"
    at2 = run(layers="hitze,warnow")
    assert drawn(decks(at2)[0]) == ["hitze", "warnow"]


def test_legend_classes_match_the_colours_in_the_spec() -> None:
    at = run(indicator="anteil_65_plus", year="2023")
    classes = legend_classes(at)
    assert len(classes) == 5
    for feature in layer(decks(at)[0], "indikator")["data"]:
        value = feature["properties"]["value"]
        colour = next(c for c, lo, hi in classes if value <= hi + 0.05)
        rgb = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
        assert feature["properties"]["fill"][:3] == rgb, feature["properties"]["label"]


def test_classification_choice_changes_classes() -> None:
    at = run(indicator="dichte", scheme="equal_interval", k="3")
    assert len(legend_classes(at)) == 3
    at.radio(key="w_scheme").set_value("natural_breaks").run()
    assert at.query_params["scheme"] == "natural_breaks"


def test_a_shared_link_restores_the_view() -> None:
    at = run(indicator="anteil_65_plus", year="2019", district="E", layers="indikator",
             lang="en")
    assert at.selectbox(key="w_indicator").value == "anteil_65_plus"
    assert at.select_slider(key="w_year").value == 2019
    assert at.selectbox(key="w_district").value == "E"
    assert drawn(decks(at)[0]) == ["indikator"]
    assert any(s.value == "Profile: Lütten Klein" for s in at.header)
    assert at.title[0].value == "Rostock on the map"


def test_broken_link_values_fall_back_to_defaults() -> None:
    at = run(indicator="<script>", year="1700", district="ZZ", layers="nope")
    assert at.selectbox(key="w_indicator").value == "einwohner"
    assert at.select_slider(key="w_year").value == 2023
    assert at.selectbox(key="w_district").value == ""


def test_district_profile_compares_with_the_city() -> None:
    at = run(district="N", indicator="einwohner")
    metrics = {m.label: (m.value, m.delta) for m in at.metric}
    assert metrics["Einwohnerinnen und Einwohner"][0] == "21.279"
    value, delta = metrics["Anteil 65 Jahre und älter"]
    assert value.endswith("%") and "Pp." in delta and "Rostock gesamt" in delta


def test_language_switch() -> None:
    at = run()
    assert at.title[0].value == "Rostock auf der Karte"
    at.radio(key="w_lang").set_value("en").run()
    assert at.title[0].value == "Rostock on the map"
    assert at.query_params["lang"] == "en"
    assert any("highest in Stadtmitte" in m.value for m in at.markdown)


def test_first_visit_fetches_the_data_it_needs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, server
) -> None:
    monkeypatch.setenv("GEODATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEODATA_MIRROR", server.url)
    at = run()
    assert len(layer(decks(at)[0], "indikator")["data"]) == 21
    fetched = {e.path.rsplit("/", 1)[-1] for e in server.log}
    assert {"stadtbereiche.json", "bevoelkerungsstruktur_2023_insgesamt.csv"} <= fetched


def test_a_replica_leaves_fetching_to_the_refresh_job(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, server
) -> None:
    """GEODATA_FETCH_ON_DEMAND=0 (app replicas on a shared database): an empty store is
    reported as "not refreshed yet", and no visitor's page downloads anything."""
    monkeypatch.setenv("GEODATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEODATA_MIRROR", server.url)
    monkeypatch.setenv("GEODATA_FETCH_ON_DEMAND", "0")
    at = run()
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert any("Stadtbereiche (21 statistische Bezirke): von der regelmäßigen Aktualisierung "
               "noch nicht geladen" in w for w in warnings), warnings
    assert server.log == []
    assert all(x["id"] != "indikator" for d in decks(at) for x in d["layers"])


def test_first_visit_offline_says_so_instead_of_crashing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GEODATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEODATA_MIRROR", "http://127.0.0.1:9")
    at = run()
    warnings = [w.value for w in at.warning]
    assert any("Daten nicht verfügbar: Stadtbereiche (21 statistische Bezirke): Quelle nicht "
               "erreichbar (offline?)" in w.replace("\\", "") for w in warnings), warnings
    assert not [w for w in warnings if "connection" in w or "refused" in w]  # no English
    # The district layer cannot be drawn; the places (a project file) still can.
    assert all(x["id"] != "indikator" for d in decks(at) for x in d["layers"])


def test_a_missing_mirror_folder_is_said_once_without_its_path(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    gone = tmp_path / "geheim" / "mirror"
    monkeypatch.setenv("GEODATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEODATA_MIRROR", str(gone))
    at = run()
    warnings = [w.value.replace("\\", "") for w in at.warning]
    assert warnings == ["Daten nicht verfügbar: Spiegelordner der Daten nicht gefunden"]
    assert "geheim" not in "".join(m.value for m in [*at.markdown, *at.warning, *at.caption])


def test_dates_are_written_the_way_each_language_reads_them() -> None:
    from ui.i18n import day

    assert day("2026-11-22", "de") == "22.11.2026"
    assert day("2026-11-22T08:15:00+00:00", "de") == "22.11.2026"
    assert day("2026-11-22T08:15:00+00:00", "en") == "2026-11-22"
    assert day("Sommer 2024", "de") == "Sommer 2024"  # not a date: as it is
    assert day(None, "de") == "" and day("", "en") == ""


def test_a_failed_refresh_is_said_where_the_data_are_used(
    monkeypatch: pytest.MonkeyPatch, store_copy: Path, server
) -> None:
    """The last refresh of the districts failed (a broken file): the page keeps the good
    copy and says so in one sentence, once, in either language; pages without that
    dataset say nothing."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from geodata import Store, refresh
    from tests.helpers.mirror import Fault, fast_settings

    server.faults["stadtbereiche.json"] = Fault(body=b'{"type": "FeatureCollection"')
    (outcome,) = refresh(["stadtbereiche"], fast_settings(store_copy, server.url))
    assert outcome.status == "failed"
    meta = Store(fast_settings(store_copy, None)).meta("stadtbereiche")
    failed = datetime.fromisoformat(meta["last_error_at"]).astimezone(ZoneInfo("Europe/Berlin"))
    got = meta["retrieved_at"]
    monkeypatch.setenv("GEODATA_DIR", str(store_copy))

    def notices(at: AppTest) -> list[str]:
        return [i.value.replace("\\", "") for i in at.info]

    # The copy in use, named by both its dates (the districts carry no date of their own).
    expected_de = (f"Stadtbereiche (21 statistische Bezirke): Aktualisierung am "
                   f"{failed:%d.%m.%Y} fehlgeschlagen; es gilt die vorige Kopie (ohne Datum in "
                   f"den Daten · abgerufen {got[8:10]}.{got[5:7]}.{got[:4]}).")
    at = run(district="E")  # the map, the profile and the table all use the districts
    assert notices(at).count(expected_de) == 1, notices(at)
    assert len(decks(at)) >= 1  # the good copy is still drawn
    english = [n for n in notices(run(lang="en")) if "the update on" in n]
    assert english == [f"Statistical districts (21 Stadtbereiche): the update on "
                       f"{failed:%Y-%m-%d} failed; the previous copy remains in use (no date "
                       f"in the data · retrieved {got[:10]})."]
    about = run_app("pages/erklaerung_barrierefreiheit.py")
    assert not [n for n in notices(about) if "Aktualisierung" in n]
