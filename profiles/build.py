"""Build the district profiles from the store: 2 × (index + 21 pages), assets, PDFs.

Every text from data (district names above all) goes through ``text.escape_text`` before it
reaches HTML, and into JSON with ``<`` escaped; charts are SVG checked by
``figures.report.chart_svg``. The output refers to nothing outside itself.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import json
import os
import re
import shutil
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

import geodata
from figures import charts, profile
from figures.report import chart_svg
from geodata import loaders, planning
from geodata.indicators import BY_ID, latest_year
from geodata.search import compact
from layers import basemap
from layers.assets import leaflet_source
from layers.build import build as build_layer
from layers.spec import Query
from text import LANGS, escape_text, number, source_line, t

from . import pages
from .model import INDEX_INDICATORS, Site

STATIC = Path(__file__).resolve().parent / "static"
# What the pages show, and what their search finds besides (``geodata.loaders.gazetteer``).
PAGE_DATASETS = ("stadtbereiche", "bevoelkerung", "wasser")
SEARCH_DATASETS = tuple(i for i in (*loaders.gazetteer.datasets, *loaders.gazetteer.optional)
                        if i not in PAGE_DATASETS)
DATASETS = (*PAGE_DATASETS, *SEARCH_DATASETS)
TEXT_SUFFIXES = (".html", ".css", ".js", ".json", ".svg")
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue",
                         "ß": "ss"})


def root_dir(settings: geodata.Settings) -> Path:
    """``<data folder>/profiles``: generated from the data, so it lives with the data (the
    project folder stays read-only)."""
    return Path(settings.data_dir) / "profiles"


def current(settings: geodata.Settings) -> Path:
    return root_dir(settings) / "current"


def slug(name: str) -> str:
    """``Kröpeliner-Tor-Vorstadt`` → ``kroepeliner-tor-vorstadt`` (a–z, 0–9 and ``-``)."""
    plain = unicodedata.normalize("NFKD", str(name).translate(_GERMAN))
    plain = plain.encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def slugs(names: dict[str, str]) -> dict[str, str]:
    """A file name per district code, unique (the code is added where names collide)."""
    out: dict[str, str] = {}
    for code, name in sorted(names.items()):
        base = slug(name) or f"bereich-{code.lower()}"
        out[code] = base if base not in out.values() else f"{base}-{code.lower()}"
    return out


ENV_BASE_URL = "DASHBOARD_BASE_URL"


def base_url() -> str:
    """The dashboard's public address (``https://…``), if the operator set one."""
    value = os.environ.get(ENV_BASE_URL, "").strip()
    return value if re.fullmatch(r"https?://[^\s<>\"']+", value) else ""


def data_stamp(settings: geodata.Settings) -> dict[str, str]:
    """The checksums of the stored datasets a build reads: it is stale when they change."""
    return geodata.checksums(settings, DATASETS)


def is_stale(settings: geodata.Settings) -> bool:
    manifest = current(settings) / "manifest.json"
    try:
        built = json.loads(manifest.read_text(encoding="utf-8")).get("data")
    except (OSError, ValueError):
        return True
    return built != data_stamp(settings)


