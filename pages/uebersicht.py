import streamlit as st

from geodata import loaders
from ui import data, search, widgets
from ui.i18n import t

st.title(t("overview_title"))
st.write(t("overview_intro"))
hit = search.search_box()

chosen = widgets.layer_picker()
top = st.columns([1, 1])
with top[0]:
    indicator = widgets.indicator_picker()
years = data.load(loaders.indicator_years) or {}
with top[1]:
    year = widgets.year_picker(years.get(indicator, []))
scheme, k = widgets.class_picker()
view = widgets.view_picker()
widgets.street_toggle()
query = widgets.query(indicator, year)

shown = [layer for layer in (data.layer(i, query) for i in chosen) if layer is not None]
left, right = st.columns([3, 2])
widgets.city_figures()
below = st.container()  # the picker is decided first, so the map can mark its choice
with below:
    code = widgets.district_picker(widgets.clicked_code("map", view),
                                   search.newly_chosen(hit, "karte"))
with left:
    if shown:
        widgets.map_view([*shown, *search.marks(code, hit, query)], view=view,
                         camera=search.camera(hit, widgets.streets_shown() is not None))
    else:
        st.info(t("no_layers"))
with right:
    for layer in shown:
        widgets.layer_panel(layer)
if code:
    with below:
        widgets.district_profile(code, year)
datasets = [d for layer in shown for d in layer.spec.cited] or ["stadtbereiche"]
widgets.sources_footer([*datasets, "bevoelkerung"])
