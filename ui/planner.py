"""The planner workspace: compare districts, trends, district twins, exports.

The statistics live in ``geodata.planning``, charts in ``figures.charts``, files in
``figures.report``; this module only arranges them and binds choices to the URL.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

import geodata
from figures import charts, report
from geodata import loaders, planning
from geodata.indicators import BY_ID as INDICATORS
from geodata.indicators import INDICATORS as INDICATOR_LIST
from text import escape_markdown, number, signed

from . import data, state, widgets
from .i18n import lang, t

DEFAULT_DISTRICTS = ["E", "K", "N", "S"]
SOURCES = ("bevoelkerung", "stadtbereiche")
DEFAULT_INDICATORS = ["einwohner", "dichte", "anteil_65_plus", "anteil_single"]


def pick() -> tuple[list[str], list[str], int | None] | None:
    """Districts (2–4), indicators and a year, all restored from a shared link."""
    districts = data.load(loaders.districts)
    years = data.load(loaders.indicator_years)
    if districts is None or years is None:
        return None
    names = dict(zip(districts.code, districts.name, strict=True))
    lg = lang()
    codes = st.multiselect(
        t("plan_districts"), list(names), max_selections=4,
        key=state.bind_list("districts", list(names), DEFAULT_DISTRICTS, scope="plan_"),
        format_func=lambda c: names[c])
    ids = [i.id for i in INDICATOR_LIST]
    chosen = st.multiselect(
        t("plan_indicators"), ids,
        key=state.bind_list("indicators", ids, DEFAULT_INDICATORS, scope="plan_"),
        format_func=lambda i: INDICATORS[i].label(lg))
    published = sorted({y for i in chosen for y in years.get(i, [])})
    year = widgets.year_picker(published, scope="plan_") if published else None
    state.publish(districts=codes, indicators=chosen)
    if not 2 <= len(codes) <= 4:
        st.info(t("plan_pick_2_4"))
        return None
    if not chosen:
        st.info(t("plan_pick_indicator"))
        return None
    return codes, chosen, year


def _names() -> pd.Series:
    return data.load(loaders.districts).set_index("code")["name"]


def _areas() -> pd.Series:
    """District areas, so the city's density agrees with the rest of the app."""
    return data.load(loaders.districts).set_index("code")["area_km2"]


def comparison(codes: list[str], indicators: list[str], year: int) -> pd.DataFrame | None:
    ind = data.load(loaders.indicators)
    table = planning.compare(ind, codes, indicators, year, area_km2=_areas())
    table["name"] = table["code"].map(_names())
    lg = lang()
    # Published figures at their published precision (residents as whole people); the
    # mean of the 21 is computed and keeps at least one decimal.
    digits = [INDICATORS[i].digits for i in table["indicator"]]

    def shown(column: str, at_least: int = 0) -> list[str]:
        return [number(v, lg, max(d, at_least))
                for v, d in zip(table[column], digits, strict=True)]

    view = pd.DataFrame({
        t("district"): table["name"],
        t("indicator"): table["indicator"].map(lambda i: INDICATORS[i].label(lg)),
        t("plan_value"): shown("value"),
        t("plan_mean"): shown("mean", at_least=1),
        t("plan_city"): shown("city"),
        "z": [signed(v, lg, 2) for v in table["z"]],
        t("plan_flag"): ["⚑" if pd.notna(f) and bool(f) else "" for f in table["flag"]],
        t("plan_rank"): [f"{int(r)} / {int(n)}" if pd.notna(r) else "–"
                         for r, n in zip(table["rank"], table["n"], strict=True)],
    })
    st.dataframe(view, hide_index=True, width="stretch")
    st.caption(t("plan_compare_note"))
    widgets.source_note(SOURCES)
    missing = table[table["value"].isna()]["indicator"].unique()
    for indicator in missing:
        st.caption("⚠ " + t("plan_not_published", indicator=INDICATORS[indicator].label(lg),
                             year=year))
    return table


