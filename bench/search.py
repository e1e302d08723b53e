"""Benchmark: search latency on a city-sized address list, and the size of a city's tile pack.

The street and address lists of OpenData.HRO are not in the offline mirror, so this bench
GENERATES them: about 2,000 streets laid as a grid over the real district polygons (from the
mirror) with about 40,000 house numbers, named after a few dozen German street-name patterns.
The figures say how fast the search is at the city's size, not what the city's lists hold.
The same generated streets (as an OSM extract) give the size and build time of a tile pack.

Prints figures; asserts nothing. Usage:
    python bench/search.py [--mirror DIR] [--queries 1000] [--no-tiles] [--out FILE]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import shapely  # noqa: E402

from geodata import Settings, loaders, refresh  # noqa: E402
from geodata.search import Gazetteer, fold  # noqa: E402

STEMS = ["Linden", "Birken", "Eichen", "Buchen", "Ahorn", "Rosen", "Tulpen", "Nelken",
         "Amsel", "Drossel", "Finken", "Lerchen", "Möwen", "Schwanen", "Kranich", "Storch",
         "Hafen", "Strand", "Dünen", "Wiesen", "Garten", "Mühlen", "Schmiede", "Brunnen",
         "Kirch", "Schul", "Markt", "Tor", "Wall", "Graben", "Berg", "Tal", "Feld", "Wald",
         "Goethe", "Schiller", "Lessing", "Fontane", "Reuter", "Barlach", "Kröpeliner",
         "Doberaner", "Warnemünder", "Güstrower", "Schweriner", "Wismarsche", "Bützower"]
KINDS = ["str.", "weg", "allee", "platz", "ring", "gang", "damm", "ufer", "stieg"]
PREFIXES = ["", "Alte ", "Neue ", "Große ", "Kleine ", "Am ", "Hinter der "]


def generated_lists(districts: gpd.GeoDataFrame, streets: int = 2000, houses: int = 40000,
                    seed: int = 7) -> tuple[gpd.GeoDataFrame, gpd.GeoDataFrame]:
    """Streets (lines, EPSG:25833) over the city's land and house numbers along them."""
    rng = random.Random(seed)
    city = districts.union_all()
    minx, miny, maxx, maxy = city.bounds
    names, lines = set(), []
    while len(lines) < streets:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if not city.contains(shapely.Point(x, y)):
            continue
        angle, length = rng.uniform(0, np.pi), rng.uniform(150, 900)
        dx, dy = np.cos(angle) * length / 2, np.sin(angle) * length / 2
        name = f"{rng.choice(PREFIXES)}{rng.choice(STEMS)}{rng.choice(KINDS)}"
        if fold(name) in names:  # a city names each street once
            continue
        names.add(fold(name))
        lines.append((name, f"{len(lines):05d}", shapely.LineString([(x - dx, y - dy),
                                                                      (x + dx, y + dy)])))
    street_frame = gpd.GeoDataFrame({"strasse_name": [n for n, _k, _g in lines],
                                     "strasse_schluessel": [k for _n, k, _g in lines]},
                                    geometry=[g for _n, _k, g in lines], crs="EPSG:25833")
    rows = []
    per_street = houses // streets
    for name, key, line in lines:
        for number in range(1, per_street + 1):
            point = line.interpolate(number / (per_street + 1), normalized=True)
            letter = rng.choice(["", "", "", "a", "b"])
            rows.append((name, key, number, letter or None, point))
    address_frame = gpd.GeoDataFrame(
        {"strasse_name": [r[0] for r in rows], "strasse_schluessel": [r[1] for r in rows],
         "hausnummer": pd.array([r[2] for r in rows], dtype="Int64"),
         "hausnummer_zusatz": pd.array([r[3] for r in rows], dtype="string")},
        geometry=[r[4] for r in rows], crs="EPSG:25833")
    return street_frame, address_frame


def typed(rng: random.Random, gaz: Gazetteer, addresses: gpd.GeoDataFrame
          ) -> tuple[str, str]:
    """What a resident might type (an address, some with a typo or ae/oe; a street, a
    district or a place), and the name the search should put first."""
    if rng.random() < 0.6:
        row = addresses.iloc[rng.randrange(len(addresses))]
        letter = "" if pd.isna(row.hausnummer_zusatz) else row.hausnummer_zusatz
        wanted = f"{row.strasse_name} {row.hausnummer}{letter}"
        text = f"{row.strasse_name.replace('str.', 'straße')} {row.hausnummer}{letter}"
    else:
        wanted = text = rng.choice(gaz.entries).name
    if rng.random() < 0.3 and len(text) > 8:  # drop a letter from the name
        i = rng.randrange(1, len(text.split()[0]))
        text = text[:i] + text[i + 1:]
    if rng.random() < 0.3:
        text = text.replace("ö", "oe").replace("ü", "ue").replace("ä", "ae")
    return text, wanted


