"""The PostGIS store against a real PostgreSQL/PostGIS cluster on 127.0.0.1.

Same frames as the file store, refresh through the CLI, readers during refreshes, and
refreshes that break half-way.
"""

from __future__ import annotations

import inspect
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import psycopg
import pytest
from geopandas.testing import assert_geodataframe_equal
from shapely.geometry import LineString, Point, Polygon

import geodata
from geodata import loaders, open_store, refresh
from geodata.config import load_settings
from geodata.postgis import PostgisStore
from geodata.search import Gazetteer
from geodata.store import Store
from tests.helpers.mirror import (
    DATA_ONLY,
    DISTRICTS_JSON,
    ROOT,
    Fault,
    MirrorServer,
    fast_settings,
    needs_mirror,
)
from tests.helpers.net import poll_until

pytestmark = [pytest.mark.postgis, needs_mirror]


def assert_same(a: object, b: object) -> None:
    """Equal values, dtypes, index and geometry bit for bit (not just topologically)."""
    assert type(a) is type(b)
    if isinstance(a, gpd.GeoDataFrame):
        assert_geodataframe_equal(a, b, check_less_precise=False)
        assert list(a.geometry.to_wkb()) == list(b.geometry.to_wkb())
        assert a.crs == b.crs
    elif isinstance(a, pd.DataFrame):
        pd.testing.assert_frame_equal(a, b)
    elif isinstance(a, pd.Series):
        pd.testing.assert_series_equal(a, b)
    elif isinstance(a, Gazetteer):  # the search's names, places and districts
        assert (a.has_streets, a.has_addresses) == (b.has_streets, b.has_addresses)
        assert a.entries == b.entries
    else:
        assert a == b


def _tables(settings: geodata.Settings) -> list[str]:
    with psycopg.connect(settings.database_url) as conn:
        rows = conn.execute("SELECT table_name FROM information_schema.tables "
                            "WHERE table_schema = %s AND table_type = 'BASE TABLE' "
                            "ORDER BY 1", [settings.database_schema]).fetchall()
    return [r[0] for r in rows]


# -- the same frames from both stores --------------------------------------------------------

TOILETS = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "geometry": {"type": "Point", "coordinates": xy},
     "properties": {"id": i, "bezeichnung": name, "barrierefrei": free}}
    for i, (xy, name, free) in enumerate([
        ([12.1405, 54.0887], "Stadthafen", True),
        ([12.0845, 54.1775], "Warnemünde <Strand>", False),
        ([12.1020, 54.0810], "Südstadt", True)])]}


@pytest.fixture(scope="module")
def both_stores(tmp_path_factory: pytest.TempPathFactory, good_store: Path,
                pg_good: geodata.Settings) -> tuple[geodata.Settings, geodata.Settings]:
    """The good data in both stores, plus one online point dataset written by the test."""
    import shutil

    files = fast_settings(tmp_path_factory.mktemp("files") / "data", None)
    shutil.copytree(good_store, files.data_dir, ignore=DATA_ONLY)
    root = tmp_path_factory.mktemp("online-mirror")
    path = root / "geo.sv.rostock.de/download/opendata/toiletten/toiletten.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps(TOILETS))
    server = MirrorServer(root)
    try:
        for settings in (files, pg_good):
            (outcome,) = refresh(["toiletten"], settings.with_(mirror=server.url))
            assert outcome.status == "updated", outcome.message
    finally:
        server.close()
    return files, pg_good


def _loader_calls() -> dict[str, tuple]:
    """Every loader that reads the store, with its arguments (settings added later)."""
    extra = {"points": ("toiletten",), "info": ("stadtbereiche",)}
    calls = {}
    for name, fn in inspect.getmembers(loaders, inspect.isfunction):
        if (fn.__module__ == loaders.__name__ and not name.startswith("_")
                and "settings" in inspect.signature(fn).parameters):
            calls[name] = extra.get(name, ())
    return calls


def test_every_loader_returns_identical_frames_from_both_stores(both_stores) -> None:
    files, pg = both_stores
    calls = _loader_calls()
    # The list is found by introspection; make sure it really covers the loaders.
    assert {"districts", "ortsteile", "population_raw", "indicators", "city_reference",
            "climate_mv", "climate_warnemuende", "sea_level", "water", "points",
            "info"} <= set(calls)
    for name, args in calls.items():
        from_files = getattr(loaders, name)(*args, settings=files)
        from_pg = getattr(loaders, name)(*args, settings=pg)
        if name == "info":  # the two stores were filled a few seconds apart
            assert from_files.pop("retrieved_at") and from_pg.pop("retrieved_at")
        try:
            assert_same(from_files, from_pg)
        except AssertionError as exc:
            raise AssertionError(f"loaders.{name} differs between the stores: {exc}") from exc
    # The app's cache key (file_sha256) is the same for the same data in both stores.
    for dataset_id in ("stadtbereiche", "bevoelkerung", "toiletten"):
        assert (Store(files).meta(dataset_id)["file_sha256"]
                == open_store(pg).meta(dataset_id)["file_sha256"])


