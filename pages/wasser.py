import streamlit as st

from geodata import loaders
from layers import charts
from ui import data, widgets
from ui.i18n import lang, t

st.title(t("water_title"))
st.write(t("water_intro"))

ids = ["wasserflaechen", "warnow", "uferbezirke", "orte_wasser"]
shown = [layer for layer in (data.layer(i, widgets.query()) for i in ids) if layer is not None]
left, right = st.columns([3, 2])
with left:
    if shown:
        widgets.map_view(shown, key="water_map", height=520)
with right:
    for layer in shown:
        widgets.layer_panel(layer)
unplaced = loaders.places("www")
names = ", ".join(unplaced[unplaced.geometry.isna()].name)
if names:
    st.caption(t("places_without_position", names=names))

sea = data.load("sea_level", "meeresspiegel_warnemuende")
if sea is not None:
    st.subheader(t("sea_level"))
    st.altair_chart(charts.sea_level_chart(sea, lang()), width="stretch")

widgets.sources_footer(["wasser", "stadtbereiche", "meeresspiegel_warnemuende"])
