"""Real headless Chromium (Debian's chromium, driven by Playwright) against the app started
as ``python -m server``: the server, the browser, a watched page (requests, console errors,
dialogs), and waits on what the page shows — never on the clock.
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

import pytest

from layers.build import build
from layers.spec import Query
from tests.helpers.mirror import ROOT, fast_settings, needs_mirror
from tests.helpers.net import free_port, poll_until, wait_healthy

ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--use-gl=swiftshader", "--enable-unsafe-swiftshader"]
VIEW = {"lon": 12.125, "lat": 54.135, "zoom": 10.3}  # layers.deck.ROSTOCK_VIEW


# The marks of a real-browser test module (``pytestmark = BROWSER``) ...
BROWSER = [pytest.mark.browser, needs_mirror,
           pytest.mark.skipif(not CHROMIUM, reason="no chromium on this machine")]


def in_browser(test):  # type: ignore[no-untyped-def]
    """... or of one test in a module that has others."""
    for mark in BROWSER:
        test = mark(test)
    return test


@dataclass
class App:
    url: str
    store: Path
    process: subprocess.Popen = field(repr=False)
    log: Path | None = None


def start_app(store: Path, extra_env: dict[str, str] | None = None) -> App:
    port = free_port()
    # Profiles are built by the tests that need them (once per session), not by every server.
    env = {**os.environ, "GEODATA_DIR": str(store), "DASHBOARD_PROFILES_AUTOBUILD": "0",
           **(extra_env or {})}
    env.pop("GEODATA_MIRROR", None)
    log_path = ARTIFACTS / f"streamlit-{port}.log"
    log = log_path.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "server", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(url, proc, timeout=60, what=f"streamlit (log: {log.name})")
    except RuntimeError:
        proc.kill()
        raise
    return App(url, store, proc, log_path)


def serve(store: Path, extra_env: dict[str, str] | None = None) -> Iterator[App]:
    """One app server for a test module (every browser module's ``app`` fixture)."""
    ARTIFACTS.mkdir(exist_ok=True)
    running = start_app(store, extra_env)
    yield running
    running.process.terminate()
    running.process.wait(10)


@dataclass
class Watched:
    page: object
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # URLs answered with 4xx/5xx


class WireCount:
    """Everything a page fetches, as bytes on the wire (Chromium's ``encodedDataLength``:
    headers and compressed bodies), plus the websocket frames it receives; the page's cache
    is off, so this is a first visit. For byte budgets (tests) and bench/first_visit.py."""

    def __init__(self, page) -> None:
        self.sizes: dict[str, int] = {}
        self.frames: list[int] = []
        cdp = page.context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.on("Network.loadingFinished",
               lambda e: self.sizes.__setitem__(e["requestId"], e["encodedDataLength"]))
        cdp.on("Network.webSocketFrameReceived",
               lambda e: self.frames.append(len(e["response"]["payloadData"])))

    @property
    def http(self) -> int:
        return sum(self.sizes.values())

    @property
    def websocket(self) -> int:
        return sum(self.frames)


def launch() -> Iterator[object]:
    """Debian's Chromium for a test module (the ``browser`` fixture)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def watch(browser, width: int = 1400, height: int = 1300) -> Iterator[Watched]:
    """A page whose requests, console errors and dialogs are recorded; afterwards nothing
    may have left 127.0.0.1 and no script may have opened a dialog."""
    context = browser.new_context(viewport={"width": width, "height": height}, locale="de-DE")
    page = context.new_page()
    w = Watched(page)
    page.on("request", lambda r: w.requests.append(r.url))
    page.on("console", lambda m: w.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: w.errors.append(str(e)))
    page.on("response", lambda r: w.failed.append(r.url) if r.status >= 400 else None)

    def on_dialog(d) -> None:
        w.dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", on_dialog)
    context.on("page", lambda p: (p.on("dialog", on_dialog),
                                  p.on("request", lambda r: w.requests.append(r.url))))
    yield w
    context.close()
    outside = sorted({u for u in w.requests
                      if not u.startswith(("http://127.0.0.1", "data:", "blob:", "about:"))})
    assert not outside, f"requests left the machine: {outside}"
    assert not w.dialogs, f"a script ran: {w.dialogs}"


# On a deep link (/<page>) Streamlit's frontend first probes /<page>/_stcore/… to find its
# base path; those 404s are Streamlit's own, not the app's.
STREAMLIT_PROBE = re.compile(r"^http://127\.0\.0\.1:\d+/[^/]+/_stcore/(health|host-config)$")


def no_console_errors(w: Watched) -> None:
    real_failures = [u for u in w.failed if not STREAMLIT_PROBE.match(u)]
    assert not real_failures, real_failures
    # A failed load is reported twice: as a response (checked above) and on the console.
    real = [e for e in w.errors
            if not e.startswith("Failed to load resource") and ".map" not in e]
    assert not real, real


def mercator_px(lon: float, lat: float, world: float) -> tuple[float, float]:
    """Web-Mercator pixel of lon/lat in a world ``world`` pixels wide (written here on its
    own, not taken from layers/: the tests check the app's projection against it)."""
    s = math.sin(math.radians(lat))
    return (lon + 180) / 360 * world, (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * world


def screen_point(box: dict, lon: float, lat: float,
                 view: tuple[float, float, float] = (VIEW["lat"], VIEW["lon"], VIEW["zoom"])
                 ) -> tuple[float, float]:
    """Pixel of lon/lat in the deck canvas ``box`` opened at ``view`` (lat, lon, zoom;
    deck.gl's 512 px tiles); the initial city view by default."""
    world = 512 * 2 ** view[2]
    cx, cy = mercator_px(view[1], view[0], world)
    px, py = mercator_px(lon, lat, world)
    return box["x"] + box["width"] / 2 + (px - cx), box["y"] + box["height"] / 2 + (py - cy)


def district_point(store: Path, code: str) -> tuple[float, float]:
    gdf = build("indikator", Query(), fast_settings(store, None)).gdf.set_index("code")
    pt = gdf.loc[code].geometry.representative_point()
    return pt.x, pt.y


WATER_RGB = (0xB3, 0xD4, 0xE6)  # layers.basemap.WATER


def wait_for_basemap(page, box: dict, timeout_s: float = 20.0) -> None:
    """The local basemap has painted: the map's top-left corner (open sea at the initial
    view) shows its water colour (WATER_RGB). Under load it paints after the deck layers."""
    from PIL import Image

    seen: list[tuple[int, ...]] = []

    def blue() -> bool:
        png = page.screenshot(clip={"x": box["x"] + 12, "y": box["y"] + 12, "width": 8,
                                    "height": 8})
        pixel = Image.open(BytesIO(png)).convert("RGB").getpixel((4, 4))
        seen.append(pixel)
        # The basemap's water, possibly under a translucent water layer: clearly blue.
        # Before the basemap paints, the corner shows the page's light beige.
        return pixel[2] - pixel[0] > 30

    try:
        poll_until(blue, timeout_s, "the offline basemap")
    except AssertionError:
        raise AssertionError(f"the offline basemap did not draw (corner pixel {seen[-1]})") \
            from None


def open_map(w: Watched, url: str) -> dict:
    page = w.page
    page.goto(url)
    canvas = page.locator("[data-testid='stDeckGlJsonChart'] canvas").first
    canvas.wait_for(timeout=60_000)
    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stDeckGlJsonChart'] canvas\")]"
        ".some(c => c.width > 100)", timeout=30_000)
    box = page.locator("[data-testid='stDeckGlJsonChart']").first.bounding_box()
    wait_for_basemap(page, box)
    return box


def hover_tooltip(w: Watched, box: dict, lon: float, lat: float, expect: str = "",
                  timeout_s: float = 10.0) -> str:
    """The deck tooltip's text at a point. With ``expect``, waits until the text contains it
    (deck.gl reuses one tooltip element, so right after a move it may still show the last
    district) and returns the last text seen either way, for the caller's assertion."""
    x, y = screen_point(box, lon, lat)
    w.page.mouse.move(x - 3, y - 3)
    w.page.mouse.move(x, y)
    tooltip = w.page.locator(".deck-tooltip")
    tooltip.wait_for(state="visible", timeout=int(timeout_s * 1000))
    last = [tooltip.inner_text()]

    def shows() -> bool:
        last.append(tooltip.inner_text())
        return expect in last[-1]

    if expect and expect not in last[-1]:
        with contextlib.suppress(AssertionError):  # the caller's assertion names the text
            poll_until(shows, timeout_s, f"the tooltip to show {expect!r}", interval=0.1)
    return last[-1]


READY = ".stApp[data-test-script-state=notRunning][data-test-connection-state=CONNECTED]"
# Resolves once nothing in the page has changed for ``quiet`` ms, rejects after ``limit`` ms.
QUIET_JS = """([quiet, limit]) => new Promise((resolve, reject) => {
  let timer = setTimeout(done, quiet);
  const stop = setTimeout(() => { obs.disconnect(); reject(new Error('still changing')); },
                          limit);
  const obs = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, quiet); });
  function done() { obs.disconnect(); clearTimeout(stop); resolve(true); }
  obs.observe(document.body, {subtree: true, childList: true, attributes: true,
                              characterData: true});
})"""


def settled(page, quiet_ms: int = 600, timeout_ms: int = 90_000) -> None:
    """The script run is over, the connection stands and the page has stopped changing
    (late widgets, iframes and fonts drew): a condition, not a pause."""
    page.wait_for_selector(READY, timeout=timeout_ms)
    page.evaluate(QUIET_JS, [quiet_ms, timeout_ms])


def steady_screenshot(target, timeout_s: float = 10.0, **kwargs: object) -> bytes:
    """A screenshot of ``target`` (page or locator) once two in a row are identical, so
    transitions (focus rings, fading) are over."""
    last: list[bytes] = []

    def same() -> bytes | None:
        shot = target.screenshot(**kwargs)
        if last and last[-1] == shot:
            return shot
        last.append(shot)
        return None

    return poll_until(same, timeout_s, "the view to stop changing", interval=0.15)


LEAFLET_FRAME = "iframe[title*='streamlit_folium']"


# A point of the shape where the shape itself is on top (a bounding box's centre may lie in
# a neighbour, or under a name), in the frame's coordinates; None for a covered sliver.
_OWN_POINT = """(el) => {
  const r = el.getBoundingClientRect();
  const steps = [0.5, 0.35, 0.65, 0.2, 0.8, 0.1, 0.9, 0.45, 0.55, 0.3, 0.7];
  for (const fy of steps) for (const fx of steps) {
    const x = r.left + fx * r.width, y = r.top + fy * r.height;
    if (document.elementFromPoint(x, y) === el) return [x, y];
  }
  return null;
}"""


def leaflet_tooltip_texts(page, wanted: set[str], tip_timeout_ms: int = 2_000,
                          timeout_s: float = 90.0) -> set[str]:
    """Point at every shape of the Leaflet map (on a spot where that shape is on top, after
    the previous tooltip has closed) until the tooltips showed every text of ``wanted``;
    returns those seen. Goes round again while texts are missing and time is left, since
    the map may be redrawn under the pointer."""
    frame = page.frame_locator(LEAFLET_FRAME)
    paths = frame.locator("path.leaflet-interactive")
    paths.first.wait_for(timeout=60_000)
    tips = frame.locator(".leaflet-tooltip")
    seen: set[str] = set()
    deadline = time.monotonic() + timeout_s
    while seen != wanted and time.monotonic() < deadline:
        page.locator(LEAFLET_FRAME).scroll_into_view_if_needed()
        box = page.locator(LEAFLET_FRAME).bounding_box()
        for i in range(paths.count()):
            page.mouse.move(1, 1)
            tips.first.wait_for(state="detached", timeout=tip_timeout_ms)
            try:
                point = paths.nth(i).evaluate(_OWN_POINT, timeout=tip_timeout_ms)
            except Exception:  # the map was redrawn: the next round counts again
                break
            if point is None or box is None:
                continue
            page.mouse.move(box["x"] + point[0], box["y"] + point[1])
            try:
                tips.first.wait_for(state="visible", timeout=tip_timeout_ms)
            except Exception:  # no tooltip to read here
                continue
            text = tips.first.inner_text()
            seen |= {w for w in wanted if w in text}
            if seen == wanted:
                break
    return seen
