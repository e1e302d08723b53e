"""Quality-of-life indicators per Stadtbereich, defined as data.

Each indicator is either published as-is or derived from published columns; the definition
(formula) is kept so the app can show users how a figure was made.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class Indicator:
    id: str
    label_de: str
    label_en: str
    unit_de: str
    unit_en: str
    digits: int  # decimals worth showing: the published precision, not more
    source: tuple[str, ...]  # published column(s)
    how: str = "published"   # published | share_of_population | change_abs | change_pct
    formula_de: str = ""
    formula_en: str = ""
    # How the city figure follows from the districts: "sum" (counts), "weighted" (shares,
    # means, rates: weighted by residents), "density" (residents / area).
    city: str = "weighted"

    def label(self, lang: str = "de") -> str:
        return self.label_en if lang == "en" else self.label_de

    def unit(self, lang: str = "de") -> str:
        return self.unit_en if lang == "en" else self.unit_de


# Units in both languages, each written once.
PEOPLE = ("Personen", "people")
COUNT = ("Anzahl", "count")
PERCENT = ("%", "%")
YEARS = ("Jahre", "years")
DENSITY = ("Einw./km²", "residents/km²")
PER_1000 = ("je 1.000", "per 1,000")


INDICATORS: tuple[Indicator, ...] = (
    Indicator("einwohner", "Einwohnerinnen und Einwohner", "Residents", *PEOPLE, 0,
              ("einwohnerzahl",), city="sum"),
    Indicator("dichte", "Bevölkerungsdichte", "Population density", *DENSITY, 0,
              ("bevoelkerungsdichte",), city="density"),
    Indicator("veraenderung_vorjahr", "Veränderung zum Vorjahr", "Change on previous year",
              *PEOPLE, 0, ("einwohnerzahl",), "change_abs",
              "Einwohner im Jahr minus Einwohner im Vorjahr",
              "residents in the year minus residents in the previous year", city="sum"),
    Indicator("veraenderung_vorjahr_pct", "Veränderung zum Vorjahr (%)",
              "Change on previous year (%)", *PERCENT, 1, ("einwohnerzahl",), "change_pct",
              "(Einwohner − Einwohner Vorjahr) ÷ Einwohner Vorjahr × 100",
              "(residents − residents previous year) ÷ residents previous year × 100"),
    Indicator("durchschnittsalter", "Durchschnittsalter", "Mean age", *YEARS, 1,
              ("durchschnittsalter",)),
    Indicator("anteil_unter_15", "Anteil unter 15 Jahren", "Share under 15", *PERCENT, 1,
              ("anzahl_juenger_3", "anzahl_3_6", "anzahl_6_15"), "share_of_population",
              "(unter 3 + 3 bis 6 + 6 bis 15 Jahre) ÷ Einwohner × 100",
              "(under 3 + 3 to 6 + 6 to 15 years) ÷ residents × 100"),
    Indicator("anteil_65_plus", "Anteil 65 Jahre und älter", "Share aged 65+", *PERCENT, 1,
              ("anzahl_65_75", "anzahl_75_aelter"), "share_of_population",
              "(65 bis 75 + 75 Jahre und älter) ÷ Einwohner × 100",
              "(65 to 75 + 75 and older) ÷ residents × 100"),
    Indicator("anteil_auslaendisch", "Anteil ausländischer Staatsangehöriger",
              "Share of foreign nationals", *PERCENT, 1, ("anteil_auslaendisch",)),
    Indicator("haushalte", "Haushalte", "Households", *COUNT, 0, ("anzahl_haushalte",),
              city="sum"),
    Indicator("anteil_single", "Anteil Single-Haushalte", "Single-person households",
              *PERCENT, 1, ("anteil_single",)),
    Indicator("anteil_alleinerziehende", "Anteil Alleinerziehende (an Haushalten mit Kindern)",
              "Single parents (share of households with children)", *PERCENT, 1,
              ("anteil_alleinerziehende_an_mit_kindern",)),
    Indicator("geburten", "Lebendgeborene", "Live births", *COUNT, 0,
              ("anzahl_lebendgeborene",), city="sum"),
    Indicator("sterbefaelle", "Gestorbene", "Deaths", *COUNT, 0, ("anzahl_gestorbene",),
              city="sum"),
    Indicator("natuerlicher_saldo", "Geburten minus Sterbefälle", "Births minus deaths",
              *PEOPLE, 0, ("geburten_sterbesaldo",), city="sum"),
    Indicator("wanderungssaldo", "Wanderungssaldo (Zuzüge minus Wegzüge)",
              "Net migration (arrivals minus departures)", *PEOPLE, 0, ("wanderungssaldo",),
              city="sum"),
    Indicator("wanderungssaldo_je_1000", "Wanderungssaldo je 1.000 Einwohner",
              "Net migration per 1,000 residents", *PER_1000, 1,
              ("wanderungssaldo_je_1000",)),
    Indicator("anteil_mit_kindern", "Anteil Haushalte mit Kindern", "Households with children",
              *PERCENT, 1, ("anteil_mit_kindern",)),
)
BY_ID = {i.id: i for i in INDICATORS}


def derive(tidy: pd.DataFrame) -> pd.DataFrame:
    """Published long table (code, year, topic, indicator, value) → indicators per district.

    Returns code, year, indicator, value; an indicator only has the years its source has.
    """
    wide = tidy.pivot_table(index=["code", "year"], columns="indicator", values="value",
                            aggfunc="first")
    out: dict[str, pd.Series] = {}
    pop = wide.get("einwohnerzahl")
    for ind in INDICATORS:
        if not all(c in wide.columns for c in ind.source):
            continue
        if ind.how == "published":
            out[ind.id] = wide[ind.source[0]]
        elif ind.how == "share_of_population" and pop is not None:
            parts = wide[list(ind.source)]
            out[ind.id] = (parts.sum(axis=1, min_count=len(ind.source)) / pop * 100).round(1)
        elif ind.how in {"change_abs", "change_pct"}:
            series = wide[ind.source[0]].unstack("year")
            years = np.array(series.columns)
            prev = series.shift(1, axis=1)
            # Only compare with the year immediately before, never across a gap.
            gap = np.r_[True, np.diff(years) != 1]
            prev.loc[:, gap] = np.nan
            diff = series - prev
            val = diff if ind.how == "change_abs" else (diff / prev * 100).round(2)
            out[ind.id] = val.stack()
    frame = pd.DataFrame(out)
    frame.index.names = ["code", "year"]
    long = frame.reset_index().melt(id_vars=["code", "year"], var_name="indicator",
                                    value_name="value").dropna(subset=["value"])
    return long.sort_values(["indicator", "year", "code"], ignore_index=True)


@dataclass(frozen=True)
class OfficialPopulation:
    """The state's official population figure for a reference day, to set beside the sum of
    the district register figures (the two count differently; never add them up)."""

    day: str  # ISO date
    value: int
    publisher_de: str
    publisher_en: str
    reported_in: str  # where we read the figure


# The Statistisches Amt Mecklenburg-Vorpommern updates the last census (Zensus 2011 for this
# figure) with births, deaths and moves, main residences only, after matching registrations
# with the other states. Read in the German Wikipedia article "Demografie Rostocks", which
# cites the state office; the city's register count for the same day is 211,692 (Kommunale
# Statistikstelle, reported by NDR on 02.07.2024), the sum of the 21 district figures.
OFFICIAL_POPULATION: dict[int, OfficialPopulation] = {
    2023: OfficialPopulation(
        "2023-12-31", 210_795,
        "Statistisches Amt Mecklenburg-Vorpommern (Fortschreibung auf Basis des Zensus 2011)",
        "Statistical Office of Mecklenburg-Vorpommern (update of the 2011 census)",
        "https://de.wikipedia.org/wiki/Demografie_Rostocks"),
}
REGISTER_REPORT = ("https://www.ndr.de/nachrichten/mecklenburg-vorpommern/rostock/"
                   "Prognose-Rostocks-Bevoelkerung-schrumpft,mvregiorostock344.html")


def latest_year(ind: pd.DataFrame, indicator: str = "einwohner", code: str | None = None
                ) -> int:
    """The latest year with figures for ``indicator`` (of one district when ``code`` is
    given): the year a profile or a page opens with when none is asked for. The register's
    residents are the default: every other figure of a year is published with them."""
    rows = ind[ind["indicator"] == indicator]
    if code is not None:
        rows = rows[rows["code"] == code]
    if rows.empty:
        raise LookupError(f"no published years for {indicator}")
    return int(rows["year"].max())


def city_values(values: pd.DataFrame, population: pd.Series, area_km2: pd.Series) -> pd.Series:
    """City figure per (indicator, year) from district values.

    ``values``: code, year, indicator, value; ``population``: residents by (code, year);
    ``area_km2``: area by code. Weighted figures are approximations from rounded district
    values; sums are exact.
    """
    out = {}
    for (indicator, year), grp in values.groupby(["indicator", "year"]):
        how = BY_ID[indicator].city if indicator in BY_ID else "weighted"
        vals = grp.set_index("code")["value"]
        if how == "sum":
            out[(indicator, year)] = float(vals.sum())
            continue
        pop = population.xs(year, level="year").reindex(vals.index)
        if how == "density":
            out[(indicator, year)] = float(pop.sum() / area_km2.reindex(vals.index).sum())
        else:
            ok = pop.notna() & vals.notna()
            out[(indicator, year)] = (float((vals[ok] * pop[ok]).sum() / pop[ok].sum())
                                      if ok.any() else np.nan)
    series = pd.Series(out, dtype="float64")
    series.index = series.index.set_names(["indicator", "year"])
    return series
