"""Let the presenter tour run by itself in headless Chromium and watch the server's memory.

    .venv/bin/python bench/presenter_soak.py                  # 30 minutes at the tour's pace
    .venv/bin/python bench/presenter_soak.py --minutes 10 --scale 0.1   # ten times the steps

Starts ``python -m presenter serve`` (offline, the local store) on a free port, opens
/praesentation at 1920×1080 and samples the server's resident memory. The baseline is taken
once every step has been shown (the caches are then full); growth after that is what an
event would suffer. Prints the samples and a summary; exits 1 when memory grew by more than
the limit (10 %) or the tour stopped advancing.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from presenter.tour import DEFAULT_TOUR, load_tour  # noqa: E402
from tests.helpers.net import free_port, wait_healthy  # noqa: E402


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start_server(port: int, scale: float, idle: float) -> subprocess.Popen:
    env = {**os.environ, "PRESENTER_TIME_SCALE": str(scale), "PRESENTER_IDLE_S": str(idle),
           "PRESENTER_BASE_URL": f"http://127.0.0.1:{port}"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "presenter", "serve", "--port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(f"http://127.0.0.1:{port}", proc, what="the presenter server")
    except RuntimeError:
        proc.kill()
        raise
    return proc


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--scale", type=float, default=1.0, help="time scale of the steps")
    parser.add_argument("--sample", type=float, default=30.0, help="seconds between samples")
    parser.add_argument("--limit", type=float, default=10.0, help="allowed growth in %%")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    tour = load_tour(DEFAULT_TOUR)
    n = len(tour.steps)
    port = free_port()
    server = start_server(port, args.scale, idle=60)
    errors: list[str] = []
    samples: list[tuple[float, float, int, int]] = []  # seconds, MiB, steps shown, loops
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"),
                args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                      "--use-gl=swiftshader", "--enable-unsafe-swiftshader"])
            page = browser.new_page(viewport={"width": 1920, "height": 1080})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"http://127.0.0.1:{port}/praesentation")
            page.locator(".tour-counter").wait_for(timeout=120_000)
            start = time.time()
            last, shown, loops, visited = 1, 1, 0, {1}
            baseline: float | None = None
            first = rss_mib(server.pid)
            next_sample = start
            print(f"server pid {server.pid}; tour {tour.path.name}, {n} steps, "
                  f"time scale {args.scale:g}; first page drawn: {first:.1f} MiB")
            print(f"{'min':>6} {'RSS MiB':>9} {'steps':>6} {'loops':>6}")
            while time.time() - start < args.minutes * 60:
                step = int(page.locator(".tour-counter").get_attribute("data-step") or 0)
                if step != last:
                    shown += 1
                    loops += step < last
                    last = step
                    visited.add(step)
                    if baseline is None and len(visited) == n:
                        page.wait_for_timeout(2000)
                        baseline = rss_mib(server.pid)
                        print(f"every step shown once: baseline {baseline:.1f} MiB")
                if time.time() >= next_sample:
                    mib = rss_mib(server.pid)
                    samples.append((time.time() - start, mib, shown, loops))
                    print(f"{(time.time() - start) / 60:6.1f} {mib:9.1f} {shown:6d} {loops:6d}",
                          flush=True)
                    next_sample += args.sample
                page.wait_for_timeout(500)
            browser.close()
    finally:
        server.terminate()
        server.wait(15)
    end = samples[-1][1]
    base = baseline or samples[0][1]
    growth = (end - base) / base * 100
    peak = max(s[1] for s in samples)
    print(f"\nsteps shown {shown} ({loops} full loops) in {args.minutes:g} min; "
          f"page errors {len(errors)}")
    print(f"RSS first page {first:.1f} MiB, after one loop {base:.1f} MiB, end {end:.1f} MiB, "
          f"peak {peak:.1f} MiB")
    print(f"growth after the first loop: {growth:+.1f} % (limit {args.limit:g} %)")
    expected = args.minutes * 60 / (sum(s.duration for s in tour.steps) * args.scale / n)
    ok = growth <= args.limit and shown >= 0.5 * expected and not errors
    print("OK" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
