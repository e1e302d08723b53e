import streamlit as st

from ui import planner, widgets
from ui.i18n import t

st.title(t("plan_title"))
st.write(t("plan_intro"))
choice = planner.pick()
if choice is not None and choice[2] is not None:
    codes, indicators, year = choice
    key = planner.selection_key(codes, indicators, year)
    compare_tab, trend_tab, twin_tab, export_tab = st.tabs(
        [t("plan_tab_compare"), t("plan_tab_trends"), t("plan_tab_twins"), t("plan_tab_export")])
    with compare_tab:
        table = planner.comparison(codes, indicators, year)
        spec = planner.comparison_chart(key, table)
        planner.small_maps(codes, indicators, year)
        planner.ortsteile_note()
    with trend_tab:
        planner.trends(codes, indicators)
    with twin_tab:
        planner.twins(indicators, year)
    with export_tab:
        planner.exports(key, table, spec)
widgets.sources_footer(["stadtbereiche", "bevoelkerung", "ortsteile"])
