"""A PEGELONLINE stand-in on loopback: stations and current readings as the real API answers
them (as far as this project relies on it), with faults on demand."""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

API = "/webservices/rest-api/v2"
UUID = "00000000-test-0000-0000-warnemuende0"
WARNEMUENDE = {
    "uuid": UUID, "number": "9999001", "shortname": "WARNEMÜNDE",
    "longname": "WARNEMÜNDE", "km": 0.0, "agency": "WSA OSTSEE",
    "longitude": 12.103, "latitude": 54.18, "water": {"shortname": "OSTSEE",
                                                       "longname": "OSTSEE"},
}
# Decoys a fuzzy search may return first: same name on another water, a longer name.
DECOYS = [
    {"uuid": "00000000-test-0000-0000-decoywarnow0", "number": "9999002",
     "shortname": "WARNEMÜNDE", "longname": "WARNEMÜNDE", "water": {"shortname": "WARNOW"}},
    {"uuid": "00000000-test-0000-0000-decoyfaehre0", "number": "9999003",
     "shortname": "WARNEMÜNDE FÄHRE", "longname": "WARNEMÜNDE FÄHRE",
     "water": {"shortname": "OSTSEE"}},
    "not a station",
    {"uuid": "00000000-test-0000-0000-decoynoname0", "water": {"shortname": "OSTSEE"}},
]
OTHER = {"uuid": "00000000-test-0000-0000-wismar000000", "number": "9999004",
         "shortname": "WISMAR", "longname": "WISMAR", "water": {"shortname": "OSTSEE"}}


def reading(value: object = 612.0, timestamp: object = None) -> dict[str, Any]:
    ts = timestamp if timestamp is not None else datetime.now(UTC).astimezone().isoformat()
    return {"timestamp": ts, "value": value, "stateMnwMhw": "normal",
            "stateNswHsw": "unknown"}


class FakePegel:
    """Answers ``stations.json`` (fuzzyId, waters) and ``currentmeasurement.json`` like the
    real API as far as this project relies on it; ``faults`` map a path ending to
    (status, raw body), ``log`` keeps every raw request path."""

    def __init__(self) -> None:
        self.stations: list[Any] = [*DECOYS, WARNEMUENDE, OTHER]
        self.levels: dict[str, dict[str, Any]] = {UUID: reading()}
        self.faults: dict[str, tuple[int, bytes]] = {}
        self.ascii_fuzzy_only = False
        self.delay = 0.0
        self.log: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake.log.append(self.path)
                status, body = fake.answer(self.path)
                if fake.delay:
                    time.sleep(fake.delay)
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}{API}"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                         daemon=True).start()

    def answer(self, raw: str) -> tuple[int, bytes]:
        parts = urlsplit(raw)
        for ending, fault in self.faults.items():
            if parts.path.endswith(ending):
                return fault
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path == f"{API}/stations.json":
            found = self.stations
            if "fuzzyId" in query:
                text = query["fuzzyId"].casefold()
                found = [] if self.ascii_fuzzy_only and not text.isascii() else [
                    s for s in found if isinstance(s, dict)
                    and text in (s.get("shortname", "") + " " + s.get("longname", "")).casefold()]
            if "waters" in query:
                found = [s for s in found if isinstance(s, dict)
                         and s["water"]["shortname"] == query["waters"]]
            return 200, json.dumps(found).encode()
        prefix, suffix = f"{API}/stations/", "/W/currentmeasurement.json"
        if parts.path.startswith(prefix) and parts.path.endswith(suffix):
            level = self.levels.get(parts.path[len(prefix):-len(suffix)])
            if level is not None:
                return 200, json.dumps(level).encode()
        return 404, b'{"status": 404, "message": "not found"}'

    def requests_to(self, ending: str) -> list[str]:
        return [p for p in self.log if urlsplit(p).path.endswith(ending)]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
