"""The catalogue file turned into typed objects, with URL templates expanded into parts."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .reference import RULES

CATALOGUE_FILE = Path(__file__).with_name("catalogue.toml")
DISTRICT_CODES: tuple[str, ...] = tuple("ABCDEFGHIJKLMNOPQRSTU")


@dataclass(frozen=True)
class Part:
    """One file of a dataset: a year × topic table, a month's report, a water layer …"""

    key: str
    url: str | None
    mirror_path: str | None
    params: dict[str, Any] = field(default_factory=dict)
    columns: dict[str, str] = field(default_factory=dict)

    @property
    def filename(self) -> str:
        """A stable file name in the raw cache, unique within the dataset."""
        tail = Path(urlsplit(self.url).path if self.url else str(self.mirror_path)).name
        return tail if self.key == "main" else f"{self.key.replace('/', '_')}__{tail}"

    def source(self, mirror: str | None) -> str | None:
        """The URL or local path to fetch from; None when the part needs a mirror we lack."""
        if mirror is None:
            return self.url
        base = mirror.rstrip("/")
        if self.url:
            parts = urlsplit(self.url)
            rel = parts.netloc + parts.path
        else:
            rel = str(self.mirror_path)
        return f"{base}/{rel}" if base.startswith(("http://", "https://")) else str(Path(base, rel))


MB = 1_000_000


@dataclass(frozen=True)
class Limits:
    """How large a dataset's files may be, in MB (10⁶ bytes): a broken or hostile source must
    not fill the memory or the disk. The defaults and each dataset's own values are in the
    catalogue (``[limits]`` and ``limits = {…}``); checked before reading (Content-Length,
    file size, an archive's directory) and while reading (bytes counted)."""

    max_file_mb: float  # one downloaded or mirrored file
    max_unpacked_mb: float  # an archive (.xlsx) unpacked: all members together
    max_members: int  # files inside an archive

    def phrase(self, key: str) -> str:
        """``the limit of 16 MB for this dataset (max_file_mb in geodata/catalogue.toml)``"""
        value = getattr(self, key)
        shown = f"{value:g} MB" if key.endswith("_mb") else f"{value:,} files"
        return f"the limit of {shown} for this dataset ({key} in geodata/catalogue.toml)"

    @property
    def file_bytes(self) -> int:
        return int(self.max_file_mb * MB)

    @property
    def unpacked_bytes(self) -> int:
        return int(self.max_unpacked_mb * MB)


@cache
def default_limits(path: Path = CATALOGUE_FILE) -> Limits:
    """The catalogue's ``[limits]``: what a dataset without its own values gets."""
    with path.open("rb") as fh:
        return _limits(tomllib.load(fh).get("limits", {}), {}, "[limits]")


def _limits(defaults: dict[str, Any], own: dict[str, Any], where: str) -> Limits:
    try:
        limits = Limits(**(defaults | own))
    except TypeError as exc:  # a misspelt or missing key
        raise ValueError(f"catalogue {where}: {exc}") from None
    if min(limits.max_file_mb, limits.max_unpacked_mb, limits.max_members) <= 0:
        raise ValueError(f"catalogue {where}: every limit must be positive")
    return limits


@dataclass(frozen=True)
class Dataset:
    id: str
    title_de: str
    title_en: str
    publisher: str
    licence: str
    licence_url: str
    attribution: str
    format: str
    parts: tuple[Part, ...]
    page: str = ""
    source_crs: str | None = None
    geometry: str | None = None
    key: str | None = None
    district_codes: bool = False
    columns: dict[str, str] = field(default_factory=dict)
    rename: dict[str, str] = field(default_factory=dict)
    cadence: str = ""
    mirrored: bool = True
    mirror_only: bool = False
    note: str = ""
    licence_en: str = ""
    publisher_en: str = ""
    # How the data's own date is read from the frame (geodata.reference.RULES), and the
    # column whose missing values do not count.
    reference: str = "none"
    reference_value: str | None = None
    # Packaged with the dashboard (a file or table of this code base), not downloaded: it
    # has no parts, no store copy and no retrieval date; ``package`` names where it lives.
    packaged: bool = False
    package: str = ""
    options: dict[str, Any] = field(default_factory=dict)
    # Not part of how the data are read (recipe_hash uses repr): a new limit rebuilds nothing.
    limits: Limits = field(default_factory=default_limits, repr=False, compare=False)

    def title(self, lang: str = "de") -> str:
        return self.title_en if lang == "en" else self.title_de

    def publisher_in(self, lang: str = "de") -> str:
        return (self.publisher_en or self.publisher) if lang == "en" else self.publisher

    def licence_in(self, lang: str = "de") -> str:
        return (self.licence_en or self.licence) if lang == "en" else self.licence

    @property
    def official_url(self) -> str:
        """A single URL for display: the file, or the template for multi-file datasets."""
        if len(self.parts) == 1 and self.parts[0].url:
            return self.parts[0].url
        return str(self.options.get("url_template") or self.page or "")

    @property
    def is_spatial(self) -> bool:
        return self.geometry is not None

    def provenance(self) -> dict[str, str]:
        """Who publishes it, under which licence, from where: what every record, source
        line and export carries with the data."""
        return {
            "id": self.id,
            "title_de": self.title_de,
            "title_en": self.title_en,
            "publisher": self.publisher,
            "publisher_en": self.publisher_en or self.publisher,
            "licence": self.licence,
            "licence_en": self.licence_en or self.licence,
            "licence_url": self.licence_url,
            "attribution": self.attribution,
            "source_url": self.official_url,
            "page": self.page,
            "packaged": self.packaged,
            "package": self.package,
        }


