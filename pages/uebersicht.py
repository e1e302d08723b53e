import streamlit as st

from geodata import loaders
from ui import data, widgets
from ui.i18n import t

st.title(t("overview_title"))
st.write(t("overview_intro"))

chosen = widgets.layer_picker()
top = st.columns([1, 1])
with top[0]:
    indicator = widgets.indicator_picker()
years = data.load(loaders.indicator_years) or {}
with top[1]:
    year = widgets.year_picker(years.get(indicator, []))
scheme, k = widgets.class_picker()
view = widgets.view_picker()
query = widgets.query(indicator, year)

shown = [layer for layer in (data.layer(i, query) for i in chosen) if layer is not None]
left, right = st.columns([3, 2])
clicked = None
with left:
    if shown:
        clicked = widgets.map_view(shown, view=view)
    else:
        st.info(t("no_layers"))
with right:
    for layer in shown:
        widgets.layer_panel(layer)

widgets.city_figures()
code = widgets.district_picker(clicked)
if code:
    widgets.district_profile(code, year)
datasets = [d for layer in shown for d in layer.spec.cited] or ["stadtbereiche"]
widgets.sources_footer([*datasets, "bevoelkerung"])