def tile_pack(streets: gpd.GeoDataFrame, zooms: tuple[int, int]) -> str:
    """Render a pack from the generated streets (as minor roads) and report its size."""
    from layers import tilepack

    features = {"minor": streets.to_crs("EPSG:4326").assign(name=streets["strasse_name"])}
    with tempfile.TemporaryDirectory() as tmp:
        stats = tilepack.render(features, Path(tmp) / "tiles", zooms)
    return (f"tile pack (generated streets, zooms {zooms[0]}–{zooms[1]}): {stats.tiles:,} "
            f"tiles, {stats.names:,} street names, {stats.bytes / 1e6:.1f} MB, built in "
            f"{stats.seconds:.0f} s")


def browser_search(gaz: Gazetteer, queries: list[tuple[str, str]]) -> list[str]:
    """The district profiles' search (``profiles/static/search.js``) on the same names, in
    Debian's Chromium: the index's size on the wire and the time per query in the page."""
    import gzip
    import json
    import shutil

    from geodata.search import compact

    data = json.dumps(compact(gaz), ensure_ascii=False, separators=(",", ":")).encode()
    lines = [f"profiles' search index: {len(data) / 1e3:,.0f} kB, "
             f"{len(gzip.compress(data, 9)) / 1e3:,.0f} kB gzipped (fetched on first use)"]
    chromium = shutil.which("chromium")
    if chromium is None:
        return [*lines, "in-browser search: no chromium here, not measured"]
    from playwright.sync_api import sync_playwright

    script = (ROOT / "profiles" / "static" / "search.js").read_text(encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium)
        page = browser.new_page()
        page.set_content("<!doctype html><title>bench</title>")
        page.add_script_tag(content=script)
        result = page.evaluate("""([index, queries]) => {
            const times = [];
            let first = 0;
            for (const [q, wanted] of queries) {
                const t0 = performance.now();
                const hits = rostockSearch.search(index, q).hits;
                times.push(performance.now() - t0);
                first += hits.length && hits[0].name === wanted ? 1 : 0;
            }
            times.sort((a, b) => a - b);
            return [times[Math.floor(times.length / 2)],
                    times[Math.floor(0.95 * times.length) - 1], first];
        }""", [json.loads(data), queries])
        browser.close()
    p50, p95, first = result
    lines.append(f"in-browser search over {len(queries):,} queries: p50 {p50:.1f} ms, "
                 f"p95 {p95:.1f} ms; {first / len(queries):.0%} put the wanted name first")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "opendata-mirror")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--no-tiles", action="store_true")
    parser.add_argument("--zooms", default="10-16")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), mirror=str(args.mirror))
        refresh(["stadtbereiche", "ortsteile"], settings)
        districts, quarters = loaders.districts(settings), loaders.ortsteile(settings)
    streets, addresses = generated_lists(districts)
    started = time.perf_counter()
    gaz = Gazetteer(districts, quarters, loaders.places(), streets, addresses)
    build = time.perf_counter() - started
    lines.append(f"gazetteer (GENERATED lists: {len(streets):,} streets, {len(addresses):,} "
                 f"addresses; real districts, Ortsteile, places): built in {build:.2f} s, "
                 f"{len(gaz.entries):,} names")
    rng = random.Random(11)
    queries = [typed(rng, gaz, addresses) for _ in range(args.queries)]
    times, found, first = [], 0, 0
    for query, wanted in queries:
        t0 = time.perf_counter()
        hits = gaz.search(query)
        times.append((time.perf_counter() - t0) * 1000)
        found += bool(hits)
        first += bool(hits) and hits[0].name == wanted
    times.sort()
    p50, p95 = statistics.median(times), times[int(0.95 * len(times)) - 1]
    lines.append(f"search latency over {len(queries):,} queries: p50 {p50:.2f} ms, p95 "
                 f"{p95:.2f} ms, max {times[-1]:.2f} ms; {found / len(queries):.0%} found "
                 f"something, {first / len(queries):.0%} put the wanted name first")
    lines.extend(browser_search(gaz, queries))
    if not args.no_tiles:
        first, _, last = args.zooms.partition("-")
        lines.append(tile_pack(streets, (int(first), int(last))))
    text = "\n".join(lines)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
