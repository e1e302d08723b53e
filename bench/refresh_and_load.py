"""Benchmark: full refresh from the mirror over loopback HTTP, then loading from the store.

Prints figures; asserts nothing. Usage: python bench/refresh_and_load.py [--mirror DIR] [-n 5]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import tempfile
import threading
import time
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geodata import Settings, load_catalogue, loaders, open_store, refresh  # noqa: E402

LOADERS = {
    "stadtbereiche": loaders.districts,
    "ortsteile": loaders.ortsteile,
    "bevoelkerung": loaders.indicators,
    "klima_mv": loaders.climate_mv,
    "klima_warnemuende": loaders.climate_warnemuende,
    "meeresspiegel_warnemuende": loaders.sea_level,
    "wasser": loaders.water,
}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def serve(folder: Path) -> tuple[ThreadingHTTPServer, str]:
    handler = functools.partial(QuietHandler, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirror", default=str(ROOT.parent / "shared" / "opendata-mirror"))
    parser.add_argument("-n", type=int, default=5, help="repetitions for the timings")
    args = parser.parse_args()
    httpd, url = serve(Path(args.mirror))
    files = sum(len(d.parts) for d in load_catalogue().values() if d.mirrored)
    print(f"mirror {args.mirror} over {url}; {files} files in "
          f"{sum(d.mirrored for d in load_catalogue().values())} datasets")

    cold, warm = [], []
    for _ in range(args.n):
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(data_dir=Path(tmp), mirror=url)
            t0 = time.perf_counter()
            outcomes = refresh(settings=settings)
            cold.append(time.perf_counter() - t0)
            assert all(o.status == "updated" for o in outcomes), outcomes
            per_dataset = {o.dataset: o.seconds for o in outcomes}
            t0 = time.perf_counter()
            again = refresh(settings=settings)
            warm.append(time.perf_counter() - t0)
            assert all(o.status == "unchanged" for o in again)
            store = open_store(settings)
            store_bytes = store.size_bytes()
            raw_bytes = folder_size(store.raw)
            load_times: dict[str, list[float]] = {k: [] for k in LOADERS}
            for _rep in range(args.n):
                for name, fn in LOADERS.items():
                    t0 = time.perf_counter()
                    fn(settings)
                    load_times[name].append(time.perf_counter() - t0)
    httpd.shutdown()

    print(f"\nfull refresh, empty store (median of {args.n}): {statistics.median(cold):.2f} s "
          f"(min {min(cold):.2f}, max {max(cold):.2f})")
    for name, secs in per_dataset.items():
        print(f"  {name:<28} {secs:6.2f} s (last run)")
    print(f"refresh again, nothing changed (conditional requests): "
          f"{statistics.median(warm):.2f} s")
    total = 0.0
    print(f"\nloading from the store (median of {args.n * args.n}):")
    for name, secs in load_times.items():
        med = statistics.median(secs)
        total += med
        print(f"  {name:<28} {med * 1000:7.1f} ms  ({LOADERS[name].__name__})")
    print(f"  {'all datasets':<28} {total * 1000:7.1f} ms")
    print(f"\nstore size: {store_bytes / 1024:.1f} KiB (GeoParquet + records); "
          f"raw cache for conditional requests: {raw_bytes / 1024:.1f} KiB")


if __name__ == "__main__":
    main()
