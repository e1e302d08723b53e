"""The catalogue promises what the issue asks for, and every mirrored file exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata import load_catalogue, stored
from geodata.catalogue import expand_months, expand_years
from tests.helpers.mirror import MIRROR, needs_mirror

REQUIRED_FIELDS = ("id", "title_de", "title_en", "publisher", "licence", "attribution",
                   "format", "cadence")


def test_catalogue_lists_every_dataset_with_its_metadata() -> None:
    cat = load_catalogue()
    assert {"stadtbereiche", "ortsteile", "bevoelkerung", "klima_mv", "klima_warnemuende",
            "meeresspiegel_warnemuende", "wasser", "baeume", "spielplaetze", "haltestellen",
            "trinkwasserspender", "toiletten"} <= set(cat)
    for ds in cat.values():
        for name in REQUIRED_FIELDS:
            assert getattr(ds, name), (ds.id, name)
        assert ds.title_de != ds.title_en or ds.id == "wasser"
        if ds.packaged:
            assert ds.parts == () and not ds.mirrored and Path(ds.package).exists()
        elif ds.mirror_only:
            assert all(p.url is None and p.mirror_path for p in ds.parts)
        else:
            assert all(p.url.startswith("https://") for p in ds.parts), ds.id
        if ds.is_spatial:
            assert ds.source_crs == "EPSG:4326"


def test_packaged_entries_cite_the_places_and_the_surge_classes_with_their_origin() -> None:
    """Places and storm-surge classes ship with the dashboard: cited like a dataset, with
    their real origin, but never downloaded."""
    cat = load_catalogue()
    places, surges = cat["orte"], cat["sturmflutklassen"]
    assert places.packaged and places.package == "geodata/places.toml"
    assert places.is_spatial and "eigene Zusammenstellung" in places.publisher
    assert "own compilation" in places.publisher_in("en")
    assert surges.packaged and surges.package == "geodata/sea.py"
    assert surges.publisher == "Bundesamt für Seeschifffahrt und Hydrographie (BSH)"
    assert surges.page == "https://sturmflutmonitor.de/faq/index.php.de"
    assert stored(["orte", "stadtbereiche", "sturmflutklassen"]) == ["stadtbereiche"]
    assert all(not d.packaged for d in cat.values() if d.mirrored)


def test_each_dataset_names_how_its_own_date_is_read() -> None:
    rules = {ds.id: ds.reference for ds in load_catalogue().values()}
    assert rules["bevoelkerung"] == "year_end"
    assert rules["klima_mv"] == "years"
    assert rules["klima_warnemuende"] == rules["meeresspiegel_warnemuende"] == "months"
    assert rules["stadtbereiche"] == rules["ortsteile"] == rules["wasser"] == "none"


def test_a_wrong_reference_rule_or_package_is_refused(tmp_path: Path) -> None:
    import geodata.catalogue as catalogue

    text = catalogue.CATALOGUE_FILE.read_text(encoding="utf-8")
    broken = tmp_path / "bad.toml"
    broken.write_text(text.replace('reference = "years"', 'reference = "decades"'))
    with pytest.raises(ValueError, match="unknown reference rule 'decades'"):
        catalogue.load_catalogue.__wrapped__(broken)
    broken.write_text(text.replace('package = "geodata/sea.py"\n', ""))
    with pytest.raises(ValueError, match="packaged dataset names its `package`"):
        catalogue.load_catalogue.__wrapped__(broken)


def test_licences_read_in_english_where_the_german_is_no_name() -> None:
    cat = load_catalogue()
    assert cat["meeresspiegel_warnemuende"].licence_in("en") == (
        "free to use with citation (PSMSL data policy)")
    assert "frei" not in cat["meeresspiegel_warnemuende"].licence_in("en")
    assert cat["meeresspiegel_warnemuende"].attribution.startswith("PSMSL (2019)")
    assert cat["stadtbereiche"].licence_in("en") == "CC0 1.0"


def test_population_covers_nine_topics_and_every_known_year() -> None:
    parts = load_catalogue()["bevoelkerung"].parts
    topics = {p.params["topic"] for p in parts}
    assert len(topics) == 9
    years = {p.params["year"] for p in parts if p.params["topic"] == "insgesamt"}
    assert years == set(range(2005, 2024))
    assert len(parts) == 134
    assert {p.params["ext"] for p in parts} == {"csv", "xlsx"}
    assert len({p.filename for p in parts}) == len(parts)


def test_ranges() -> None:
    assert expand_years("2005-2007,2010") == [2005, 2006, 2007, 2010]
    assert expand_months("2003-11..2004-02") == ["200311", "200312", "200401", "200402"]
    assert len(load_catalogue()["klima_warnemuende"].parts) == 221


def test_mirror_replaces_scheme_and_host() -> None:
    part = load_catalogue()["stadtbereiche"].parts[0]
    assert part.source(None) == part.url
    assert part.source("http://127.0.0.1:8000/") == (
        "http://127.0.0.1:8000/geo.sv.rostock.de/download/opendata/stadtbereiche/"
        "stadtbereiche.json")
    assert part.source("/srv/mirror") == (
        "/srv/mirror/geo.sv.rostock.de/download/opendata/stadtbereiche/stadtbereiche.json")
    water = load_catalogue()["wasser"].parts[0]
    assert water.source(None) is None
    assert water.source("/m").startswith("/m/_reference/wasser/")


@needs_mirror
@pytest.mark.parametrize("dataset", [d.id for d in load_catalogue().values() if d.mirrored])
def test_every_mirrored_part_exists_in_the_mirror(dataset: str) -> None:
    missing = [p.key for p in load_catalogue()[dataset].parts
               if not Path(p.source(str(MIRROR))).is_file()]
    assert not missing
