"""A small client of Streamlit's own websocket protocol, for load and soak scripts.

Why not browsers: on this 2-core machine 50 headless Chromium contexts would take the CPU
the server needs and the figures would measure the browsers. This client does what the
Streamlit frontend does on the wire and nothing else:

1. ``GET /`` (index.html) and ``GET /_stcore/health``, which sets the ``_streamlit_xsrf``
   cookie, as a browser does before it opens the websocket;
2. a websocket to ``/_stcore/stream`` with the subprotocols ``streamlit, <xsrf token>`` and
   the cookie, ``permessage-deflate`` when the server offers it (as browsers do);
3. ``BackMsg.rerun_script`` with a ``ClientState`` (query string, page, widget states and the
   hashes of large messages it has already received, like the frontend's message cache);
4. reads ``ForwardMsg``s until ``script_finished``; large cacheable elements it has seen
   before arrive as ``ref_hash`` references and are resolved from its own cache.

A widget change sends only the changed widget's state; the frontend sends every widget's
state, which costs the server a little more deserialisation (negligible next to a rerun).
Static JavaScript bundles are not fetched (a browser caches them; a proxy can serve them).
"""

from __future__ import annotations

import asyncio
import math
import os
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.helpers.net import free_port, wait_healthy

XSRF_COOKIE = "_streamlit_xsrf"


class SessionError(RuntimeError):
    """A session failed in a way a visitor would notice (error shown, no map, timeout)."""


@dataclass
class RunResult:
    """What one script run sent back."""

    started: float
    map_at: float | None = None  # first deck/folium element of this run arrived
    finished_at: float | None = None
    status: str = ""
    exceptions: list[str] = field(default_factory=list)
    deck_json: str | None = None
    bytes_received: int = 0

    @property
    def map_seconds(self) -> float | None:
        return None if self.map_at is None else self.map_at - self.started


def _http_get(url: str, cookie: str | None = None, timeout: float = 30.0) -> tuple[bytes, str]:
    """GET a URL on the app; returns (body, Set-Cookie header)."""
    req = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return resp.read(), resp.headers.get("Set-Cookie") or ""


class Session:
    """One visitor: open the app, change widgets, read every reply."""

    def __init__(self, base_url: str, query: str = "", timeout: float = 120.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.query = query.lstrip("?")
        self.timeout = timeout
        self.ws: Any = None
        self.page_script_hash = ""
        self.widgets: dict[str, Any] = {}  # label -> element proto (latest run)
        self._cache: dict[str, ForwardMsg] = {}  # hash -> cacheable message
        self._pending: asyncio.Queue[ForwardMsg] = asyncio.Queue()
        self._reader: asyncio.Task | None = None
        self.closed_reason: str | None = None
        self.bytes_received = 0

    async def open(self) -> RunResult:
        """Load the page and run the script once (the first view of the overview)."""
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, _http_get, f"{self.base_url}/?{self.query}")
        _body, set_cookie = await loop.run_in_executor(
            None, _http_get, f"{self.base_url}/_stcore/health")
        cookies = SimpleCookie()
        cookies.load(set_cookie)
        xsrf = cookies[XSRF_COOKIE].value if XSRF_COOKIE in cookies else ""
        parsed = urllib.parse.urlparse(self.base_url)
        scheme = "wss" if parsed.scheme == "https" else "ws"
        ws_url = f"{scheme}://{parsed.netloc}{parsed.path}/_stcore/stream"
        protocols = ["streamlit", xsrf] if xsrf else ["streamlit"]
        self.ws = await connect(
            ws_url, subprotocols=protocols, max_size=None, open_timeout=self.timeout,
            additional_headers={"Cookie": f"{XSRF_COOKIE}={xsrf}"} if xsrf else None,
            origin=f"{parsed.scheme}://{parsed.netloc}", ping_interval=None)
        self._reader = asyncio.create_task(self._read())
        return await self.rerun()

    async def _read(self) -> None:
        try:
            async for frame in self.ws:
                msg = ForwardMsg()
                msg.ParseFromString(frame)
                await self._pending.put((len(frame), msg))
        except Exception as exc:  # connection closed under us
            self.closed_reason = f"{type(exc).__name__}: {exc}"
        finally:
            await self._pending.put((0, None))

    def _resolve(self, msg: ForwardMsg) -> ForwardMsg:
        if msg.WhichOneof("type") == "ref_hash":
            cached = self._cache.get(msg.ref_hash)
            if cached is None:
                raise SessionError(f"server referred to an unknown message {msg.ref_hash}")
            return cached
        if msg.metadata.cacheable and msg.hash:
            self._cache[msg.hash] = msg
        return msg

    async def rerun(self, widget_states: list[Any] | None = None) -> RunResult:
        """Send a rerun (with changed widget states) and read until the run finished."""
        back = BackMsg()
        cs = back.rerun_script
        cs.query_string = self.query
        cs.page_script_hash = self.page_script_hash
        cs.cached_message_hashes.extend(self._cache)
        for ws in widget_states or []:
            cs.widget_states.widgets.append(ws)
        result = RunResult(started=time.perf_counter())
        self.widgets = {}
        await self.ws.send(back.SerializeToString())
        deadline = result.started + self.timeout
        running = False
        while True:
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                raise SessionError(f"no script_finished within {self.timeout:.0f} s")
            try:
                size, raw = await asyncio.wait_for(self._pending.get(), remaining)
            except TimeoutError:
                raise SessionError(f"no script_finished within {self.timeout:.0f} s") from None
            if raw is None:
                raise SessionError(f"connection closed: {self.closed_reason}")
            result.bytes_received += size
            self.bytes_received += size
            msg = self._resolve(raw)
            kind = msg.WhichOneof("type")
            if kind == "new_session":
                running = True
                if msg.new_session.page_script_hash:
                    self.page_script_hash = msg.new_session.page_script_hash
            elif kind == "navigation" and msg.navigation.page_script_hash:
                self.page_script_hash = msg.navigation.page_script_hash
            elif kind == "page_info_changed":
                self.query = msg.page_info_changed.query_string
            elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
                self._element(msg.delta.new_element, result)
            elif kind == "script_finished":
                if not running:
                    continue  # the end of an earlier run that was stopped for this one
                result.finished_at = time.perf_counter()
                result.status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
                return result
            elif kind == "session_status_changed" and msg.session_status_changed.script_is_running:
                running = True

    def _element(self, element: Any, result: RunResult) -> None:
        which = element.WhichOneof("type")
        if which == "exception":
            result.exceptions.append(f"{element.exception.type}: {element.exception.message}")
        elif which == "alert" and element.alert.format == element.alert.ERROR:
            result.exceptions.append(f"error: {element.alert.body}")
        elif which == "deck_gl_json_chart":
            result.deck_json = element.deck_gl_json_chart.json
            if result.map_at is None:
                result.map_at = time.perf_counter()
        elif (which == "component_instance"
              and "folium" in element.component_instance.component_name):
            if result.map_at is None:
                result.map_at = time.perf_counter()
        elif which in ("selectbox", "slider", "radio", "multiselect", "button_group"):
            proto = getattr(element, which)
            self.widgets[proto.label] = proto

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()
        if self._reader is not None:
            await asyncio.gather(self._reader, return_exceptions=True)


