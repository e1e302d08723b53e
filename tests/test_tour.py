"""Tour scripts, presenter settings, the readiness check and offline mode (no Streamlit)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from app.projects import projects
from geodata import FetchError, Store, refresh
from geodata.config import load_settings
from geodata.fetch import get_json, make_session
from layers.deck import NAMED_VIEWS, MapView
from presenter import cli as present
from presenter.tour import (
    DEFAULT_TOUR,
    TourError,
    load_tour,
    parse_tour,
    phone_base_url,
    presenter_settings,
    readiness,
    step_problems,
)
from tests.helpers.mirror import MIRROR, MirrorServer, fast_settings, needs_mirror

GOOD_STEP = """\
  - page: karte
    layers: [indikator]
    indicator: einwohner
    year: 2023
    duration: 20
    caption:
      de: Ein Satz.
      en: One sentence.
"""


def _tour(steps: str = GOOD_STEP, head: str = "") -> str:
    return f"name:\n  de: Test\n  en: Test\n{head}steps:\n{steps}"


def test_the_default_tour_visits_the_map_and_all_seven_projects() -> None:
    tour = load_tour(DEFAULT_TOUR)
    pages = {s.page for s in tour.steps}
    assert {p.url_path for p in projects()} <= pages
    assert "karte" in pages
    assert tour.loop
    for step in tour.steps:
        assert step.caption_de and step.caption_en and step.caption_de != step.caption_en
        assert 5 <= step.duration <= 600
    # Offline events: every layer of the default tour comes from the mirror, none online-only.
    assert set(tour.datasets()) <= {"stadtbereiche", "bevoelkerung", "wasser"}


@pytest.mark.parametrize(("steps", "line", "reason"), [
    (GOOD_STEP.replace("page: karte", "page: kartee"), 5, "unknown page 'kartee'"),
    (GOOD_STEP.replace("[indikator]", "[indikator, bäume]"), 6, "unknown layer 'bäume'"),
    (GOOD_STEP.replace("[indikator]", "[bedarf]"), 6, "belongs to a project page"),
    (GOOD_STEP.replace("einwohner", "einwohnerzahl"), 7, "unknown indicator"),
    (GOOD_STEP.replace("2023", "'2023'"), 8, "year is a year"),
    (GOOD_STEP.replace("duration: 20", "duration: 2"), 9, "outside 5–600 s"),
    (GOOD_STEP.replace("    duration: 20\n", ""), 5, "duration (seconds) is missing"),
    (GOOD_STEP.replace("      en: One sentence.\n", ""), 10, "has no 'en' text"),
    (GOOD_STEP.replace("One sentence.", "x" * 300), 12, "at most 180"),
    (GOOD_STEP + "    district: Z\n", 13, "Stadtbereich code A–U"),
    (GOOD_STEP + "    view: mond\n", 13, "unknown view 'mond'"),
    (GOOD_STEP + "    view: {lat: 52.5, lon: 13.4, zoom: 11}\n", 13, "lat 52.5 is outside"),
    (GOOD_STEP + "    colour: red\n", 13, "unknown key 'colour'"),
    (GOOD_STEP + "    year: 2022\n", 13, "'year' appears twice"),
    (GOOD_STEP.replace("    layers: [indikator]", "    layers: [indikator"), 7,
     "not valid YAML"),
])
def test_invalid_scripts_are_rejected_with_line_and_reason(steps: str, line: int,
                                                           reason: str) -> None:
    with pytest.raises(TourError) as err:
        parse_tour(_tour(steps), "bad.yaml")
    assert err.value.line == line, str(err.value)
    assert reason in err.value.reason
    assert str(err.value).startswith(f"bad.yaml:{line}: ")


@pytest.mark.parametrize(("text", "reason"), [
    ("- just a list\n", "a tour is a mapping"),
    ("steps: []\n", "has no name"),
    ("name: {de: A, en: B}\nsteps: []\n", "has no steps"),
    ("name: {de: A, en: B}\nloop: maybe\nsteps:\n" + GOOD_STEP, "loop is true or false"),
])
def test_invalid_tour_headers(text: str, reason: str) -> None:
    with pytest.raises(TourError, match=reason):
        parse_tour(text)


def test_a_missing_tour_file_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(TourError, match="cannot be read"):
        load_tour(tmp_path / "nope.yaml")


def test_defaults_come_from_the_project() -> None:
    tour = parse_tour(_tour("""\
  - page: begegnungszentren
    duration: 10
    caption: {de: A., en: B.}
