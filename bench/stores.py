"""Benchmark: the file store against the PostGIS store — refresh into each, load from each.

Prints figures; asserts nothing. Usage: python bench/stores.py [--mirror DIR] [-n 7]

PostgreSQL runs as a private cluster on 127.0.0.1 (tests/helpers/servers.py), with fsync on like a
real server. The mirror is served over loopback HTTP. "store.load" is one dataset read as
stored; "loader" is what a page calls (geodata.loaders, with its joins and derivations).
Medians of -n runs, after one warm-up each.
"""

from __future__ import annotations

import argparse
import functools
import inspect
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from refresh_and_load import serve  # noqa: E402  (the mirror over loopback HTTP)

from geodata import Settings, load_catalogue, loaders, open_store, refresh  # noqa: E402
from tests.helpers.servers import PgCluster  # noqa: E402


def median_ms(fn, n: int) -> float:
    fn()  # warm-up: imports, connection pool
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000


def store_loaders() -> dict[str, tuple]:
    """Every public loader that reads the store; points() needs online data (not mirrored)."""
    calls = {}
    for name, fn in inspect.getmembers(loaders, inspect.isfunction):
        if (fn.__module__ == loaders.__name__ and not name.startswith("_")
                and "settings" in inspect.signature(fn).parameters and name != "points"):
            calls[name] = ("stadtbereiche",) if name == "info" else ()
    return calls


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirror", default=str(ROOT.parent / "shared" / "opendata-mirror"))
    parser.add_argument("-n", type=int, default=7, help="repetitions (median)")
    args = parser.parse_args()
    print(f"bench/stores.py on {platform.node()}: {os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f} at start")
    httpd, url = serve(Path(args.mirror))
    cluster = PgCluster(fsync=True).start()
    try:
        db = cluster.create_database("bench")
        with tempfile.TemporaryDirectory() as tmp:
            settings = {
                "files": Settings(data_dir=Path(tmp) / "files", mirror=url),
                "PostGIS": Settings(data_dir=Path(tmp) / "pg", mirror=url, database_url=db),
            }
            print(f"mirror {args.mirror} over {url}; PostgreSQL on 127.0.0.1:{cluster.port}")
            refresh_s: dict[str, list[float]] = {k: [] for k in settings}
            again_s: dict[str, list[float]] = {k: [] for k in settings}
            for i in range(args.n):
                for kind, base in settings.items():
                    # An empty store each time: a fresh folder, or a fresh schema.
                    s = base.with_(data_dir=base.data_dir / str(i), database_schema=f"run{i}")
                    t0 = time.perf_counter()
                    outcomes = refresh(settings=s)
                    refresh_s[kind].append(time.perf_counter() - t0)
                    assert all(o.status == "updated" for o in outcomes), outcomes
                    t0 = time.perf_counter()
                    again = refresh(settings=s)
                    again_s[kind].append(time.perf_counter() - t0)
                    assert all(o.status == "unchanged" for o in again)
            last = {k: s.with_(data_dir=s.data_dir / str(args.n - 1),
                               database_schema=f"run{args.n - 1}", mirror=None)
                    for k, s in settings.items()}

            print(f"\nfull refresh into an empty store (median of {args.n}):")
            for kind in settings:
                print(f"  {kind:<8} {statistics.median(refresh_s[kind]):6.2f} s   "
                      f"(min {min(refresh_s[kind]):.2f}, max {max(refresh_s[kind]):.2f}); "
                      f"nothing changed: {statistics.median(again_s[kind]):.2f} s")

            ids = [d.id for d in load_catalogue().values() if d.mirrored]
            print(f"\nstore.load, one dataset as stored (median of {args.n}, ms):")
            print(f"  {'dataset':<28} {'files':>8} {'PostGIS':>8}")
            totals = dict.fromkeys(settings, 0.0)
            for dataset_id in ids:
                row = {}
                for kind, s in last.items():
                    store = open_store(s)
                    row[kind] = median_ms(functools.partial(store.load, dataset_id), args.n)
                    totals[kind] += row[kind]
                print(f"  {dataset_id:<28} {row['files']:8.1f} {row['PostGIS']:8.1f}")
            print(f"  {'all datasets':<28} {totals['files']:8.1f} {totals['PostGIS']:8.1f}")

            print(f"\nloaders, as the pages call them (median of {args.n}, ms):")
            print(f"  {'loader':<28} {'files':>8} {'PostGIS':>8}")
            for name, extra in store_loaders().items():
                fn = getattr(loaders, name)
                row = {kind: median_ms(functools.partial(fn, *extra, settings=s), args.n)
                       for kind, s in last.items()}
                print(f"  {name:<28} {row['files']:8.1f} {row['PostGIS']:8.1f}")

            print("\nsize of the stored data: "
                  + ", ".join(f"{k} {open_store(s).size_bytes() / 1024:.0f} KiB"
                              for k, s in last.items())
                  + " (PostGIS: tables, indexes, metadata)")
    finally:
        cluster.stop()
        httpd.shutdown()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
