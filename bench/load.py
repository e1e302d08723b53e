"""Load: N visitors at once open the overview and change indicator and year five times.

Prints, per N: sessions that failed, p50/p95 time from a change to the updated map, server
CPU and resident memory, memory per session. Asserts nothing. Usage:

    python bench/load.py [--sessions 10,25,50] [--changes 5] [--think 2,8]
    python bench/load.py --url http://127.0.0.1:8080 [--pid 1234,5678]   # a running app

Each visitor is a real websocket session of Streamlit's own protocol (``st_client.py``
says why not browsers). Without ``--url`` every N gets a fresh server (``python -m
server.serve`` on 127.0.0.1, store refreshed from the offline mirror) and a warm-up visitor
first visits every indicator and year once, so the process-wide caches (layers, decks,
parsed files) are as full as they get; what grows after that is the sessions' own memory.

One visitor: open the overview (its first map), then five times: wait a think time, pick
another indicator, wait, pick another year (a year slider exists only for indicators with
more than one year; otherwise the indicator changes again). All N start at the same moment.
"Change → map" is the time from sending the widget change until the rerun's map element
arrived (a new deck, or a reference to one the client already holds); it fails when the
run shows an error, has no map, shows the previous map or exceeds ``--timeout``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import random
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from st_client import (
    ROOT,
    RunResult,
    Sampler,
    Session,
    SessionError,
    percentile,
    refreshed_store,
    rss_bytes,
    start_server,
    string_array_state,
    string_state,
)

INDICATOR = "Kennwert"
YEAR = "Jahr"
MB = 1024 * 1024


@dataclass
class Visitor:
    open_s: float | None = None
    change_s: list[float] = field(default_factory=list)  # change -> map
    run_s: list[float] = field(default_factory=list)  # change -> script finished
    error: str | None = None
    bytes_received: int = 0


def _check(result: RunResult, previous: str | None, what: str) -> None:
    if result.status != "FINISHED_SUCCESSFULLY":
        raise SessionError(f"{what}: run ended {result.status}")
    if result.exceptions:
        raise SessionError(f"{what}: {result.exceptions[0]}")
    if result.map_at is None or not result.deck_json:
        raise SessionError(f"{what}: no map in the rerun")
    if previous is not None and result.deck_json == previous:
        raise SessionError(f"{what}: the map did not change")


def _other(options: list[str], current: str | None, rng: random.Random) -> str:
    choices = [o for o in options if o != current] or options
    return rng.choice(choices)


async def change_indicator(s: Session, rng: random.Random, state: dict) -> RunResult:
    box = s.widgets[INDICATOR]
    label = _other(list(box.options), state.get("indicator"), rng)
    state["indicator"] = label
    result = await s.rerun([string_state(box.id, label)])
    _check(result, state.get("deck"), f"indicator → {label}")
    # The new indicator's name is in every tooltip of the new map.
    if json.dumps(label)[1:-1] not in (result.deck_json or ""):
        raise SessionError(f"indicator → {label}: the map does not show it")
    state["deck"] = result.deck_json
    _note_year(s, state)
    return result


def _note_year(s: Session, state: dict) -> None:
    """The year the server now shows: one it set, else the one kept, else the default."""
    slider = s.widgets.get(YEAR)
    if slider is None:
        state["year"] = None
    elif slider.set_value and slider.raw_value:
        state["year"] = slider.raw_value[0]
    elif state.get("year") not in slider.options:
        state["year"] = slider.options[int(slider.default[0])] if slider.default else None


async def change_year(s: Session, rng: random.Random, state: dict) -> RunResult:
    slider = s.widgets.get(YEAR)
    if slider is None or len(slider.options) < 2:
        return await change_indicator(s, rng, state)
    year = _other(list(slider.options), state.get("year"), rng)
    result = await s.rerun([string_array_state(slider.id, [year])])
    _check(result, state.get("deck"), f"{state.get('indicator')}: year {state.get('year')} → "
                                      f"{year}")
    state["deck"] = result.deck_json
    state["year"] = year
    _note_year(s, state)
    return result


async def visit(url: str, changes: int, think: tuple[float, float], seed: int,
                timeout: float, start: asyncio.Event) -> tuple[Visitor, Session]:
    rng = random.Random(seed)
    v = Visitor()
    s = Session(url, timeout=timeout)
    await start.wait()
    try:
        t0 = time.perf_counter()
        first = await s.open()
        _check(first, None, "open")
        v.open_s = (first.map_at or time.perf_counter()) - t0
        state: dict = {"deck": first.deck_json, "indicator": s.widgets[INDICATOR].options[0]}
        _note_year(s, state)
        for _ in range(changes):
            for step in (change_indicator, change_year):
                await asyncio.sleep(rng.uniform(*think))
                r = await step(s, rng, state)
                v.change_s.append(r.map_seconds or float("nan"))
                v.run_s.append((r.finished_at or r.started) - r.started)
        v.bytes_received = s.bytes_received
    except (SessionError, OSError, KeyError, TimeoutError) as exc:
        v.error = f"{type(exc).__name__}: {exc}"
    except Exception as exc:  # websockets' own errors
        v.error = f"{type(exc).__name__}: {exc}"
    return v, s


async def warm_up(url: str, timeout: float) -> tuple[int, float]:
    """One visitor who looks at every indicator in every year once; returns (runs, s)."""
    s = Session(url, timeout=timeout)
    t0 = time.perf_counter()
    await s.open()
    runs = 0
    for label in list(s.widgets[INDICATOR].options):
        await s.rerun([string_state(s.widgets[INDICATOR].id, label)])
        runs += 1
        slider = s.widgets.get(YEAR)
        for year in list(slider.options) if slider is not None else []:
            await s.rerun([string_array_state(s.widgets[YEAR].id, [year])])
            runs += 1
    await s.close()
    return runs, time.perf_counter() - t0


async def phase(url: str, n: int, args: argparse.Namespace) -> tuple[list[Visitor], int]:
    """All N visitors; returns them and the server's RSS while all N are still connected."""
    start = asyncio.Event()
    tasks = [asyncio.create_task(visit(url, args.changes, args.think, args.seed + i,
                                       args.timeout, start)) for i in range(n)]
    await asyncio.sleep(0.1)
    start.set()
    done = await asyncio.gather(*tasks)
    visitors = [v for v, _s in done]
    sessions = [s for _v, s in done]
    # Everybody has finished and is still connected: this is the memory of N sessions.
    rss_connected = rss_bytes(args.pids) if args.pids else 0
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return visitors, rss_connected


