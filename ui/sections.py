"""What each core-project page shows beyond the shared frame: its own data, charts, tables.

Each function is one block of one page; the logic behind the figures lives in geodata/ and
layers/, so these stay small.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import geodata
from figures import charts, profile
from geodata import loaders
from geodata.climate import linear_trend
from geodata.indicators import BY_ID as INDICATORS
from geodata.sea import storm_surge_classes
from text import escape_markdown, number, signed

from . import data, state, widgets
from .i18n import lang, t

MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
             "September", "Oktober", "November", "Dezember")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December")


def _month(year: int, month: int) -> str:
    names = MONTHS_EN if lang() == "en" else MONTHS_DE
    return f"{names[month - 1]} {year}"


# --- Wasser. Warnow. Wir. ------------------------------------------------------------------


def sea_level() -> None:
    sea = data.load(loaders.sea_level)
    if sea is None:
        return
    trend = linear_trend(sea["decimal_year"], sea["msl_mm"])
    st.markdown(f"**{t('sea_level')}**")
    st.altair_chart(charts.sea_level_chart(sea, lang()), width="stretch")
    rise_cm = trend.slope_per_year * (trend.end - trend.start) / 10
    st.write(t("sea_level_summary", slope=number(trend.slope_per_year, lang(), 1),
               start=int(trend.start), end=int(trend.end), rise=number(rise_cm, lang(), 0)))


def storm_surges() -> None:
    classes = storm_surge_classes()
    de = lang() != "en"
    table = pd.DataFrame({
        t("surge_class"): classes["class_de" if de else "class_en"],
        t("surge_height"): [
            f"{number(lo, lang(), 2)} – {number(hi, lang(), 2)} m" if hi == hi
            else f"> {number(lo, lang(), 2)} m"
            for lo, hi in zip(classes["lower_m"], classes["upper_m"], strict=True)],
    })
    st.markdown(f"**{t('storm_surges')}**")
    st.dataframe(table, hide_index=True)


@st.cache_data(ttl=120, show_spinner=False)
def _level(api: str) -> tuple[object | None, str | None]:
    """The reading or the reason it failed, shared for two minutes by all sessions: an
    unreachable host must not cost every rerun its timeouts. Keyed by the API base."""
    from geodata import pegelonline

    try:
        return pegelonline.current_level(settings=geodata.load_settings()), None
    except geodata.GeodataError as exc:
        return None, exc.reason


def gauge() -> None:
    """The current water level at Warnemünde, when PEGELONLINE can be reached."""
    st.markdown(f"**{t('gauge_title')}**")
    from geodata import pegelonline

    level, reason = _level(pegelonline.api_base(geodata.load_settings()))
    if level is None:
        st.info(t("gauge_unreachable", reason=escape_markdown(reason)), icon="📡")
        return
    surge = level.surge_class
    cols = st.columns(3)
    cols[0].metric(t("gauge_level"), f"{number(level.value_cm, lang())} cm")
    cols[1].metric(t("gauge_vs_mw"), f"{signed(level.above_mw_cm, lang())} cm")
    cols[2].metric(t("gauge_class"), (surge[1] if lang() == "en" else surge[0]) if surge
                   else t("gauge_no_surge"))
    stamp = level.timestamp.strftime("%d.%m.%Y %H:%M")
    st.caption(t("gauge_caption", stamp=stamp) + (f" {t('gauge_cached')}"
                                                   if level.from_cache else ""))


# --- Grünes Rostock --------------------------------------------------------------------------


def climate() -> None:
    mv = data.load(loaders.climate_mv)
    if mv is not None:
        st.markdown(f"**{t('stripes')}**")
        st.altair_chart(charts.warming_stripes(mv, lang()), width="stretch")
        st.altair_chart(charts.anomaly_chart(mv, lang()), width="stretch")
    monthly = data.load(loaders.climate_warnemuende)
    if monthly is None:
        return
    st.markdown(f"**{t('warnemuende_monthly')}**")
    hottest = monthly.loc[monthly["t_mean_c"].idxmax()]
    peak = monthly.loc[monthly["t_abs_max_c"].idxmax()]
    st.write(t("hottest_month", month=_month(int(hottest.year), int(hottest.month)),
               mean=number(hottest.t_mean_c, lang(), 1),
               peak_month=_month(int(peak.year), int(peak.month)),
               peak=number(peak.t_abs_max_c, lang(), 1)))
    st.altair_chart(charts.warnemuende_monthly_chart(monthly, "t_mean_c", lang()),
                    width="stretch")
    st.markdown(f"**{t('summer_days')}**")
    st.altair_chart(charts.summer_days_chart(monthly, lang()), width="stretch")


def hotspots(codes: tuple[str, ...], year: int | None) -> None:
    """The hotspots the project names, with their heat index and rank among 21."""
    heat = data.layer("hitze", widgets.query(year=year), warn=False)
    if heat is None:
        return
    gdf = heat.gdf.copy()
    gdf["rank"] = gdf["value"].rank(ascending=False, method="min").astype(int)
    named = gdf[gdf["code"].isin(codes)].sort_values("rank")
    st.markdown(f"**{t('hotspots_title', year=heat.year)}**")
    st.dataframe(pd.DataFrame({
        t("district"): named["label"],
        t("heat_index"): named["value"].map(lambda v: number(v, lang())),
        t("rank_of_21"): named["rank"],
    }), hide_index=True)


# --- Urbane Datenplattform ------------------------------------------------------------------


def catalogue() -> None:
    """Every dataset with Stand, licence, publisher, rows — and a download of each."""
    from figures import export

    status = data.catalogue_status()
    st.dataframe(
        status.drop(columns=["id", "available"]).rename(columns={
            "title": t("col_title"), "stand": t("col_stand"), "rows": t("col_rows"),
            "licence": t("col_licence"), "source": t("col_source"),
            "last_error": t("col_error"), "publisher": t("col_publisher")}),
        hide_index=True, width="stretch")
    st.markdown(f"**{t('downloads')}**")
    for row in status[status["available"]].itertuples():
        cols = st.columns([3, 1, 1])
        cols[0].write(row.title)
        for col, fmt in zip(cols[1:], export.export_formats(row.id), strict=False):
            content, name, mime = _export(row.id, fmt, data.stamp([row.id]))
            col.download_button(fmt.upper(), content, file_name=name, mime=mime,
                                key=f"dl_{row.id}_{fmt}")


@st.cache_data(show_spinner=False, max_entries=32)
def _export(dataset_id: str, fmt: str, stamp: str) -> tuple[bytes, str, str]:
    from figures import export

    return export.export(dataset_id, fmt)


RESILIENCE = ("dichte", "durchschnittsalter", "anteil_65_plus", "anteil_unter_15",
              "anteil_auslaendisch", "anteil_single", "anteil_alleinerziehende",
              "veraenderung_vorjahr_pct")


def resilience() -> None:
    ind = data.load(loaders.indicators)
    if ind is None:
        return
    districts = data.load(loaders.districts)
    names = districts.set_index("code")["name"] if districts is not None else None
    years = sorted(set(ind.year))
    year = widgets.year_picker(years, scope="res_")
    # Its cells have a fixed size (a table in colour): at its own width, and on a phone it
    # scrolls inside its box (ui.a11y.CSS) instead of being squeezed and cut.
    st.altair_chart(charts.resilience_heatmap(ind, year, RESILIENCE, lang(), names=names),
                    width="content")


# --- Rostock App -----------------------------------------------------------------------------

POI_DATASETS = ("haltestellen", "spielplaetze", "toiletten", "trinkwasserspender")


def my_district(code: str | None) -> None:
    """A district in plain words, and what is near when the point data can be reached."""
    if not code:
        st.info(t("pick_district"))
        return
    ind = data.load(loaders.indicators)
    city = data.load(loaders.city_reference)
    districts = data.load(loaders.districts)
    if ind is None or city is None or districts is None:
        return
    year = int(ind[ind.indicator == "einwohner"].year.max())
    lg = lang()
    name = districts.set_index("code").loc[code, "name"]
    st.markdown(profile.district_words(ind, city, districts, code, lg, escape_markdown(name)))
    widgets.district_profile(code, year)
    st.markdown(f"**{t('nearby')}**")
    counts, missing = [], []
    for dataset_id in POI_DATASETS:
        pts = data.points(dataset_id)
        if pts is None:
            missing.append(geodata.get(dataset_id).title(lg))
            continue
        inside = int(pts.within(districts.set_index("code").loc[[code]].union_all()).sum())
        counts.append(f"- {geodata.get(dataset_id).title(lg)}: {number(inside, lg)}")
    if counts:
        st.markdown("\n".join(counts))
    if missing:
        st.info(t("nearby_unreachable", names=escape_markdown(", ".join(missing))), icon="📡")


# --- Digitale Begegnungszentren --------------------------------------------------------------


def centres(year: int | None = None) -> None:
    """The neighbourhood centres with their district's share of older and single people."""
    places = data.load(loaders.places, "dbz")
    ind = data.load(loaders.indicators)
    districts = data.load(loaders.districts)
    if places.empty or ind is None or districts is None:
        return
    year = year or int(ind[ind.indicator == "anteil_65_plus"].year.max())
    v = ind[ind.year == year].pivot(index="code", columns="indicator", values="value")
    names = districts.set_index("code")["name"]
    lg = lang()
    rows = []
    for p in places.itertuples():
        code = getattr(p, "district", None)
        rows.append({
            t("centre"): p.name,
            t("address"): getattr(p, "address", None) or "–",
            t("district"): names.get(code, "–"),
            INDICATORS["anteil_65_plus"].label(lg) + " (%)":
                number(v["anteil_65_plus"].get(code), lg, 1) if "anteil_65_plus" in v else "–",
            INDICATORS["anteil_single"].label(lg) + " (%)":
                number(v["anteil_single"].get(code), lg, 1) if "anteil_single" in v else "–",
        })
    st.markdown(f"**{t('centres_title', year=year)}**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    without = sorted(set(names.index) - {getattr(p, "district", None) for p in places.itertuples()})
    st.caption(t("centres_without",
                 names=escape_markdown(", ".join(names[c] for c in without))))


# --- Quartiersbaukasten ----------------------------------------------------------------------


def need_weights() -> tuple[tuple[str, float], ...]:
    """Sliders for the index weights, bound to the URL (``w_<component>``)."""
    from geodata import need_index

    st.markdown(f"**{t('weights')}**")
    cols = st.columns(len(need_index.COMPONENTS))
    weights = []
    for col, comp in zip(cols, need_index.COMPONENTS, strict=True):
        key = state.bind("wt_" + comp.id, float, lambda x: 0 <= x <= 1, comp.weight)
        with col:
            value = st.slider(comp.label(lang()), 0.0, 1.0, step=0.05, key=key)
        weights.append((comp.id, float(value)))
        state.publish(**{"wt_" + comp.id: None if value == comp.weight else value})
    return tuple(weights)


def need_ranking(weights: tuple[tuple[str, float], ...]) -> None:
    from geodata import need_index

    ind = data.load(loaders.indicators)
    if ind is None:
        return
    try:
        table = need_index.need_index(ind, weights=dict(weights))
    except ValueError as exc:
        st.warning(escape_markdown(exc))
        return
    st.caption(t("formula") + ": " + need_index.formula(dict(weights), lang()))
    names = data.load(loaders.districts).set_index("code")["name"]
    top = table.sort_values("rank").head(5)
    st.markdown(f"**{t('need_top')}**")
    st.dataframe(pd.DataFrame({
        t("rank"): top["rank"], t("district"): top["code"].map(names),
        t("need_index"): top["index"].map(lambda x: number(x, lang(), 0)),
    }), hide_index=True)
