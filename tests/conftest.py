"""Fixtures: the offline mirror served over real loopback HTTP, with faults on demand."""

from __future__ import annotations

import email.utils
import hashlib
import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from geodata import Settings, refresh
from tests.services import PgCluster, nginx_binary, postgis_missing

ROOT = Path(__file__).resolve().parent.parent
# The suite uses the file store unless a test configures a database itself, even on a
# machine whose .streamlit/secrets.toml names one.
os.environ.setdefault("GEODATA_DATABASE_URL", "")


def _mirror_dir() -> Path:
    env = os.environ.get("GEODATA_MIRROR", "")
    if env and Path(env).is_dir():
        return Path(env)
    return ROOT.parent / "shared" / "opendata-mirror"


MIRROR = _mirror_dir()
DISTRICTS_JSON = MIRROR / "geo.sv.rostock.de/download/opendata/stadtbereiche/stadtbereiche.json"
needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason=f"no offline mirror at {MIRROR}")


@dataclass
class Fault:
    """How the server misbehaves for one path (``times`` = how many requests, None = all)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0
    cut_after: int | None = None  # send only this many bytes of a full Content-Length
    times: int | None = None


@dataclass
class Logged:
    path: str
    status: int
    headers: dict[str, str]
    at: float


class MirrorServer:
    """ThreadingHTTPServer over a folder, with ETag/Last-Modified and injectable faults."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.faults: dict[str, Fault] = {}
        self.log: list[Logged] = []
        self._lock = threading.Lock()
        server = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *a: Any, **kw: Any) -> None:
                super().__init__(*a, directory=str(server.root), **kw)

            def log_message(self, *args: Any) -> None:
                pass

            def _record(self, status: int) -> None:
                with server._lock:
                    server.log.append(Logged(self.path, status, dict(self.headers), time.time()))

            def do_GET(self) -> None:
                fault = server._take_fault(self.path)
                if fault and fault.delay:
                    time.sleep(fault.delay)
                if fault and fault.status:
                    self._record(fault.status)
                    self.send_response(fault.status)
                    for k, v in fault.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                path = Path(self.translate_path(self.path))
                if not path.is_file() and not (fault and fault.body is not None):
                    self._record(404)
                    self.send_error(404, "Not Found")
                    return
                body = fault.body if fault and fault.body is not None else path.read_bytes()
                etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
                mtime = path.stat().st_mtime if path.is_file() else time.time()
                last_modified = email.utils.formatdate(mtime, usegmt=True)
                if self.headers.get("If-None-Match") == etag:
                    self._record(304)
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                self._record(200)
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("ETag", etag)
                self.send_header("Last-Modified", last_modified)
                self.end_headers()
                if fault and fault.cut_after is not None:
                    self.wfile.write(body[: fault.cut_after])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def _take_fault(self, path: str) -> Fault | None:
        with self._lock:
            for suffix, fault in list(self.faults.items()):
                if path.endswith(suffix):
                    if fault.times is not None:
                        fault.times -= 1
                        if fault.times <= 0:
                            del self.faults[suffix]
                    return fault
        return None

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


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


def fast_settings(data_dir: Path, mirror: str | None) -> Settings:
    """Short timeouts and back-off so failure tests finish in seconds."""
    return Settings(data_dir=data_dir, mirror=mirror, connect_timeout=1.0, read_timeout=1.0,
                    retries=2, backoff_factor=0.05, max_retry_after=2.0)


@pytest.fixture(scope="session")
def good_store(tmp_path_factory: pytest.TempPathFactory, mirror_server: MirrorServer) -> Path:
    """Every mirrored dataset refreshed once over loopback HTTP: the suite's real data."""
    data_dir = tmp_path_factory.mktemp("good-store")
    outcomes = refresh(settings=fast_settings(data_dir, mirror_server.url))
    failed = [o.message for o in outcomes if not o.ok]
    assert not failed, failed
    return data_dir


@pytest.fixture
def store_copy(tmp_path: Path, good_store: Path) -> Path:
    """A private copy of the good store that a test may break."""
    target = tmp_path / "data"
    shutil.copytree(good_store, target)
    return target


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


APP = str(ROOT / "dashboard.py")


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, good_store: Path) -> Path:
    """AppTests read the good store and nothing else (no mirror, no network)."""
    monkeypatch.setenv("GEODATA_DIR", str(good_store))
    monkeypatch.delenv("GEODATA_MIRROR", raising=False)
    monkeypatch.chdir(ROOT)
    return good_store


def run_app(page: str | None = None, *, params_after_switch: bool = False,
            **params: str):
    """Run the app (optionally switched to ``page``) with URL parameters; no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)

    def set_params() -> None:
        for key, value in params.items():
            at.query_params[key] = value

    if not params_after_switch:
        set_params()
    at.run()
    if page:
        at.switch_page(page)
        if params_after_switch:
            set_params()
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def require(env: str, why: str | None) -> None:
    """Skip with the reason, or fail when ``env`` says the servers must be here (make test)."""
    if why is None:
        return
    if os.environ.get(env) == "1":
        pytest.fail(f"{why}, but {env}=1 requires it (install with `make system-deps`)")
    pytest.skip(why)


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