def _prefix_ids(svg: str, prefix: str) -> str:
    """Several inline SVGs on one page: their ids (clip paths, gradients) kept apart."""
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})", svg)
    return re.sub(r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"', svg)


def load(settings: geodata.Settings) -> Site:
    store = geodata.open_store(settings)
    ind = loaders.indicators(settings)
    districts = loaders.districts(settings)
    names = dict(zip(districts.code, districts.name, strict=True))
    return Site(
        settings=settings, ind=ind, city=loaders.city_reference(settings),
        districts=districts,
        water=loaders.water(settings) if store.has("wasser") else None,
        year=latest_year(ind), first=int(ind.loc[ind.indicator == "einwohner", "year"].min()),
        names=names,
        slugs=slugs(names),
        sources=[loaders.info(i, settings) for i in PAGE_DATASETS if store.has(i)],
        search_sources=[loaders.info(i, settings) for i in SEARCH_DATASETS if store.has(i)],
        built=dt.date.today().isoformat(),
        base_url=base_url())


def _write(out: Path, rel: str, data: bytes | str) -> None:
    target = out / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _hashed(out: Path, site: Site, name: str, data: bytes) -> str:
    """Write ``assets/<stem>.<hash><suffix>``; pages refer to it by that name, so browsers
    may keep it for a year."""
    stem, _, suffix = name.rpartition(".")
    rel = f"assets/{stem}.{hashlib.sha256(data).hexdigest()[:10]}.{suffix}"
    _write(out, rel, data)
    site.assets[name] = rel
    return rel


def _leaflet(out: Path, site: Site) -> None:
    source = leaflet_source()
    for rel in ("leaflet.js", "leaflet.css"):
        _hashed(out, site, f"leaflet/{rel}", (source / rel).read_bytes())
    for image in (source / "images").iterdir():  # leaflet.css names them relative to itself
        _write(out, f"assets/leaflet/images/{image.name}", image.read_bytes())


def map_data(site: Site, lang: str) -> dict[str, Any]:
    """Districts (the app's display geometry, classes and colours per indicator), water,
    legends: one file per language shared by all its pages."""
    fills: dict[str, dict[str, str]] = {}
    values: dict[str, dict[str, str]] = {}
    legends: dict[str, list[list[str]]] = {}
    titles: dict[str, str] = {}
    geometry = None
    for ind_id in INDEX_INDICATORS:
        years = sorted(site.ind[site.ind.indicator == ind_id].year.unique())
        layer = build_layer("indikator", Query(indicator=ind_id, year=int(years[-1]),
                                               lang=lang), site.settings)
        gdf = layer.gdf.set_index("code")
        geometry = gdf if geometry is None else geometry
        fills[ind_id] = gdf["fill"].to_dict()
        digits = BY_ID[ind_id].digits
        values[ind_id] = {c: number(v, lang, digits) for c, v in gdf["value"].items()}
        legends[ind_id] = [[c, label] for c, label in layer.legend()]
        titles[ind_id] = f"{layer.title} {layer.year}" + (f" ({layer.unit})" if layer.unit
                                                           else "")
    assert geometry is not None
    features = []
    for code, row in geometry.iterrows():
        features.append({"type": "Feature", "geometry": row.geometry.__geo_interface__,
                         "properties": {
                             "code": code, "name": site.names[code],
                             "href": f"{site.slugs[code]}.html",
                             "fill": {i: fills[i][code] for i in INDEX_INDICATORS},
                             "value": {i: values[i][code] for i in INDEX_INDICATORS}}})
    water = None
    if site.water is not None:
        water = basemap.style(site.water, None)["sources"]["water"]["data"]
    return {"districts": {"type": "FeatureCollection", "features": features},
            "water": water, "legend": legends, "title": titles}


def _svg(chart: Any, prefix: str) -> str:
    svg = chart_svg(chart)
    svg = re.sub(r"^<\?xml[^>]*>\s*", "", svg)
    return _prefix_ids(svg, prefix)


def district_page(site: Site, code: str, lang: str, neighbours: list[str],
                  with_pdf: bool = True) -> str:
    name = site.names[code]
    ind = site.ind
    figures = profile.key_figures(ind, site.city, code, site.year)
    pop = profile.population(ind, code)
    trend_svg = _svg(charts.population_trend_chart(pop, name, lang), "t-")
    shares = []
    for ind_id, group in (("anteil_unter_15", "under_15"), ("anteil_65_plus", "over_65")):
        rows = ind[(ind.code == code) & (ind.indicator == ind_id)]
        for r in rows.itertuples():
            shares.append({"year": r.year, "group": t(f"profiles.{group}", lang),
                           "area": name, "value": r.value})
            ref = site.city.get((ind_id, r.year))
            if ref is not None and ref == ref:
                shares.append({"year": r.year, "group": t(f"profiles.{group}", lang),
                               "area": t("profiles.city_area", lang), "value": ref})
    shares_frame = pd.DataFrame(shares)
    age_svg = _svg(charts.age_trend_chart(shares_frame, name, lang), "a-") if shares else ""
    words = profile.district_words(ind, site.city, site.districts, code, lang, "\x00")
    pieces = words.split("**\x00**")
    lead = f"<strong>{escape_text(name)}</strong>".join(escape_text(p) for p in pieces)
    latest = ind[(ind.year == site.year) & (ind.indicator.isin(["einwohner", "dichte"]))] \
        .pivot_table(index="code", columns="indicator", values="value")
    age_first = int(shares_frame["year"].min()) if shares else site.first
    return pages.district(
        site=site, code=code, lang=lang, name=name, lead=lead, figures=figures,
        neighbours=[(c, site.names[c], latest.get("einwohner", {}).get(c),
                     latest.get("dichte", {}).get(c)) for c in neighbours],
        pop=pop, trend_svg=trend_svg, change=profile.change_text(ind, code, lang),
        shares=shares_frame, age_svg=age_svg, age_first=age_first,
        description=t("profiles.description", lang, name=name,
                      pop=number(pop.value.iloc[-1], lang), year=int(pop.year.iloc[-1]),
                      first=site.first),
        with_pdf=with_pdf)


def _sources(site: Site, lang: str) -> str:
    """The app's source lines (the data's own date beside the retrieval day): what the page
    shows, then what its search uses besides."""
    return pages.source_list([source_line(i, lang) for i in site.sources],
                             [source_line(i, lang) for i in site.search_sources], lang)


def search_index(settings: geodata.Settings) -> bytes:
    """The search's names for the browser (``profiles/static/search.js``): one file for
    both languages, fetched only when a visitor uses the field."""
    data = compact(loaders.gazetteer(settings))
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class Result:
    folder: Path
    pages: list[str]
    pdfs: list[str]
    seconds: float


def build(settings: geodata.Settings | None = None, pdf: bool = True,
          keep: int = 2) -> Result:
    """A complete new build beside the old one, then ``current`` switched to it."""
    started = time.monotonic()
    settings = settings or geodata.load_settings()
    site = load(settings)
    root = root_dir(settings)
    out = root / f"build-{dt.datetime.now():%Y%m%d-%H%M%S}-{os.getpid()}"
    out.mkdir(parents=True)
    _leaflet(out, site)
    _hashed(out, site, "profile.css", (STATIC / "profile.css").read_bytes())
    _hashed(out, site, "profile.js", (STATIC / "profile.js").read_bytes())
    _hashed(out, site, "search.js", (STATIC / "search.js").read_bytes())
    _hashed(out, site, "search.json", search_index(settings))
    for lang in LANGS:
        data = json.dumps(map_data(site, lang), ensure_ascii=False, separators=(",", ":"))
        _hashed(out, site, f"map-{lang}.json", data.encode("utf-8"))
    from .pdf import chromium, print_pdfs

    printing = pdf and chromium() is not None
    if pdf and not printing:
        print("No chromium here: the pages are built, the PDFs are not "
              "(apt-get install chromium, then make site).")
    written = []
    sources = {lang: _sources(site, lang) for lang in LANGS}
    for lang in LANGS:
        _write(out, f"{lang}/index.html", pages.index(site, lang, sources[lang]))
        written.append(f"{lang}/index.html")
        for code in sorted(site.names):
            html = district_page(site, code, lang, planning.neighbours(site.districts, code),
                                 with_pdf=printing)
            html = html.replace("<!--SOURCES-->", sources[lang])
            rel = f"{lang}/{site.slugs[code]}.html"
            _write(out, rel, html)
            written.append(rel)
    _write(out, "index.html", pages.root())
    pdfs = (print_pdfs(out, [f"{lang}/{site.slugs[c]}.html" for lang in LANGS
                             for c in sorted(site.names)]) if printing else [])
    manifest = {
        "built": dt.datetime.now().isoformat(timespec="seconds"),
        "data": data_stamp(settings),
        "year": site.year,
        "districts": {c: {"name": site.names[c], "de": f"de/{site.slugs[c]}.html",
                          "en": f"en/{site.slugs[c]}.html",
                          "pdf": {lang: f"{lang}/{site.slugs[c]}.pdf" for lang in LANGS}
                          if pdfs else None}
                      for c in sorted(site.names)},
    }
    _write(out, "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    _precompress(out)
    _switch(root, out)
    _prune(root, out, keep)
    return Result(out, written, pdfs, time.monotonic() - started)


def _precompress(out: Path) -> None:
    """``.gz`` beside every text file, for nginx's gzip_static (the app server compresses
    from memory itself)."""
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in TEXT_SUFFIXES:
            path.with_name(path.name + ".gz").write_bytes(
                gzip.compress(path.read_bytes(), 9, mtime=0))


def _switch(root: Path, out: Path) -> None:
    link = root / "current"
    if link.is_dir() and not link.is_symlink():
        # A data folder copied without its links (cp -r) holds a plain folder here: it
        # becomes the oldest build, so the switch can go on and pruning removes it.
        link.rename(root / f"build-00000000-copied-{os.getpid()}")
    tmp = root / f".current-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(out.name)
    os.replace(tmp, link)  # readers see the old build or the new one, never half


def _prune(root: Path, out: Path, keep: int) -> None:
    builds = sorted((p for p in root.glob("build-*") if p.is_dir()), key=lambda p: p.name)
    for old in builds[:-keep] if keep else []:
        if old != out:
            shutil.rmtree(old, ignore_errors=True)
