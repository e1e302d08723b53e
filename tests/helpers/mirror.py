"""The offline mirror (``../shared/opendata-mirror``) served over real loopback HTTP, with
faults on demand, and the short-timeout settings the tests refresh with."""

from __future__ import annotations

import email.utils
import hashlib
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from geodata import Settings

ROOT = Path(__file__).resolve().parents[2]


def _mirror_dir() -> Path:
    env = os.environ.get("GEODATA_MIRROR", "")
    if env and Path(env).is_dir():
        return Path(env)
    return ROOT.parent / "shared" / "opendata-mirror"


MIRROR = _mirror_dir()
DISTRICTS_JSON = MIRROR / "geo.sv.rostock.de/download/opendata/stadtbereiche/stadtbereiche.json"
ORTSTEILE_JSON = MIRROR / "geo.sv.rostock.de/download/opendata/ortsteile/ortsteile.json"
# Copies of a store take its data, not the district profiles built into it (tests that need
# those build them: the ``profiles_site`` fixture).
DATA_ONLY = shutil.ignore_patterns("profiles")
needs_mirror = pytest.mark.skipif(not MIRROR.is_dir(), reason=f"no offline mirror at {MIRROR}")


@dataclass
class Fault:
    """How the server misbehaves for one path (``times`` = how many requests, None = all)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    delay: float = 0.0
    cut_after: int | None = None  # send only this many bytes of a full Content-Length
    length: bool = True  # False: no Content-Length, the body ends when the connection closes
    times: int | None = None


@dataclass
class Logged:
    path: str
    status: int
    headers: dict[str, str]
    at: float


class MirrorServer:
    """ThreadingHTTPServer over a folder, with ETag/Last-Modified and injectable faults."""

    def __init__(self, root: Path, headers: dict[str, str] | None = None) -> None:
        """``headers`` go on every file served (e.g. CORS, as public tile servers send)."""
        self.root = root
        self.headers = headers or {}
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
                headers = {"ETag": etag, "Last-Modified": last_modified, **server.headers}
                if fault and not fault.length:
                    self.close_connection = True
                else:
                    headers["Content-Length"] = str(len(body))
                for k, v in (headers | (fault.headers if fault else {})).items():
                    self.send_header(k, v)  # a fault's headers replace the real ones
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


def fast_settings(data_dir: Path, mirror: str | None) -> Settings:
    """Short timeouts and back-off so failure tests finish in seconds."""
    return Settings(data_dir=data_dir, mirror=mirror, connect_timeout=1.0, read_timeout=1.0,
                    retries=2, backoff_factor=0.05, max_retry_after=2.0)


def renamed_store(target: Path, good_store: Path, districts: dict[str, str],
                  ortsteile: list[str] | tuple[str, ...] = ()) -> Path:
    """A copy of ``good_store`` whose district names (by code) and first Ortsteil names are
    replaced, loaded the normal way: served by the loopback mirror, refreshed, validated."""
    import json

    from geodata import refresh

    shutil.copytree(good_store, target, ignore=DATA_ONLY)
    obj = json.loads(DISTRICTS_JSON.read_bytes())
    for feature in obj["features"]:
        code = feature["properties"]["code"]
        if code in districts:
            feature["properties"]["bezeichnung"] = districts[code]
    server = MirrorServer(MIRROR)
    server.faults["stadtbereiche.json"] = Fault(body=json.dumps(obj).encode())
    ids = ["stadtbereiche"]
    if ortsteile:
        quarters = json.loads(ORTSTEILE_JSON.read_bytes())
        for feature, name in zip(quarters["features"], ortsteile, strict=False):
            feature["properties"]["name"] = name
        server.faults["ortsteile.json"] = Fault(body=json.dumps(quarters).encode())
        ids.append("ortsteile")
    try:
        outcomes = refresh(ids, fast_settings(target, server.url))
    finally:
        server.close()
    assert all(o.status == "updated" for o in outcomes), [o.message for o in outcomes]
    return target