def test_every_supported_column_type_round_trips_with_missing_values(
        tmp_path: Path, pg_settings: geodata.Settings) -> None:
    frame = gpd.GeoDataFrame({
        "i8": np.array([1, -2, 3], "int8"), "i16": np.array([1, 2, 3], "int16"),
        "i32": np.array([1, 2, 2**31 - 1], "int32"), "i64": np.array([1, 2, 2**62], "int64"),
        "u8": np.array([0, 255, 7], "uint8"), "nullable": pd.array([1, None, 3], "Int64"),
        "f32": np.array([0.1, np.nan, 3.5], "float32"), "f64": [0.1, np.nan, 1e-300],
        "flag": [True, False, True], "maybe": pd.array([True, None, False], "boolean"),
        "text": pd.array(["ä", None, "<b>"], "str"), "string": pd.array(["x", None, ""], "string"),
        "when": pd.to_datetime(["2024-01-01 10:00:00.123456", None, "1900-02-28 00:00:00.5"]),
        "zoned": pd.to_datetime(["2024-06-01 12:00", "2024-12-01 12:00", None]).tz_localize(
            "Europe/Berlin"),
    }, geometry=[Point(313_000.125, 6_000_000.5), None,
                 Polygon([(0, 0), (1, 0), (1, 1 / 3), (0, 0)])], crs="EPSG:25833")
    store = open_store(pg_settings)
    assert isinstance(store, PostgisStore)
    store.commit("stadtbereiche", frame, {"id": "stadtbereiche", "geometry": True})
    files = Store(fast_settings(tmp_path / "files", None))
    files.commit("stadtbereiche", frame, {"id": "stadtbereiche", "geometry": True})
    assert_same(files.load("stadtbereiche"), store.load("stadtbereiche"))
    assert_same(frame, store.load("stadtbereiche"))
    # Lines and 3-D points side by side (an untyped geometry column) still round-trip.
    mixed = gpd.GeoDataFrame({"n": [1, 2]}, geometry=[LineString([(0, 0, 1), (1, 1, 2)]),
                                                      Point(5, 6)], crs="EPSG:25833")
    store.commit("wasser", mixed, {"id": "wasser"})
    assert_same(mixed, store.load("wasser"))


def test_a_column_the_database_cannot_keep_is_refused_with_a_sentence(
        pg_settings: geodata.Settings) -> None:
    store = open_store(pg_settings)
    odd = pd.DataFrame({"when": [pd.Timestamp("2024-01-01 00:00:00.000000001")]})
    with pytest.raises(geodata.StoreError, match="nanoseconds"):
        store.commit("klima_mv", odd, {})
    with pytest.raises(geodata.StoreError, match=r"'mixed' has the type object"):
        store.commit("klima_mv", pd.DataFrame({"mixed": [1, "a"]}), {})
    assert not store.has("klima_mv")
    assert not [t for t in _tables(pg_settings) if t.startswith("klima_mv")]


# -- configuration -----------------------------------------------------------------------------


def test_database_url_from_environment_or_secrets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("GEODATA_DATABASE_URL", raising=False)
    assert load_settings().database_url is None
    assert isinstance(open_store(load_settings()), Store)  # the default: files
    secrets = tmp_path / ".streamlit" / "secrets.toml"
    secrets.parent.mkdir()
    secrets.write_text('[connections.postgis]\nurl = "postgresql://a:b@db:5432/x"\n')
    assert load_settings().database_url == "postgresql://a:b@db:5432/x"
    assert isinstance(open_store(load_settings()), PostgisStore)
    secrets.write_text('[geodata]\ndatabase_url = "postgresql://c@db/y"\n')
    assert load_settings().database_url == "postgresql://c@db/y"
    monkeypatch.setenv("GEODATA_DATABASE_URL", "postgresql://env@db/z")
    assert load_settings().database_url == "postgresql://env@db/z"  # environment wins
    monkeypatch.setenv("GEODATA_DATABASE_URL", "")  # explicitly: files, secrets or not
    assert isinstance(open_store(load_settings()), Store)


