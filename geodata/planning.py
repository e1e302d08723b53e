"""Statistics for a planner workspace that compares the 21 Stadtbereiche.

Everything works on the tidy frame of ``loaders.indicators()`` (code, year, indicator, value,
labels, unit), so a page can call it with cached data and tests can check it by hand.

Principles: a figure that is not published stays missing (no interpolation, no silent
dropping: rows say why they are empty); breaks in a series are reported, never smoothed over.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .indicators import BY_ID, city_values

CITY = "Rostock"  # code of the whole-city series in ``trends``
MIN_CODES, MAX_CODES = 2, 4

METHOD_DE = (
    "Jeder Kennwert wird über alle 21 Stadtbereiche standardisiert: Abstand zum ungewichteten "
    "Mittel der Stadtbereiche, geteilt durch ihre Standardabweichung. Als ähnlich gilt, wer über "
    "die gewählten Kennwerte zusammen den kleinsten euklidischen Abstand hat; fehlt einem der "
    "beiden Bereiche ein Wert, zählt dieser Kennwert nicht mit. Ähnlichkeit heißt hier nur "
    "ähnliche Zahlen, nicht ähnliche Lage, Bebauung oder Probleme vor Ort."
)
METHOD_EN = (
    "Each indicator is standardised across all 21 districts: the distance from the unweighted "
    "mean of the districts, divided by their standard deviation. The most similar districts are "
    "those with the smallest Euclidean distance over the chosen indicators taken together; an "
    "indicator missing for either district is left out of that pair. Similar here means similar "
    "figures only, not similar location, buildings or local problems."
)


@dataclass(frozen=True)
class KnownBreak:
    """A documented change in what a published figure means (not visible as a gap)."""

    indicator: str  # indicator id, or a raw topic name for figures that are not indicators
    years: tuple[int, ...]
    kind: str  # "definition" | "note" | "suspected"
    text_de: str
    text_en: str


_BESTAND_DE = (
    "Die veröffentlichte Bestandsveränderung (bewegung_gesamt) für 2022 und 2023 ist die "
    "Veränderung seit dem 31.12.2020 (zwei bzw. drei Jahre), nicht zum Vorjahr: in allen 21 "
    "Stadtbereichen gleich Einwohner 2022 − 2020 bzw. 2023 − 2020. 2008–2021 ist es die "
    "Veränderung zum Vorjahr."
)
_BESTAND_EN = (
    "The published change of population (bewegung_gesamt) for 2022 and 2023 is the change "
    "since 31 Dec 2020 (two and three years), not on the previous year: in all 21 districts it "
    "equals residents 2022 − 2020 and 2023 − 2020. For 2008–2021 it is the change on the "
    "previous year."
)

KNOWN_BREAKS: tuple[KnownBreak, ...] = (
    KnownBreak(
        "anteil_alleinerziehende", (2011,), "definition",
        "2011 wurde ein Anteil Alleinerziehender auf einer anderen Basis veröffentlicht (je "
        "Stadtbereich das 1,3- bis 2,7-Fache des Werts von 2019, im Mittel 46,8 % statt "
        "29,1 %); er gehört nicht zur Reihe, die erst 2019 als Anteil an den Haushalten mit "
        "Kindern beginnt.",
        "In 2011 a share of single parents was published on a different base (1.3 to 2.7 "
        "times each district's 2019 value, on average 46.8% against 29.1%); it is not part of "
        "this series, which starts in 2019 as the share of households with children.",
    ),
    KnownBreak("bestandsveraenderung", (2022, 2023), "definition", _BESTAND_DE, _BESTAND_EN),
    *(
        KnownBreak(
            ind, (2022, 2023), "note",
            "Diese Reihe ist die Differenz der Einwohnerzahlen zum Vorjahr. " + _BESTAND_DE
            + " Beide Zahlen weichen daher voneinander ab.",
            "This series is the difference of residents on the previous year. " + _BESTAND_EN
            + " The two figures therefore disagree.",
        )
        for ind in ("veraenderung_vorjahr", "veraenderung_vorjahr_pct")
    ),
    *(
        KnownBreak(
            ind, (2021,), "suspected",
            "Vermuteter Bruch 2020→2021, nicht dokumentiert: die Zahl der Haushalte sinkt "
            "stadtweit um 2,4 % bei fast gleicher Einwohnerzahl (−0,2 %), der Anteil der "
            "Single-Haushalte fällt im Mittel um 2,4 Prozentpunkte (Vor- und Folgejahr: "
            "−0,4 und −0,1). Möglicherweise eine geänderte Haushaltezählung.",
            "Suspected break 2020→2021, not documented: households fall by 2.4% city-wide while "
            "residents barely change (−0.2%), and the share of single-person households drops by "
            "2.4 points on average (year before and after: −0.4 and −0.1). Possibly a change in "
            "how households are counted.",
        )
        for ind in ("haushalte", "anteil_single", "anteil_mit_kindern")
    ),
)


# --- helpers ---------------------------------------------------------------------------------

def _all_codes(ind: pd.DataFrame) -> list[str]:
    return sorted(str(c) for c in ind["code"].unique())


def _check_codes(ind: pd.DataFrame, codes: Iterable[str]) -> list[str]:
    """Deduplicated codes in the given order; unknown ones are an error, not an empty row."""
    out = list(dict.fromkeys(codes))
    known = set(_all_codes(ind))
    unknown = [c for c in out if c not in known]
    if unknown:
        raise ValueError(f"Unknown district code(s): {', '.join(map(str, unknown))}.")
    return out


def _check_indicators(indicators: Iterable[str]) -> list[str]:
    out = list(dict.fromkeys(indicators))
    unknown = [i for i in out if i not in BY_ID]
    if unknown:
        raise ValueError(f"Unknown indicator(s): {', '.join(map(str, unknown))}.")
    return out


def _values(ind: pd.DataFrame, indicator: str, year: int) -> pd.Series:
    """Published values of one indicator in one year, by code (missing codes are absent)."""
    sel = ind[(ind["indicator"] == indicator) & (ind["year"] == year)]
    return sel.set_index("code")["value"].dropna().astype(float)


def _implied_area(ind: pd.DataFrame) -> pd.Series:
    """Area per district as the publisher's densities imply it (residents ÷ density)."""
    wide = ind[ind["indicator"].isin(["einwohner", "dichte"])].pivot_table(
        index=["code", "year"], columns="indicator", values="value", aggfunc="first")
    if not {"einwohner", "dichte"} <= set(wide.columns):
        return pd.Series(dtype="float64")
    ratio = (wide["einwohner"] / wide["dichte"]).replace([np.inf, -np.inf], np.nan)
    return ratio.groupby(level="code").median()


