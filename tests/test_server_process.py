"""The server process itself: it writes nothing into the project folder and sends nothing off
the machine.

One server for the module, started as deploy/Dockerfile starts it (``python -m server``,
headless, bound to 0.0.0.0), with the project folder mounted read-only for it and an audit
hook recording every connection, datagram or name lookup that would leave the machine
(tests/helpers/sandbox.py). Every configured source points at loopback (the mirror, a
PEGELONLINE stand-in), so anything in that record is a request nobody configured.
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from server import page_lang
from tests.helpers.app import page_urls
from tests.helpers.browser import ARTIFACTS, BROWSER, READY, Watched, open_map
from tests.helpers.mirror import ROOT, MirrorServer
from tests.helpers.pegel import FakePegel
from tests.helpers.sandbox import Watched as Server
from tests.helpers.sandbox import read_only, read_only_missing, start_watched

pytestmark = BROWSER

PAGES = page_urls()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, good_store: Path,
           mirror_server: MirrorServer) -> Iterator[Server]:
    why = read_only_missing(tmp_path_factory.mktemp("read-only-probe"))
    if why:
        pytest.skip(why)
    store = tmp_path_factory.mktemp("watched") / "data"
    # The good store without the files other tests' servers generated beside it.
    shutil.copytree(good_store, store, ignore=shutil.ignore_patterns("static"))
    ARTIFACTS.mkdir(exist_ok=True)
    pegel = FakePegel()
    running = start_watched(ROOT, store, ARTIFACTS / "server-read-only.log",
                            {"GEODATA_MIRROR": mirror_server.url,
                             "PEGELONLINE_URL": pegel.url})
    yield running
    running.stop()
    pegel.close()


def _get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.status, resp.read()


def _websocket_answer(url: str, origin: str) -> int:
    """The status of a websocket handshake on Streamlit's stream from ``origin``."""
    parts = urllib.parse.urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_stcore/stream HTTP/1.1\r\nHost: {parts.netloc}\r\n"
               "Upgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Sec-WebSocket-Protocol: streamlit\r\nOrigin: {origin}\r\n\r\n")
    with socket.create_connection((parts.hostname, parts.port), timeout=30) as conn:
        conn.sendall(request.encode())
        status_line = conn.recv(4096).split(b"\r\n", 1)[0]
    return int(status_line.split()[1])


def test_the_app_runs_with_the_project_folder_read_only(server: Server,
                                                        watched: Watched) -> None:
    # The sandbox holds: in such a namespace nothing can be written into the project.
    probe = subprocess.run(read_only(ROOT, ["touch", str(ROOT / "written-by-the-test")]),
                           capture_output=True, text=True)
    assert "Read-only file system" in probe.stderr
    # What the server generates lives beside its store, and is served from there.
    served = server.store / "static"
    status, body = _get(f"{server.url}/app/static/page-lang.js")
    assert status == 200 and body.decode() == page_lang.FOLLOW_JS
    assert _get(f"{server.url}/app/static/vendor/leaflet/leaflet.js")[0] == 200
    assert (served / "page-lang.js").is_file() and (served / "vendor/leaflet/leaflet.js").is_file()
    open_map(watched, server.url)  # waits until the offline basemap has painted the sea
    assert (served / "basemap" / "style.json").is_file()
    assert not (ROOT / "static").exists()
    log = server.log.read_text()
    assert "Read-only file system" not in log and "Traceback" not in log, log[-3000:]


def test_the_server_sends_nothing_off_the_machine(server: Server, watched: Watched) -> None:
    """Start, every page (the presenter's QR code included) and a websocket from a foreign
    page: no connection, datagram or name lookup beyond loopback."""
    for url in PAGES:  # each page's script has run (its maps need not have painted)
        watched.page.goto(f"{server.url}/{url}")
        watched.page.wait_for_selector(READY, timeout=90_000)
    # Streamlit judged a foreign Origin by asking the internet for the server's public IP.
    assert _websocket_answer(server.url, "http://evil.example") == 403
    assert _websocket_answer(server.url, server.url) == 101
    assert server.egress() == []
    log = server.log.read_text()
    assert "external IP" not in log, log[-3000:]