def selection_key(codes: list[str], indicators: list[str], year: int) -> tuple:
    """Everything a comparison depends on: cache key for its chart and files."""
    return (tuple(codes), tuple(indicators), year, lang(),
            data.stamp(["stadtbereiche", "bevoelkerung"]))


@st.cache_data(show_spinner=False, max_entries=32)
def _comparison_specs(key: tuple, _table: pd.DataFrame) -> tuple[list[dict], dict]:
    """The charts to show (one per indicator, as wide as the column) and the stacked one
    for the PNG export, validated once per selection, not on every rerun."""
    lg = key[3]
    labelled = _table.assign(
        label=_table["indicator"].map(lambda i: INDICATORS[i].label(lg)),
        unit=_table["indicator"].map(lambda i: INDICATORS[i].unit(lg)))
    return ([c.to_dict() for c in charts.comparison_charts(labelled, lg)],
            charts.comparison_chart(labelled, lg).to_dict())


def comparison_chart(key: tuple, table: pd.DataFrame) -> dict:
    shown, export = _comparison_specs(key, table)
    for spec in shown:
        widgets.chart(spec)
    return export


def small_maps(codes: list[str], indicators: list[str], year: int) -> None:
    """Small multiples: one map per indicator (first three), the chosen districts outlined."""
    cols = st.columns(min(3, len(indicators)))
    for col, indicator in zip(cols, indicators[:3], strict=False):
        q = widgets.query(indicator, year)
        q = q.__class__(**{**q.__dict__, "codes": tuple(codes), "k": 5})
        layers = [x for x in (data.layer("indikator", q, warn=False),
                              data.layer("auswahl", q, warn=False)) if x is not None]
        with col:
            st.caption(INDICATORS[indicator].label(lang()))
            if layers:
                widgets.map_view(layers, key=f"small_{indicator}", height=260)
                widgets.legend(layers[0])
                # Nothing only as colour: the map's values as a sentence and a table too.
                with st.expander(f"{t('table')}: {layers[0].title}"):
                    st.write(escape_markdown(layers[0].summary()))
                    st.dataframe(layers[0].table(), hide_index=True, width="stretch")
    widgets.source_note(SOURCES)


def trends(codes: list[str], indicators: list[str]) -> None:
    ind = data.load(loaders.indicators)
    lg = lang()
    key = state.bind_choice("trend", indicators, indicators[0], scope="plan_")
    indicator = st.selectbox(t("indicator"), indicators, key=key,
                             format_func=lambda i: INDICATORS[i].label(lg))
    indexed = st.toggle(t("plan_indexed"), key="w_plan_indexed")
    state.publish(trend=indicator)
    trend = planning.trends(ind, codes, indicator, area_km2=_areas())
    names = {**_names().to_dict(), "Rostock": t("city")}
    trend["name"] = trend["code"].map(lambda c: names.get(c, c))
    city = INDICATORS[indicator].city
    note = t("city_line_" + city, city=t("city"))
    if city == "sum" and not indexed:
        # The city's sum is ten to twenty times a district's figure: on one axis with it,
        # the districts' lines lie flat at the bottom. Indexed, it compares fairly.
        trend = trend[trend["code"] != planning.CITY]
        note += " " + t("city_line_sum_hidden")
    widgets.chart(charts.trend_chart(trend, INDICATORS[indicator].label(lg), indexed, lg))
    st.caption(note)
    gaps = planning.breaks(ind, indicator)
    for item in gaps:
        st.caption("⚠ " + str(item.get("text_" + ("en" if lg == "en" else "de"))
                                 or item.get("text") or item))
    widgets.source_note(SOURCES)


