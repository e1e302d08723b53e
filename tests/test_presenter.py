"""AppTest of the presenter view: steps, captions, counter, buttons, QR link, bad scripts."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from presenter.tour import DEFAULT_TOUR, load_tour
from tests.helpers.app import run_app
from tests.helpers.mirror import needs_mirror
from text import escape_text

pytestmark = needs_mirror
PAGE = "pages/vortrag.py"
BASE = "http://192.168.178.20:8501"
TOUR = load_tour(DEFAULT_TOUR)


@pytest.fixture
def presenter_env(app_env: Path, store_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The good store's data without built profiles (whether another test built them
    first must not matter; tests/test_profiles.py covers the QR code with profiles)."""
    monkeypatch.setenv("GEODATA_DIR", str(store_copy))
    monkeypatch.setenv("PRESENTER_BASE_URL", BASE)
    monkeypatch.delenv("PRESENTER_TOUR", raising=False)
    return store_copy


def _html(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def _counter(at) -> tuple[int, int]:
    m = re.search(r'class="tour-counter" data-step="(\d+)" data-total="(\d+)"', _html(at))
    assert m, "no step counter"
    return int(m.group(1)), int(m.group(2))


def _qr_url(at) -> str:
    m = re.search(r'<img src="data:image/png;base64,[^"]+" alt="[^"]+" data-url="([^"]+)"',
                  _html(at))
    assert m, "no QR code"
    return m.group(1).replace("&amp;", "&")


def _open_directly(page: str, **params: str):
    """A fresh session whose first request is a shared link to ``page``."""
    from streamlit.testing.v1 import AppTest

    from tests.helpers.app import APP

    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_first_step_shows_caption_counter_map_legend_and_qr(presenter_env: Path) -> None:
    at = run_app(PAGE)
    step = TOUR.steps[0]
    html = _html(at)
    assert _counter(at) == (1, len(TOUR.steps))
    assert f"Schritt 1 von {len(TOUR.steps)}" in html
    # German large, English below it
    assert escape_text(step.caption_de) in html and escape_text(step.caption_en) in html
    assert 'class="legend"' in html and "Einwohnerinnen und Einwohner" in html
    assert "am höchsten in Stadtmitte" in html  # the summary sentence, computed from data
    # The same source line as under any map: the data's own date and the retrieval day.
    assert "Datenstand 31.12.2023 · abgerufen " in html
    assert re.search(r"abgerufen \d\d\.\d\d\.\d{4}\.", html)  # German date
    chart = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    view = chart["initialViewState"]
    assert (view["latitude"], view["longitude"]) == (step.view.lat, step.view.lon)
    assert _qr_url(at) == step.share_url(BASE)


def test_a_link_opens_a_step_and_the_buttons_turn_and_loop(presenter_env: Path) -> None:
    n = len(TOUR.steps)
    at = run_app(PAGE, params_after_switch=True, step="5")
    assert _counter(at) == (5, n)
    assert "Wasser. Warnow. Wir." in _html(at)
    at.button(key="tour_next").click().run()
    assert _counter(at) == (6, n)
    assert escape_text(TOUR.steps[5].caption_de) in _html(at)
    assert at.query_params["step"] == "6"
    for _ in range(6):
        at.button(key="tour_prev").click().run()
    assert _counter(at) == (n, n)  # back past the first step: the tour loops
    at.button(key="tour_next").click().run()
    assert _counter(at) == (1, n)


def test_english_and_the_language_button(presenter_env: Path) -> None:
    at = run_app(PAGE, lang="en", step="2")
    html = _html(at)
    assert f"Step 2 of {len(TOUR.steps)}" in html
    assert html.index(escape_text(TOUR.steps[1].caption_en)) < \
        html.index(escape_text(TOUR.steps[1].caption_de))
    query = parse_qs(urlsplit(_qr_url(at)).query)  # no profiles: the step's app view
    assert query["lang"] == ["en"] and query["district"] == ["E"]
    at.button(key="tour_lang").click().run()
    assert f"Schritt 2 von {len(TOUR.steps)}" in _html(at)


def test_a_broken_tour_is_named_not_shown(presenter_env: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    bad = tmp_path / "kaputt.yaml"
    bad.write_text(DEFAULT_TOUR.read_text().replace("page: stadtlabor", "page: labor", 1))
    monkeypatch.setenv("PRESENTER_TOUR", str(bad))
    at = run_app(PAGE)
    assert at.error and "kaputt.yaml:" in at.error[0].value
    assert "unknown page 'labor'" in at.error[0].value
    assert not at.get("deck_gl_json_chart")


def test_a_shared_camera_reaches_the_map_page(presenter_env: Path) -> None:
    step = TOUR.steps[1]  # Rostock App, Lütten Klein, view nordwest
    query = {k: v[0] for k, v in parse_qs(urlsplit(step.share_url(BASE)).query).items()}
    at = _open_directly("pages/projekt_app.py", **query)
    chart = json.loads(at.get("deck_gl_json_chart")[0].proto.json)
    view = chart["initialViewState"]
    assert (view["latitude"], view["longitude"], view["zoom"]) == \
        (step.view.lat, step.view.lon, step.view.zoom)
    assert at.selectbox(key="w_district").value == "E"
    assert at.selectbox(key="w_indicator").value == "durchschnittsalter"
    # A camera outside Rostock is ignored, not obeyed.
    at = _open_directly("pages/projekt_app.py", at="52.52,13.40,11")
    view = json.loads(at.get("deck_gl_json_chart")[0].proto.json)["initialViewState"]
    assert round(view["latitude"], 2) != 52.52