def _city(ind: pd.DataFrame, indicators: Sequence[str], years: Iterable[int],
          area_km2: pd.Series | None) -> pd.Series:
    """City figures by (indicator, year) with ``city_values`` semantics; NaN where impossible."""
    years = list(years)
    sel = ind[ind["indicator"].isin(indicators) & ind["year"].isin(years)]
    sel = sel[["code", "year", "indicator", "value"]].dropna(subset=["value"])
    pop = ind[ind["indicator"] == "einwohner"].set_index(["code", "year"])["value"]
    pop_years = set(pop.index.get_level_values("year"))
    area = _implied_area(ind) if area_km2 is None else area_km2
    # city_values needs residents for every year of a weighted or density figure.
    needs_pop = sel["indicator"].map(lambda i: BY_ID[i].city != "sum").astype(bool)
    sel = sel[~needs_pop | sel["year"].isin(pop_years)]
    out = city_values(sel, pop, area) if len(sel) else pd.Series(dtype="float64")
    full = pd.MultiIndex.from_product([list(indicators), years], names=["indicator", "year"])
    return out.reindex(full)


def ranks(ind: pd.DataFrame, indicator: str, year: int) -> pd.Series:
    """Rank of every district with a value (1 = highest, ties share the best rank)."""
    return _values(ind, indicator, int(year)).rank(ascending=False, method="min").astype(int)


