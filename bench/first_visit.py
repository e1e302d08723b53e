"""Benchmark: what a first visit costs — the app against a naive Streamlit + pydeck app on
the same data, measured in one run on this machine; and the static district profiles.

Prints figures and writes them to bench/results/first-visit-<date>.txt; asserts nothing.

    python bench/first_visit.py [--runs 3] [--no-lighthouse] [--no-profiles]

For each app, ``--runs`` times: a fresh server process on a fresh port (so every run is the
first visit of a newly started server), waited for until ``/_stcore/health`` answers 200,
then a cold Chromium context (empty cache) opens the overview. Measured:

* start → healthy: process start until the health check answers 200 (our server only
  reports healthy once it has run the first page itself, ``server.warm``);
* healthy → map painted: from navigation start (right after healthy) until the map canvas
  shows the districts' colours (a screenshot of the canvas with ≥ 3 % saturated pixels);
* transfer: bytes on the wire of every HTTP response (CDP ``encodedDataLength``: headers and
  compressed bodies) plus the websocket frames' payload, as Chromium sends
  ``Accept-Encoding: gzip, deflate, br, zstd``.

Lighthouse 12.2.3 (npm; the last version for Node 20) with Debian's chromium, desktop
preset, against a warm server: performance of Karte, Planung and Wasser. Warnow. Wir. and of
the naive app. Lighthouse runs headless with SwiftShader (no GPU), so its main-thread
figures for WebGL pages are pessimistic; the same holds for both apps.

Profiles (``site_profiles``): three pages built from the same store, served by the app
server: bytes of a first visit (all assets, compressed), Lighthouse mobile scores, PDF
pages.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from st_client import APP, Server, start_server  # noqa: E402

from geodata import Settings, refresh  # noqa: E402
from tests.helpers.browser import WireCount  # noqa: E402
from tests.helpers.net import poll_until  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--use-gl=swiftshader", "--enable-unsafe-swiftshader"]
LIGHTHOUSE_VERSION = "12.2.3"
MAP = "[data-testid='stDeckGlJsonChart'] canvas"
OUT = ROOT / "bench" / "results"


def lighthouse_bin() -> Path:
    """npx-free: Lighthouse installed once into the user's cache folder."""
    from server.compress import cache_root

    folder = cache_root() / f"lighthouse-{LIGHTHOUSE_VERSION}"
    cli = folder / "node_modules" / ".bin" / "lighthouse"
    if not cli.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--prefix", str(folder), "--no-audit", "--no-fund",
                        "--silent", f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)
    return cli


def lighthouse(url: str, preset: str, categories: str = "performance") -> dict[str, float]:
    """Scores 0–100 per category, and the main metrics (ms, or CLS unitless)."""
    out = Path(tempfile.mkdtemp()) / "lh.json"
    args = [str(lighthouse_bin()), url, f"--only-categories={categories}", "--quiet",
            "--output=json", f"--output-path={out}", "--max-wait-for-load=60000",
            "--chrome-flags=--headless=new " + " ".join(CHROMIUM_ARGS)]
    if preset == "desktop":
        args.insert(2, "--preset=desktop")
    subprocess.run(args, check=True, env={**os.environ, "CHROME_PATH": CHROMIUM or ""},
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=300)
    report = json.loads(out.read_text())
    scores = {k: round((v["score"] or 0) * 100) for k, v in report["categories"].items()}
    audits = report["audits"]
    for key in ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                "cumulative-layout-shift", "speed-index"):
        if key in audits:
            scores[key] = audits[key].get("numericValue") or 0.0
    scores["bytes"] = audits.get("total-byte-weight", {}).get("numericValue") or 0
    return scores


# What a visit to the app finds on the server: no fetching, no profile building meanwhile.
QUIET = {"GEODATA_FETCH_ON_DEMAND": "0", "DASHBOARD_PROFILES_AUTOBUILD": "0"}


def start(cmd: list[str], store: Path, log: Path) -> Server:
    return start_server(store, log, cmd=cmd, env=QUIET, timeout=180)


def painted(page) -> bool:
    """The map canvas shows colour (districts), not only the page's background."""
    from PIL import Image

    box = page.locator(MAP).first.bounding_box()
    if not box or box["width"] < 100:
        return False
    png = page.screenshot(clip=box)
    img = Image.open(BytesIO(png)).convert("RGB").resize((96, 64))
    pixels = list(img.get_flattened_data())  # Pillow ≥ 12.1
    saturated = sum(1 for r, g, b in pixels if max(r, g, b) - min(r, g, b) > 60)
    return saturated / len(pixels) >= 0.03


