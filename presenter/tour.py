"""Tour scripts for the presenter view: one YAML file per tour in ``tours/``.

A script is written by people preparing an event, not by programmers, so every mistake is
reported with its file, line and a reason, before the tour starts. This module has no
Streamlit in it: the readiness check (``python -m presenter check``) uses it too.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import yaml

from app.pages import MAP_PAGE
from app.projects import projects
from geodata.indicators import BY_ID as INDICATORS
from geodata.reference import compact
from layers import registry
from layers.deck import NAMED_VIEWS, MapView

ROOT = Path(__file__).resolve().parent.parent
TOURS_DIR = ROOT / "tours"
DEFAULT_TOUR = TOURS_DIR / "rundgang.yaml"
PRESENTER_FILE = TOURS_DIR / "presenter.toml"

STEP_KEYS = {"page", "layers", "indicator", "year", "district", "view", "duration", "caption"}
TOUR_KEYS = {"name", "loop", "steps"}
MAX_CAPTION = 180  # one or two sentences that still fit beside the map at 1920×1080
DURATION_RANGE = (5.0, 600.0)
DISTRICT_CODE = re.compile(r"^[A-U]$")


class TourError(ValueError):
    """A script that cannot be shown, with where and why."""

    def __init__(self, path: Path | str, line: int | None, reason: str) -> None:
        self.path, self.line, self.reason = Path(path), line, reason
        where = f"{Path(path).name}:{line}" if line else Path(path).name
        super().__init__(f"{where}: {reason}")


@dataclass(frozen=True)
class Step:
    page: str
    layers: tuple[str, ...]
    indicator: str
    year: int | None
    district: str | None
    view: MapView
    duration: float
    caption_de: str
    caption_en: str
    line: int = 0

    def caption(self, lang: str) -> str:
        return self.caption_en if lang == "en" else self.caption_de

    @property
    def project(self) -> Any:
        """The core project whose page this step shows (None on the city map)."""
        return next((p for p in projects() if p.url_path == self.page), None)

    def uses_indicator(self) -> bool:
        return any(registry.get(i).uses_indicator for i in self.layers)

    def datasets(self) -> tuple[str, ...]:
        ids = [d for layer in self.layers for d in registry.get(layer).datasets]
        if self.district or self.uses_indicator():
            ids += ["stadtbereiche", "bevoelkerung"]
        return tuple(dict.fromkeys(ids))

    def url_params(self, lang: str = "de") -> dict[str, str]:
        """What the page needs in its URL to show the same view."""
        params: dict[str, str] = {}
        if self.page == MAP_PAGE:
            params["layers"] = ",".join(self.layers)
        if self.uses_indicator():
            params["indicator"] = self.indicator
        if self.year is not None:
            params["year"] = str(self.year)
        if self.district:
            params["district"] = self.district
        if lang == "en":
            params["lang"] = "en"
        if self.view != NAMED_VIEWS["stadt"]:
            # The whole city is every page's own start view, sized for the reader's screen.
            params["at"] = self.view.param()
        return params

    def share_url(self, base_url: str, lang: str = "de") -> str:
        """The page itself (not the presenter view), so a phone can go on from here."""
        # The map is the default page: Streamlit serves it at "/" (a deep link to /karte
        # would first show a "page not found" notice).
        path = "" if self.page == MAP_PAGE else self.page
        return f"{base_url.rstrip('/')}/{path}?{urlencode(self.url_params(lang), safe=',')}"


@dataclass(frozen=True)
class Tour:
    path: Path
    name_de: str
    name_en: str
    steps: tuple[Step, ...]
    loop: bool = True

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_de

    def datasets(self) -> dict[str, list[int]]:
        """Dataset id → the step numbers (1-based) that need it."""
        out: dict[str, list[int]] = {}
        for n, step in enumerate(self.steps, start=1):
            for dataset_id in step.datasets():
                out.setdefault(dataset_id, []).append(n)
        return out


# -- reading YAML with line numbers -------------------------------------------------------


class _Map(dict):
    """A YAML mapping that remembers the line of each key."""

    line: int = 0
    lines: dict[str, int]


class _Loader(yaml.SafeLoader):
    pass


def _construct_map(loader: _Loader, node: yaml.MappingNode):  # type: ignore[no-untyped-def]
    data = _Map()
    data.line = node.start_mark.line + 1
    data.lines = {}
    yield data
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in data:
            raise TourError(loader.name, line, f"'{key}' appears twice")
        data[key] = loader.construct_object(value_node, deep=True)
        data.lines[str(key)] = line


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


def _parse_yaml(text: str, path: Path) -> Any:
    loader = _Loader(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise TourError(path, line, f"not valid YAML ({exc.problem or exc.context})") from exc
    except yaml.YAMLError as exc:
        raise TourError(path, None, f"not valid YAML ({exc})") from exc
    finally:
        loader.dispose()


# -- validation ------------------------------------------------------------------------------


def _line(mapping: Any, key: str, default: int) -> int:
    return getattr(mapping, "lines", {}).get(key, getattr(mapping, "line", default))


def _unknown_keys(mapping: _Map, allowed: set[str], path: Path, what: str) -> None:
    for key in mapping:
        if key not in allowed:
            raise TourError(path, _line(mapping, str(key), 0),
                            f"{what}: unknown key '{key}' (allowed: {', '.join(sorted(allowed))})")


def _text_pair(raw: Any, path: Path, line: int, what: str, limit: int | None) -> tuple[str, str]:
    if not isinstance(raw, dict):
        raise TourError(path, line, f"{what} needs a German and an English text (de: …, en: …)")
    out = []
    for lang in ("de", "en"):
        text = raw.get(lang)
        if not isinstance(text, str) or not text.strip():
            where = _line(raw, lang, line) if lang in raw else line
            raise TourError(path, where, f"{what} has no '{lang}' text")
        text = " ".join(text.split())
        if limit and len(text) > limit:
            raise TourError(path, _line(raw, lang, line),
                            f"{what} ({lang}) has {len(text)} characters; at most {limit} "
                            "stay readable from five metres")
        out.append(text)
    unknown = set(raw) - {"de", "en"}
    if unknown:
        raise TourError(path, _line(raw, sorted(unknown)[0], line),
                        f"{what}: only 'de' and 'en' are allowed, not {sorted(unknown)}")
    return out[0], out[1]


def _view(raw: Any, path: Path, line: int) -> MapView:
    if raw is None:
        return NAMED_VIEWS["stadt"]
    if isinstance(raw, str):
        if raw not in NAMED_VIEWS:
            raise TourError(path, line, f"unknown view '{raw}' (named views: "
                            f"{', '.join(NAMED_VIEWS)}; or lat/lon/zoom)")
        return NAMED_VIEWS[raw]
    if isinstance(raw, dict):
        allowed = {"lat", "lon", "zoom", "pitch", "bearing"}
        _unknown_keys(raw, allowed, path, "view")  # type: ignore[arg-type]
        missing = [k for k in ("lat", "lon", "zoom") if k not in raw]
        if missing:
            raise TourError(path, line, f"view needs {', '.join(missing)}")
        values = {k: raw[k] for k in allowed if k in raw}
        if not all(isinstance(v, int | float) and not isinstance(v, bool)
                   for v in values.values()):
            raise TourError(path, line, "view: lat, lon, zoom, pitch and bearing are numbers")
        try:
            return MapView(**{k: float(v) for k, v in values.items()})
        except ValueError as exc:
            raise TourError(path, line, f"view: {exc}") from exc
    raise TourError(path, line, "view is a name or a mapping with lat, lon and zoom")


def _step(raw: Any, n: int, path: Path, line: int) -> Step:
    what = f"step {n}"
    if not isinstance(raw, dict):
        raise TourError(path, line, f"{what} must be a mapping (page: …, caption: …)")
    _unknown_keys(raw, STEP_KEYS, path, what)  # type: ignore[arg-type]
    line = getattr(raw, "line", line)

    def at(key: str) -> int:
        return _line(raw, key, line)

    pages = {MAP_PAGE: None, **{p.url_path: p for p in projects()}}
    page = raw.get("page")
    if page not in pages:
        raise TourError(path, at("page"), f"{what}: unknown page '{page}' "
                        f"(pages: {', '.join(pages)})")
    project = pages[page]

    layers = raw.get("layers")
    if layers is None:
        layers = ["indikator"] if project is None else list(project.layers)
    if isinstance(layers, str):
        layers = [layers]
    if not isinstance(layers, list) or not layers:
        raise TourError(path, at("layers"), f"{what}: layers is a list of layer ids")
    known = {s.id: s for s in registry.LAYERS}
    for layer_id in layers:
        if layer_id not in known:
            raise TourError(path, at("layers"), f"{what}: unknown layer '{layer_id}' "
                            f"(layers: {', '.join(known)})")
        if project is None and not known[layer_id].overview:
            raise TourError(path, at("layers"), f"{what}: layer '{layer_id}' belongs to a "
                            "project page, not to the city map")

    default_indicator = project.default_indicator if project else "einwohner"
    indicator = raw.get("indicator", default_indicator)
    if indicator not in INDICATORS:
        raise TourError(path, at("indicator"), f"{what}: unknown indicator '{indicator}'")

    year = raw.get("year")
    if year is not None and (isinstance(year, bool) or not isinstance(year, int)
                             or not 1990 <= year <= 2100):
        raise TourError(path, at("year"), f"{what}: year is a year such as 2023, not {year!r}")

    district = raw.get("district")
    if district is not None and (not isinstance(district, str)
                                 or not DISTRICT_CODE.match(district)):
        raise TourError(path, at("district"),
                        f"{what}: district is a Stadtbereich code A–U, not {district!r}")

    duration = raw.get("duration")
    if isinstance(duration, bool) or not isinstance(duration, int | float):
        raise TourError(path, at("duration") if "duration" in raw else line,
                        f"{what}: duration (seconds) is missing or not a number")
    if not DURATION_RANGE[0] <= duration <= DURATION_RANGE[1]:
        raise TourError(path, at("duration"), f"{what}: duration {duration} s is outside "
                        f"{DURATION_RANGE[0]:g}–{DURATION_RANGE[1]:g} s")

    if "caption" not in raw:
        raise TourError(path, line, f"{what}: caption (de and en) is missing")
    caption_de, caption_en = _text_pair(raw["caption"], path, at("caption"),
                                        f"{what}: caption", MAX_CAPTION)
    return Step(page=page, layers=tuple(layers), indicator=indicator, year=year,
                district=district, view=_view(raw.get("view"), path, at("view")),
                duration=float(duration), caption_de=caption_de, caption_en=caption_en,
                line=line)


def parse_tour(text: str, path: Path | str = "tour.yaml") -> Tour:
    path = Path(path)
    raw = _parse_yaml(text, path)
    if not isinstance(raw, dict):
        raise TourError(path, 1, "a tour is a mapping with 'name' and 'steps'")
    _unknown_keys(raw, TOUR_KEYS, path, "tour")  # type: ignore[arg-type]
    if "name" not in raw:
        raise TourError(path, 1, "the tour has no name (de and en)")
    name_de, name_en = _text_pair(raw["name"], path, _line(raw, "name", 1), "name", 80)
    steps = raw.get("steps")
    if not isinstance(steps, list) or not steps:
        raise TourError(path, _line(raw, "steps", 1), "the tour has no steps")
    loop = raw.get("loop", True)
    if not isinstance(loop, bool):
        raise TourError(path, _line(raw, "loop", 1), "loop is true or false")
    base_line = _line(raw, "steps", 1)
    parsed = tuple(_step(s, n, path, base_line) for n, s in enumerate(steps, start=1))
    return Tour(path=path, name_de=name_de, name_en=name_en, steps=parsed, loop=loop)


def load_tour(path: Path | str = DEFAULT_TOUR) -> Tour:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TourError(path, None, f"cannot be read ({exc.strerror or exc})") from exc
    return parse_tour(text, path)


# -- presenter settings ------------------------------------------------------------------------


@dataclass(frozen=True)
class PresenterSettings:
    """Event settings: which tour, the address phones use, idle time, freshness."""

    tour: Path = DEFAULT_TOUR
    base_url: str = ""  # empty: the address the presenter's browser uses
    idle_seconds: float = 60.0
    time_scale: float = 1.0  # < 1 shortens every step (rehearsals, tests)
    max_age_days: float = 30.0
    extra: dict[str, Any] = field(default_factory=dict)


ENV = {"tour": "PRESENTER_TOUR", "base_url": "PRESENTER_BASE_URL",
       "idle_seconds": "PRESENTER_IDLE_S", "time_scale": "PRESENTER_TIME_SCALE",
       "max_age_days": "PRESENTER_MAX_AGE_DAYS"}


def presenter_settings(path: Path = PRESENTER_FILE) -> PresenterSettings:
    """``tours/presenter.toml`` ([presenter]), overridden by PRESENTER_* variables."""
    values: dict[str, Any] = {}
    if path.is_file():
        with path.open("rb") as fh:
            values.update(tomllib.load(fh).get("presenter", {}))
    for name, var in ENV.items():
        if os.environ.get(var):
            values[name] = os.environ[var]
    out = PresenterSettings()
    kwargs: dict[str, Any] = {}
    for name, raw in values.items():
        if name not in ENV:
            continue
        if name == "tour":
            tour = Path(str(raw))
            kwargs[name] = tour if tour.is_absolute() else ROOT / tour
        elif name == "base_url":
            kwargs[name] = str(raw).strip()
        else:
            try:
                number = float(raw)
            except (TypeError, ValueError) as exc:
                raise ValueError(f"presenter setting {name} must be a number, not {raw!r}") \
                    from exc
            if number <= 0:
                raise ValueError(f"presenter setting {name} must be positive")
            kwargs[name] = number
    return PresenterSettings(**{**out.__dict__, **kwargs})


LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


def phone_base_url(configured: str, page_url: str | None, lan_ip: str | None) -> str:
    """Where phones reach this app: the configured address; else the address the presenter's
    browser uses, unless that is this laptop itself (``localhost``), which a phone cannot
    reach: then the laptop's address on the local network, if it has one."""
    if configured:
        return configured.rstrip("/")
    parts = urlsplit(page_url or "")
    if not parts.netloc:
        return "http://localhost:8501"
    if (parts.hostname or "") in LOOPBACK and lan_ip and lan_ip not in LOOPBACK:
        port = f":{parts.port}" if parts.port else ""
        return f"{parts.scheme}://{lan_ip}{port}"
    return f"{parts.scheme}://{parts.netloc}"