def neighbours(districts: pd.DataFrame, code: str, tolerance_m: float = 5.0) -> list[str]:
    """Codes of the districts sharing a border with ``code`` (EPSG:25833 polygons; a gap
    of up to ``tolerance_m`` between published outlines still counts as a shared border),
    longest shared border first."""
    geoms = districts.set_index("code").geometry
    mine = geoms[code].buffer(tolerance_m)
    shared = {c: g.boundary.intersection(mine).length for c, g in geoms.drop(code).items()}
    return [c for c, length in sorted(shared.items(), key=lambda kv: -kv[1]) if length > 0]


def _pstdev(values: pd.Series) -> float:
    return float(values.std(ddof=0)) if len(values) else math.nan


def _note_for(indicator: str, year: int) -> list[str]:
    return [b.text_en for b in KNOWN_BREAKS if b.indicator == indicator and year in b.years]


# --- 1. comparison ---------------------------------------------------------------------------

def compare(ind: pd.DataFrame, codes: Sequence[str], indicators: Sequence[str], year: int,
            *, area_km2: pd.Series | None = None) -> pd.DataFrame:
    """Where 2–4 districts stand among all 21 on each indicator in one year.

    One row per (code, indicator): ``value``; ``mean`` = unweighted mean of the districts with a
    value (every district counts once, so it describes the typical district); ``sd`` = their
    *population* standard deviation (ddof=0): the 21 districts are the whole set being compared,
    not a sample of a larger one, so no sample correction; ``z`` = (value − mean) / sd; ``flag``
    = |z| > 1 (unusually high or low); ``rank`` (1 = highest, ties share the best rank) of ``n``
    districts with data; ``city`` = the whole city's figure, computed like ``city_reference``.

    ``mean`` and ``city`` differ on purpose: the city figure weights districts by residents
    (shares, means, rates), adds them up (counts) or divides all residents by all area
    (density), so large districts dominate it, while small ones such as Dierkow-Ost count as
    much as Lütten Klein in ``mean``. Pass ``area_km2`` (``districts().area_km2``) to get the
    city density exactly as ``city_reference``; without it the area the publisher's district
    densities imply is used, which leaves out some water and is therefore smaller.

    An indicator not published in ``year`` still gives its rows (value NaN) with a ``note``
    (None where there is nothing to say).
    """
    codes = _check_codes(ind, codes)
    if not MIN_CODES <= len(codes) <= MAX_CODES:
        raise ValueError(
            f"Choose between {MIN_CODES} and {MAX_CODES} different districts to compare "
            f"({len(codes)} given).")
    indicators = _check_indicators(indicators)
    if not indicators:
        raise ValueError("Choose at least one indicator to compare.")
    year = int(year)
    city = _city(ind, indicators, [year], area_km2)
    rows = []
    for indicator in indicators:
        meta = BY_ID[indicator]
        vals = _values(ind, indicator, year)
        mean = float(vals.mean()) if len(vals) else math.nan
        sd = _pstdev(vals)
        ranked = ranks(ind, indicator, year)
        for code in codes:
            value = float(vals[code]) if code in vals.index else math.nan
            z = (value - mean) / sd if sd > 0 else math.nan
            notes = []
            if not len(vals):
                notes.append(f"not published in {year}")
            elif code not in vals.index:
                notes.append(f"no value for {code} in {year}")
            elif not sd > 0:
                notes.append("all districts have the same value: no z-score")
            notes += _note_for(indicator, year)
            rows.append({
                "code": code, "indicator": indicator, "year": year,
                "label_de": meta.label_de, "label_en": meta.label_en,
                "unit_de": meta.unit_de, "unit_en": meta.unit_en,
                "value": value, "mean": mean, "sd": sd, "z": z,
                "flag": bool(abs(z) > 1) if not math.isnan(z) else False,
                "rank": int(ranked[code]) if code in ranked.index else None,
                "n": len(vals), "city": float(city[(indicator, year)]),
                "note": "; ".join(notes) or None,
            })
    out = pd.DataFrame(rows)
    out["rank"] = out["rank"].astype("Int64")
    return out


