"""A full refresh of every mirrored dataset over loopback HTTP, checked against real figures."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from geodata import Store, load_catalogue, loaders, refresh
from tests.helpers.mirror import MIRROR, ROOT, fast_settings, needs_mirror

pytestmark = needs_mirror


def test_every_mirrored_dataset_is_in_the_store_with_its_record(good_store: Path) -> None:
    store = Store(fast_settings(good_store, None))
    mirrored = [d for d in load_catalogue().values() if d.mirrored]
    assert len(mirrored) == 7
    for ds in mirrored:
        meta = store.meta(ds.id)
        assert store.has(ds.id), ds.id
        assert meta["reference"]["kind"] in ("none", "day", "years", "months")
        assert meta["retrieved_at"] and "stand" not in meta and meta["licence"] == ds.licence
        if ds.mirror_only:
            assert meta["source_url"] == "" and ds.note
        else:
            assert meta["source_url"].startswith("https://")
        assert meta["rows"] > 0
        assert len(meta["source_sha256"]) == 64 and len(meta["file_sha256"]) == 64
        assert meta["last_error"] is None


def test_districts_are_21_covering_181_4_km2(good_store: Path) -> None:
    d = loaders.districts(fast_settings(good_store, None))
    assert list(d.code) == list("ABCDEFGHIJKLMNOPQRSTU")
    assert d.crs.to_epsg() == 25833
    assert d.area_km2.sum() == pytest.approx(181.37, abs=0.05)
    assert d.union_all().area / 1e6 == pytest.approx(181.37, abs=0.05)
    assert d.set_index("code").loc["A", "name"] == "Warnemünde"


def test_ortsteile_are_31_each_in_one_stadtbereich(good_store: Path) -> None:
    o = loaders.ortsteile(fast_settings(good_store, None)).set_index("name")
    assert len(o) == 31
    assert o.share_in_stadtbereich.min() > 0.99
    assert o.loc["Seebad Markgrafenheide", "stadtbereich_code"] == "B"
    assert o.loc["Seebad Diedrichshagen", "stadtbereich_code"] == "A"
    assert o.loc["Peez", "stadtbereich_name"] == "Rostock-Ost"
    assert o.groupby("stadtbereich_code").size().to_dict()["U"] == 6


def test_population_sums_are_the_city_register(good_store: Path) -> None:
    raw = loaders.population_raw(fast_settings(good_store, None))
    pop = raw[raw.indicator == "einwohnerzahl"].groupby("year").value.sum()
    assert pop[2023] == 211_692
    assert pop[2005] == 197_218
    assert pop[2017] == 208_516
    assert sorted(raw.year.unique()) == list(range(2005, 2024))
    assert set(raw.topic) == {
        "insgesamt", "alter", "geschlecht", "familienstand", "staatsangehoerigkeit",
        "haushaltsstruktur", "bewegung_gesamt", "bewegung_natuerlich", "bewegung_raeumlich"}


def test_sea_level_runs_monthly_from_1855(good_store: Path) -> None:
    s = loaders.sea_level(fast_settings(good_store, None))
    assert (s.year.iloc[0], s.month.iloc[0]) == (1855, 4)
    assert (s.year.iloc[-1], s.month.iloc[-1]) == (2017, 12)
    assert len(s) == 1953 and s.msl_mm.isna().sum() == 2
    assert s.msl_mm.iloc[0] == 6893


def test_climate_series(good_store: Path) -> None:
    settings = fast_settings(good_store, None)
    mv = loaders.climate_mv(settings)
    temp = mv[mv.variable == "temperatur"].set_index("year").value
    assert (temp.index.min(), temp.index.max()) == (1881, 2023)
    assert temp[1881] == pytest.approx(6.96)
    assert temp[2023] == pytest.approx(10.32)
    rain = mv[mv.variable == "niederschlag"]
    assert rain.year.max() == 2019 and rain.set_index("year").value[1881] == pytest.approx(494.5)
    assert mv[mv.variable == "sonnenschein"].year.min() == 1951
    w = loaders.climate_warnemuende(settings)
    assert len(w) == 221 and w.date.min().strftime("%Y-%m") == "2003-03"
    assert w.t_abs_max_c.max() == pytest.approx(35.9)


def test_water_reference_layers(good_store: Path) -> None:
    w = loaders.water(fast_settings(good_store, None)).set_index("layer")
    assert set(w.index) == {"meer", "kueste", "warnow", "unterwarnow_breitling"}
    assert w.geometry["unterwarnow_breitling"].area / 1e6 == pytest.approx(10.99, abs=0.05)


def test_second_refresh_uses_conditional_requests(tmp_path: Path, server) -> None:
    settings = fast_settings(tmp_path, server.url)
    assert refresh(["stadtbereiche", "klima_mv"], settings)[0].status == "updated"
    server.log.clear()
    outcomes = refresh(["stadtbereiche", "klima_mv"], settings)
    assert [o.status for o in outcomes] == ["unchanged", "unchanged"]
    assert [e.status for e in server.log] == [304] * 4
    assert all("If-None-Match" in e.headers for e in server.log)
    assert sum(o.bytes_downloaded for o in outcomes) == 0


def test_loading_from_the_store_never_touches_the_network(
    good_store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("the store must load without network access")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    settings = fast_settings(good_store, "http://127.0.0.1:9")
    assert len(loaders.districts(settings)) == 21
    assert len(loaders.ortsteile(settings)) == 31
    assert not loaders.indicators(settings).empty
    assert not loaders.climate_mv(settings).empty
    assert not loaders.climate_warnemuende(settings).empty
    assert not loaders.sea_level(settings).empty
    assert len(loaders.water(settings)) == 4


def test_folder_mirror_needs_no_server(tmp_path: Path) -> None:
    settings = fast_settings(tmp_path, str(MIRROR))
    first = refresh(["stadtbereiche", "meeresspiegel_warnemuende"], settings)
    assert [o.status for o in first] == ["updated", "updated"]
    assert [o.status for o in refresh(["stadtbereiche"], settings)] == ["unchanged"]


def test_cli_refresh_and_status(tmp_path: Path, server) -> None:
    env = {"GEODATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "geodata", "refresh", "--only", "stadtbereiche", "ortsteile",
         "--mirror", server.url, "-q"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "stadtbereiche" in run.stdout and "updated" in run.stdout
    status = subprocess.run([sys.executable, "-m", "geodata", "status"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 0
    lines = {line.split()[0]: line for line in status.stdout.splitlines() if line.strip()}
    assert "CC0 1.0" in lines["stadtbereiche"] and " 21 " in lines["stadtbereiche"]
    assert "no copy" in lines["bevoelkerung"]
    assert "stadtbereiche.json" in lines["stadtbereiche"]


def test_cli_reports_failure_with_exit_code(tmp_path: Path) -> None:
    env = {"GEODATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "geodata", "refresh", "--only", "wasser", "-q"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "only available from an offline mirror" in run.stdout