# -- is the store ready for the tour? --------------------------------------------------------


@dataclass(frozen=True)
class Readiness:
    dataset: str
    title: str
    status: str  # ok | missing | stale
    data_date: str | None  # the data's own date (geodata.reference.compact), not a file date
    checked_at: str | None
    age_days: float | None
    steps: tuple[int, ...]
    note: str = ""


def _age_days(stamp: str | None, now: datetime) -> float | None:
    if not stamp:
        return None
    try:
        then = datetime.fromisoformat(stamp)
    except ValueError:
        return None
    if then.tzinfo is None:
        then = then.replace(tzinfo=UTC)
    return max((now - then).total_seconds() / 86400, 0.0)


def readiness(tour: Tour, settings: Any = None, max_age_days: float = 30.0,
              now: datetime | None = None) -> list[Readiness]:
    """Every dataset the tour needs: in the store, and checked against its source recently?"""
    import geodata

    settings = settings or geodata.load_settings()
    store = geodata.open_store(settings)
    now = now or datetime.now(UTC)
    rows = []
    for dataset_id, steps in sorted(tour.datasets().items()):
        if geodata.get(dataset_id).packaged:  # ships with the dashboard: always here
            continue
        meta = store.meta(dataset_id) or {}
        title = geodata.get(dataset_id).title_de
        checked = meta.get("checked_at") or meta.get("retrieved_at")
        age = _age_days(checked, now)
        if not store.has(dataset_id):
            status, note = "missing", str(meta.get("last_error") or "no local copy")
        elif age is None or age > max_age_days:
            status = "stale"
            note = f"last checked {age:.0f} days ago" if age is not None else "never checked"
        else:
            status, note = "ok", ""
        rows.append(Readiness(dataset_id, title, status, compact(meta.get("reference")),
                              checked, age, tuple(steps), note))
    return rows