def wait_painted(page, url: str, timeout: float = 120) -> None:
    poll_until(lambda: painted(page), timeout, f"{url}: the map painted", interval=0.05)


def first_visit(browser, url: str) -> dict[str, float]:
    """A cold context opens ``url``: bytes on the wire and seconds until the map painted."""
    context = browser.new_context(viewport={"width": 1350, "height": 940}, locale="de-DE")
    page = context.new_page()
    wire = WireCount(page)
    outside: list[str] = []
    page.route("**/*", lambda r: (r.continue_() if r.request.url.startswith(
        ("http://127.0.0.1", "data:", "blob:")) else (outside.append(r.request.url),
                                                      r.abort())))
    t0 = time.monotonic()
    page.goto(url, wait_until="commit")
    page.locator(MAP).first.wait_for(timeout=120_000)
    wait_painted(page, url)
    t_map = time.monotonic() - t0
    # the first text or picture on screen (the overview's first view, where there is one)
    fcp = page.evaluate("(performance.getEntriesByName('first-contentful-paint')[0] || "
                        "{startTime: NaN}).startTime") / 1000
    # what arrives after the first paint (lazy chunks, the rest of the page) counts too
    page.wait_for_load_state("networkidle", timeout=60_000)
    result = {"map_s": t_map, "paint_s": fcp, "http": wire.http, "ws": wire.websocket,
              "requests": len(wire.sizes), "blocked": len(outside)}
    context.close()
    return result


def fmt_mb(n: float) -> str:
    return f"{n / 1e6:.2f} MB"


