"""Fixtures only; the code behind them is in ``tests/helpers/``."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from geodata import Settings, refresh
from tests.helpers.addresses import write_official_files
from tests.helpers.app import require
from tests.helpers.browser import App, Watched, launch, serve, watch
from tests.helpers.mirror import DATA_ONLY, MIRROR, ROOT, MirrorServer, fast_settings
from tests.helpers.servers import PgCluster, nginx_binary, postgis_missing

# The suite uses the file store unless a test configures a database itself, even on a
# machine whose .streamlit/secrets.toml names one.
os.environ.setdefault("GEODATA_DATABASE_URL", "")


@pytest.fixture(scope="session")
def mirror_server() -> Iterator[MirrorServer]:
    if not MIRROR.is_dir():
        pytest.skip(f"no offline mirror at {MIRROR}")
    server = MirrorServer(MIRROR)
    yield server
    server.close()


@pytest.fixture
def server() -> Iterator[MirrorServer]:
    """A server of the test's own: threads still sleeping from another test's faults
    cannot write into its log."""
    if not MIRROR.is_dir():
        pytest.skip(f"no offline mirror at {MIRROR}")
    own = MirrorServer(MIRROR)
    yield own
    own.close()


@pytest.fixture(scope="session")
def good_store(tmp_path_factory: pytest.TempPathFactory, mirror_server: MirrorServer) -> Path:
    """Every mirrored dataset refreshed once over loopback HTTP: the suite's real data."""
    data_dir = tmp_path_factory.mktemp("good-store")
    outcomes = refresh(settings=fast_settings(data_dir, mirror_server.url))
    failed = [o.message for o in outcomes if not o.ok]
    assert not failed, failed
    return data_dir


@pytest.fixture(scope="session")
def profiles_site(good_store: Path) -> Path:
    """The district profiles built once from the good store, PDFs included (``make site``);
    the folder holding the ``current`` build. The app fixture's server serves it."""
    from profiles.build import build, root_dir

    settings = fast_settings(good_store, None)
    result = build(settings, pdf=True)
    assert len(result.pages) == 44 and len(result.pdfs) == 42, result
    return root_dir(settings)


@pytest.fixture
def store_copy(tmp_path: Path, good_store: Path) -> Path:
    """A private copy of the good store that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(good_store, target, ignore=DATA_ONLY)
    return target


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, good_store: Path) -> Path:
    """AppTests read the good store and nothing else (no mirror, no network)."""
    monkeypatch.setenv("GEODATA_DIR", str(good_store))
    monkeypatch.delenv("GEODATA_MIRROR", raising=False)
    monkeypatch.chdir(ROOT)
    return good_store


@pytest.fixture(scope="session")
def search_store(tmp_path_factory: pytest.TempPathFactory, good_store: Path) -> Path:
    """The good store plus the city's street and address lists, as the tests write them in
    the official layout (they are not in the mirror), loaded over loopback HTTP."""
    files = write_official_files(tmp_path_factory.mktemp("official-lists"))
    target = tmp_path_factory.mktemp("search-store") / "data"
    shutil.copytree(good_store, target, ignore=DATA_ONLY)
    server = MirrorServer(files)
    try:
        outcomes = refresh(["strassen", "adressen"], fast_settings(target, server.url))
    finally:
        server.close()
    assert all(o.status == "updated" for o in outcomes), [o.message for o in outcomes]
    return target


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """A private PostgreSQL + PostGIS cluster on a free loopback port, for this session."""
    require("CI_REQUIRE_POSTGIS", postgis_missing())
    cluster = PgCluster().start()
    yield cluster
    cluster.stop()


@pytest.fixture(scope="session")
def pg_url(pg_cluster: PgCluster) -> str:
    return pg_cluster.create_database("geodata_tests")


@pytest.fixture
def pg_settings(tmp_path: Path, pg_url: str, request: pytest.FixtureRequest) -> Settings:
    """The PostGIS store in a schema of this test's own (its downloads cache in tmp_path)."""
    schema = "t_" + hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:12]
    return fast_settings(tmp_path / "data", None).with_(database_url=pg_url,
                                                        database_schema=schema)


@pytest.fixture(scope="session")
def pg_good(tmp_path_factory: pytest.TempPathFactory, mirror_server: MirrorServer,
            pg_url: str) -> Settings:
    """Every mirrored dataset refreshed into PostGIS (schema ``good``): good_store's twin."""
    settings = fast_settings(tmp_path_factory.mktemp("pg-good"), mirror_server.url).with_(
        database_url=pg_url, database_schema="good")
    outcomes = refresh(settings=settings)
    failed = [o.message for o in outcomes if not o.ok]
    assert not failed, failed
    return settings.with_(mirror=None)


@pytest.fixture(scope="session")
def nginx_present() -> str:
    binary = nginx_binary()
    require("CI_REQUIRE_NGINX", None if binary else "nginx is not installed")
    assert binary
    return binary


# -- real Chromium against the app (module scope: one server and one browser per module) --


@pytest.fixture(scope="module")
def app(good_store: Path) -> Iterator[App]:
    yield from serve(good_store)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launch()


@pytest.fixture
def watched(browser) -> Iterator[Watched]:
    yield from watch(browser)


@pytest.fixture
def page(browser) -> Iterator[object]:
    """A plain page (1400×1300) without the request watch."""
    context = browser.new_context(viewport={"width": 1400, "height": 1300})
    yield context.new_page()
    context.close()
