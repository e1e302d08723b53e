"""Benchmark: where a cold visit's time to the interactive map goes, app against the naive
Streamlit + pydeck app, from a Chromium trace of the page's main thread.

Prints figures and writes them to bench/results/map-trace-<date>.txt; asserts nothing.

    python bench/map_trace.py [--mirror ../shared/opendata-mirror]

One fresh server per app (as ``bench/first_visit.py`` starts them), one cold browser
context: the times of the last websocket message of the first script run, of the deck
element mounted and of the map painted, and the main thread's time by trace event
(compositor commits, JavaScript, animation frames, module evaluation). Chromium runs with
SwiftShader (no GPU), as in the tests and Lighthouse.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import first_visit as fv

from geodata import Settings, refresh

EVENTS = ("Commit", "FunctionCall", "FireAnimationFrame", "v8.evaluateModule", "Layout",
          "Paint", "MinorGC")
DECK = "[data-testid='stDeckGlJsonChart']"


def traced_visit(browser, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1350, "height": 940}, locale="de-DE")
    page = context.new_page()
    frames: list[float] = []
    t0 = time.monotonic()
    page.on("websocket", lambda ws: ws.on(
        "framereceived", lambda _payload: frames.append(time.monotonic() - t0)))
    browser.start_tracing(page=page, categories=[
        "devtools.timeline", "disabled-by-default-devtools.timeline"])  # the latter: Commit
    page.goto(url, wait_until="commit")
    page.locator(DECK).first.wait_for(state="attached", timeout=120_000)
    t_deck = time.monotonic() - t0
    page.locator(fv.MAP).first.wait_for(timeout=120_000)
    fv.wait_painted(page, url)
    t_map = time.monotonic() - t0
    trace = json.loads(browser.stop_tracing())["traceEvents"]
    context.close()
    threads = {(e["pid"], e["tid"]) for e in trace
               if e.get("name") == "thread_name" and e["args"].get("name") == "CrRendererMain"}
    busy: collections.Counter[str] = collections.Counter()
    for e in trace:
        if (e.get("pid"), e.get("tid")) in threads and e.get("ph") == "X" and "dur" in e:
            busy[e["name"]] += e["dur"] / 1e6
    return {"last_message": max((t for t in frames if t <= t_map), default=float("nan")),
            "deck": t_deck, "map": t_map,
            **{name: busy[name] for name in EVENTS}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mirror", default=str(fv.ROOT.parent / "shared" / "opendata-mirror"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    apps = {
        "app": [sys.executable, "-m", "server"],
        "naive": [sys.executable, "-m", "streamlit", "run",
                  str(fv.ROOT / "bench" / "naive_app.py"), "--server.enableStaticServing",
                  "false"],
    }
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-map-trace-") as tmp:
        store = Path(tmp) / "data"
        failed = [o.message for o in refresh(settings=Settings(data_dir=store,
                                                                 mirror=args.mirror))
                  if not o.ok]
        if failed:
            raise SystemExit(f"refresh failed: {failed}")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=fv.CHROMIUM, args=fv.CHROMIUM_ARGS)
            for name, cmd in apps.items():
                server = fv.start(cmd, store, Path(tmp) / f"{name}.log")
                try:
                    rows[name] = traced_visit(browser, f"{server.url}/")
                finally:
                    server.stop()
            browser.close()
    lines = [f"bench/map_trace.py, {dt.datetime.now():%Y-%m-%d %H:%M}, load average "
             f"{fv.load_average()}",
             "One cold visit per app after 'healthy', seconds since the request; then the "
             "page's main thread by trace event (seconds, SwiftShader, no GPU):",
             f"{'':24}{'app':>8}{'naive':>8}"]
    labels = {"last_message": "last websocket message", "deck": "deck element mounted",
              "map": "map painted"}
    for key in ("last_message", "deck", "map", *EVENTS):
        lines.append(f"{labels.get(key, key):24}{rows['app'][key]:>8.2f}"
                     f"{rows['naive'][key]:>8.2f}")
    text = "\n".join(lines)
    print(text)
    fv.OUT.mkdir(exist_ok=True)
    target = fv.OUT / f"map-trace-{dt.date.today():%Y-%m-%d}.txt"
    target.write_text(text + "\n")
    print(f"\nwritten to {target.relative_to(fv.ROOT)}")


if __name__ == "__main__":
    main()
