"""Quartiersbaukasten: a transparent, adjustable index of where small neighbourhood upgrades
are most needed, from published social indicators per Stadtbereich.

How it works, in plain words:

1. Each component is one indicator from ``geodata.indicators`` for one year.
2. Each component is scaled to 0–100 across the districts of that year (min–max): the
   district with the lowest value gets 0, the highest 100. Where a *low* value means more
   need (population change: a shrinking district), the scale is turned round, so the district
   with the largest decline gets 100.
3. The index is the weighted mean of the scores; the weights are normalised to sum to 1.
   Rank 1 is the district with the greatest need.

The index compares districts with each other in one year. It is not an absolute measure and
not comparable across years (the scale is set afresh each year).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Component:
    id: str
    indicator: str          # id in geodata.indicators
    direction: int          # +1: higher value = more need; −1: lower value = more need
    weight: float           # default weight (before normalising)
    label_de: str
    label_en: str
    why_de: str = ""
    why_en: str = ""

    def label(self, lang: str = "de") -> str:
        return self.label_en if lang == "en" else self.label_de


COMPONENTS: tuple[Component, ...] = (
    Component("alleinerziehende", "anteil_alleinerziehende", +1, 0.4,
              "Alleinerziehende", "Single parents",
              "Anteil Alleinerziehender an den Haushalten mit Kindern: je höher, desto mehr "
              "Bedarf an wohnortnaher Unterstützung.",
              "Single parents as a share of households with children: the higher, the more "
              "need for support close to home."),
    Component("kinder", "anteil_mit_kindern", +1, 0.3,
              "Haushalte mit Kindern", "Households with children",
              "Anteil der Haushalte mit Kindern: je höher, desto mehr Menschen nutzen Spiel- "
              "und Treffpunkte im Quartier.",
              "Share of households with children: the higher, the more people use play and "
              "meeting places in the neighbourhood."),
    Component("rueckgang", "veraenderung_vorjahr_pct", -1, 0.3,
              "Bevölkerungsrückgang", "Population decline",
              "Veränderung der Einwohnerzahl zum Vorjahr, umgekehrt: ein schrumpfender "
              "Stadtbereich zählt als mehr Bedarf.",
              "Change in residents on the previous year, reversed: a shrinking district "
              "counts as more need."),
    Component("senioren", "anteil_65_plus", +1, 0.0,
              "Anteil 65 Jahre und älter", "Share aged 65+",
              "Anteil der Einwohner ab 65 Jahren (optional, Gewicht 0 voreingestellt).",
              "Share of residents aged 65 and over (optional, weight 0 by default)."),
    Component("single", "anteil_single", +1, 0.0,
              "Single-Haushalte", "Single-person households",
              "Anteil der Ein-Personen-Haushalte (optional, Gewicht 0 voreingestellt).",
              "Share of one-person households (optional, weight 0 by default)."),
)
BY_ID: dict[str, Component] = {c.id: c for c in COMPONENTS}
_BY_INDICATOR: dict[str, Component] = {c.indicator: c for c in COMPONENTS}


def default_weights() -> dict[str, float]:
    """Default weights by component id (before normalising)."""
    return {c.id: c.weight for c in COMPONENTS}


def normalise_weights(weights: Mapping[str, float] | None = None) -> dict[str, float]:
    """Weights by component id, summing to 1.

    Keys are component ids (``alleinerziehende``) or indicator ids
    (``anteil_alleinerziehende``). Components not named get weight 0; ``None`` means the
    defaults. Raises ``ValueError`` for unknown keys, negative or non-finite weights, and
    when all weights are 0.
    """
    if weights is None:
        weights = default_weights()
    raw = {c.id: 0.0 for c in COMPONENTS}
    seen: set[str] = set()
    for key, value in weights.items():
        comp = BY_ID.get(key) or _BY_INDICATOR.get(key)
        if comp is None:
            known = ", ".join(c.id for c in COMPONENTS)
            raise ValueError(f"Unknown component {key!r}; known components: {known}.")
        if comp.id in seen:
            raise ValueError(f"Component {comp.id!r} is given twice (as id and as indicator).")
        seen.add(comp.id)
        w = float(value)
        if not np.isfinite(w):
            raise ValueError(f"The weight of {comp.id!r} must be a finite number, not {value!r}.")
        if w < 0:
            raise ValueError(f"Weights must not be negative; {comp.id!r} has weight {w:g}.")
        raw[comp.id] = w
    total = sum(raw.values())
    if total <= 0:
        raise ValueError("All weights are zero: give at least one component a weight above "
                         "zero, otherwise there is nothing to build the index from.")
    return {k: v / total for k, v in raw.items()}


def _published_years(ind: pd.DataFrame, indicator: str) -> set[int]:
    sel = ind.loc[(ind["indicator"] == indicator) & ind["value"].notna(), "year"]
    return {int(y) for y in sel.unique()}


def default_year(ind: pd.DataFrame, weights: Mapping[str, float] | None = None) -> int:
    """The latest year in which every component with a weight above 0 is published."""
    w = normalise_weights(weights)
    active = [BY_ID[k] for k, v in w.items() if v > 0]
    years: set[int] | None = None
    for comp in active:
        have = _published_years(ind, comp.indicator)
        years = have if years is None else years & have
    if not years:
        names = ", ".join(c.indicator for c in active)
        raise ValueError(f"There is no year in which all weighted indicators ({names}) "
                         "are published.")
    return max(years)


def _min_max(values: pd.Series, direction: int) -> pd.Series:
    lo, hi = values.min(), values.max()
    if not np.isfinite(lo) or hi == lo:
        # No spread between districts: the component cannot tell them apart.
        return pd.Series(np.where(values.notna(), 50.0, np.nan), index=values.index)
    scaled = (values - lo) / (hi - lo) * 100
    return scaled if direction > 0 else 100 - scaled


def need_index(ind: pd.DataFrame, year: int | None = None,
               weights: Mapping[str, float] | None = None) -> pd.DataFrame:
    """Need index per district for one year.

    ``ind``: the long indicator table from ``loaders.indicators()`` (code, year, indicator,
    value). ``year``: default is the latest year with every weighted component published.
    ``weights``: by component id or indicator id, see ``normalise_weights``.

    Returns one row per district, sorted by rank: ``code``, ``year``, for each component
    ``value_<id>`` (published value, NaN where not published) and ``score_<id>`` (0–100,
    direction applied), ``index`` (weighted mean of the scores, 0–100) and ``rank``
    (1 = greatest need; ties share the lower rank). The normalised weights are in
    ``.attrs["weights"]``.
    """
    w = normalise_weights(weights)
    if year is None:
        year = default_year(ind, w)
    year = int(year)
    in_year = ind[ind["year"] == year]
    codes = sorted(ind["code"].unique())
    out = pd.DataFrame({"code": codes})
    out["year"] = year
    index = pd.Series(0.0, index=codes)
    for comp in COMPONENTS:
        vals = (in_year[in_year["indicator"] == comp.indicator]
                .groupby("code")["value"].first().reindex(codes).astype("float64"))
        if w[comp.id] > 0 and vals.isna().all():
            years = sorted(_published_years(ind, comp.indicator))
            span = ("published for " + ", ".join(map(str, years)) if years
                    else "not published at all")
            raise ValueError(f"Indicator {comp.indicator!r} ({comp.label_en}) has no data for "
                             f"{year} ({span}); choose another year or set its weight to 0.")
        score = _min_max(vals, comp.direction)
        out[f"value_{comp.id}"] = vals.to_numpy()
        out[f"score_{comp.id}"] = score.round(1).to_numpy()
        if w[comp.id] > 0:
            # Unrounded scores, so rounding never changes the ranking. A district missing
            # a weighted value gets no index (NaN) and no rank.
            index = index + w[comp.id] * score
    out["index"] = index.round(1).to_numpy()
    out["rank"] = index.rank(ascending=False, method="min").astype("Int64").to_numpy()
    out = out.sort_values(["rank", "code"], na_position="last", ignore_index=True)
    out.attrs["weights"] = w
    return out


def _fmt(x: float, lang: str) -> str:
    s = f"{x:.2f}"
    return s.replace(".", ",") if lang != "en" else s


def formula(weights: Mapping[str, float] | None = None, lang: str = "de",
            n_districts: int = 21) -> str:
    """The index formula in plain words with the actual normalised weights, e.g.
    ``Index = 0,40 × Alleinerziehende + 0,30 × Haushalte mit Kindern + …``.
    Components with weight 0 are left out."""
    w = normalise_weights(weights)
    terms = " + ".join(f"{_fmt(w[c.id], lang)} × {c.label(lang)}"
                       for c in COMPONENTS if w[c.id] > 0)
    if lang == "en":
        return f"Index = {terms} (each 0–100, min–max across the {n_districts} districts)"
    return f"Index = {terms} (je 0–100, Min–Max über die {n_districts} Stadtbereiche)"
