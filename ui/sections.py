"""What each core-project page shows beyond the shared frame: its own data, charts, tables.

Each function is one block of one page; the logic behind the figures lives in geodata/ and
layers/, so these stay small.
"""

from __future__ import annotations

import logging

import pandas as pd
import streamlit as st

import geodata
from figures import charts, profile
from geodata import loaders
from geodata.indicators import BY_ID as INDICATORS
from geodata.indicators import latest_year
from geodata.sea import storm_surge_classes
from text import data_date, escape_markdown, number, signed

from . import data, state, widgets
from .i18n import day, lang, t

log = logging.getLogger(__name__)

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
    figures = data.load(loaders.sea_level_figures)
    if sea is None or figures is None:
        return
    lg = lang()
    whole, recent = figures.whole, figures.recent
    st.markdown(f"**{t('sea_level')}**")
    cols = st.columns(2)
    cols[0].metric(t("sea_trend_whole", start=int(whole.start)),
                   f"{signed(whole.slope_per_year, lg, 1)} mm")
    cols[1].metric(t("sea_trend_recent", since=figures.since),
                   f"{signed(recent.slope_per_year, lg, 1)} mm")
    widgets.chart(charts.sea_level_chart(sea, lg))
    rise_cm = whole.slope_per_year * (whole.end - whole.start) / 10
    st.write(t("sea_level_summary", start=int(whole.start), slope=number(whole.slope_per_year,
               lg, 1), rise=number(rise_cm, lg, 0), since=figures.since,
               slope_recent=number(recent.slope_per_year, lg, 1),
               period=data_date({"kind": "months", "start": figures.first_month,
                                 "end": figures.last_month}, lg)))
    widgets.source_note(["meeresspiegel_warnemuende"])


def storm_surges() -> None:
    classes = storm_surge_classes()
    lg = lang()
    table = pd.DataFrame({
        t("surge_class"): classes["class_en" if lg == "en" else "class_de"],
        t("surge_height"): [
            f"{number(lo, lg, 2)} – {number(hi, lg, 2)} m" if hi == hi
            else f"> {number(lo, lg, 2)} m"
            for lo, hi in zip(classes["lower_m"], classes["upper_m"], strict=True)],
    })
    st.markdown(f"**{t('storm_surges')}**")
    st.dataframe(table, hide_index=True)
    widgets.source_note([classes.attrs["source"]])


@st.cache_data(ttl=120, show_spinner=False)
def _level(api: str) -> tuple[object | None, str | None]:
    """The reading, or the kind of failure (the English reason goes to the log), shared
    for two minutes by all sessions: an unreachable host must not cost every rerun its
    timeouts. Keyed by the API base."""
    from geodata import pegelonline

    try:
        return pegelonline.current_level(settings=geodata.load_settings()), None
    except geodata.GeodataError as exc:
        log.info("PEGELONLINE: %s", exc)
        return None, exc.kind


def gauge() -> None:
    """The current water level at Warnemünde, when PEGELONLINE can be reached."""
    st.markdown(f"**{t('gauge_title')}**")
    from geodata import pegelonline

    level, kind = _level(pegelonline.api_base(geodata.load_settings()))
    if level is None:
        st.info(t("gauge_unreadable" if kind in ("format", "validation")
                  else "gauge_unreachable"), icon="📡")
        return
    surge = level.surge_class
    cols = st.columns(3)
    cols[0].metric(t("gauge_level"), f"{number(level.value_cm, lang())} cm")
    cols[1].metric(t("gauge_vs_mw"), f"{signed(level.above_mw_cm, lang())} cm")
    cols[2].metric(t("gauge_class"), (surge[1] if lang() == "en" else surge[0]) if surge
                   else t("gauge_no_surge"))
    stamp = level.timestamp.strftime(t("gauge_stamp"))
    st.caption(t("gauge_caption", stamp=stamp) + (f" {t('gauge_cached')}"
                                                   if level.from_cache else ""))


# --- Grünes Rostock --------------------------------------------------------------------------


def warming() -> None:
    """The figures people quote: warming per decade, today's normal against the first 30
    years measured, the warmest year (computed by ``geodata.climate.warming``)."""
    w = data.load(loaders.warming_figures)
    if w is None:
        return
    lg = lang()
    st.markdown(f"**{t('warming_title')}**")
    cols = st.columns(3)
    cols[0].metric(t("warming_trend", first=w.first_year, last=w.last_year),
                   f"{signed(w.per_decade, lg, 2)} °C")
    cols[1].metric(t("warming_recent", a=w.recent[0], b=w.recent[1]),
                   f"{number(w.recent_mean, lg, 1)} °C",
                   delta=t("warming_vs_early", diff=signed(w.difference, lg, 1), a=w.early[0],
                           b=w.early[1], early=number(w.early_mean, lg, 1)),
                   delta_color="off", delta_arrow="off")
    cols[2].metric(t("warming_warmest"), str(w.warmest_year),
                   delta=t("warming_warmest_value", value=number(w.warmest_value, lg, 2)),
                   delta_color="off", delta_arrow="off")
    st.caption(t("warming_note", first=w.first_year, last=w.last_year))


