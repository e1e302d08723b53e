import streamlit as st

from layers import charts
from ui import data, widgets
from ui.i18n import lang, t

st.title(t("climate_title"))
st.write(t("climate_intro"))

mv = data.load("climate_mv", "klima_mv")
if mv is not None:
    st.subheader(t("stripes"))
    st.altair_chart(charts.warming_stripes(mv, lang()), width="stretch")
    st.subheader(t("anomaly"))
    st.altair_chart(charts.anomaly_chart(mv, lang()), width="stretch")

st.subheader(t("heat_map"))
heat_years = data.load("indicator_years", "bevoelkerung") or {}
years = sorted(set(heat_years.get("dichte", [])) & set(heat_years.get("anteil_65_plus", [])))
year = widgets.year_picker(years, scope="heat_")
heat = data.layer("hitze", widgets.query(year=year))
if heat is not None:
    left, right = st.columns([3, 2])
    with left:
        widgets.map_view([heat], key="heat_map", height=480)
    with right:
        widgets.layer_panel(heat)

monthly = data.load("climate_warnemuende", "klima_warnemuende")
if monthly is not None:
    st.subheader(t("warnemuende_monthly"))
    st.altair_chart(charts.warnemuende_monthly_chart(monthly, "t_mean_c", lang()),
                    width="stretch")
    st.subheader(t("summer_days"))
    st.altair_chart(charts.summer_days_chart(monthly, lang()), width="stretch")

widgets.sources_footer(["klima_mv", "klima_warnemuende", "stadtbereiche", "bevoelkerung"])
