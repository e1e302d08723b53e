"""Benchmark: per page, the map data sent to the browser and the warm rerun time.

Prints figures; asserts nothing. Usage:
    python bench/pages.py [--mirror DIR] [-n 20] [--profile SCENARIO]

A temporary store is refreshed from the offline mirror (a folder), ``GEODATA_DIR`` points
at it and every page runs in ``streamlit.testing.v1.AppTest`` from the project root.

What is counted as "map data":

* deck.gl (``st.pydeck_chart``): the ``json`` string of every ``deck_gl_json_chart``
  element (the Deck spec, GeoJSON included) plus its ``tooltip`` string;
* Leaflet (``st_folium``): the whole ``json_args`` string of the ``streamlit_folium``
  component instance, i.e. everything the component receives: the map ``script`` (GeoJSON
  and styles inline), the ``header`` (inline CSS/JS), ``html`` and the small options.
  Not counted: leaflet.js/.css and the component's frontend bundle (static files, cached).

Both are sent again with every rerun. "gzip" is gzip level 6 of the same bytes: what a
phone would receive if the transport compressed it (see the websocket note printed at
the end: Streamlit only compresses its websocket with server.enableWebsocketCompression).

Warm rerun: after the first run of a scenario (and the switch to its page), ``at.run()``
again -n times, nothing changed; median and p90. Data caches (``st.cache_data``) are
process-wide, so only the very first scenario's first run is really cold.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import gzip
import io
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geodata  # noqa: E402

BUDGET_KB = 300  # the district layer, uncompressed
STYLE_URL = "/app/static/basemap/style.json"
ALL_LAYERS = "indikator,hitze,wasserflaechen,warnow,uferbezirke,orte_wasser"


@dataclass(frozen=True)
class Scenario:
    name: str
    script: str
    params: dict[str, str]


def scenarios() -> list[Scenario]:
    from ui.frame import all_pages

    pages = all_pages()  # (script, title, icon, url_path, default)
    out = [Scenario(url, script, {}) for script, _t, _i, url, _d in pages]
    overview = next((p for p in pages if p[4]), pages[0])
    out.append(Scenario(f"{overview[3]} view=leaflet", overview[0], {"view": "leaflet"}))
    out.append(Scenario(f"{overview[3]} 6 layers", overview[0], {"layers": ALL_LAYERS}))
    return out


def kb(n: int) -> str:
    return f"{n / 1024:8.1f}"


def gz(data: str) -> int:
    return len(gzip.compress(data.encode(), compresslevel=6))


def map_payloads(at: object) -> list[tuple[str, str]]:
    """(kind, text) for every map element on the page, as sent to the browser."""
    out = []
    for el in at.get("deck_gl_json_chart"):  # type: ignore[attr-defined]
        out.append(("deck", el.proto.json + el.proto.tooltip))
    for el in at.get("component_instance"):  # type: ignore[attr-defined]
        if "folium" in el.proto.component_name:
            out.append(("folium", el.proto.json_args))
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def profile_rerun(at: object, name: str) -> None:
    """cProfile one warm rerun. The page runs in AppTest's script thread, not in the
    calling one (which only polls), so the profiler wraps that thread's body."""
    from streamlit.testing.v1.local_script_runner import LocalScriptRunner

    prof = cProfile.Profile()
    original = LocalScriptRunner._run_script_thread

    def profiled(self: LocalScriptRunner) -> None:
        prof.runcall(original, self)

    LocalScriptRunner._run_script_thread = profiled  # type: ignore[method-assign]
    try:
        at.run()  # type: ignore[attr-defined]
    finally:
        LocalScriptRunner._run_script_thread = original  # type: ignore[method-assign]
    buf = io.StringIO()
    stats = pstats.Stats(prof, stream=buf).strip_dirs().sort_stats("cumulative")
    stats.print_stats(35)
    print(f"\n--- cProfile of one warm rerun (script thread): {name} ---")
    print("\n".join(line for line in buf.getvalue().splitlines() if line.strip()))


def run_scenario(sc: Scenario, reruns: int, profile: bool) -> dict:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=120)
    for key, value in sc.params.items():
        at.query_params[key] = value
    t0 = time.perf_counter()
    at.run()
    at.switch_page(sc.script)
    at.run()
    first = time.perf_counter() - t0
    errors = [e.message for e in at.exception]
    payloads = map_payloads(at)
    times = []
    for _ in range(reruns):
        t0 = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - t0)
    errors += [e.message for e in at.exception]
    if profile:
        profile_rerun(at, sc.name)
    same = payloads == map_payloads(at)
    return {"first": first, "times": times, "payloads": payloads, "errors": errors,
            "stable": same}