def string_state(widget_id: str, value: str) -> Any:
    """A selectbox's state: the formatted option, as the frontend sends it."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    ws = WidgetState(id=widget_id)
    ws.string_value = value
    return ws


def string_array_state(widget_id: str, values: list[str]) -> Any:
    """A select_slider's state: its formatted option(s)."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    ws = WidgetState(id=widget_id)
    ws.string_array_value.data.extend(values)
    return ws


# --- the server under test --------------------------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Server:
    """An app started by a bench script on a loopback port."""

    url: str
    process: subprocess.Popen
    healthy_after_s: float = 0.0  # from the start to "healthy"

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)


APP = [sys.executable, "-m", "server"]


def start_server(data_dir: Path, log: Path, extra: list[str] | None = None, *,
                 cmd: list[str] | None = None, env: dict[str, str] | None = None,
                 timeout: float = 90) -> Server:
    """Start the app the way ``make run`` does (or ``cmd``, e.g. the naive app) on a free
    port, reading only ``data_dir`` (no mirror, no network)."""
    port = free_port()
    env = {**os.environ, **(env or {}), "GEODATA_DIR": str(data_dir)}
    env.pop("GEODATA_MIRROR", None)
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [*(cmd or APP), "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", *(extra or [])],
        cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, timeout=timeout, what=f"{' '.join((cmd or APP)[1:4])} (see {log})")
    except RuntimeError:
        proc.kill()
        raise
    return Server(url, proc, time.monotonic() - t0)


def refreshed_store(mirror: Path, target: Path) -> Path:
    """A store refreshed from the offline mirror folder (as ``make data`` does)."""
    import geodata

    outcomes = geodata.refresh(settings=geodata.Settings(data_dir=target, mirror=str(mirror)))
    failed = [o.message for o in outcomes if not o.ok]
    if failed:
        raise RuntimeError(f"refresh failed: {failed}")
    return target


# --- CPU and memory of the server's process tree, from /proc ---------------------------------

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _tree(pids: list[int]) -> list[int]:
    """The given processes and all their descendants."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    out, todo = [], list(pids)
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(children.get(pid, []))
    return out


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the process trees (all threads), in seconds."""
    total = 0
    for pid in _tree(pids):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def rss_bytes(pids: list[int]) -> int:
    """Resident memory of the process trees (VmRSS summed)."""
    total = 0
    for pid in _tree(pids):
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


class Sampler:
    """Samples CPU and RSS of the server processes every ``interval`` seconds in a thread."""

    def __init__(self, pids: list[int], interval: float = 0.5) -> None:
        self.pids = pids
        self.interval = interval
        self.samples: list[tuple[float, float, int]] = []  # (time, cpu s, rss)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.perf_counter(), cpu_seconds(self.pids),
                                 rss_bytes(self.pids)))
            self._stop.wait(self.interval)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.perf_counter(), cpu_seconds(self.pids),
                             rss_bytes(self.pids)))

    def cpu_mean(self) -> float:
        """Mean CPU use over the sampled span, in per cent of one core."""
        (t0, c0, _), (t1, c1, _) = self.samples[0], self.samples[-1]
        return 100 * (c1 - c0) / (t1 - t0) if t1 > t0 else 0.0

    def cpu_peak(self, window: float = 2.0) -> float:
        """Highest CPU use over any ``window`` seconds, in per cent of one core."""
        best = 0.0
        j = 0
        for i in range(len(self.samples)):
            while self.samples[i][0] - self.samples[j][0] > window:
                j += 1
            dt = self.samples[i][0] - self.samples[j][0]
            if dt >= window * 0.75:
                best = max(best, 100 * (self.samples[i][1] - self.samples[j][1]) / dt)
        return best

    def rss_peak(self) -> int:
        return max(s[2] for s in self.samples)


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]
