"""Every page in both languages says everything in that language: no words of the other
one, numbers the page's way (German 1.234,5 and −1,10), no "None", "nan" or "NaT".

AppTest reads what the page sends: titles, texts, captions, alerts, metrics, tables, widget
labels and options, chart titles and map tooltips. The browser's rendered text (chart axes
drawn by Vega) is checked by tests/test_a11y.py with the same word lists
(tests/helpers/language.py).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from tests.helpers.app import page_scripts, run_app
from tests.helpers.language import problems
from tests.helpers.mirror import needs_mirror
from tests.helpers.net import free_port

pytestmark = [needs_mirror, pytest.mark.usefixtures("app_env")]
SCRIPTS = [script for script, _url in page_scripts()]
CHART_KEYS = {"title", "subtitle", "description", "text"}


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """As at an event without internet: PEGELONLINE and the online datasets unreachable."""
    monkeypatch.setenv("PEGELONLINE_URL", f"http://127.0.0.1:{free_port()}/api")
    monkeypatch.setenv("PRESENTER_BASE_URL", "http://rostock.example")


def _chart_strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in CHART_KEYS and isinstance(value, str | list):
                yield from ([value] if isinstance(value, str) else
                            [v for v in value if isinstance(v, str)])
            yield from _chart_strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _chart_strings(item)


def page_text(at: AppTest) -> str:
    """Everything a visitor can read on the page, one piece per line."""
    out: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "caption", "info", "warning",
                 "error", "success"):
        out += [e.value for e in getattr(at, kind)]
    for m in at.metric:
        out += [m.proto.label, m.proto.body, m.proto.delta, m.proto.help]
    for frame in at.dataframe:
        table = frame.value
        out += [str(c) for c in table.columns]
        out += [str(v) for v in table.to_numpy().ravel()]
    for kind in ("selectbox", "radio", "select_slider", "multiselect"):
        for w in getattr(at, kind):
            out += [w.proto.label, *map(str, w.options)]
    for kind in ("slider", "toggle", "button", "expander", "tabs"):
        out += [w.proto.label for w in getattr(at, kind)]
    for kind in ("page_link", "download_button"):
        out += [w.proto.label for w in at.get(kind)]
    for group in at.get("button_group"):
        out += [group.proto.label, *(o.content for o in group.proto.options)]
    for chart in at.get("vega_lite_chart"):
        out += list(_chart_strings(json.loads(chart.proto.spec)))
    for deck in at.get("deck_gl_json_chart"):
        for layer in json.loads(deck.proto.json).get("layers", []):
            for feature in layer.get("data") or []:
                props = feature.get("properties", feature) if isinstance(feature, dict) else {}
                out.append(str(props.get("tip_text", "")))
    return "\n".join(x for x in out if x)


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize("script", SCRIPTS, ids=lambda s: s.split("/")[-1][:-3])
def test_every_page_speaks_one_language(script: str, lang: str) -> None:
    at = run_app(script, lang=lang) if script != SCRIPTS[0] else run_app(lang=lang)
    text = page_text(at)
    assert len(text) > 200, "the page showed almost nothing"
    found = problems(text, lang)
    assert not found, "\n".join(found[:25])


# Other states that bring their own texts: every overview layer and a district profile, the
# app page with a district, the heat step of the tour, the Leaflet view.
STATES = [
    ("pages/uebersicht.py", {"layers": "indikator,hitze,wasserflaechen,warnow,uferbezirke,"
                                       "orte_wasser,ortsteile", "district": "E",
                             "indicator": "veraenderung_vorjahr"}),
    ("pages/uebersicht.py", {"view": "leaflet", "layers": "hitze", "scheme": "natural_breaks"}),
    ("pages/projekt_app.py", {"district": "N"}),
    ("pages/vortrag.py", {}),  # turned to the heat step below
]
TOUR_HEAT_STEP = 6


@pytest.mark.parametrize("lang", ["de", "en"])
@pytest.mark.parametrize(("script", "params"), STATES,
                         ids=["overview-all-layers", "leaflet", "app-district", "tour-heat"])
def test_other_states_speak_one_language(script: str, params: dict[str, str],
                                         lang: str) -> None:
    at = run_app(None if script == SCRIPTS[0] else script, lang=lang, **params)
    if script == "pages/vortrag.py":
        for _ in range(TOUR_HEAT_STEP - 1):
            at.button(key="tour_next").click().run()
        assert any(f'data-step="{TOUR_HEAT_STEP}"' in m.value for m in at.markdown)
    found = problems(page_text(at), lang)
    assert not found, "\n".join(found[:25])


def test_the_checks_catch_what_they_look_for() -> None:
    """The word and number checks fail on the mistakes of issue 16 (a check that cannot
    fail proves nothing)."""
    assert problems("PEGELONLINE is not reachable (no internet?)", "de")
    assert problems("Lizenz: frei mit Quellenangabe", "en")
    assert problems("Haedgehalbinsel mit HafenSport", "en")
    assert problems("Größte Unterschiede: Dichte (-1.10)", "de")
    assert problems("Einwohner 211,692", "de") and problems("Residents 211.692", "en")
    assert problems("retrieved 06.12.2026", "en") and problems("abgerufen 2026-12-06", "de")
    assert problems("Stand: None", "de") and problems("Wert nan", "de")
    assert not problems("Datenstand 31.12.2023 · abgerufen 06.12.2026; −1,10; 1.234,5; "
                        "Lizenz: CC0 1.0", "de")
    assert not problems("Data as of 2023-12-31 · retrieved 2026-12-06; -1.10; 1,234.5; "
                        "Hanse- und Universitätsstadt Rostock (OpenData.HRO)", "en")
