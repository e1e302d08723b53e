"""The live sea level at Warnemünde from PEGELONLINE (WSV), with the reference values and
storm-surge classes needed to say what a reading means.

Why a module of its own: this is live data, not a catalogue dataset. There is no mirror, the
reading is minutes old at best, and the page must still show something when the service is
down. So the last good answers are kept as small JSON files under ``<data_dir>/live/``:

* ``pegelonline_stations.json``: the station records found by name (a gauge's UUID is not
  known offline), reused for :data:`STATION_MAX_AGE` without asking the network, and beyond
  that whenever the network fails;
* ``pegelonline_<uuid>.json``: the last valid reading of one gauge, reused for ``max_age_s``
  and whenever the network fails (then ``Level.from_cache`` is True and ``Level.error`` says
  why).

Only validated answers are written, so a broken reply never replaces a good copy. HTTP goes
through :func:`geodata.fetch.get_json`; this module imports no HTTP library.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import unicodedata
from dataclasses import asdict, dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from .config import Settings, load_settings
from .errors import FetchError, GeodataError, ValidationError, excerpt
from .fetch import get_json, make_session
from .sea import surge_class
from .storage import write_bytes_atomic

log = logging.getLogger(__name__)

DATASET = "pegelonline"
DEFAULT_BASE_URL = "https://www.pegelonline.wsv.de/webservices/rest-api/v2"
ENV_URL = "PEGELONLINE_URL"
SETTINGS_KEY = "pegelonline_url"  # in Settings.extra; beats the environment
STATIONS_FILE = "pegelonline_stations.json"
# A gauge keeps its UUID for years; a month between look-ups costs nothing and spares one
# request per page view.
STATION_MAX_AGE = timedelta(days=30)
# A reading is stored once a minute at best; asking more often than this only adds load.
DEFAULT_MAX_AGE_S = 600.0
# Gauge readings in cm; anything beyond ±100 m is a broken reply, not a flood.
_PLAUSIBLE_CM = 10_000.0

SOURCE: dict[str, str] = {
    "publisher": "Wasserstraßen- und Schifffahrtsverwaltung des Bundes (WSV)",
    "licence": "Datenlizenz Deutschland – Zero – Version 2.0",
    "licence_url": "https://www.govdata.de/dl-de/zero-2-0",
    "attribution": "Wasserstraßen- und Schifffahrtsverwaltung des Bundes (WSV), PEGELONLINE",
    "url": "https://www.pegelonline.wsv.de",
    "api": DEFAULT_BASE_URL,
}


@dataclass(frozen=True)
class Reference:
    """One official reference level of the Warnemünde gauge, in cm above gauge zero."""

    value_cm: float
    de: str
    en: str
    date: date | None = None  # the day of a record (HHW, NNW)
    period: str | None = None  # the years a mean was taken over (ISO interval)


# The gauge the reference values below belong to; other gauges get no above-MW value.
REFERENCE_STATION = ("WARNEMÜNDE", "OSTSEE")
_PERIOD = "2010-11-01/2020-10-31"
REFERENCE: dict[str, Reference] = {
    "MW": Reference(507, "Mittelwasser", "mean water level", period=_PERIOD),
    "MNW": Reference(407, "mittleres Niedrigwasser", "mean low water", period=_PERIOD),
    "MHW": Reference(617, "mittleres Hochwasser", "mean high water", period=_PERIOD),
    "HHW": Reference(770, "höchster Hochwasserstand", "highest water level on record",
                     date=date(1872, 11, 13)),
    "NNW": Reference(332, "niedrigster Niedrigwasserstand", "lowest water level on record",
                     date=date(1967, 10, 18)),
}
REFERENCE_SOURCE = (
    "Pegel Warnemünde, Hauptwerte 2010–2020 (WSV), as quoted by "
    "https://wom87.de/deutschland/mecklenburg-vorpommern/hochwasser-alarm-an-der-ostsee-"
    "pegelstaende-unter-beobachtung and https://sabo.news/de/aktueller-wasserstand-der-ostsee-"
    "so-sind-die-pegel-heute-am-23-10-2025"
)


class GaugeError(GeodataError):
    """No answer about a gauge: ``kind`` is ``unavailable`` (service down and nothing stored)
    or ``not found`` (PEGELONLINE has no such gauge)."""


@dataclass(frozen=True)
class Station:
    """A PEGELONLINE gauge as found by name; ``retrieved_at`` dates the look-up (UTC)."""

    uuid: str
    number: str
    shortname: str
    longname: str
    water: str
    lat: float | None
    lon: float | None
    retrieved_at: datetime


@dataclass(frozen=True)
class Level:
    """One water-level reading in cm above gauge zero.

    ``above_mw_cm`` and ``surge_class`` are only known for the reference gauge (Warnemünde).
    ``from_cache`` is True when no request was made (the stored reading was younger than
    ``max_age_s``) or the request failed; then ``error`` holds the failure sentence and
    ``fetched_at`` shows how old the copy is.
    """

    station: Station
    timestamp: datetime
    value_cm: float
    above_mw_cm: float | None
    surge_class: tuple[str, str] | None
    fetched_at: datetime
    from_cache: bool
    state_mnw_mhw: str | None = None
    error: str | None = None


# --- public functions ---------------------------------------------------------------------


def api_base(settings: Settings) -> str:
    """The REST base URL: ``Settings.extra["pegelonline_url"]``, else ``$PEGELONLINE_URL``,
    else the official service (tests point it at a loopback server)."""
    value = settings.extra.get(SETTINGS_KEY) or os.environ.get(ENV_URL) or DEFAULT_BASE_URL
    return str(value).rstrip("/")


def find_station(name: str = "WARNEMÜNDE", water: str = "OSTSEE",
                 settings: Settings | None = None) -> Station:
    """The gauge called ``name`` (exact short name) on ``water``.

    Asks ``stations.json?fuzzyId=<name>`` and, should the fuzzy search not return it (e.g.
    it mishandles the umlaut), ``stations.json?waters=<water>``. The answer is stored for
    30 days; an older copy is still used when the network fails, because a gauge's UUID
    practically never changes.
    """
    settings = settings or load_settings()
    path = _live_dir(settings) / STATIONS_FILE
    key = _key(name, water)
    cached = _read_stations(path).get(key)
    now = _now()
    if cached and timedelta(0) <= now - cached.retrieved_at <= STATION_MAX_AGE:
        return cached
    try:
        station = _lookup(name, water, settings, now)
    except FetchError as exc:
        if exc.kind == "format":
            raise ValidationError(DATASET, exc.reason, "format") from exc
        if cached:
            log.warning("using the stored PEGELONLINE station %s: %s", key, exc)
            return cached
        raise GaugeError(DATASET, f"{_lead(exc)}, so the gauge {name} ({water}) could not be "
                         f"looked up and none is stored: {exc.reason}", "unavailable") from exc
    if station is None:
        raise GaugeError(DATASET, f"PEGELONLINE has no gauge named {name} on {water}",
                         "not found")
    stations = _read_stations(path)
    stations[key] = station
    _write_json(path, {"version": 1, "stations": {k: _station_json(s)
                                                  for k, s in stations.items()}})
    return station


def current_level(name: str = "WARNEMÜNDE", water: str = "OSTSEE",
                  settings: Settings | None = None,
                  max_age_s: float = DEFAULT_MAX_AGE_S) -> Level:
    """The latest water level (``W``) of a gauge, for a page that must always show something.

    A stored reading younger than ``max_age_s`` is returned without a request. When the
    service fails, the stored reading comes back with ``from_cache=True``; without one a
    :class:`GaugeError` (``unavailable``) is raised. A reply that is not a valid reading
    raises :class:`ValidationError` and leaves the stored reading alone.
    """
    settings = settings or load_settings()
    station = find_station(name, water, settings)
    path = _live_dir(settings) / f"pegelonline_{_safe(station.uuid)}.json"
    cached = _read_level(path, station)
    now = _now()
    if cached and 0 <= (now - cached.fetched_at).total_seconds() < max_age_s:
        return replace(cached, from_cache=True)
    url = f"{api_base(settings)}/stations/{quote(station.uuid, safe='')}/W/currentmeasurement.json"
    try:
        with make_session(settings) as session:
            data = get_json(url, session, settings, dataset=DATASET)
    except FetchError as exc:
        if exc.kind == "format":
            raise ValidationError(DATASET, exc.reason, "format") from exc
        if exc.kind == "missing":
            _forget_station(settings, name, water)  # its UUID may have changed
        if cached:
            return replace(cached, from_cache=True, error=str(exc))
        if exc.kind == "missing":
            raise GaugeError(DATASET, f"PEGELONLINE has no current water level for "
                             f"{station.shortname} ({station.water}): {exc.reason}",
                             "not found") from exc
        raise GaugeError(DATASET, f"{_lead(exc)} and no earlier reading of "
                         f"{station.shortname} is stored: {exc.reason}", "unavailable") from exc
    level = _parse_level(data, station, now, from_cache=False)
    _write_json(path, {"version": 1, "station_uuid": station.uuid,
                       "fetched_at": now.isoformat(), "measurement": data})
    return level


# --- parsing ------------------------------------------------------------------------------


def _parse_level(data: object, station: Station, fetched_at: datetime, *,
                 from_cache: bool) -> Level:
    """A Level from a ``currentmeasurement.json`` answer, or a ValidationError sentence."""
    what = f"the reading of {station.shortname}"
    if not isinstance(data, dict):
        raise ValidationError(DATASET, f"{what} is not a JSON object but "
                              f"{type(data).__name__}")
    value = data.get("value")
    if (isinstance(value, bool) or not isinstance(value, int | float)
            or not math.isfinite(value) or abs(value) > _PLAUSIBLE_CM):
        raise ValidationError(DATASET, f"{what} has no plausible numeric value "
                              f"(value: {excerpt(value)})")
    raw_ts = data.get("timestamp")
    try:
        timestamp = datetime.fromisoformat(raw_ts) if isinstance(raw_ts, str) else None
    except ValueError:
        timestamp = None
    if timestamp is None or timestamp.tzinfo is None:
        raise ValidationError(DATASET, f"{what} has no readable timestamp with a time zone "
                              f"(timestamp: {excerpt(raw_ts)})")
    if timestamp - fetched_at > timedelta(days=1):
        raise ValidationError(DATASET, f"{what} is dated in the future ({excerpt(raw_ts)})")
    value_cm = float(value)
    above = None
    if _key(station.shortname, station.water) == _key(*REFERENCE_STATION):
        above = value_cm - REFERENCE["MW"].value_cm
    state = data.get("stateMnwMhw")
    return Level(station=station, timestamp=timestamp, value_cm=value_cm, above_mw_cm=above,
                 surge_class=None if above is None else surge_class(above),
                 fetched_at=fetched_at, from_cache=from_cache,
                 state_mnw_mhw=state if isinstance(state, str) else None)


def _lookup(name: str, water: str, settings: Settings, now: datetime) -> Station | None:
    base = api_base(settings)
    with make_session(settings) as session:
        for query in ({"fuzzyId": name}, {"waters": water}):
            data = get_json(f"{base}/stations.json?{urlencode(query)}", session, settings,
                            dataset=DATASET)
            if not isinstance(data, list):
                raise FetchError(DATASET, "the station list from PEGELONLINE is not a JSON "
                                 f"list but {type(data).__name__}", "format")
            for entry in data:
                station = _station_from_api(entry, now)
                if station and _key(station.shortname, station.water) == _key(name, water):
                    return station
    return None


def _station_from_api(entry: object, now: datetime) -> Station | None:
    """A Station from one ``stations.json`` entry; None for entries lacking the essentials."""
    if not isinstance(entry, dict):
        return None
    water = entry.get("water")
    water_name = water.get("shortname") if isinstance(water, dict) else None
    uuid, shortname = entry.get("uuid"), entry.get("shortname")
    if not all(isinstance(v, str) and v for v in (uuid, shortname, water_name)):
        return None
    return Station(uuid=str(uuid), number=str(entry.get("number") or ""),
                   shortname=str(shortname), longname=str(entry.get("longname") or shortname),
                   water=str(water_name), lat=_coord(entry.get("latitude"), 90),
                   lon=_coord(entry.get("longitude"), 180), retrieved_at=now)


def _coord(value: object, limit: float) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) and abs(value) <= limit else None


# --- cache files --------------------------------------------------------------------------


def _live_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "live"


def _read_stations(path: Path) -> dict[str, Station]:
    """The stored station records; an unreadable file counts as none (it is only a cache)."""
    raw = _read_json(path)
    stations = raw.get("stations") if isinstance(raw, dict) else None
    if not isinstance(stations, dict):
        return {}
    out: dict[str, Station] = {}
    for key, rec in stations.items():
        try:
            out[key] = Station(uuid=str(rec["uuid"]), number=str(rec["number"]),
                               shortname=str(rec["shortname"]), longname=str(rec["longname"]),
                               water=str(rec["water"]), lat=_coord(rec.get("lat"), 90),
                               lon=_coord(rec.get("lon"), 180),
                               retrieved_at=_aware(rec["retrieved_at"]))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def _station_json(station: Station) -> dict[str, Any]:
    return {**asdict(station), "retrieved_at": station.retrieved_at.isoformat()}


def _forget_station(settings: Settings, name: str, water: str) -> None:
    path = _live_dir(settings) / STATIONS_FILE
    stations = _read_stations(path)
    if stations.pop(_key(name, water), None) is not None:
        _write_json(path, {"version": 1, "stations": {k: _station_json(s)
                                                      for k, s in stations.items()}})


def _read_level(path: Path, station: Station) -> Level | None:
    """The stored reading of ``station``, re-validated; None when absent or unusable."""
    raw = _read_json(path)
    if not isinstance(raw, dict) or raw.get("station_uuid") != station.uuid:
        return None
    try:
        fetched_at = _aware(raw["fetched_at"])
        return _parse_level(raw.get("measurement"), station, fetched_at, from_cache=True)
    except (KeyError, TypeError, ValueError, GeodataError):
        return None


def _read_json(path: Path) -> object:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace ``path`` atomically. A failure is logged, not raised: the answer is still
    good."""
    try:
        write_bytes_atomic(path, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"),
                           durable=True)
    except OSError as exc:
        log.warning("could not store %s: %s", path, exc)


# --- small helpers ------------------------------------------------------------------------


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _aware(value: object) -> datetime:
    parsed = datetime.fromisoformat(str(value))
    if parsed.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}")
    return parsed


def _key(name: str, water: str) -> str:
    """Names compare in NFC and case-folded, so ``Warnemünde`` finds ``WARNEMÜNDE``."""
    def norm(text: str) -> str:
        return unicodedata.normalize("NFC", text).strip().casefold()
    return f"{norm(name)}|{norm(water)}"


def _safe(uuid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", uuid)[:80]


def _lead(exc: FetchError) -> str:
    if exc.kind in {"http", "missing"}:
        return "PEGELONLINE answered with an error"
    return "PEGELONLINE is not reachable"
