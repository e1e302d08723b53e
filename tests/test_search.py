"""The search: what residents type finds its place, and the place its district by geometry.

Stadtbereiche, Ortsteile and places come from the mirror; streets and addresses from small
files the tests write in the official layout (``tests/helpers/addresses.py``), loaded
through the real refresh (download, validation, store).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import pytest
import shapely

from geodata import load_catalogue, loaders, refresh
from geodata.search import MAX_QUERY, Gazetteer, Locator, Query, fold
from tests.helpers.addresses import ADDRESSES, HOST, write_official_files
from tests.helpers.app import run_app
from tests.helpers.mirror import MirrorServer, fast_settings, needs_mirror

BAD_INPUT = ["", "   ", "x" * 500, "!!!?.,;", "<script>alert(1)</script>",
             "'; DROP TABLE adressen; --", "🌊🏠🌊", "%00%", "\u202e\u0000", "1", "12a",
             "${alert(1)}"]


def test_names_are_folded_as_residents_type_them() -> None:
    assert fold("Kröpeliner Straße") == fold("Kroepeliner Strasse") == fold("kröpeliner str.") \
        == "kroepeliner str"
    assert fold("Seestraße") == fold("Seestr.") == fold("SEESTRASSE") == "see str"
    assert fold("Kröpeliner-Tor-Vorstadt") == fold("Kroepeliner Tor Vorstadt")
    assert fold("Groß Klein") == "gross klein"
    assert fold("Strandweg") == "strandweg"  # no street word hidden inside a name


@pytest.mark.parametrize("text,name,number,letter", [
    ("Lange Straße 12", "lange str", 12, ""),
    ("Kröpeliner Str. 1a", "kroepeliner str", 1, "a"),
    ("Am Brink 1 a", "am brink", 1, "a"),
    ("Seestr. 1, 18119 Rostock", "see str", 1, ""),
    ("Warnemünde", "warnemuende", None, ""),
    ("Straße des Friedens", "str des friedens", None, ""),
])
def test_a_query_splits_off_the_house_number(text: str, name: str, number: int | None,
                                             letter: str) -> None:
    query = Query.parse(text)
    assert (query.name, query.number, query.letter) == (name, number, letter)


@pytest.fixture(scope="module")
def gazetteer(good_store: Path) -> Gazetteer:
    settings = fast_settings(good_store, None)
    return loaders.gazetteer(settings)


@needs_mirror
@pytest.mark.parametrize("text,kind,code", [
    ("Warnemünde", "stadtbereich", "A"),
    ("Kroepeliner Tor Vorstadt", "stadtbereich", "K"),
    ("kröpeliner-tor-vorstadt", "stadtbereich", "K"),
    ("Seebad Hohe Düne", "ortsteil", "B"),
    ("Stadthafen", "place", "N"),
    ("IGA-Park", "place", "G"),
    ("Evershgen", "stadtbereich", "F"),  # typo
    ("Lütenklein", "stadtbereich", "E"),
    ("Reuterhagen", "stadtbereich", "H"),
    ("GROSS KLEIN", "stadtbereich", "D"),
])
def test_districts_ortsteile_and_places_are_found(gazetteer: Gazetteer, text: str, kind: str,
                                                  code: str) -> None:
    best = gazetteer.search(text)[0]
    assert (best.kind, best.code) == (kind, code), best


@needs_mirror
def test_an_ortsteil_lies_in_the_district_its_polygon_says(gazetteer: Gazetteer,
                                                           good_store: Path) -> None:
    quarters = loaders.ortsteile(fast_settings(good_store, None)).set_index("name")
    for name in ("Seebad Hohe Düne", "Seebad Markgrafenheide", "Dierkow-Neu", "Schmarl"):
        (hit,) = [h for h in gazetteer.search(name) if h.kind == "ortsteil"
                  and h.name == name] or [None]
        if hit is None:  # the Stadtbereich of the same name stands in for it
            hit = gazetteer.search(name)[0]
        point = shapely.Point(hit.x, hit.y)
        assert quarters.loc[name].geometry.contains(point)
        assert hit.code == quarters.loc[name, "stadtbereich_code"], name


@needs_mirror
def test_the_district_comes_from_the_polygon_not_from_the_name(good_store: Path) -> None:
    """Names swapped between two districts: a place keeps the district its point lies in."""
    settings = fast_settings(good_store, None)
    districts = loaders.districts(settings)
    swapped = districts.copy()
    names = dict(zip(districts.code, districts.name, strict=True))
    swapped["name"] = swapped["code"].map({**names, "A": names["N"], "N": names["A"]})
    places = loaders.places()
    gaz = Gazetteer(swapped, loaders.ortsteile(settings), places)
    lighthouse = next(h for h in gaz.search("Leuchtturm Warnemünde") if h.kind == "place")
    assert lighthouse.code == "A" and lighthouse.district == names["N"]  # the swapped name
    locator = Locator(districts, None)
    stadthafen = places.set_index("name").geometry.filter(like="Stadthafen").iloc[0]
    assert locator.points([stadthafen.x], [stadthafen.y])[0] == ["N"]


@needs_mirror
@pytest.mark.parametrize("text", BAD_INPUT)
def test_bad_input_gives_a_short_answer_never_an_error(gazetteer: Gazetteer,
                                                       text: str) -> None:
    hits = gazetteer.search(text)
    assert isinstance(hits, list) and len(hits) <= 8


@needs_mirror
def test_without_the_city_lists_it_says_what_it_finds(gazetteer: Gazetteer,
                                                    app_env: Path) -> None:
    assert not gazetteer.has_streets and not gazetteer.has_addresses
    assert not [h for h in gazetteer.search("Lange Straße 12") if h.kind == "address"]
    at = run_app(q="Lange Straße 12")
    captions = " ".join(c.value for c in at.caption)
    assert "Straßen und Hausnummern findet sie, sobald" in captions


# --- streets and addresses (written by the tests in the official layout) -----------------


@pytest.fixture(scope="module")
def full(search_store: Path) -> Gazetteer:
    return loaders.gazetteer(fast_settings(search_store, None))


@needs_mirror
@pytest.mark.parametrize("street,number,letter,_postcode,_quarter,_lonlat,code", ADDRESSES)
def test_every_test_address_lands_in_its_district(full: Gazetteer, street: str, number: int,
                                                  letter: str | None, _postcode: str,
                                                  _quarter: str, _lonlat: tuple,
                                                  code: str) -> None:
    typed = f"{street.replace('Str.', 'Straße')} {number}{letter or ''}"
    best = full.search(typed)[0]
    assert best.kind == "address" and best.name == f"{street} {number}{letter or ''}"
    # The list gives no coordinates: the address sits on its street, and says so.
    assert best.approximate and best.code == code


@needs_mirror
@pytest.mark.parametrize("typed,found", [
    ("Kroepeliner Strasse 1 a", "Kröpeliner Str. 1a"),
    ("kröplinerstr 1", "Kröpeliner Str. 1"),  # typo, glued, no letter
    ("Lange Straße 12", "Lange Str. 12"),
    ("Seestrasse 1", "Seestr. 1"),
])
def test_addresses_as_residents_type_them(full: Gazetteer, typed: str, found: str) -> None:
    assert full.search(typed)[0].name == found


@needs_mirror
def test_a_street_through_two_districts_names_both(full: Gazetteer) -> None:
    street = full.search("Doberaner Straße")[0]
    assert street.kind == "street" and street.code == "K" and street.also == ("N",)
    assert full.search("Lange Straße 999")[0].kind == "street"  # no such house: the street


@needs_mirror
def test_addresses_with_positions_are_placed_by_their_point(
        tmp_path: Path, search_store: Path) -> None:
    files = write_official_files(tmp_path / "files", with_positions=True)
    store = tmp_path / "data"
    shutil.copytree(search_store, store)
    server = MirrorServer(files)
    try:
        (outcome,) = refresh(["adressen"], fast_settings(store, server.url))
    finally:
        server.close()
    assert outcome.status == "updated", outcome.message
    gaz = loaders.gazetteer(fast_settings(store, None))
    for street, number, letter, _pc, quarter, _ll, code in ADDRESSES:
        hit = gaz.search(f"{street} {number}{letter or ''}")[0]
        assert hit.kind == "address" and not hit.approximate and hit.code == code
        assert hit.ortsteil == quarter  # from the Ortsteil polygon, not the list's name


@needs_mirror
@pytest.mark.parametrize("body,reason", [
    (b"{not json", "not valid JSON"),
    (b'{"type": "Topology"}', "neither a list of addresses"),
    (json.dumps({"type": "Topo\nlogy" + "x" * 2000}).encode(), "neither a list of addresses"),
    (json.dumps([{"strasse_name": "Lange Str.", "hausnummer": 0}]).encode(),
     "impossible house number"),
    (json.dumps([{"strasse_name": "Lange Str."}]).encode(), "lacks the required column"),
    (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"strasse_name": "Lange Str.", "hausnummer": 1},
         "geometry": {"type": "Point", "coordinates": [13.4, 52.5]}}]}).encode(),
     "outside the Rostock area"),
    (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"strasse_name": "Lange Str.", "hausnummer": 1},
         "geometry": {"type": "Point"}}]}).encode(), "unreadable geometry"),
    (json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"strasse_name": "Lange Str.", "hausnummer": 1},
         "geometry": {"type": "Point", "coordinates": [312345.0, 6001234.0]}}]}).encode(),
     "not longitude/latitude"),
])
def test_a_broken_address_list_is_refused_and_the_good_copy_kept(
        tmp_path: Path, search_store: Path, body: bytes, reason: str) -> None:
    store = tmp_path / "data"
    shutil.copytree(search_store, store)
    before = loaders.gazetteer(fast_settings(store, None)).search("Lange Straße 12")[0]
    folder = tmp_path / "files" / HOST / "adressenliste"
    folder.mkdir(parents=True)
    (folder / "adressenliste.json").write_bytes(body)
    server = MirrorServer(tmp_path / "files")
    try:
        (outcome,) = refresh(["adressen"], fast_settings(store, server.url))
    finally:
        server.close()
    assert not outcome.ok and reason in outcome.message, outcome.message
    assert "\n" not in outcome.message and len(outcome.message) < 600  # the file's text, cut
    after = loaders.gazetteer(fast_settings(store, None)).search("Lange Straße 12")[0]
    assert after == before


def test_the_lists_are_catalogued_as_online_datasets() -> None:
    catalogue = load_catalogue()
    for dataset_id, name in (("strassen", "strassen.json"),
                             ("adressen", "adressenliste.json")):
        ds = catalogue[dataset_id]
        assert ds.official_url.startswith("https://geo.sv.rostock.de/download/opendata/")
        assert ds.official_url.endswith(name) and not ds.mirrored
        assert ds.licence == "CC0 1.0"


# --- the search on the pages (AppTest) ------------------------------------------------------


def _district(at) -> str:  # type: ignore[no-untyped-def]
    return next(s.value for s in at.selectbox if s.label == "Stadtbereich")


@needs_mirror
@pytest.mark.parametrize("q,code", [
    ("Warnemünde", "A"), ("Kroepeliner Tor Vorstadt", "K"), ("Seebad Hohe Düne", "B"),
    ("Stadthafen", "N"), ("IGA-Park", "G"),
])
def test_q_in_the_link_selects_the_district(app_env: Path, q: str, code: str) -> None:
    at = run_app(q=q)
    assert _district(at) == code
    assert at.query_params["district"] == code and at.query_params["q"] == q
    # The map marks the district and the place, and looks there.
    spec = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    layers = {layer["id"]: layer for layer in spec["layers"]}
    assert [f["properties"]["code"] for f in layers["auswahl"]["data"]] == [code]
    (marker,) = layers["treffer"]["data"]
    view = spec["initialViewState"]
    assert view["longitude"] == pytest.approx(marker["lon"], abs=2e-5)
    assert view["latitude"] == pytest.approx(marker["lat"], abs=2e-5)
    assert "Profil:" in " ".join(h.value for h in at.header)


@needs_mirror
def test_an_address_from_the_list_opens_its_district(monkeypatch: pytest.MonkeyPatch,
                                                      search_store: Path) -> None:
    monkeypatch.setenv("GEODATA_DIR", str(search_store))
    monkeypatch.delenv("GEODATA_MIRROR", raising=False)
    at = run_app(q="Kröpeliner Straße 1a")
    assert _district(at) == "N"
    results = next(r for r in at.radio if r.label == "Treffer")
    assert results.options[0].startswith("Kröpeliner Str. 1a (Adresse) — Stadtbereich "
                                         "Stadtmitte, Ortsteil Stadtmitte")
    # The Rostock App page finds it too.
    from streamlit.testing.v1 import AppTest

    from tests.helpers.app import APP

    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["q"] = "Seestraße 1"
    app.switch_page("pages/projekt_app.py")
    app.run()
    assert not app.exception and _district(app) == "A"
    assert any("**Warnemünde** hat" in m.value for m in app.markdown)


@needs_mirror
def test_choosing_another_result_puts_it_into_the_link(app_env: Path) -> None:
    at = run_app(q="Warnemünde")
    results = next(r for r in at.radio if r.label == "Treffer")
    second = results.options[1]
    results.set_value(1).run()
    assert not at.exception
    assert at.query_params["q"] == second.split(" (")[0]
    assert next(r for r in at.radio if r.label == "Treffer").value == 0  # it leads now


@needs_mirror
@pytest.mark.parametrize("q", BAD_INPUT)
def test_bad_input_on_the_page(app_env: Path, q: str) -> None:
    at = run_app(q=q)  # run_app asserts no exception
    shown = " ".join(m.value for m in [*at.info, *at.markdown, *at.caption])
    assert "<script>" not in shown  # escaped wherever the query is shown
    field = next(t for t in at.text_input if t.label.startswith("Adresse"))
    assert len(field.value or "") <= MAX_QUERY


@needs_mirror
def test_the_search_text_is_shown_escaped(app_env: Path) -> None:
    at = run_app(q="<img src=x onerror=alert(1)> [klick](javascript:x)")
    (info,) = [i.value for i in at.info if "nichts gefunden" in i.value]
    assert "\\<img" in info and "\\[klick\\]" in info


@needs_mirror
def test_english_results(app_env: Path) -> None:
    at = run_app(q="Warnemünde", lang="en")
    results = next(r for r in at.radio if r.label == "Results")
    assert results.options[0] == "Warnemünde — District"
    assert "(Ortsteil) — District Warnemünde" in results.options[1]


def test_gazetteer_frames_are_geometry_in_the_working_crs(good_store: Path) -> None:
    gaz = loaders.gazetteer(fast_settings(good_store, None))
    districts = loaders.districts(fast_settings(good_store, None))
    assert isinstance(districts, gpd.GeoDataFrame) and districts.crs.to_epsg() == 25833
    assert all(districts.union_all().buffer(50).contains(shapely.Point(e.x, e.y))
               for e in gaz.entries if e.code)
    assert len([e for e in gaz.entries if e.kind == "stadtbereich"]) == 21


@needs_mirror
def test_the_compact_index_keeps_districts_and_house_numbers_without_positions(
        full: Gazetteer) -> None:
    from geodata.search import KINDS, compact

    data = compact(full)
    assert data["has_streets"] and data["has_addresses"]
    assert len(data["entries"]) == len(full.entries)
    by_name = {e[1]: e for e in data["entries"]}
    kind, _name, key, code, _quarter, also, houses = by_name["Doberaner Str."]
    assert (KINDS[kind], key, code, also, houses) == ("street", "doberaner str", "K", ["N"],
                                                      {"K": "44b"})
    assert by_name["Kröpeliner Str."][6] == {"N": "1 1a"}
    assert KINDS[by_name["Warnemünde"][0]] == "stadtbereich"
    # a link to a district needs no coordinates: none go out
    assert not any(isinstance(v, float) for e in data["entries"] for v in e)