def report(n: int, visitors: list[Visitor], sampler: Sampler | None, rss_before: int,
           rss_connected: int, wall: float, client_cpu: float) -> None:
    failed = [v for v in visitors if v.error]
    changes = [x for v in visitors for x in v.change_s]
    runs = [x for v in visitors for x in v.run_s]
    opens = [v.open_s for v in visitors if v.open_s is not None]
    print(f"\nN = {n}: {len(failed)} of {n} sessions failed; {len(changes)} changes in "
          f"{wall:.1f} s")
    print(f"  change → map     p50 {percentile(changes, .5):6.3f} s   p95 "
          f"{percentile(changes, .95):6.3f} s   max {max(changes, default=float('nan')):6.3f} s")
    print(f"  change → done    p50 {percentile(runs, .5):6.3f} s   p95 "
          f"{percentile(runs, .95):6.3f} s")
    print(f"  open → map       p50 {percentile(opens, .5):6.3f} s   p95 "
          f"{percentile(opens, .95):6.3f} s")
    if sampler is not None and len(sampler.samples) > 1:
        print(f"  server CPU       mean {sampler.cpu_mean():5.0f} %   peak (2 s) "
              f"{sampler.cpu_peak():5.0f} %   (100 % = one core)")
        per = (rss_connected - rss_before) / n / MB
        print(f"  server RSS       before {rss_before / MB:6.1f} MB   peak "
              f"{sampler.rss_peak() / MB:6.1f} MB   {n} connected {rss_connected / MB:6.1f} MB"
              f"   per session {per:5.2f} MB")
    else:
        print("  server CPU/RSS   not measured (give --pid of the server processes)")
    received = sum(v.bytes_received for v in visitors)
    print(f"  received         {received / MB:.1f} MB over the websockets; load client CPU "
          f"{client_cpu:.1f} s")
    for v in failed[:5]:
        print(f"  ! {v.error}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="drive this running app instead of starting one")
    parser.add_argument("--pid", default="", help="server PIDs to measure with --url (a,b)")
    parser.add_argument("--sessions", default="10,25,50")
    parser.add_argument("--changes", type=int, default=5,
                        help="rounds of (indicator change, year change) per visitor")
    parser.add_argument("--think", default="2,8",
                        help="think time before each change, uniform in [a,b] seconds")
    parser.add_argument("--timeout", type=float, default=60.0, help="per run, seconds")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--mirror", default=str(ROOT.parent / "shared" / "opendata-mirror"))
    parser.add_argument("--no-warm-up", action="store_true")
    args = parser.parse_args()
    lo, hi = (float(x) for x in args.think.split(","))
    args.think = (lo, hi)
    counts = [int(x) for x in args.sessions.split(",")]

    print(f"bench/load.py  {dt.datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start, "
          f"Python {platform.python_version()}")
    print(f"visitor: open the overview, then {args.changes} × (indicator, year); think time "
          f"{lo:g}–{hi:g} s before each change; all start together; timeout {args.timeout:g} s")
    with tempfile.TemporaryDirectory() as tmp:
        store = None
        if not args.url:
            store = refreshed_store(Path(args.mirror), Path(tmp) / "data")
        for n in counts:
            server = None
            if args.url:
                url = args.url
                args.pids = [int(p) for p in args.pid.split(",") if p]
            else:
                server = start_server(store, Path(tmp) / f"server-{n}.log")
                url, args.pids = server.url, [server.pid]
            try:
                if not args.no_warm_up:
                    runs, secs = asyncio.run(warm_up(url, args.timeout))
                    print(f"\nwarm-up: {runs} reruns (every indicator and year) in {secs:.1f} s"
                          f" ({secs / max(runs, 1) * 1000:.0f} ms each, one visitor alone)")
                time.sleep(1.0)
                rss_before = rss_bytes(args.pids) if args.pids else 0
                t_client = os.times()
                t0 = time.perf_counter()
                if args.pids:
                    with Sampler(args.pids) as sampler:
                        visitors, rss_connected = asyncio.run(phase(url, n, args))
                else:
                    sampler = None
                    visitors, rss_connected = asyncio.run(phase(url, n, args))
                wall = time.perf_counter() - t0
                t1 = os.times()
                client_cpu = (t1.user - t_client.user) + (t1.system - t_client.system)
                report(n, visitors, sampler, rss_before, rss_connected, wall, client_cpu)
            finally:
                if server is not None:
                    server.stop()
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
