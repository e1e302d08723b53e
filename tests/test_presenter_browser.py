"""The presenter view in real headless Chromium, started the way `make present` does.

Runs the default tour with shortened durations (PRESENTER_TIME_SCALE), turns steps with the
keys a presentation clicker sends, reads the QR code off the screen and opens its link.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path

import pytest
from playwright.sync_api import expect

from presenter.tour import DEFAULT_TOUR, load_tour
from tests.helpers.browser import (
    ARTIFACTS,
    BROWSER,
    WATER_RGB,
    Watched,
    no_console_errors,
    steady_screenshot,
    watch,
)
from tests.helpers.mirror import DATA_ONLY, ROOT
from tests.helpers.net import free_port, holds, poll_until, wait_healthy

pytestmark = BROWSER
TOUR = load_tour(DEFAULT_TOUR)
SCALE = 0.15  # 20 s steps take 3 s
LAND_RGB = (0xF4, 0xF1, 0xEA)  # layers.basemap's land colour
IDLE_S = 8  # long enough that no auto-advance slips between two key presses


@pytest.fixture(scope="module")
def present_app(tmp_path_factory: pytest.TempPathFactory, good_store: Path) -> Iterator[str]:
    """`python -m presenter serve` on a copy of the store, offline, on a free port."""
    ARTIFACTS.mkdir(exist_ok=True)
    store = tmp_path_factory.mktemp("present") / "data"
    shutil.copytree(good_store, store, ignore=DATA_ONLY)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "GEODATA_DIR": str(store), "PRESENTER_TIME_SCALE": str(SCALE),
           "PRESENTER_IDLE_S": str(IDLE_S), "PRESENTER_BASE_URL": url}
    env.pop("GEODATA_MIRROR", None)
    env.pop("PRESENTER_TOUR", None)
    log = (ARTIFACTS / f"present-{port}.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "presenter", "serve", "--port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_healthy(url, proc, what=f"presenter.cli (log: {log.name})")
    except RuntimeError:
        proc.kill()
        raise
    yield url
    proc.terminate()
    proc.wait(10)
    text = (ARTIFACTS / f"present-{port}.log").read_text()
    assert "READY" in text  # the readiness check ran before the server started


@pytest.fixture
def big_screen(browser) -> Iterator[Watched]:
    yield from watch(browser, 1920, 1080)


def _step(page) -> int:
    return int(page.locator(".tour-counter").get_attribute("data-step") or 0)


def _status(page) -> str:
    """The controller's line (a replaced step's controller may linger, silent, for a moment)."""
    return " ".join(page.locator(".tour-status").all_inner_texts()).strip()


def _wait_step(page, n: int, timeout_s: float = 20) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        page.wait_for_function(
            f"() => document.querySelector('.tour-counter')?.dataset.step === '{n}'",
            timeout=timeout_s * 1000)
    except PlaywrightTimeout:
        raise AssertionError(f"expected step {n}, the screen shows {_step(page)} "
                             f"({_status(page)!r})") from None


def _map_drawn(page, timeout_s: float = 30) -> None:
    """The map and its offline basemap have painted: a good part of the map area shows the
    basemap's land or water colour (before that, the dark page shows through)."""
    from PIL import Image

    page.wait_for_function(
        "() => [...document.querySelectorAll(\"[data-testid='stDeckGlJsonChart'] canvas\")]"
        ".some(c => c.width > 100)", timeout=60_000)
    box = page.locator("[data-testid='stDeckGlJsonChart']").first.bounding_box()
    shares = [0.0]

    def painted() -> bool:
        img = Image.open(BytesIO(page.screenshot(clip=box))).convert("RGB").resize((96, 64))
        pixels = [img.getpixel((x, y)) for y in range(64) for x in range(96)]
        shares.append(sum(1 for px in pixels
                          if any(sum(abs(a - b) for a, b in zip(px, ref, strict=True)) < 24
                                 for ref in (LAND_RGB, WATER_RGB))) / len(pixels))
        return shares[-1] > 0.05

    try:
        poll_until(painted, timeout_s, "the offline basemap", interval=0.3)
    except AssertionError:
        raise AssertionError(f"the offline basemap did not draw ({shares[-1]:.0%} basemap "
                             "colours)") from None