# --- 2. trends and breaks --------------------------------------------------------------------

NOT_INDEXABLE = frozenset({
    "veraenderung_vorjahr", "veraenderung_vorjahr_pct", "natuerlicher_saldo", "wanderungssaldo",
    "wanderungssaldo_je_1000",
})  # balances that change sign: an index on a base year is meaningless


def _years(ind: pd.DataFrame) -> list[int]:
    return list(range(int(ind["year"].min()), int(ind["year"].max()) + 1))


def _index(series: pd.Series, indicator: str,
           base_year: int) -> tuple[pd.Series, int | None, str | None]:
    """Series / base × 100, the base being base_year or the next (else first) published year."""
    present = series.dropna()
    if indicator in NOT_INDEXABLE:
        return series * np.nan, None, "not indexed: a balance that can change sign"
    if present.empty:
        return series * np.nan, None, "no published values"
    if base_year in present.index:
        base, note = base_year, None
    else:
        later = present.index[present.index >= base_year]
        base = int(later[0] if len(later) else present.index[0])
        which = f"first published year after {base_year}" if len(later) else \
            "first published year"
        note = f"no value in {base_year}: indexed to {base} ({which})"
    if not present[base] > 0:
        return series * np.nan, base, f"not indexed: base value in {base} is not positive"
    return series / present[base] * 100, base, note


def trends(ind: pd.DataFrame, codes: Sequence[str], indicator: str, base_year: int = 2005,
           *, area_km2: pd.Series | None = None) -> pd.DataFrame:
    """Year-by-year series of one indicator for some districts and the city (code "Rostock").

    Columns: code, year, value, ``indexed`` (base year = 100), ``base`` (the year actually used;
    a series without a value in ``base_year`` is indexed to its first published year from then
    on, and ``base_note`` says so), ``published``, ``break_before`` (True where the year before
    is missing although the series started earlier: the line must not be drawn across it) and
    ``note`` (known definition changes for that year, see ``KNOWN_BREAKS``; None if there are
    none). Unpublished years
    stay NaN: nothing is interpolated, because a line across a gap would invent figures.
    """
    codes = _check_codes(ind, codes)
    if not codes:
        raise ValueError("Choose at least one district.")
    (indicator,) = _check_indicators([indicator])
    years = _years(ind)
    sel = ind[ind["indicator"] == indicator].pivot_table(
        index="code", columns="year", values="value", aggfunc="first")
    series = {c: sel.loc[c] if c in sel.index else pd.Series(dtype="float64") for c in codes}
    series[CITY] = _city(ind, [indicator], years, area_km2).xs(indicator, level="indicator")
    frames = []
    for code, values in series.items():
        values = values.reindex(years).astype(float)
        indexed, base, base_note = _index(values, indicator, base_year)
        published = values.notna()
        started = published.cummax().shift(1, fill_value=False)
        frames.append(pd.DataFrame({
            "code": code, "year": years, "value": values.to_numpy(),
            "indexed": indexed.to_numpy(), "base": base, "base_note": base_note,
            "published": published.to_numpy(),
            "break_before": (published & ~published.shift(1, fill_value=False)
                             & started).to_numpy(),
            "note": ["; ".join(_note_for(indicator, y)) or None for y in years],
        }))
    out = pd.concat(frames, ignore_index=True)
    out["base"] = out["base"].astype("Int64")
    return out


def _runs(years: list[int]) -> list[list[int]]:
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return runs


def _missing(years: Iterable[int]) -> list[int]:
    have = sorted({int(y) for y in years})
    return sorted(set(range(have[0], have[-1] + 1)) - set(have)) if have else []


def _span(run: list[int]) -> str:
    return f"{run[0]}–{run[-1]}" if len(run) > 1 else str(run[0])