def expand_years(spec: str) -> list[int]:
    """``"2005-2018,2021"`` → the years listed, in order."""
    years: list[int] = []
    for chunk in str(spec).split(","):
        chunk = chunk.strip()
        if "-" in chunk:
            lo, hi = (int(x) for x in chunk.split("-"))
            years.extend(range(lo, hi + 1))
        elif chunk:
            years.append(int(chunk))
    return years


def expand_months(spec: str) -> list[str]:
    """``"2003-03..2003-05"`` → ``["200303", "200304", "200305"]``."""
    start, end = (s.strip() for s in spec.split(".."))
    y, m = (int(x) for x in start.split("-"))
    ye, me = (int(x) for x in end.split("-"))
    out = []
    while (y, m) <= (ye, me):
        out.append(f"{y:04d}{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _parts(entry: dict[str, Any]) -> tuple[Part, ...]:
    if entry.get("packaged"):
        return ()
    template = entry.get("url_template")
    if "topics" in entry:
        parts = []
        for topic in entry["topics"]:
            ext = topic.get("ext", "csv")
            for year in expand_years(topic["years"]):
                params = {"year": year, "topic": topic["topic"], "ext": ext}
                parts.append(
                    Part(
                        key=f"{year}/{topic['topic']}",
                        url=template.format(**params),
                        mirror_path=None,
                        params=params,
                        columns=dict(topic.get("columns", {})),
                    )
                )
        return tuple(sorted(parts, key=lambda p: (p.params["year"], p.params["topic"])))
    if "months" in entry:
        return tuple(
            Part(key=month, url=template.format(month=month), mirror_path=None,
                 params={"month": month})
            for month in expand_months(entry["months"])
        )
    if "parts" in entry:
        out = []
        for spec in entry["parts"]:
            params = {k: v for k, v in spec.items() if k != "mirror_path"}
            key = str(next(iter(params.values())))
            url = template.format(**params) if template else None
            out.append(Part(key=key, url=url, mirror_path=spec.get("mirror_path"), params=params))
        return tuple(out)
    return (Part(key="main", url=entry["url"], mirror_path=None),)


_DATASET_FIELDS = {
    "page", "source_crs", "geometry", "key", "district_codes", "columns", "rename", "cadence",
    "mirrored", "mirror_only", "note", "reference", "reference_value", "packaged", "package",
}


@cache
def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, Dataset]:
    """Read the catalogue once; ids keep the file's order."""
    with path.open("rb") as fh:
        raw = tomllib.load(fh)
    publishers = raw.get("publishers", {})
    datasets: dict[str, Dataset] = {}
    for entry in raw["dataset"]:
        pub = publishers[entry["publisher_ref"]]
        known = {k: v for k, v in entry.items() if k in _DATASET_FIELDS}
        options = {
            k: v
            for k, v in entry.items()
            if k not in _DATASET_FIELDS
            and k not in {"id", "title_de", "title_en", "publisher_ref", "format", "parts",
                          "topics", "url", "months", "limits"}
        }
        ds = Dataset(
            id=entry["id"],
            title_de=entry["title_de"],
            title_en=entry["title_en"],
            publisher=pub["publisher"],
            publisher_en=pub.get("publisher_en", ""),
            licence=pub["licence"],
            licence_en=pub.get("licence_en", ""),
            licence_url=pub["licence_url"],
            attribution=pub["attribution"],
            format=entry["format"],
            parts=_parts(entry),
            options=options,
            limits=_limits(raw.get("limits", {}), entry.get("limits", {}),
                           f"dataset {entry['id']}"),
            **known,
        )
        if ds.id in datasets:
            raise ValueError(f"catalogue lists the dataset id {ds.id!r} twice")
        if ds.reference not in RULES:
            raise ValueError(f"{ds.id}: unknown reference rule {ds.reference!r}")
        if ds.packaged and (ds.mirrored or not ds.package):
            raise ValueError(f"{ds.id}: a packaged dataset names its `package` and is not "
                             "mirrored")
        datasets[ds.id] = ds
    return datasets


def stored(dataset_ids: Iterable[str]) -> list[str]:
    """The ids that live in a store (downloaded), without the packaged ones."""
    return [i for i in dataset_ids if not get(i).packaged]


def get(dataset_id: str) -> Dataset:
    try:
        return load_catalogue()[dataset_id]
    except KeyError:
        known = ", ".join(load_catalogue())
        raise KeyError(f"unknown dataset {dataset_id!r}; the catalogue has: {known}") from None