def page_table(results: dict[str, dict], reruns: int) -> None:
    print(f"\nPages (AppTest; map data as sent on every rerun; 1st run = open the app + "
          f"switch_page;\nwarm rerun = {reruns} more runs, nothing changed)")
    head = (f"{'scenario':<22} {'maps':<12} {'raw KiB':>8} {'gzip KiB':>8} "
            f"{'1st run s':>9} {'median ms':>9} {'p90 ms':>7}")
    print(head)
    print("-" * len(head))
    for name, r in results.items():
        kinds = "+".join(k for k, _ in r["payloads"]) or "-"
        raw = sum(len(t.encode()) for _, t in r["payloads"])
        zipped = sum(gz(t) for _, t in r["payloads"])
        med = statistics.median(r["times"]) * 1000 if r["times"] else float("nan")
        p90 = percentile(r["times"], 0.9) * 1000 if r["times"] else float("nan")
        print(f"{name:<22} {kinds:<12} {kb(raw)} {kb(zipped)} {r['first']:9.2f} "
              f"{med:9.0f} {p90:7.0f}")
    for name, r in results.items():
        if r["errors"]:
            print(f"  ! {name}: exceptions: {r['errors']}")
        if not r["stable"]:
            print(f"  ! {name}: the map payload changed between reruns")


from geodata import open_store  # noqa: E402


def layer_table(settings: geodata.Settings) -> None:
    from layers.build import build
    from layers.deck import deck
    from layers.leaflet import folium_map, map_html
    from layers.registry import LAYERS
    from layers.spec import Query

    print("\nLayers, one at a time (Query() defaults; deck: Deck.to_json() with this layer "
          "only;\nfolium: map_html(folium_map([layer])), the full standalone page)")
    head = (f"{'layer':<16} {'features':>8} {'deck KiB':>8} {'gzip':>8} "
            f"{'folium KiB':>10} {'gzip':>8}  budget {BUDGET_KB} KB")
    print(head)
    print("-" * len(head))
    built = []
    style = STYLE_URL  # what ui.data.basemap_url() returns, minus its ?v= stamp
    for spec in LAYERS:
        if not all(open_store(settings).has(d) for d in spec.datasets):
            print(f"{spec.id:<16} (no local copy: online-only source)")
            continue
        data = build(spec.id, Query(), settings)
        built.append(data)
        deck_json = deck([data], style).to_json()
        html = map_html(folium_map([data]))
        raw = max(len(deck_json.encode()), len(html.encode()))
        flag = ""
        if spec.id == "indikator":
            verdict = "OK" if raw <= BUDGET_KB * 1000 else "OVER"
            flag = f"{verdict} ({raw / 1000:.0f} KB, the larger of the two)"
        print(f"{spec.id:<16} {len(data.gdf):8d} {kb(len(deck_json.encode()))} "
              f"{kb(gz(deck_json))} {kb(len(html.encode())):>10} {kb(gz(html))}  {flag}")
    deck_json = deck(built, style).to_json()
    html = map_html(folium_map(built))
    print(f"{'all six':<16} {sum(len(d.gdf) for d in built):8d} "
          f"{kb(len(deck_json.encode()))} {kb(gz(deck_json))} "
          f"{kb(len(html.encode())):>10} {kb(gz(html))}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirror", default=str(ROOT.parent / "shared" / "opendata-mirror"))
    parser.add_argument("-n", type=int, default=20, help="warm reruns per scenario")
    parser.add_argument("--profile", metavar="SCENARIO", default=None,
                        help="cProfile one extra warm rerun of this scenario (e.g. karte)")
    args = parser.parse_args()

    started = time.perf_counter()
    print(f"bench/pages.py  {dt.datetime.now().astimezone():%Y-%m-%d %H:%M:%S %z}")
    print(f"machine: {os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), "
          f"Python {platform.python_version()} on {platform.platform()}")

    with tempfile.TemporaryDirectory() as tmp:
        settings = geodata.Settings(data_dir=Path(tmp), mirror=str(Path(args.mirror).resolve()))
        t0 = time.perf_counter()
        outcomes = geodata.refresh(settings=settings)
        print(f"store from {args.mirror}: {len(outcomes)} datasets "
              f"({', '.join(sorted({o.status for o in outcomes}))}) "
              f"in {time.perf_counter() - t0:.1f} s")
        os.environ["GEODATA_DIR"] = tmp
        os.environ.pop("GEODATA_MIRROR", None)
        os.chdir(ROOT)
        settings = geodata.Settings(data_dir=Path(tmp))

        import streamlit as st
        from streamlit import config, logger

        # AppTest reads widget state from the main thread: bare-mode warnings, just noise.
        config.set_option("logger.level", "error")
        logger.set_log_level("error")

        print(f"streamlit {st.__version__}")
        results = {}
        for sc in scenarios():
            results[sc.name] = run_scenario(sc, args.n, profile=args.profile == sc.name)
        page_table(results, args.n)
        layer_table(settings)
        compress = config.get_option("server.enableWebsocketCompression")
        print(f"\nwebsocket: server.enableWebsocketCompression = {compress}"
              + ("" if compress else " -> a browser receives the raw column, not the gzip one"))
    print(f"total {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
