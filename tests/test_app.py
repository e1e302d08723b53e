"""AppTest for every page: real data, German by default, English on request."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, needs_mirror

pytestmark = needs_mirror
APP = str(ROOT / "dashboard.py")


@pytest.fixture
def app_env(monkeypatch: pytest.MonkeyPatch, good_store: Path) -> Path:
    monkeypatch.setenv("GEODATA_DIR", str(good_store))
    monkeypatch.delenv("GEODATA_MIRROR", raising=False)
    monkeypatch.chdir(ROOT)
    return good_store


def _run(page: str | None = None, lang: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    if lang:
        at.query_params["lang"] = lang
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def test_overview_lists_21_districts_with_population(app_env: Path) -> None:
    at = _run()
    df = at.dataframe[0].value
    assert len(df) == 21
    assert "Einwohner 2023" in df.columns
    row = df[df["Kürzel"] == "A"].iloc[0]
    assert row["Stadtbereich"] == "Warnemünde"
    assert row["Einwohner 2023"] == "8.512"  # German number format
    assert row["Fläche (km²)"] == "10,43"


def test_overview_in_english(app_env: Path) -> None:
    at = _run(lang="en")
    df = at.dataframe[0].value
    assert "Residents 2023" in df.columns
    assert df[df["Code"] == "A"].iloc[0]["Residents 2023"] == "8,512"


def test_data_page_shows_stand_and_licence_of_every_dataset(app_env: Path) -> None:
    at = _run("pages/daten.py")
    df = at.dataframe[0].value
    assert len(df) == 12
    districts = df[df["Datensatz"].str.startswith("Stadtbereiche")].iloc[0]
    assert districts["Lizenz"] == "CC0 1.0" and districts["Stand"]
    trees = df[df["Datensatz"] == "Baumkataster"].iloc[0]
    assert trees["Stand"] is None or trees["Stand"] != trees["Stand"]  # no copy: no date


def test_first_visit_fetches_the_data_it_needs(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, server
) -> None:
    monkeypatch.setenv("GEODATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEODATA_MIRROR", server.url)
    monkeypatch.chdir(ROOT)
    at = _run()
    assert len(at.dataframe[0].value) == 21
    fetched = {e.path.rsplit("/", 1)[-1] for e in server.log}
    assert "stadtbereiche.json" in fetched
    assert "bevoelkerungsstruktur_2023_insgesamt.csv" in fetched


def test_first_visit_offline_says_so_instead_of_crashing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("GEODATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GEODATA_MIRROR", "http://127.0.0.1:9")
    monkeypatch.chdir(ROOT)
    at = _run()
    warnings = [w.value for w in at.warning]
    assert any("stadtbereiche" in w and "Daten nicht verfügbar" in w for w in warnings)
    assert at.info[0].value == "Für diese Auswahl liegen keine Daten vor."