def gap_spans(years: Iterable[int]) -> list[str]:
    """The unpublished years between the first and the last of ``years``, as spans
    ("2020–2022", "2012"), oldest first: what a chart's reader is told where its line
    breaks."""
    return [_span(run) for run in _runs(_missing(years))]


def breaks(ind: pd.DataFrame, indicator: str) -> list[dict]:
    """Gaps and known definition changes of one indicator's series, oldest first.

    A gap is a run of years without any published district value between the first and the
    last published year; a definition change comes from ``KNOWN_BREAKS``. Each dict has kind
    ("gap", "definition", "note" or "suspected"), years, text_de and text_en. Raw topics that
    are not indicators (e.g. "bestandsveraenderung") give their known breaks only.
    """
    known_ids = {b.indicator for b in KNOWN_BREAKS}
    if indicator not in BY_ID and indicator not in known_ids:
        raise ValueError(f"Unknown indicator(s): {indicator}.")
    published = sorted(int(y) for y in ind.loc[
        (ind["indicator"] == indicator) & ind["value"].notna(), "year"].unique())
    out: list[dict] = []
    if published:
        for run in _runs(_missing(published)):
            span, after = _span(run), run[-1] + 1
            out.append({
                "indicator": indicator, "kind": "gap", "years": run,
                "text_de": f"{span} nicht veröffentlicht; die Reihe setzt {after} wieder ein "
                           "(keine Werte dazwischen geschätzt).",
                "text_en": f"{span} not published; the series resumes in {after} "
                           "(no values estimated in between).",
            })
    for b in KNOWN_BREAKS:
        if b.indicator == indicator:
            out.append({"indicator": indicator, "kind": b.kind, "years": list(b.years),
                        "text_de": b.text_de, "text_en": b.text_en})
    return sorted(out, key=lambda d: d["years"][0])


# --- 3. statistical twins --------------------------------------------------------------------

def twins(ind: pd.DataFrame, code: str, indicators: Sequence[str], year: int, n: int = 3
          ) -> pd.DataFrame:
    """The ``n`` districts whose figures are closest to ``code``'s (see ``METHOD_EN``).

    Each indicator is z-standardised across all districts with a value (ddof=0, as in
    ``compare``), so indicators in different units weigh the same. Distance is Euclidean over
    the indicators both districts have; ``n_indicators`` says how many. Pairs compared on more
    indicators come first, because a distance over fewer terms is smaller by construction.
    ``differs`` lists the two indicators with the largest gap as ``(indicator id, gap)``,
    the gap being twin minus ``code`` in standard deviations (the page words and formats it
    in its language).
    """
    (code,) = _check_codes(ind, [code])
    indicators = _check_indicators(indicators)
    if n < 1:
        raise ValueError("Ask for at least one similar district.")
    year = int(year)
    z = {}
    for indicator in indicators:
        vals = _values(ind, indicator, year)
        sd = _pstdev(vals)
        if sd > 0:  # a constant or unpublished indicator cannot tell districts apart
            z[indicator] = (vals - vals.mean()) / sd
    table = pd.DataFrame(z, columns=list(z)).reindex(_all_codes(ind))
    usable = [i for i in table.columns if pd.notna(table.at[code, i])]
    if not usable:
        raise ValueError(
            f"No usable indicator for {code} in {year}: none of the chosen indicators is "
            "published for it and varies across the districts.")
    rows = []
    for other in table.index.drop(code):
        diff = (table.loc[other, usable] - table.loc[code, usable]).dropna()
        if diff.empty:
            continue
        top = diff.abs().sort_values(ascending=False, kind="stable").index[:2]
        rows.append({
            "code": other,
            "distance": float(np.sqrt((diff ** 2).sum())),
            "n_indicators": len(diff),
            "differs": [(str(i), float(diff[i])) for i in top],
        })
    out = pd.DataFrame(rows, columns=["code", "distance", "n_indicators", "differs"])
    out = out.sort_values(["n_indicators", "distance", "code"], ascending=[False, True, True])
    return out.head(n).reset_index(drop=True)
