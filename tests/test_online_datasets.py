"""Datasets not in the offline mirror, tested with small files in the official layout."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from geodata import Store, loaders, refresh
from tests.helpers.mirror import MirrorServer, fast_settings
from tests.helpers.net import free_port

ONLINE = {
    "baeume": ("baeume/baeume.json",
               {"gattung_botanisch": "Tilia", "gattung_deutsch": "Linde", "hoehe": 14}),
    "spielplaetze": ("geraetespielanlagen/geraetespielanlagen.json",
                     {"bezeichnung": "Spielplatz Lindenpark", "altersgruppe": "3-12"}),
    "haltestellen": ("haltestellen/haltestellen.json", {"bezeichnung": "Neuer Markt"}),
    "trinkwasserspender": ("trinkwasserspender/trinkwasserspender.json",
                           {"bezeichnung": "Universitätsplatz"}),
    "toiletten": ("toiletten/toiletten.json",
                  {"bezeichnung": "Stadthafen", "barrierefrei": True}),
}
SPOTS = [(12.1405, 54.0887), (12.0845, 54.1775), (12.1020, 54.0810)]


def _write(root: Path, rel: str, props: dict, spots=SPOTS, geometry="Point") -> None:
    path = root / "geo.sv.rostock.de/download/opendata" / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    features = [{"type": "Feature", "properties": {**props, "id": i},
                 "geometry": {"type": geometry, "coordinates": list(xy)}}
                for i, xy in enumerate(spots)]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))


@pytest.fixture
def online_mirror(tmp_path: Path):
    root = tmp_path / "mirror"
    for rel, props in ONLINE.values():
        _write(root, rel, props)
    server = MirrorServer(root)
    yield root, server
    server.close()


def test_online_point_datasets_load_as_points(tmp_path: Path, online_mirror) -> None:
    _root, server = online_mirror
    settings = fast_settings(tmp_path / "data", server.url)
    outcomes = refresh(list(ONLINE), settings)
    assert [o.status for o in outcomes] == ["updated"] * 5
    for dataset_id in ONLINE:
        gdf = loaders.points(dataset_id, settings)
        assert len(gdf) == 3 and gdf.crs.to_epsg() == 25833
        assert set(gdf.geom_type) == {"Point"}
    assert loaders.points("baeume", settings).gattung_deutsch.iloc[0] == "Linde"
    # The point files carry no date of their own: the source line says so and shows the
    # retrieval day only.
    info = loaders.info("haltestellen", settings)
    assert info["reference"] == {"kind": "none"} and info["retrieved_at"]
    # …and draw as map layers, named from the dataset's own name column.
    from layers.build import build
    from layers.spec import Query

    stops = build("haltestellen", Query(), settings)
    assert list(stops.gdf.label) == ["Neuer Markt"] * 3
    assert "Name: Neuer Markt" in stops.gdf.tip_text.iloc[0]
    assert build("baeume", Query(), settings).gdf.label.iloc[0] == "Linde"


def test_mirror_refresh_skips_what_a_mirror_lacks_unless_asked(
    tmp_path: Path, online_mirror
) -> None:
    _root, server = online_mirror
    settings = fast_settings(tmp_path / "data", server.url)
    ids = [o.dataset for o in refresh(settings=settings, include_unmirrored=True)]
    assert set(ONLINE) <= set(ids)


def test_unreachable_source_is_reported_and_the_app_can_say_so(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path / "data", f"http://127.0.0.1:{free_port()}")
    (outcome,) = refresh(["toiletten"], settings)
    assert outcome.status == "failed" and outcome.kind == "connection"
    assert outcome.message.startswith("toiletten: the server for toiletten.json refused")
    info = loaders.info("toiletten", settings)
    assert info["available"] is False and "refused" in info["last_error"]
    assert not Store(settings).has("toiletten")


def test_points_outside_rostock_or_not_points_are_rejected(tmp_path: Path) -> None:
    root = tmp_path / "mirror"
    _write(root, "toiletten/toiletten.json", {"bezeichnung": "x"},
           spots=[(12.14, 54.09), (13.40, 52.52)])
    _write(root, "haltestellen/haltestellen.json", {"bezeichnung": "x"},
           spots=[[[12.1, 54.1], [12.2, 54.1]]], geometry="LineString")
    server = MirrorServer(root)
    try:
        settings = fast_settings(tmp_path / "data", server.url)
        toilets, stops = refresh(["toiletten", "haltestellen"], settings)
    finally:
        server.close()
    assert "1 of 2 features lie outside the Rostock area" in toilets.message
    assert "is a LineString, expected point" in stops.message
