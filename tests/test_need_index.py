"""Quartiersbaukasten need index on the real (mirrored) data, and the SBZ places."""

from __future__ import annotations

import string
from pathlib import Path

import pandas as pd
import pytest

from geodata import loaders
from geodata.need_index import (
    COMPONENTS,
    default_year,
    formula,
    need_index,
    normalise_weights,
)
from tests.helpers.mirror import fast_settings, needs_mirror

pytestmark = needs_mirror


@pytest.fixture(scope="module")
def ind(good_store: Path) -> pd.DataFrame:
    return loaders.indicators(fast_settings(good_store, None))


def _raw(ind: pd.DataFrame, indicator: str, year: int) -> pd.Series:
    sel = ind[(ind.indicator == indicator) & (ind.year == year)]
    return sel.set_index("code")["value"].astype(float)


def _scaled(values: pd.Series, reverse: bool = False) -> pd.Series:
    s = (values - values.min()) / (values.max() - values.min()) * 100
    return 100 - s if reverse else s


def test_defaults_cover_21_districts_in_2023(ind: pd.DataFrame) -> None:
    out = need_index(ind)
    assert len(out) == 21 and out.code.is_unique
    assert (out.year == 2023).all() and default_year(ind) == 2023
    assert out["index"].between(0, 100).all()
    assert sorted(out["rank"]) == list(range(1, 22))
    assert out.attrs["weights"]["alleinerziehende"] == pytest.approx(0.4)
    for comp in COMPONENTS:
        assert out[f"score_{comp.id}"].between(0, 100).all()


def test_top_district_has_the_highest_weighted_score(ind: pd.DataFrame) -> None:
    # Independent of the module: min–max by hand from the published indicators.
    expected = (0.4 * _scaled(_raw(ind, "anteil_alleinerziehende", 2023))
                + 0.3 * _scaled(_raw(ind, "anteil_mit_kindern", 2023))
                + 0.3 * _scaled(_raw(ind, "veraenderung_vorjahr_pct", 2023), reverse=True))
    out = need_index(ind).set_index("code")
    assert out.loc[out["rank"] == 1].index[0] == expected.idxmax()
    assert out["index"].to_dict() == pytest.approx(expected.round(1).to_dict(), abs=0.05)


def test_weights_change_the_ranking(ind: pd.DataFrame) -> None:
    default_top = need_index(ind).iloc[0].code
    only = need_index(ind, weights={"anteil_alleinerziehende": 1})
    # Lütten Klein (E) has the highest single-parent share in 2023: 46.3 %.
    assert _raw(ind, "anteil_alleinerziehende", 2023).idxmax() == "E"
    assert only.iloc[0].code == "E" and only.iloc[0]["rank"] == 1
    assert only.iloc[0]["index"] == pytest.approx(100)
    assert only.iloc[0].code != default_top
    # Component ids work as keys too; unnamed components get weight 0.
    same = need_index(ind, weights={"alleinerziehende": 5})
    assert list(same.code) == list(only.code)


def test_population_decline_is_reversed(ind: pd.DataFrame) -> None:
    change = _raw(ind, "veraenderung_vorjahr_pct", 2023)
    out = need_index(ind).set_index("code")
    assert out.loc[change.idxmin(), "score_rueckgang"] == 100
    assert out.loc[change.idxmax(), "score_rueckgang"] == 0
    assert change.idxmin() == "J"  # Gartenstadt/Stadtweide: largest decline, −1.87 %


def test_optional_components_change_the_year(ind: pd.DataFrame) -> None:
    assert default_year(ind, {"anteil_alleinerziehende": 1}) == 2023
    # Share aged 65+ is not published for 2020–2022.
    with pytest.raises(ValueError, match="anteil_65_plus"):
        need_index(ind, year=2022, weights={"senioren": 1, "kinder": 1})
    # With weight 0 the missing component does not matter.
    assert len(need_index(ind, year=2022)) == 21
    # Single parents start in 2019.
    with pytest.raises(ValueError, match="anteil_alleinerziehende"):
        need_index(ind, year=2015)


@pytest.mark.parametrize("weights", [
    {c.id: 0 for c in COMPONENTS},
    {},
])
def test_all_zero_weights_are_rejected(ind: pd.DataFrame, weights: dict) -> None:
    with pytest.raises(ValueError, match="All weights are zero"):
        need_index(ind, weights=weights)


def test_bad_weights_are_rejected(ind: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="negative"):
        need_index(ind, weights={"alleinerziehende": 1, "kinder": -0.5})
    with pytest.raises(ValueError, match="Unknown component"):
        normalise_weights({"nonsense": 1})


def test_formula_in_plain_words() -> None:
    de = formula()
    en = formula(lang="en")
    assert de.startswith("Index = 0,40 × Alleinerziehende + 0,30 × Haushalte mit Kindern")
    assert "0,30 × Bevölkerungsrückgang" in de and "21 Stadtbereiche" in de
    assert "0.40 × Single parents" in en and "0.30 × Population decline" in en
    assert "0,40" not in en and "0.40" not in de
    two = formula({"kinder": 1, "single": 3}, lang="de")
    assert "0,25 × Haushalte mit Kindern + 0,75 × Single-Haushalte" in two
    assert "Alleinerziehende" not in two


def test_sbz_places() -> None:
    sbz = loaders.places("dbz")
    sbz = sbz[sbz.id.str.startswith("sbz_")]
    assert len(sbz) == 8 and sbz.id.is_unique
    assert set(sbz.district) <= set(string.ascii_uppercase[:21])
    assert sbz.geometry.isna().all()
    assert (sbz.kind_de == "Stadtteil- und Begegnungszentrum").all()
    assert sbz.source.str.startswith("http").all()
    boerger = sbz.set_index("id").loc["sbz_gross_klein"]
    assert boerger["district"] == "D" and boerger["address"] == "Gerüstbauerring 28"
    assert boerger["name"].startswith("Börgerhus")
    # Places without an address carry none (no placeholder text).
    assert not sbz.address.fillna("").str.contains("nicht").any()