def test_an_unreachable_database_is_a_sentence_not_a_traceback(tmp_path: Path) -> None:
    from tests.helpers.net import free_port

    settings = fast_settings(tmp_path, None).with_(
        database_url=f"postgresql://nobody:secret@127.0.0.1:{free_port()}/none")
    store = open_store(settings)
    assert store.meta("stadtbereiche") is None and not store.has("stadtbereiche")
    with pytest.raises(geodata.StoreError) as err:
        store.load("stadtbereiche")
    assert "could not be used" in str(err.value) and "secret" not in str(err.value)
    # Asked again within seconds, it answers at once instead of waiting the timeout again,
    # and the health question names the outage.
    with pytest.raises(geodata.StoreError, match="last attempt failed"):
        store.load("stadtbereiche")
    problem = store.problem()
    assert problem and "cannot be reached" in problem and "secret" not in problem
    assert open_store(fast_settings(tmp_path, None)).problem() is None  # files: never down


def test_a_database_that_answers_again_is_used_again(pg_settings: geodata.Settings,
                                                      monkeypatch) -> None:
    from geodata import postgis

    store = open_store(pg_settings)
    assert store.problem() is None
    monkeypatch.setitem(postgis._down_until, pg_settings.database_url, time.monotonic() + 60)
    assert "last attempt failed" in (store.problem() or "")
    monkeypatch.setitem(postgis._down_until, pg_settings.database_url, time.monotonic() - 1)
    assert store.problem() is None and pg_settings.database_url not in postgis._down_until


