"""A district's profile as data: key figures against the whole city, rank among the 21,
change since the first published year, the district in plain words.

No Streamlit here: the app's profile (``ui.widgets.district_profile``, the Rostock App
page's ``ui.sections.my_district``) and the static district pages (``profiles/``) draw from
these functions, so a figure is computed once and reads the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from geodata.indicators import BY_ID, Indicator, latest_year
from geodata.planning import ranks
from text import number, signed, t

# The key figures of a profile, in the order shown.
PROFILE_INDICATORS = ("einwohner", "dichte", "durchschnittsalter", "anteil_unter_15",
                      "anteil_65_plus", "anteil_auslaendisch", "anteil_single",
                      "veraenderung_vorjahr_pct")


@dataclass(frozen=True)
class KeyFigure:
    indicator: str
    value: float | None
    city: float | None  # the whole city's figure (for counts the sum of the 21 districts)
    rank: int | None    # 1 = highest of the districts with a value
    n: int              # districts with a value

    @property
    def spec(self) -> Indicator:
        return BY_ID[self.indicator]

    def label(self, lang: str) -> str:
        return self.spec.label(lang)

    def unit(self, lang: str) -> str:
        """Shares and ages read with their unit; counts and densities say theirs in the
        label."""
        return f" {self.spec.unit(lang)}" if self.spec.unit_de in {"%", "Jahre"} else ""

    def value_text(self, lang: str) -> str:
        if self.value is None:
            return "–"
        return f"{number(self.value, lang, self.spec.digits)}{self.unit(lang)}"

    def city_text(self, lang: str) -> str:
        if self.city is None:
            return "–"
        return f"{number(self.city, lang, self.spec.digits)}{self.unit(lang)}"

    def difference_text(self, lang: str) -> str | None:
        """District minus city; a difference of two shares is in percentage points. None for
        counts: a district's residents minus the city's sum compares nothing."""
        if self.value is None or self.city is None or self.spec.city == "sum":
            return None
        unit = f" {t('percentage_points', lang)}" if self.spec.unit_de == "%" else \
            self.unit(lang)
        return f"{signed(self.value - self.city, lang, self.spec.digits)}{unit}"

    def delta_text(self, lang: str) -> str | None:
        """What the app's metric shows under the value."""
        diff = self.difference_text(lang)
        if diff is None:
            return None
        return f"{diff} ({t('city', lang)}: {self.city_text(lang)})"

    def rank_text(self, lang: str) -> str:
        if self.rank is None:
            return "–"
        return t("rank_of", lang, rank=self.rank, n=self.n)


def profile_year(ind: pd.DataFrame, code: str, year: int | None = None) -> int:
    """The year asked for when the district has figures for it, else its latest."""
    mine = set(ind.loc[ind.code == code, "year"])
    return int(year) if year in mine else latest_year(ind, code=code)


def key_figures(ind: pd.DataFrame, city: pd.Series, code: str, year: int,
                indicators: tuple[str, ...] = PROFILE_INDICATORS) -> list[KeyFigure]:
    out = []
    mine = ind[(ind.code == code) & (ind.year == year)].set_index("indicator")["value"]
    for ind_id in indicators:
        ranked = ranks(ind, ind_id, year)
        value = None if pd.isna(v := mine.get(ind_id)) else float(v)
        ref = city.get((ind_id, year))
        ref = None if ref is None or ref != ref else float(ref)
        out.append(KeyFigure(ind_id, value, ref,
                             int(ranked[code]) if code in ranked.index else None, len(ranked)))
    return out


def population(ind: pd.DataFrame, code: str) -> pd.DataFrame:
    """Residents per year of one district (year, value), oldest first."""
    pop = ind[(ind.code == code) & (ind.indicator == "einwohner")]
    return pop[["year", "value"]].sort_values("year").reset_index(drop=True)


def change_text(ind: pd.DataFrame, code: str, lang: str) -> str:
    """'Seit 2005: +1.234 Einwohner (+6,1 %).' — the sentence under the trend chart."""
    pop = population(ind, code)
    first, last = pop.iloc[0], pop.iloc[-1]
    change = last.value - first.value
    return t("trend_since", lang, first=int(first.year), change=signed(change, lang),
             pct=signed(change / first.value * 100, lang, 1))


def _comparison(value: float | None, ref: float | None, lang: str) -> str:
    if value is None or ref is None:
        return t("cmp_unknown", lang)
    if value > ref * 1.05:
        return t("cmp_higher", lang)
    return t("cmp_lower", lang) if value < ref * 0.95 else t("cmp_same", lang)


def district_words(ind: pd.DataFrame, city: pd.Series, districts: pd.DataFrame, code: str,
                   lang: str, name: str) -> str:
    """The district in one paragraph against the city (Markdown: the name in ``**``).

    ``name`` is put in as given: escape it for where the text goes (Markdown, HTML)."""
    row = districts.set_index("code").loc[code]
    year = latest_year(ind)
    v = ind[(ind.code == code) & (ind.year == year)].set_index("indicator")["value"]

    def cmp(ind_id: str) -> str:
        return _comparison(v.get(ind_id), city.get((ind_id, year)), lang)

    return t("district_words", lang, name=name, year=year,
             pop=number(v.get("einwohner"), lang), area=number(row["area_km2"], lang, 1),
             density=number(v.get("dichte"), lang), density_cmp=cmp("dichte"),
             age=number(v.get("durchschnittsalter"), lang, 1),
             age_cmp=cmp("durchschnittsalter"),
             old=number(v.get("anteil_65_plus"), lang, 1), old_cmp=cmp("anteil_65_plus"))