def climate() -> None:
    mv = data.load(loaders.climate_mv)
    lg = lang()
    if mv is not None:
        warming()
        widgets.chart(charts.warming_stripes(mv, lg))
        widgets.chart(charts.anomaly_chart(mv, lg))
        widgets.source_note(["klima_mv"])
    monthly = data.load(loaders.climate_warnemuende)
    if monthly is None:
        return
    st.markdown(f"**{t('warnemuende_monthly')}**")
    hottest = monthly.loc[monthly["t_mean_c"].idxmax()]
    peak = monthly.loc[monthly["t_abs_max_c"].idxmax()]
    st.write(t("hottest_month", month=_month(int(hottest.year), int(hottest.month)),
               mean=number(hottest.t_mean_c, lg, 1),
               peak_month=_month(int(peak.year), int(peak.month)),
               peak=number(peak.t_abs_max_c, lg, 1)))
    widgets.chart(charts.warnemuende_monthly_chart(monthly, "t_mean_c", lg))
    widgets.chart(charts.summer_days_chart(monthly, lg))
    widgets.source_note(["klima_warnemuende"])


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
    widgets.source_note(heat.spec.cited)


# --- Urbane Datenplattform ------------------------------------------------------------------


def catalogue() -> None:
    """Every dataset with Stand, licence, publisher, rows — and a download of each."""
    from figures import export

    status = data.catalogue_status()
    st.dataframe(
        status.drop(columns=["id", "available"]).rename(columns={
            "title": t("col_title"), "data_date": t("col_data_date"),
            "retrieved": t("col_retrieved"), "rows": t("col_rows"),
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
    widgets.chart(charts.resilience_heatmap(ind, year, RESILIENCE, lang(), names=names),
                  width="content")
    widgets.source_note(["bevoelkerung", "stadtbereiche"])


# --- Rostock App -----------------------------------------------------------------------------

POI_DATASETS = ("haltestellen", "spielplaetze", "toiletten", "trinkwasserspender")


def find_place(clicked: str | None, chosen: str | None = None) -> str | None:
    """Where a visitor says which district is theirs: the district list, a click on the map
    or (``chosen``) the district of a search result above it."""
    st.markdown(f"**{t('find_place')}**")
    return widgets.district_picker(clicked, chosen)


def my_district(code: str | None) -> None:
    """A district in plain words (the city as a whole until one is chosen), its profile,
    and what is near when the online point data can be reached. Works offline."""
    ind = data.load(loaders.indicators)
    city = data.load(loaders.city_reference)
    districts = data.load(loaders.districts)
    if ind is None or city is None or districts is None:
        return
    lg = lang()
    if not code:
        total = widgets.city_total()
        if total is not None:
            year, residents, area = total
            st.markdown(t("city_words", pop=number(residents, lg), area=number(area, lg, 1),
                          day=day(f"{year}-12-31", lg)))
            widgets.source_note(["bevoelkerung", "stadtbereiche"])
        return
    year = latest_year(ind)
    name = districts.set_index("code").loc[code, "name"]
    st.markdown(profile.district_words(ind, city, districts, code, lg, escape_markdown(name)))
    widgets.district_profile(code, year)
    counts, reached = [], []
    for dataset_id in POI_DATASETS:
        pts = data.points(dataset_id)
        if pts is None:  # the map's sentence has named what needs the internet
            continue
        inside = int(pts.within(districts.set_index("code").loc[[code]].union_all()).sum())
        counts.append(f"- {geodata.get(dataset_id).title(lg)}: {number(inside, lg)}")
        reached.append(dataset_id)
    if counts:
        st.markdown(f"**{t('nearby')}**")
        st.markdown("\n".join(counts))
        widgets.source_note(reached)


# --- Digitale Begegnungszentren --------------------------------------------------------------


def centres(year: int | None = None) -> None:
    """The neighbourhood centres with their district's share of older and single people."""
    places = data.load(loaders.places, "dbz")
    ind = data.load(loaders.indicators)
    districts = data.load(loaders.districts)
    if places.empty or ind is None or districts is None:
        return
    year = year or latest_year(ind, "anteil_65_plus")
    v = ind[ind.year == year].pivot(index="code", columns="indicator", values="value")
    names = districts.set_index("code")["name"]
    lg = lang()
    rows = []
    for p in places.itertuples():
        code = getattr(p, "district", None)
        address = getattr(p, "address", None)
        rows.append({
            t("centre"): p.name_en if lg == "en" else p.name,
            t("address"): address if isinstance(address, str) and address else "–",
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
    widgets.source_note(["orte", "bevoelkerung", "stadtbereiche"])


# --- Quartiersbaukasten ----------------------------------------------------------------------


# The weights a slider offers: 0 to 1 in steps of 0.05 (a shared link with another value
# falls back to the default).
WEIGHT_STEPS = tuple(round(i * 0.05, 2) for i in range(21))


def need_weights() -> tuple[tuple[str, float], ...]:
    """Sliders for the index weights, bound to the URL (``w_<component>``), their numbers
    written the page's way (a plain st.slider prints 0.40 on a German page too)."""
    from geodata import need_index

    st.markdown(f"**{t('weights')}**")
    cols = st.columns(len(need_index.COMPONENTS))
    weights = []
    lg = lang()
    for col, comp in zip(cols, need_index.COMPONENTS, strict=True):
        key = state.bind("wt_" + comp.id, float, lambda x: x in WEIGHT_STEPS, comp.weight)
        with col:
            value = st.select_slider(comp.label(lg), WEIGHT_STEPS, key=key,
                                     format_func=lambda x: number(x, lg, 2))
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
    widgets.source_note(["bevoelkerung", "stadtbereiche"])