"""))
    step = tour.steps[0]
    assert step.layers == ("indikator", "sbz")  # ui/projects.toml
    assert step.indicator == "anteil_65_plus"
    assert step.view == NAMED_VIEWS["stadt"]
    assert step.project.name == "Digitale Begegnungszentren"


def test_share_url_restores_the_view_on_the_page_itself() -> None:
    tour = parse_tour(_tour(GOOD_STEP + "    district: E\n    view: nordwest\n"))
    url = tour.steps[0].share_url("http://192.168.1.20:8501/", "en")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://192.168.1.20:8501/"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {"layers": "indikator", "indicator": "einwohner", "year": "2023",
                     "district": "E", "lang": "en", "at": NAMED_VIEWS["nordwest"].param()}
    assert MapView.parse(query["at"]) == NAMED_VIEWS["nordwest"]
    # The whole-city view is each page's own start view: no camera in the link.
    plain = parse_tour(_tour()).steps[0].share_url("http://h:1")
    assert "at=" not in plain and "lang=" not in plain


@pytest.mark.parametrize(("configured", "page", "lan", "expected"), [
    ("http://10.0.0.5:8501/", "http://localhost:8501/praesentation", "192.168.1.7",
     "http://10.0.0.5:8501"),
    ("", "http://localhost:8501/praesentation?step=2", "192.168.1.7",
     "http://192.168.1.7:8501"),
    ("", "http://127.0.0.1:9000/praesentation", "127.0.0.1", "http://127.0.0.1:9000"),
    ("", "https://dashboard.rostock.example/praesentation", "192.168.1.7",
     "https://dashboard.rostock.example"),
    ("", None, None, "http://localhost:8501"),
])
def test_the_address_for_phones(configured: str, page: str | None, lan: str | None,
                                expected: str) -> None:
    assert phone_base_url(configured, page, lan) == expected


@pytest.mark.parametrize("text", ["54.1,12.1", "54.1,12.1,40", "nan,12.1,11", "a,b,c",
                                  "54.1,12.1,11,80,0"])
def test_a_camera_outside_rostock_or_malformed_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        MapView.parse(text)


def test_presenter_settings_file_and_environment(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "presenter.toml"
    cfg.write_text('[presenter]\nbase_url = "http://10.0.0.5:8501"\nidle_seconds = 90\n')
    monkeypatch.delenv("PRESENTER_BASE_URL", raising=False)
    monkeypatch.setenv("PRESENTER_TIME_SCALE", "0.25")
    s = presenter_settings(cfg)
    assert (s.base_url, s.idle_seconds, s.time_scale) == ("http://10.0.0.5:8501", 90.0, 0.25)
    monkeypatch.setenv("PRESENTER_IDLE_S", "soon")
    with pytest.raises(ValueError, match="idle_seconds must be a number"):
        presenter_settings(cfg)


# -- readiness ---------------------------------------------------------------------------


@needs_mirror
def test_readiness_lists_what_is_missing_or_stale(store_copy: Path) -> None:
    settings = fast_settings(store_copy, None)
    tour = load_tour(DEFAULT_TOUR)
    rows = {r.dataset: r for r in readiness(tour, settings, 30)}
    assert {r.status for r in rows.values()} == {"ok"}
    assert rows["wasser"].steps == tuple(range(1, 10))
    # A dataset gone from the store, another one not checked for two months.
    store = Store(settings)
    store.meta_path("wasser").unlink()
    later = datetime.now(UTC) + timedelta(days=60)
    rows = {r.dataset: r for r in readiness(tour, settings, 30, now=later)}
    assert rows["wasser"].status == "missing"
    assert rows["stadtbereiche"].status == "stale"
    assert "60 days" in rows["stadtbereiche"].note


@needs_mirror
def test_step_problems_name_unpublished_years(store_copy: Path) -> None:
    tour = parse_tour(_tour(GOOD_STEP.replace("2023", "1999")))
    problems = step_problems(tour, fast_settings(store_copy, None))
    assert problems and "einwohner is not published for 1999" in problems[0]


@needs_mirror
def test_check_command_exit_codes(store_copy: Path, monkeypatch: pytest.MonkeyPatch,
                                  capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    monkeypatch.setenv("GEODATA_DIR", str(store_copy))
    monkeypatch.delenv("GEODATA_MIRROR", raising=False)
    assert present.main(["check"]) == 0
    assert "READY" in capsys.readouterr().out
    (store_copy / "store" / "bevoelkerung.json").unlink()
    assert present.main(["check", str(DEFAULT_TOUR)]) == 1
    out = capsys.readouterr().out
    assert "MISSING: bevoelkerung" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text(_tour(GOOD_STEP.replace("karte", "mond")))
    assert present.main(["check", str(bad)]) == 2
    assert "bad.yaml:5: step 1: unknown page 'mond'" in capsys.readouterr().err


# -- offline mode ------------------------------------------------------------------------


def test_offline_mode_never_leaves_the_machine(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEODATA_OFFLINE", "1")
    settings = load_settings(data_dir=tmp_path)
    assert settings.offline
    with pytest.raises(FetchError, match=r"offline mode: www\.pegelonline\.wsv\.de is not asked"):
        get_json("https://www.pegelonline.wsv.de/webservices/rest-api/v2/stations.json",
                 make_session(settings), settings)
    # The official host is refused before any connection; the dataset keeps its old state.
    (outcome,) = refresh(["stadtbereiche"], settings.with_(mirror=None))
    assert not outcome.ok and "offline mode" in outcome.message


@needs_mirror
def test_offline_mode_still_uses_a_mirror_on_loopback(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    server = MirrorServer(MIRROR)
    try:
        settings = fast_settings(tmp_path, server.url).with_(offline=True)
        (outcome,) = refresh(["stadtbereiche"], settings)
    finally:
        server.close()
    assert outcome.ok, outcome.message
    meta = json.loads((tmp_path / "store" / "stadtbereiche.json").read_text())
    assert meta["rows"] == 21


def test_make_present_is_documented() -> None:
    root = Path(__file__).resolve().parent.parent
    assert "present:" in (root / "Makefile").read_text()
    assert "make present" in (root / "README.md").read_text()
