"""Find a place as Rostock's residents type it: an address, a street, an Ortsteil, a
Stadtbereich or a named place, and the district it lies in.

Everything runs on this machine (no geocoding service: what a person types never leaves the
server). Names are folded the way the city's own geocoder does it — case, umlauts and ß in
either spelling, Straße/Strasse/Str. — and compared with rapidfuzz, so small typos still
find their street. Each hit is placed in a Stadtbereich and an Ortsteil by its geometry (a
point-in-polygon test against the stored polygons), never by its name.

A house number is looked up on the street that matched, so a search for "Lange Straße 12"
costs one fuzzy pass over the gazetteer (a few thousand names), not one over every address.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from rapidfuzz import fuzz, process

KINDS = ("stadtbereich", "ortsteil", "place", "street", "address")
# On equal scores the larger unit first: "Warnemünde" is the Stadtbereich before the street.
KIND_ORDER = {kind: i for i, kind in enumerate(KINDS)}
# How far in the map goes for a hit (web-map zoom).
ZOOM = {"stadtbereich": 12.6, "ortsteil": 13.2, "place": 15.5, "street": 15.5, "address": 16.5}
MAX_QUERY = 200  # characters; a longer text is cut (nothing of it is stored or logged)
MIN_SCORE = 84.0
LIMIT = 8

_GERMAN = str.maketrans({"ß": "ss", "ä": "ae", "ö": "oe", "ü": "ue"})
# "Seestraße", "Seestr.", "Seestrasse" and "See Str." all become "see str" — also with one
# slip of the keyboard in the word itself ("Gartenstrase", "Wismarschestasse").
_STREET = r"(strasse|strase|strass|strsse|stasse|srasse|strae|stre|str)"
_GLUED_STREET = re.compile(rf"(?<=[a-z]){_STREET}\b")
_STREET_WORD = re.compile(rf"\b{_STREET}\b")
_HOUSE = re.compile(r"^(?P<number>\d{1,4})\s*(?P<letter>[a-z]?)$")
_POSTCODE = re.compile(r"^\d{5}$")


def fold(text: object) -> str:
    """Lower case, umlauts as ae/oe/ue, ß as ss, other accents dropped, Straße as "str",
    punctuation as single spaces: the form names and queries are compared in."""
    raw = unicodedata.normalize("NFKC", str(text or "")).casefold().translate(_GERMAN)
    plain = "".join(c for c in unicodedata.normalize("NFKD", raw)
                    if not unicodedata.combining(c))
    plain = re.sub(r"[^a-z0-9]+", " ", plain)
    plain = _GLUED_STREET.sub(r" \1", plain)
    return " ".join(_STREET_WORD.sub("str", plain).split())


@dataclass(frozen=True)
class Query:
    """What was typed, split into the name part and a house number (with its letter)."""

    text: str
    name: str
    number: int | None = None
    letter: str = ""

    @classmethod
    def parse(cls, text: object) -> Query:
        raw = str(text or "")[:MAX_QUERY]
        words = fold(raw).split()
        number, letter = None, ""
        # "Lange Straße 12", "Kröpeliner Str. 1a", "Am Brink 1 a", "… 12, 18055 Rostock"
        while words and (_POSTCODE.match(words[-1]) or words[-1] == "rostock"):
            words.pop()
        if len(words) >= 2 and len(words[-1]) == 1 and words[-1].isalpha() \
                and words[-2].isdigit():
            words[-2:] = [words[-2] + words[-1]]
        if len(words) >= 2:
            house = _HOUSE.match(words[-1])
            if house:
                number, letter = int(house["number"]), house["letter"]
                words.pop()
        return cls(raw, " ".join(words), number, letter)


@dataclass(frozen=True)
class Hit:
    """One result: what it is, where it lies (EPSG:25833) and in which district."""

    kind: str
    name: str
    x: float
    y: float
    code: str | None = None  # Stadtbereich A–U holding the point
    district: str | None = None
    ortsteil: str | None = None
    also: tuple[str, ...] = ()  # further districts a street runs through
    score: float = 100.0
    approximate: bool = False  # an address placed on its street (no position published)

    @property
    def zoom(self) -> float:
        return ZOOM[self.kind]


@dataclass
class Entry:
    kind: str
    name: str
    key: str
    x: float
    y: float
    code: str | None
    ortsteil: str | None
    also: tuple[str, ...] = ()
    # house number (int, letter) → (x, y, code, ortsteil, approximate)
    houses: dict[tuple[int, str], tuple[float, float, str | None, str | None, bool]] = \
        field(default_factory=dict)


class Locator:
    """Point-in-polygon against the Stadtbereiche and Ortsteile (one STRtree each)."""

    def __init__(self, districts: gpd.GeoDataFrame, ortsteile: gpd.GeoDataFrame | None) -> None:
        self.codes = list(districts["code"])
        self.names = dict(zip(districts["code"], districts["name"], strict=True))
        self.district_geoms = np.asarray(districts.geometry.values)
        self.district_tree = shapely.STRtree(self.district_geoms)
        self.ortsteil_names = list(ortsteile["name"]) if ortsteile is not None else []
        self.ortsteil_tree = (shapely.STRtree(np.asarray(ortsteile.geometry.values))
                              if ortsteile is not None else None)

    def points(self, xs: np.ndarray, ys: np.ndarray) -> tuple[list[str | None],
                                                               list[str | None]]:
        """District code and Ortsteil name of each point (None outside the city)."""
        pts = shapely.points(xs, ys)
        codes: list[str | None] = [None] * len(pts)
        for i, j in zip(*self.district_tree.query(pts, predicate="within"), strict=True):
            codes[i] = self.codes[j]
        quarters: list[str | None] = [None] * len(pts)
        if self.ortsteil_tree is not None:
            for i, j in zip(*self.ortsteil_tree.query(pts, predicate="within"), strict=True):
                quarters[i] = self.ortsteil_names[j]
        return codes, quarters

    def lines(self, geoms: Iterable[shapely.Geometry]) -> list[tuple[str, ...]]:
        """For each line: the districts it runs through, the longest part first."""
        out = []
        for geom in geoms:
            idx = self.district_tree.query(geom, predicate="intersects")
            lengths = [(shapely.intersection(geom, self.district_geoms[j]).length,
                        self.codes[j]) for j in idx]
            out.append(tuple(code for length, code in sorted(lengths, reverse=True)
                             if length > 0))
        return out


def _along(geom: shapely.Geometry) -> shapely.Point:
    """A point on the street itself (the middle of its longest part), not beside it."""
    parts = list(getattr(geom, "geoms", [geom]))
    longest = max(parts, key=lambda g: g.length)
    return longest.interpolate(0.5, normalized=True)


class Gazetteer:
    """Every searchable name with its position and district."""

    def __init__(self, districts: gpd.GeoDataFrame, ortsteile: gpd.GeoDataFrame | None = None,
                 places: gpd.GeoDataFrame | None = None, streets: gpd.GeoDataFrame | None = None,
                 addresses: gpd.GeoDataFrame | None = None) -> None:
        self.locator = Locator(districts, ortsteile)
        self.has_streets = streets is not None and not streets.empty
        self.has_addresses = addresses is not None and not addresses.empty
        self.entries: list[Entry] = []
        self._add_districts(districts)
        if ortsteile is not None:
            self._add_polygons("ortsteil", ortsteile)
        if places is not None:
            self._add_places(places)
        by_key: dict[str, Entry] = {}
        if self.has_streets:
            by_key = self._add_streets(streets)
        if self.has_addresses:
            self._add_addresses(addresses, by_key)
        self.keys = [e.key for e in self.entries]

    # -- building -------------------------------------------------------------------------

    def _entry(self, kind: str, name: str, x: float, y: float, code: str | None,
               ortsteil: str | None, also: tuple[str, ...] = ()) -> Entry:
        entry = Entry(kind, name, fold(name), float(x), float(y), code, ortsteil, also)
        self.entries.append(entry)
        return entry

    def _add_districts(self, districts: gpd.GeoDataFrame) -> None:
        points = districts.geometry.representative_point()
        for code, name, pt in zip(districts["code"], districts["name"], points, strict=True):
            # A Stadtbereich is itself, by definition (its code, not a lookup); it spans
            # several Ortsteile, so none is named.
            self._entry("stadtbereich", str(name), pt.x, pt.y, str(code), None)

    def _add_polygons(self, kind: str, frame: gpd.GeoDataFrame) -> None:
        points = frame.geometry.representative_point()
        codes, _q = self.locator.points(points.x.to_numpy(), points.y.to_numpy())
        for name, pt, code in zip(frame["name"], points, codes, strict=True):
            self._entry(kind, str(name), pt.x, pt.y, code, str(name) if kind == "ortsteil"
                        else None)

    def _add_places(self, places: gpd.GeoDataFrame) -> None:
        located = places[places.geometry.notna()]
        if located.empty:
            return
        codes, quarters = self.locator.points(located.geometry.x.to_numpy(),
                                              located.geometry.y.to_numpy())
        for name, pt, code, quarter in zip(located["name"], located.geometry, codes, quarters,
                                           strict=True):
            self._entry("place", str(name), pt.x, pt.y, code, quarter)

    def _add_streets(self, streets: gpd.GeoDataFrame) -> dict[str, Entry]:
        # One entry per street name (the city publishes long streets in several features).
        frame = streets[streets.geometry.notna()].copy()
        frame["_name"] = frame["strasse_name"].astype(str).str.strip()
        merged = frame.dissolve(by="_name", as_index=False)
        points = [_along(g) for g in merged.geometry]
        xs = np.array([p.x for p in points])
        ys = np.array([p.y for p in points])
        codes, quarters = self.locator.points(xs, ys)
        runs = self.locator.lines(merged.geometry)
        by_key: dict[str, Entry] = {}
        for name, x, y, code, quarter, through in zip(merged["_name"], xs, ys, codes, quarters,
                                                      runs, strict=True):
            also = tuple(c for c in through if c != code)
            entry = self._entry("street", name, x, y, code, quarter, also)
            by_key[entry.key] = entry
        if "strasse_schluessel" in frame.columns:  # the key the address list uses too
            for key, name in zip(frame["strasse_schluessel"], frame["_name"], strict=True):
                if pd.notna(key):
                    by_key.setdefault(f"#{key}", by_key[fold(name)])
        return by_key

    def _add_addresses(self, addresses: gpd.GeoDataFrame, streets: dict[str, Entry]) -> None:
        frame = addresses.copy()
        geoms = frame.geometry
        located = geoms.notna() & ~geoms.is_empty.fillna(True)
        xs = np.where(located, geoms.x.where(located), np.nan).astype(float)
        ys = np.where(located, geoms.y.where(located), np.nan).astype(float)
        codes: list[str | None] = [None] * len(frame)
        quarters: list[str | None] = [None] * len(frame)
        if located.any():
            idx = np.flatnonzero(located.to_numpy())
            c, q = self.locator.points(xs[idx], ys[idx])
            for k, i in enumerate(idx):
                codes[i], quarters[i] = c[k], q[k]
        key_col = frame.get("strasse_schluessel")
        letters = frame["hausnummer_zusatz"].fillna("").astype(str).str.lower()
        new_streets: dict[str, Entry] = {}
        for i, (name, number, letter) in enumerate(zip(frame["strasse_name"],
                                                       frame["hausnummer"], letters,
                                                       strict=True)):
            street_key = fold(name)
            street = None
            if key_col is not None and pd.notna(key_col.iloc[i]):
                street = streets.get(f"#{key_col.iloc[i]}")
            street = street or streets.get(street_key) or new_streets.get(street_key)
            if bool(located.iloc[i]):
                house = (xs[i], ys[i], codes[i], quarters[i], False)
            elif street is not None:  # no position published: the street's, said so
                house = (street.x, street.y, street.code, street.ortsteil, True)
            else:
                continue
            if street is None:  # an address whose street is not in the street list
                street = self._entry("street", str(name), house[0], house[1], house[2],
                                     house[3])
                new_streets[street_key] = street
            street.houses[(int(number), letter)] = house

    # -- searching ------------------------------------------------------------------------

    def search(self, text: object, limit: int = LIMIT) -> list[Hit]:
        """The best matches, best first: addresses when a house number was typed and the
        street has it, then the names themselves."""
        query = Query.parse(text)
        if len(query.name) < 2:
            return []
        # WRatio over every name runs in rapidfuzz's C code; only the few candidates it
        # keeps are scored again without the street word (``_score``).
        candidates = process.extract(query.name, self.keys, scorer=fuzz.WRatio,
                                     limit=limit * 6, score_cutoff=MIN_SCORE)
        found = [(key, _score(query.name, key), i) for key, _s, i in candidates]
        ranked = sorted((m for m in found if m[1] >= MIN_SCORE),
                        key=lambda m: (-m[1], KIND_ORDER[self.entries[m[2]].kind],
                                       len(self.entries[m[2]].key)))[:limit * 3]
        hits: list[Hit] = []
        for _key, score, i in ranked:
            entry = self.entries[i]
            if query.number is not None and entry.kind == "street":
                house = entry.houses.get((query.number, query.letter))
                if house is not None:
                    hits.append(self._address(entry, query, house, score))
            hits.append(self._hit(entry, score))
        # A house number was typed: the addresses that have it come first.
        hits.sort(key=lambda h: (h.kind != "address", -h.score, KIND_ORDER[h.kind]))
        unique = list({(h.kind, h.name, h.code): h for h in hits}.values())
        # An Ortsteil that is also the Stadtbereich of the same name says nothing new.
        districts = {(fold(h.name), h.code) for h in unique if h.kind == "stadtbereich"}
        unique = [h for h in unique if not (h.kind == "ortsteil"
                                            and (fold(h.name), h.code) in districts)]
        return unique[:limit]

    def _hit(self, entry: Entry, score: float) -> Hit:
        return Hit(entry.kind, entry.name, entry.x, entry.y, entry.code,
                   self.locator.names.get(entry.code or ""), entry.ortsteil, entry.also, score)

    def _address(self, street: Entry, query: Query, house: tuple, score: float) -> Hit:
        x, y, code, quarter, approximate = house
        name = f"{street.name} {query.number}{query.letter}"
        return Hit("address", name, x, y, code, self.locator.names.get(code or ""), quarter,
                   (), score + 0.5, approximate)


def _score(query: str, key: str, **kwargs: object) -> float:
    """WRatio, but a shared "str" alone must not carry a match ("lange str" is no
    "kroepeliner str"): the names are also compared without it, and the lower score counts."""
    full = fuzz.WRatio(query, key, **kwargs)
    q, k = _STREET_WORD.sub("", query).strip(), _STREET_WORD.sub("", key).strip()
    if q and k and (q != query or k != key):
        return min(full, fuzz.WRatio(q, k, **kwargs))
    return full


def compact(gazetteer: Gazetteer) -> dict[str, object]:
    """The gazetteer as plain lists for a search that runs in the browser (the static
    district profiles): per entry its kind, name, folded key, district code, Ortsteil, the
    further districts a street runs through, and its house numbers by the district each
    lies in. No coordinates: a profile links to a district, it does not centre a map.

    Names go out as they are; whoever shows them sets them as text."""
    entries = []
    for e in gazetteer.entries:
        houses: dict[str, list[str]] = {}
        for (number, letter), (_x, _y, code, _q, _approx) in sorted(e.houses.items()):
            houses.setdefault(code or "", []).append(f"{number}{letter}")
        entries.append([KINDS.index(e.kind), e.name, e.key, e.code or "", e.ortsteil or "",
                        list(e.also), {c: " ".join(h) for c, h in houses.items()}])
    return {"version": 1, "kinds": list(KINDS), "min_score": MIN_SCORE, "limit": LIMIT,
            "has_streets": gazetteer.has_streets, "has_addresses": gazetteer.has_addresses,
            "entries": entries}