def measure_apps(store: Path, runs: int, use_lighthouse: bool, lines: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    apps = {
        "app": APP,
        "naive": [sys.executable, "-m", "streamlit", "run", str(ROOT / "bench" / "naive_app.py"),
                  "--server.enableStaticServing", "false"],
    }
    results: dict[str, list[dict[str, float]]] = {name: [] for name in apps}
    logs = Path(tempfile.mkdtemp(prefix="first-visit-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for i in range(runs):
            for name, cmd in apps.items():
                server = start(cmd, store, logs / f"{name}-{i}.log")
                try:
                    row = first_visit(browser, f"{server.url}/")
                finally:
                    server.stop()
                row["healthy_s"] = server.healthy_after_s
                healthy_s = server.healthy_after_s
                results[name].append(row)
                print(f"  run {i + 1} {name:5}: start→healthy {healthy_s:5.1f} s, healthy→first "
                      f"paint {row['paint_s']:5.2f} s, →map {row['map_s']:5.2f} s, HTTP "
                      f"{fmt_mb(row['http'])} in "
                      f"{row['requests']:.0f} requests, websocket {row['ws'] / 1e3:.0f} kB",
                      flush=True)
        browser.close()
    lines.append(f"First visit to the overview, median of {runs} fresh servers each "
                 "(cold browser, Accept-Encoding: gzip, deflate, br, zstd; times after "
                 "'healthy': first paint = first text or picture, the app's first view with "
                 "its map picture; map = the interactive map's canvas shows the districts):")
    lines.append(f"{'':8}{'start→healthy':>15}{'→first paint':>14}{'→map':>8}{'HTTP':>11}"
                 f"{'websocket':>11}{'total':>11}{'requests':>10}")
    for name, rows in results.items():
        med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
        lines.append(f"{name:8}{med['healthy_s']:>13.1f} s{med['paint_s']:>12.2f} s"
                     f"{med['map_s']:>6.2f} s"
                     f"{fmt_mb(med['http']):>11}{fmt_mb(med['ws']):>11}"
                     f"{fmt_mb(med['http'] + med['ws']):>11}{med['requests']:>10.0f}")
    if not use_lighthouse:
        return
    lines.append("")
    lines.append("Lighthouse 12.2.3, desktop preset, performance (FCP / LCP / TBT ms, CLS):")
    targets = [("app", apps["app"], ["/", "/planung", "/wasser-warnow-wir"]),
               ("naive", apps["naive"], ["/"])]
    for name, cmd, paths in targets:
        server = start(cmd, store, logs / f"{name}-lh.log")
        try:
            for path in paths:
                s = lighthouse(f"{server.url}{path}", "desktop")
                line = (f"{name:6} {path:20} {s['performance']:>4}   FCP "
                        f"{s['first-contentful-paint']:6.0f}  LCP "
                        f"{s['largest-contentful-paint']:6.0f}  TBT "
                        f"{s['total-blocking-time']:6.0f}  CLS {s['cumulative-layout-shift']:.3f}"
                        f"  {fmt_mb(s['bytes'])}")
                print("  " + line, flush=True)
                lines.append(line)
        finally:
            server.stop()


PROFILES = ("de/stadtmitte.html", "en/warnemuende.html", "de/luetten-klein.html")


def pdf_pages(path: Path) -> int:
    """Pages of a PDF as Chromium writes it (one /Type /Page object per page)."""
    import re

    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


def profile_visit(browser, url: str) -> int:
    """Bytes on the wire of a cold first visit on a phone, until the map has drawn."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  device_scale_factor=2)
    page = context.new_page()
    wire = WireCount(page)
    page.goto(url)
    page.wait_for_selector("html[data-map-ready]", state="attached", timeout=60_000)
    page.wait_for_load_state("networkidle")
    context.close()
    return wire.http


def measure_profiles(store: Path, use_lighthouse: bool, lines: list[str]) -> None:
    from playwright.sync_api import sync_playwright

    from profiles.build import build

    result = build(Settings(data_dir=store), pdf=True)
    print(f"  profiles: {len(result.pages)} pages, {len(result.pdfs)} PDFs in "
          f"{result.seconds:.1f} s", flush=True)
    lines.append(f"District profiles: {len(result.pages)} pages and {len(result.pdfs)} PDFs "
                 f"built in {result.seconds:.1f} s (make site)")
    lines.append(f"{'page':24}{'first visit':>13}{'perf':>6}{'a11y':>6}{'b-p':>6}{'seo':>6}"
                 f"{'PDF pages':>11}")
    server = start(APP, store, Path(tempfile.mkdtemp()) / "profiles.log")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            visits = {path: profile_visit(browser, f"{server.url}/profile/{path}")
                      for path in PROFILES}
            browser.close()
        for path in PROFILES:
            scores = {"performance": "-", "accessibility": "-", "best-practices": "-",
                      "seo": "-"}
            if use_lighthouse:
                scores.update(lighthouse(f"{server.url}/profile/{path}", "mobile",
                                         "performance,accessibility,best-practices,seo"))
            pdf = result.folder / path.replace(".html", ".pdf")
            line = (f"{path:24}{visits[path] / 1000:>10.1f} kB{scores['performance']:>6}"
                    f"{scores['accessibility']:>6}{scores['best-practices']:>6}"
                    f"{scores['seo']:>6}{pdf_pages(pdf) if pdf.exists() else '-':>11}")
            print("  " + line, flush=True)
            lines.append(line)
    finally:
        server.stop()
    lines.append("(first visit: every byte on the wire, compressed, all assets, 390×844; "
                 "Lighthouse 12.2.3 mobile preset; each page's PDF in its language)")


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirror", default=str(ROOT.parent / "shared" / "opendata-mirror"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-lighthouse", action="store_true")
    parser.add_argument("--no-profiles", action="store_true")
    parser.add_argument("--no-apps", action="store_true")
    args = parser.parse_args()
    from server import compress

    lines = [f"bench/first_visit.py, {dt.datetime.now():%Y-%m-%d %H:%M}, {platform.node()}, "
             f"{os.cpu_count()} cores, load average at start {load_average()}"]
    assets = compress.frontend_assets()
    made = assets.fill()
    print(f"compressed copies of Streamlit's frontend: {made} made now, cache "
          f"{assets.cache}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-first-visit-") as tmp:
        store = Path(tmp) / "data"
        outcomes = refresh(settings=Settings(data_dir=store, mirror=args.mirror))
        failed = [o.message for o in outcomes if not o.ok]
        if failed:
            raise SystemExit(f"refresh failed: {failed}")
        if not args.no_apps:
            measure_apps(store, args.runs, not args.no_lighthouse, lines)
        if not args.no_profiles:
            lines.append("")
            measure_profiles(store, not args.no_lighthouse, lines)
    lines.append(f"load average at end {load_average()}")
    text = "\n".join(lines)
    print("\n" + text)
    OUT.mkdir(exist_ok=True)
    target = OUT / f"first-visit-{dt.date.today():%Y-%m-%d}.txt"
    target.write_text(text + "\n")
    print(f"\nwritten to {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
