"""The live gauge against a small fake PEGELONLINE on loopback: look-up, caches, failures."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from geodata import FetchError, GeodataError, Settings, ValidationError, sea
from geodata import pegelonline as po
from geodata.fetch import get_json, make_session
from tests.helpers.mirror import ROOT, fast_settings
from tests.helpers.net import free_port
from tests.helpers.pegel import API, OTHER, UUID, FakePegel, reading


@pytest.fixture
def fake() -> Iterator[FakePegel]:
    server = FakePegel()
    yield server
    server.close()


@pytest.fixture
def settings(tmp_path: Path, fake: FakePegel) -> Settings:
    return fast_settings(tmp_path / "data", None).with_(extra={"pegelonline_url": fake.url})


def down(settings: Settings) -> Settings:
    """The same data folder, but the service refuses connections."""
    dead = f"http://127.0.0.1:{free_port()}{API}"
    return settings.with_(extra={"pegelonline_url": dead})


def stations_file(settings: Settings) -> Path:
    return settings.data_dir / "live" / "pegelonline_stations.json"


def level_file(settings: Settings) -> Path:
    return settings.data_dir / "live" / f"pegelonline_{UUID}.json"


def age_file(path: Path, field: str, by: timedelta, under: str | None = None) -> None:
    data = json.loads(path.read_text(encoding="utf-8"))
    records = data[under].values() if under else [data]
    for rec in records:
        rec[field] = (datetime.fromisoformat(rec[field]) - by).isoformat()
    path.write_text(json.dumps(data), encoding="utf-8")


# --- base URL -------------------------------------------------------------------------------


def test_base_url_from_settings_then_environment_then_default(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    plain = fast_settings(tmp_path, None)
    monkeypatch.delenv(po.ENV_URL, raising=False)
    assert po.api_base(plain) == "https://www.pegelonline.wsv.de/webservices/rest-api/v2"
    monkeypatch.setenv(po.ENV_URL, "http://127.0.0.1:9/x/")
    assert po.api_base(plain) == "http://127.0.0.1:9/x"
    assert po.api_base(plain.with_(extra={"pegelonline_url": "http://h/y"})) == "http://h/y"


def test_environment_variable_reaches_the_server(
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path, fake: FakePegel) -> None:
    monkeypatch.setenv(po.ENV_URL, fake.url)
    station = po.find_station(settings=fast_settings(tmp_path, None))
    assert station.uuid == UUID and fake.log


# --- station look-up ------------------------------------------------------------------------


def test_find_station_picks_the_exact_name_on_the_right_water(
        settings: Settings, fake: FakePegel) -> None:
    station = po.find_station(settings=settings)
    assert station.uuid == UUID and station.number == "9999001"
    assert (station.shortname, station.water) == ("WARNEMÜNDE", "OSTSEE")
    assert (station.lat, station.lon) == (54.18, 12.103)
    assert station.retrieved_at.tzinfo is not None
    # one request, the umlaut sent as UTF-8 percent-encoding
    assert fake.log == [f"{API}/stations.json?fuzzyId=WARNEM%C3%9CNDE"]


def test_find_station_falls_back_to_the_water_list(settings: Settings,
                                                   fake: FakePegel) -> None:
    fake.ascii_fuzzy_only = True  # as if the fuzzy search ignored non-ASCII names
    assert po.find_station(settings=settings).uuid == UUID
    assert fake.log[-1] == f"{API}/stations.json?waters=OSTSEE"


def test_find_station_is_cached_for_30_days(settings: Settings, fake: FakePegel) -> None:
    first = po.find_station(settings=settings)
    assert json.loads(stations_file(settings).read_text(encoding="utf-8"))["version"] == 1
    assert not list(stations_file(settings).parent.glob(".*tmp"))
    calls = len(fake.log)
    assert po.find_station("Warnemünde", "Ostsee", settings=settings) == first
    assert len(fake.log) == calls  # no request

    age_file(stations_file(settings), "retrieved_at", timedelta(days=29), under="stations")
    po.find_station(settings=settings)
    assert len(fake.log) == calls

    age_file(stations_file(settings), "retrieved_at", timedelta(days=2), under="stations")
    again = po.find_station(settings=settings)
    assert len(fake.log) == calls + 1  # stale: asked again
    assert again.retrieved_at > first.retrieved_at - timedelta(seconds=1)


def test_stale_station_is_used_when_the_network_is_down(settings: Settings) -> None:
    po.find_station(settings=settings)
    age_file(stations_file(settings), "retrieved_at", timedelta(days=90), under="stations")
    assert po.find_station(settings=down(settings)).uuid == UUID


def test_unknown_station_is_not_found(settings: Settings) -> None:
    with pytest.raises(po.GaugeError) as info:
        po.find_station("ROSTOCK", "UNTERWARNOW", settings=settings)
    assert info.value.kind == "not found"
    assert str(info.value) == "pegelonline: PEGELONLINE has no gauge named ROSTOCK on UNTERWARNOW."
    assert not stations_file(settings).exists()


def test_no_network_and_no_cache_says_not_reachable(settings: Settings) -> None:
    with pytest.raises(po.GaugeError) as info:
        po.current_level(settings=down(settings))
    err = info.value
    assert isinstance(err, GeodataError) and err.kind == "unavailable"
    text = str(err)
    assert text.startswith("pegelonline: PEGELONLINE is not reachable, so the gauge "
                           "WARNEMÜNDE (OSTSEE) could not be looked up and none is stored: ")
    assert "refused the connection" in text and text.endswith(".")
    assert "Traceback" not in text and "HTTPConnectionPool" not in text


def test_station_list_that_is_not_a_list_is_a_validation_error(
        settings: Settings, fake: FakePegel) -> None:
    fake.faults["stations.json"] = (200, b'{"error": "maintenance"}')
    with pytest.raises(ValidationError, match="not a JSON list"):
        po.find_station(settings=settings)


# --- current level --------------------------------------------------------------------------


def test_current_level_with_height_above_mean_water_and_class(
        settings: Settings, fake: FakePegel) -> None:
    fake.levels[UUID] = reading(612.0, "2025-10-23T10:00:00+02:00")
    level = po.current_level(settings=settings)
    assert level.value_cm == 612.0 and level.above_mw_cm == 105.0
    assert level.surge_class == ("Sturmflut", "storm surge")
    assert level.timestamp == datetime(2025, 10, 23, 8, 0, tzinfo=UTC)
    assert level.timestamp.utcoffset() == timedelta(hours=2)
    assert level.state_mnw_mhw == "normal"
    assert not level.from_cache and level.error is None
    assert level.station.uuid == UUID
    assert fake.requests_to("currentmeasurement.json") == [
        f"{API}/stations/{UUID}/W/currentmeasurement.json"]
    stored = json.loads(level_file(settings).read_text(encoding="utf-8"))
    assert stored["measurement"]["value"] == 612.0


def test_normal_level_has_no_surge_class(settings: Settings, fake: FakePegel) -> None:
    fake.levels[UUID] = reading(498)
    level = po.current_level(settings=settings)
    assert level.above_mw_cm == -9.0 and level.surge_class is None


def test_other_gauges_get_no_height_above_warnemuende_mean(
        settings: Settings, fake: FakePegel) -> None:
    fake.levels[OTHER["uuid"]] = reading(700)
    level = po.current_level("WISMAR", settings=settings)
    assert level.value_cm == 700 and level.above_mw_cm is None and level.surge_class is None


def test_reading_is_reused_within_max_age(settings: Settings, fake: FakePegel) -> None:
    first = po.current_level(settings=settings)
    fake.levels[UUID] = reading(700)
    second = po.current_level(settings=settings)
    assert len(fake.requests_to("currentmeasurement.json")) == 1
    assert second.value_cm == first.value_cm and second.from_cache and second.error is None
    assert second.fetched_at == first.fetched_at

    age_file(level_file(settings), "fetched_at", timedelta(seconds=601))
    third = po.current_level(settings=settings)
    assert third.value_cm == 700 and not third.from_cache
    assert len(fake.requests_to("currentmeasurement.json")) == 2
    assert po.current_level(settings=settings, max_age_s=0).value_cm == 700
    assert len(fake.requests_to("currentmeasurement.json")) == 3


def test_network_down_returns_the_stored_reading(settings: Settings) -> None:
    first = po.current_level(settings=settings)
    age_file(level_file(settings), "fetched_at", timedelta(hours=3))
    level = po.current_level(settings=down(settings))
    assert level.from_cache and level.value_cm == first.value_cm
    assert level.fetched_at == first.fetched_at - timedelta(hours=3)
    assert level.error and "refused the connection" in level.error


@pytest.mark.parametrize("status", [500, 404])
def test_http_errors_without_a_stored_reading(settings: Settings, fake: FakePegel,
                                              status: int) -> None:
    po.find_station(settings=settings)
    fake.faults["currentmeasurement.json"] = (status, b"{}")
    with pytest.raises(po.GaugeError) as info:
        po.current_level(settings=settings)
    text = str(info.value)
    assert f"HTTP {status}" in text
    if status == 500:
        assert info.value.kind == "unavailable"
        assert text.startswith("pegelonline: PEGELONLINE answered with an error and no "
                               "earlier reading of WARNEMÜNDE is stored: ")
        assert len(fake.requests_to("currentmeasurement.json")) == 3  # retried twice
    else:
        assert info.value.kind == "not found"
        # the UUID may be outdated: the next call looks the gauge up again
        assert po.find_station(settings=settings) and fake.requests_to("stations.json")[1:]


def test_http_500_with_a_stored_reading_returns_it(settings: Settings,
                                                   fake: FakePegel) -> None:
    po.current_level(settings=settings)
    fake.faults["currentmeasurement.json"] = (500, b"")
    level = po.current_level(settings=settings, max_age_s=0)
    assert level.from_cache and "HTTP 500" in (level.error or "")


@pytest.mark.parametrize(("body", "message"), [
    (b'{"timestamp": "2025-10-23T10:00:00+02:00", "val', "not valid JSON"),
    (b"", "was empty"),
    (json.dumps(reading("512")).encode(), "no plausible numeric value"),
    (json.dumps(reading(float("nan"))).encode(), "no plausible numeric value"),
    (json.dumps(reading(True)).encode(), "no plausible numeric value"),
    (json.dumps(reading(512, "yesterday")).encode(), "no readable timestamp"),
    (json.dumps(reading(512, "2025-10-23T10:00:00")).encode(), "with a time zone"),
    (b"[1, 2]", "not a JSON object"),
])
def test_invalid_answers_raise_and_keep_the_good_reading(
        settings: Settings, fake: FakePegel, body: bytes, message: str) -> None:
    po.current_level(settings=settings)
    good = level_file(settings).read_bytes()
    fake.faults["currentmeasurement.json"] = (200, body)
    with pytest.raises(ValidationError, match=message) as info:
        po.current_level(settings=settings, max_age_s=0)
    assert str(info.value).startswith("pegelonline: ") and "\n" not in str(info.value)
    assert level_file(settings).read_bytes() == good
    del fake.faults["currentmeasurement.json"]
    assert po.current_level(settings=settings).value_cm == 612.0


def test_broken_cache_files_count_as_none(settings: Settings, fake: FakePegel) -> None:
    po.current_level(settings=settings)
    stations_file(settings).write_text("{truncated", encoding="utf-8")
    level_file(settings).write_text('{"station_uuid": "x"', encoding="utf-8")
    level = po.current_level(settings=settings)
    assert not level.from_cache and level.value_cm == 612.0
    assert json.loads(stations_file(settings).read_text(encoding="utf-8"))["stations"]


# --- get_json and the thresholds ------------------------------------------------------------


def test_get_json_timeout_is_one_sentence(tmp_path: Path, fake: FakePegel) -> None:
    settings = fast_settings(tmp_path, None).with_(read_timeout=0.2, retries=0)
    fake.delay = 0.6
    with make_session(settings) as session, pytest.raises(FetchError) as info:
        get_json(f"{fake.url}/stations.json", session, settings)
    assert info.value.kind == "timeout"
    assert str(info.value) == ("pegelonline: the server stopped sending stations.json for "
                               "more than 0.2 s (timeout).")


def test_get_json_caps_the_size(tmp_path: Path, fake: FakePegel) -> None:
    settings = fast_settings(tmp_path, None)
    with make_session(settings) as session, pytest.raises(FetchError, match="larger than"):
        get_json(f"{fake.url}/stations.json", session, settings, max_bytes=100)


@pytest.mark.parametrize(("above", "expected"), [
    (-50, None), (99.9, None), (100, "Sturmflut"), (124.9, "Sturmflut"),
    (125, "mittlere Sturmflut"), (150, "schwere Sturmflut"), (199.9, "schwere Sturmflut"),
    (200, "sehr schwere Sturmflut"), (263, "sehr schwere Sturmflut"), (float("nan"), None),
])
def test_surge_class_thresholds(above: float, expected: str | None) -> None:
    result = sea.surge_class(above)
    assert (result[0] if result else None) == expected


def test_reference_values_and_source() -> None:
    assert {k: v.value_cm for k, v in po.REFERENCE.items()} == {
        "MW": 507, "MNW": 407, "MHW": 617, "HHW": 770, "NNW": 332}
    assert po.REFERENCE["HHW"].date.isoformat() == "1872-11-13"
    assert po.REFERENCE["NNW"].date.isoformat() == "1967-10-18"
    # the record high of 1872 counts as a very severe surge
    assert sea.surge_class(770 - 507) == ("sehr schwere Sturmflut", "very severe storm surge")
    assert sea.surge_class(617 - 507) == ("Sturmflut", "storm surge")
    assert po.SOURCE["licence"] == "Datenlizenz Deutschland – Zero – Version 2.0"
    assert "PEGELONLINE" in po.SOURCE["attribution"]


def test_pegelonline_imports_no_http_library() -> None:
    tree = ast.parse((ROOT / "geodata" / "pegelonline.py").read_text(encoding="utf-8"))
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
             for a in n.names}
    names |= {n.module.split(".")[0] for n in ast.walk(tree)
              if isinstance(n, ast.ImportFrom) and n.module and n.level == 0}
    assert not names & {"requests", "urllib3", "httpx", "http", "streamlit", "layers"}