def test_the_app_says_once_that_the_database_is_down_and_fetches_nothing(
        app_env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A replica whose database is down shows one plain sentence per page (no host, no
    password), keeps its pages working and does not start downloading every dataset."""
    from tests.helpers.app import run_app
    from tests.helpers.net import free_port

    monkeypatch.setenv("GEODATA_DATABASE_URL",
                       f"postgresql://dash:geheim@127.0.0.1:{free_port()}/geo")
    fetched: list[object] = []
    monkeypatch.setattr(geodata, "refresh", lambda *a, **k: fetched.append(a) or [])
    for lang, sentence in (("de", "Datenbank des Dashboards ist gerade nicht erreichbar"),
                           ("en", "database cannot be reached right now")):
        at = run_app(lang=lang)
        warnings = [w.value for w in at.warning]
        assert sum(sentence in w for w in warnings) == 1, warnings
        shown = "\n".join(warnings + [m.value for m in at.markdown])
        assert "geheim" not in shown and "127.0.0.1" not in shown
        assert at.title, "the page itself still renders"
    assert fetched == []
    at = run_app("pages/erklaerung_barrierefreiheit.py")
    assert at.title[0].value == "Erklärung zur Barrierefreiheit"


# -- refresh into PostGIS ------------------------------------------------------------------------


def test_cli_refreshes_into_postgis_with_metadata_in_the_database(
        pg_settings: geodata.Settings, mirror_server: MirrorServer) -> None:
    env = {**os.environ, "GEODATA_DATABASE_URL": pg_settings.database_url,
           "GEODATA_DATABASE_SCHEMA": pg_settings.database_schema,
           "GEODATA_DIR": str(pg_settings.data_dir)}
    env.pop("GEODATA_MIRROR", None)
    cmd = [sys.executable, "-m", "geodata", "refresh", "--quiet", "--mirror", mirror_server.url,
           "--only", "stadtbereiche", "klima_mv"]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "into PostGIS" in done.stdout and "secret" not in done.stdout
    assert "✓ stadtbereiche" in done.stdout
    # No GeoParquet anywhere: the data went into the database.
    assert not list(Path(pg_settings.data_dir).rglob("*.parquet"))
    with psycopg.connect(pg_settings.database_url) as conn:
        schema = pg_settings.database_schema
        meta = conn.execute(f'SELECT meta FROM "{schema}".datasets WHERE id = %s',
                            ["stadtbereiche"]).fetchone()[0]
        assert meta["licence"] == "CC0 1.0" and meta["rows"] == 21
        assert meta["reference"] == {"kind": "none"} and meta["retrieved_at"]
        srid, kind = conn.execute(
            "SELECT srid, type FROM geometry_columns WHERE f_table_schema = %s "
            "AND f_table_name = %s", [schema, "stadtbereiche"]).fetchone()
        assert srid == 25833 and kind == "GEOMETRY"
        comment = conn.execute(f"SELECT obj_description('\"{schema}\".stadtbereiche'::regclass)"
                               ).fetchone()[0]
        assert "Lizenz: CC0 1.0" in comment and "Datenstand: ohne Datum in den Daten" in comment
        assert f"abgerufen: {meta['retrieved_at'][:10]}" in comment
        # The view for SQL users is the data: 181.4 km² in all.
        area = conn.execute(f'SELECT sum(ST_Area(geometry)) FROM "{schema}".stadtbereiche'
                            ).fetchone()[0]
        assert area / 1e6 == pytest.approx(181.37, abs=0.05)
    again = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "unchanged" in again.stdout
    status = subprocess.run([sys.executable, "-m", "geodata", "status"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert f"schema {pg_settings.database_schema}" in status.stdout
    line = next(ln for ln in status.stdout.splitlines() if ln.startswith("stadtbereiche"))
    assert "no date in data" in line and meta["retrieved_at"][:10] in line and "21" in line
    klima = next(ln for ln in status.stdout.splitlines() if ln.startswith("klima_mv"))
    assert "1881–2023" in klima


def _evil_districts() -> bytes:
    obj = json.loads(DISTRICTS_JSON.read_bytes())
    for feature in obj["features"]:
        feature["properties"]["bezeichnung"] += " (neu)"
    return json.dumps(obj).encode()


def test_readers_see_one_whole_copy_while_refreshes_switch(
        pg_settings: geodata.Settings, server: MirrorServer) -> None:
    """Loads in four threads while the writer switches between two versions 12 times."""
    (first,) = refresh(["stadtbereiche"], pg_settings.with_(mirror=server.url))
    assert first.status == "updated"
    store = open_store(pg_settings)
    old = store.load("stadtbereiche")
    new = old.copy()
    new["bezeichnung"] = new["bezeichnung"] + " (neu)"
    new = new.iloc[:18].reset_index(drop=True)  # a torn read would mix row counts
    versions = [old, new]
    seen = {0: 0, 1: 0}
    errors: list[str] = []
    stop = threading.Event()

    def reader() -> None:
        own = PostgisStore(pg_settings)
        while not stop.is_set():
            try:
                got = own.load("stadtbereiche")
            except Exception as exc:  # any failure is a finding
                errors.append(repr(exc))
                continue
            for i, want in enumerate(versions):
                try:
                    assert_same(want, got)
                    seen[i] += 1
                    break
                except AssertionError:
                    pass
            else:
                errors.append(f"a load matched neither copy: {len(got)} rows")

    threads = [threading.Thread(target=reader) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        meta = store.meta("stadtbereiche") or {}
        for i in range(12):
            store.commit("stadtbereiche", versions[(i + 1) % 2], meta)
            # Readers load the new copy before the next switch (a race needs them busy).
            loaded = sum(seen.values()) + len(errors)
            poll_until(lambda n=loaded: sum(seen.values()) + len(errors) > n, 30,
                       "a load after the switch", interval=0.02)
    finally:
        stop.set()
        for t in threads:
            t.join(30)
    assert not errors, errors[:5]
    assert seen[0] > 0 and seen[1] > 0, seen
    assert [t for t in _tables(pg_settings) if t.startswith("stadtbereiche")] == [
        store.meta("stadtbereiche")["table"].split(".")[1]]


def test_a_refresh_that_breaks_half_way_keeps_the_old_copy(
        pg_settings: geodata.Settings, server: MirrorServer, monkeypatch) -> None:
    from geodata import postgis

    settings = pg_settings.with_(mirror=server.url)
    (first,) = refresh(["stadtbereiche"], settings)
    assert first.status == "updated"
    store = open_store(settings)
    before, before_meta = store.load("stadtbereiche"), store.meta("stadtbereiche")
    tables = _tables(settings)
    server.faults["stadtbereiche.json"] = Fault(body=_evil_districts())
    real = postgis.write_rows

    def half_then_crash(copy, rows) -> None:
        rows = list(rows)
        real(copy, rows[: len(rows) // 2])
        raise RuntimeError("power cut")

    monkeypatch.setattr(postgis, "write_rows", half_then_crash)
    (broken,) = refresh(["stadtbereiche"], settings)
    assert broken.status == "failed" and "power cut" in broken.message

    # The database connection dies half-way instead (server restart, network).
    def half_then_lose_connection(copy, rows) -> None:
        rows = list(rows)
        real(copy, rows[: len(rows) // 2])
        pid = copy.connection.info.backend_pid
        with psycopg.connect(settings.database_url, autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        real(copy, rows[len(rows) // 2:])

    monkeypatch.setattr(postgis, "write_rows", half_then_lose_connection)
    (lost,) = refresh(["stadtbereiche"], settings)
    assert lost.status == "failed" and "writing into the database" in lost.message
    assert "the previous copy is kept" in lost.message

    assert_same(before, store.load("stadtbereiche"))
    after_meta = store.meta("stadtbereiche")
    assert after_meta["file_sha256"] == before_meta["file_sha256"]
    assert after_meta["table"] == before_meta["table"]
    assert "writing into the database" in after_meta["last_error"]
    assert _tables(settings) == tables  # nothing half-written left behind

    monkeypatch.setattr(postgis, "write_rows", real)
    (fixed,) = refresh(["stadtbereiche"], settings)
    assert fixed.status == "updated"
    assert store.load("stadtbereiche")["bezeichnung"].str.endswith(" (neu)").all()
    assert store.meta("stadtbereiche")["last_error"] is None