def step_problems(tour: Tour, settings: Any = None) -> list[str]:
    """Steps whose year or district the stored data does not have (checked, not guessed)."""
    import geodata
    from geodata import loaders

    settings = settings or geodata.load_settings()
    store = geodata.open_store(settings)
    if not (store.has("bevoelkerung") and store.has("stadtbereiche")):
        return []
    ind = loaders.indicators(settings)
    codes = set(loaders.districts(settings).code)
    out = []
    for n, step in enumerate(tour.steps, start=1):
        if step.district and step.district not in codes:
            out.append(f"step {n} (line {step.line}): no Stadtbereich {step.district}")
        if step.year is not None and step.uses_indicator():
            years = set(ind[ind.indicator == step.indicator].year)
            if step.year not in years:
                out.append(f"step {n} (line {step.line}): {step.indicator} is not published "
                           f"for {step.year} (years: {min(years)}–{max(years)})")
    return out


def describe(rows: Iterable[Readiness]) -> str:
    """The readiness table as plain text for the console."""
    lines = [f"{'dataset':<28}{'status':<9}{'data date':<28}{'checked':<12}steps"]
    for r in rows:
        checked = f"{r.age_days:.0f} d ago" if r.age_days is not None else "–"
        lines.append(f"{r.dataset:<28}{r.status:<9}{(r.data_date or '–')[:26]:<28}{checked:<12}"
                     f"{','.join(map(str, r.steps))}" + (f"  ({r.note})" if r.note else ""))
    return "\n".join(lines)
