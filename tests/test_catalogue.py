"""The catalogue promises what the issue asks for, and every mirrored file exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from geodata import load_catalogue
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
        if ds.mirror_only:
            assert all(p.url is None and p.mirror_path for p in ds.parts)
        else:
            assert all(p.url.startswith("https://") for p in ds.parts), ds.id
        if ds.is_spatial:
            assert ds.source_crs == "EPSG:4326"


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