def twins(indicators: list[str], year: int) -> None:
    ind = data.load(loaders.indicators)
    names = _names()
    codes = list(names.index)
    key = state.bind_choice("twin", codes, "E", scope="plan_")
    code = st.selectbox(t("plan_twin_of"), codes, key=key, format_func=lambda c: names[c])
    state.publish(twin=code)
    st.caption(planning.METHOD_EN if lang() == "en" else planning.METHOD_DE)
    try:
        found = planning.twins(ind, code, indicators, year, n=3)
    except ValueError as exc:
        st.warning(escape_markdown(exc))
        return
    lg = lang()
    st.dataframe(pd.DataFrame({
        t("district"): found["code"].map(names),
        t("plan_distance"): [number(d, lg, 2) for d in found["distance"]],
        t("plan_used"): found["n_indicators"],
        t("plan_differs"): found["differs"].map(lambda pairs: ", ".join(
            f"{INDICATORS[i].label(lg)} ({signed(gap, lg, 2)})" for i, gap in pairs)),
    }), hide_index=True, width="stretch")
    widgets.source_note(SOURCES)


EXPORT_COLUMNS = {  # comparison column → (German, English) header
    "code": ("Kürzel", "code"), "name": ("Stadtbereich", "district"),
    "year": ("Jahr", "year"), "label": ("Kennwert", "indicator"), "unit": ("Einheit", "unit"),
    "value": ("Wert", "value"), "mean": ("Mittel_21", "mean_21"), "sd": ("SD_21", "sd_21"),
    "z": ("z", "z"), "flag": ("mehr_als_1_SD", "over_1_sd"), "rank": ("Rang", "rank"),
    "n": ("Anzahl_mit_Daten", "n_with_data"), "city": ("Gesamtstadt", "whole_city"),
}


def _export_table(table: pd.DataFrame) -> pd.DataFrame:
    """The comparison with readable headers and sensible rounding, for CSV readers."""
    en = lang() == "en"
    out = table.assign(label=table["label_en" if en else "label_de"],
                       unit=table["unit_en" if en else "unit_de"],
                       mean=table["mean"].round(2), sd=table["sd"].round(2),
                       z=table["z"].round(3), city=table["city"].round(2))
    out = out[list(EXPORT_COLUMNS)]
    return out.rename(columns={k: v[1 if en else 0] for k, v in EXPORT_COLUMNS.items()})


def exports(key: tuple, table: pd.DataFrame, spec: dict) -> None:
    """Download buttons; the files are built once per selection, not on every rerun."""
    codes, year = list(key[0]), key[2]
    csv, geojson = _files(key, table)
    cols = st.columns(3)
    cols[0].download_button(
        "CSV", csv, file_name=report.report_filename("vergleich", codes, year, "csv"),
        mime="text/csv", key="plan_csv")
    cols[1].download_button(
        "GeoJSON", geojson,
        file_name=report.report_filename("vergleich", codes, year, "geojson"),
        mime="application/geo+json", key="plan_geojson")
    cols[2].download_button(
        "PNG", _png(key, spec),
        file_name=report.report_filename("diagramm", codes, year, "png"),
        mime="image/png", key="plan_png")
    st.caption(t("plan_csv_note"))
    link = share_link()
    if link:
        st.markdown(f"**{t('plan_share')}**")
        st.code(link, language=None)


@st.cache_data(show_spinner=False, max_entries=32)
def _files(key: tuple, _table: pd.DataFrame) -> tuple[bytes, bytes]:
    settings = geodata.load_settings()
    sources = [loaders.info(i, settings) for i in SOURCES]
    geo = data.load(loaders.districts)
    codes = list(key[0])
    return (report.selection_csv(_export_table(_table), sources, key[3]),
            report.selection_geojson(geo[geo.code.isin(codes)], _table, sources, key[3]))


@st.cache_data(show_spinner=False, max_entries=32)
def _png(key: tuple, _spec: dict) -> bytes:
    """Rendered once per selection (vl-convert takes 0.1–0.9 s)."""
    return report.chart_png(_spec)


def share_link() -> str | None:
    """The URL that restores this view (page, districts, indicators, year, language)."""
    base = st.context.url
    if not base:
        return None
    params = {k: st.query_params[k] for k in st.query_params}
    return f"{base}?{urlencode(params)}" if params else base


def ortsteile_note() -> None:
    st.caption(t("plan_ortsteile"))
