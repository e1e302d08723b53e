"""Soak: 1,000 sessions opened and closed one after another; does the server's memory grow?

Prints the server's resident memory (RSS of its process tree) along the way and the growth
against the baseline. Goal: less than 10 %. Asserts nothing. Usage:

    python bench/soak.py [--sessions 1000] [--settle 130]
    python bench/soak.py --url http://127.0.0.1:8080 --pid 1234

Each session is a real websocket session of Streamlit's protocol (see ``st_client.py``):
it opens the overview, waits for the run to finish with its map, and disconnects.

Streamlit keeps a disconnected session for ``server.disconnectedSessionTTL`` (120 s) and at
most 128 of them, in case the browser reconnects. So the baseline is taken after a warm-up
of ``--warm-up`` sessions, and the final figure after waiting ``--settle`` seconds (longer
than the TTL) and opening one more session, which lets Streamlit drop the expired ones.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from st_client import (
    ROOT,
    Session,
    SessionError,
    cpu_seconds,
    percentile,
    refreshed_store,
    rss_bytes,
    start_server,
)

MB = 1024 * 1024


async def one(url: str, timeout: float) -> float:
    """Open the overview, wait for its map and the end of the run, close; seconds."""
    s = Session(url, timeout=timeout)
    t0 = time.perf_counter()
    try:
        r = await s.open()
        if r.status != "FINISHED_SUCCESSFULLY" or r.exceptions or r.map_at is None:
            raise SessionError(f"run {r.status}, {r.exceptions[:1]}, map: {r.map_at is not None}")
    finally:
        await s.close()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="drive this running app instead of starting one")
    parser.add_argument("--pid", default="", help="server PIDs to measure with --url (a,b)")
    parser.add_argument("--sessions", type=int, default=1000)
    parser.add_argument("--warm-up", type=int, default=20)
    parser.add_argument("--settle", type=float, default=130.0,
                        help="seconds to wait at the end (> server.disconnectedSessionTTL)")
    parser.add_argument("--every", type=int, default=100, help="print RSS every n sessions")
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--mirror", default=str(ROOT.parent / "shared" / "opendata-mirror"))
    args = parser.parse_args()

    print(f"bench/soak.py  {dt.datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}")
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start, "
          f"Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        server = None
        if args.url:
            url, pids = args.url, [int(p) for p in args.pid.split(",") if p]
        else:
            store = refreshed_store(Path(args.mirror), Path(tmp) / "data")
            server = start_server(store, Path(tmp) / "server.log")
            url, pids = server.url, [server.pid]
        if not pids:
            print("no server PID: memory cannot be measured (give --pid)")
        try:
            asyncio.run(soak(url, pids, args))
        finally:
            if server is not None:
                server.stop()


async def soak(url: str, pids: list[int], args: argparse.Namespace) -> None:
    for _ in range(args.warm_up):
        await one(url, args.timeout)
    base = rss_bytes(pids)
    cpu0 = cpu_seconds(pids)
    print(f"after {args.warm_up} warm-up sessions: RSS {base / MB:.1f} MB (baseline)")
    times: list[float] = []
    failures: list[str] = []
    peak = base
    t0 = time.perf_counter()
    for i in range(1, args.sessions + 1):
        try:
            times.append(await one(url, args.timeout))
        except Exception as exc:
            failures.append(f"{type(exc).__name__}: {exc}")
        if pids:
            peak = max(peak, rss_bytes(pids))
        if i % args.every == 0:
            rss = rss_bytes(pids)
            print(f"  {i:5d} sessions  RSS {rss / MB:7.1f} MB  ({(rss / base - 1) * 100:+5.1f} %)"
                  f"  open→done p50 {percentile(times[-args.every:], .5):.3f} s")
    wall = time.perf_counter() - t0
    end = rss_bytes(pids)
    cpu = cpu_seconds(pids) - cpu0
    print(f"{args.sessions} sessions in {wall:.0f} s, {len(failures)} failed; server CPU "
          f"{cpu:.1f} s ({cpu / max(args.sessions, 1) * 1000:.0f} ms a session)")
    print(f"RSS right after the last session: {end / MB:.1f} MB "
          f"({(end / base - 1) * 100:+.1f} %), peak {peak / MB:.1f} MB")
    if args.settle > 0:
        print(f"waiting {args.settle:.0f} s for the disconnected sessions to expire …")
        await asyncio.sleep(args.settle)
        await one(url, args.timeout)
        settled = rss_bytes(pids)
        growth = (settled / base - 1) * 100
        verdict = "meets" if growth < 10 else "MISSES"
        print(f"RSS after settling: {settled / MB:.1f} MB ({growth:+.1f} % against the "
              f"baseline; {verdict} the goal of < 10 %)")
    for f in failures[:5]:
        print(f"  ! {f}")


if __name__ == "__main__":
    main()