def test_the_tour_advances_by_itself_and_the_keys_turn_it(present_app: str,
                                                          big_screen: Watched) -> None:
    page = big_screen.page
    page.goto(f"{present_app}/praesentation")
    page.locator(".tour-counter").wait_for(timeout=90_000)
    # Auto-advance: 1 → 2 → 3 → 4, each after (about) its scaled duration, none skipped.
    seen, changed_at = [_step(page)], [time.time()]

    def four_steps() -> bool:
        now = _step(page)
        if now != seen[-1]:
            seen.append(now)
            changed_at.append(time.time())
        return len(seen) >= 4

    with contextlib.suppress(AssertionError):  # the assertion below says what was seen
        poll_until(four_steps, 90, "four steps", interval=0.1)
    assert seen == [1, 2, 3, 4], seen
    shortest = min(b - a for a, b in itertools.pairwise(changed_at))
    # (generous: on a loaded machine the browser may show a step late, shortening its time)
    assert shortest >= TOUR.steps[0].duration * SCALE * 0.4, changed_at
    assert _status(page).startswith("weiter in")
    _map_drawn(page)

    # Any input pauses the tour (here a key that turns nothing) ...
    page.keyboard.press("Shift")
    expect(page.locator(".tour-status").filter(has_text="pausiert")).to_have_count(1)
    n = _step(page)
    # ... and a clicker's keys turn it: next = → / Page Down / space, previous = ← / Page Up.
    for key, delta in (("ArrowRight", 1), ("ArrowLeft", -1), ("PageDown", 1), ("PageUp", -1),
                       ("Space", 1)):
        page.keyboard.press(key)
        n += delta
        try:
            _wait_step(page, n, 10)
        except AssertionError as exc:
            raise AssertionError(f"after {key}: {exc}") from None
    last_input = time.time()
    # It stays on this step while the visitor is busy ...
    expect(page.locator(".tour-status").filter(has_text="pausiert")).to_have_count(1)
    assert holds(lambda: _step(page) == n, last_input + IDLE_S - 3 - time.time()), \
        "the tour moved on while the visitor was busy"
    expect(page.locator(".tour-caption")).to_contain_text(TOUR.steps[n - 1].caption_de,
                                                          timeout=30_000)
    # F switches the big screen to full screen and back.
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement !== null", timeout=5000)
    page.keyboard.press("f")
    page.wait_for_function("() => document.fullscreenElement === null", timeout=5000)
    assert _step(page) == n
    # ... and goes on by itself after the idle time.
    _wait_step(page, n + 1, IDLE_S + TOUR.steps[n - 1].duration * SCALE + 10)
    no_console_errors(big_screen)


def test_screenshots_of_every_step_at_1920x1080(present_app: str,
                                                big_screen: Watched) -> None:
    page = big_screen.page
    for n in range(1, len(TOUR.steps) + 1):
        page.goto(f"{present_app}/praesentation?step={n}&auto=0")
        _wait_step(page, n, 90)
        _map_drawn(page)
        steady_screenshot(page, path=str(ARTIFACTS / f"presenter-step-{n}.png"))
        # Nothing cut off: caption, legend, QR code and the buttons lie inside the screen.
        for selector in (".tour-caption", ".tour-counter", ".legend", ".tour-qr img",
                         ".tour-sources"):
            box = page.locator(selector).first.bounding_box()
            assert box, selector
            assert box["x"] >= 0 and box["y"] >= 0, selector
            assert box["x"] + box["width"] <= 1920 and box["y"] + box["height"] <= 1080, \
                (n, selector, box)
        next_button = page.get_by_role("button", name="Weiter ▶").bounding_box()
        assert next_button and next_button["y"] + next_button["height"] <= 1080
        # Large type: the caption is at least 32 px high (readable from about five metres).
        size = page.locator(".tour-caption").evaluate("e => parseFloat(getComputedStyle(e)"
                                                      ".fontSize)")
        assert size >= 32, size
    no_console_errors(big_screen)


@pytest.mark.parametrize("n", [1, 2])
def test_the_qr_code_hands_the_view_to_a_phone(present_app: str, big_screen: Watched,
                                                n: int) -> None:
    import zxingcpp
    from PIL import Image

    page = big_screen.page
    page.goto(f"{present_app}/praesentation?step={n}&auto=0")
    _wait_step(page, n, 90)
    qr = page.locator(".tour-qr img")
    qr.wait_for()
    png = qr.screenshot()
    codes = zxingcpp.read_barcodes(Image.open(BytesIO(png)).convert("L"))
    assert len(codes) == 1, "the QR code on the screen cannot be read"
    url = codes[0].text
    step = TOUR.steps[n - 1]
    assert url == step.share_url(present_app)
    assert url == qr.get_attribute("data-url")
    assert page.locator("a.tour-link").inner_text() == url

    phone = page.context.new_page()
    phone.set_viewport_size({"width": 412, "height": 915})
    phone.goto(url)
    if step.page == "karte":
        phone.get_by_role("heading", name="Rostock auf der Karte").wait_for(timeout=90_000)
    else:
        phone.get_by_role("heading", name=f"{step.project.icon} {step.project.name}") \
            .wait_for(timeout=90_000)
    phone.locator("[data-testid='stDeckGlJsonChart'] canvas").first.wait_for(timeout=60_000)
    # The pickers took the link's values (a selectbox shows its choice in its input).
    labels = {"einwohner": "Einwohnerinnen und Einwohner",
              "durchschnittsalter": "Durchschnittsalter"}
    select = phone.get_by_test_id("stSelectbox")
    expect(select.filter(has_text="Kennwert").locator("input")).to_have_value(
        labels[step.indicator], timeout=30_000)
    if step.district:
        expect(select.filter(has_text="Stadtbereich").locator("input")).to_have_value(
            "Lütten Klein")
    if step.year and step.page == "karte":
        year = phone.get_by_test_id("stSlider").filter(has_text="Jahr").get_by_role("slider")
        expect(year).to_have_attribute("aria-valuetext", str(step.year))
    phone.screenshot(path=str(ARTIFACTS / f"presenter-handoff-{n}.png"))
    phone.close()
    no_console_errors(big_screen)
