"""The yardstick for bench/first_visit.py: the overview map as a plain Streamlit + pydeck app
would draw it — the same districts and residents from the same store, no caching beyond
``st.cache_data``, pydeck's defaults (its Carto basemap, which is blocked offline), Streamlit's
own server. Run as ``streamlit run bench/naive_app.py`` with ``GEODATA_DIR`` set.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pydeck as pdk
import streamlit as st

from geodata import loaders


@st.cache_data
def frame() -> object:
    districts = loaders.districts().to_crs(4326)
    ind = loaders.indicators()
    latest = ind[ind.indicator == "einwohner"].year.max()
    pop = ind[(ind.indicator == "einwohner") & (ind.year == latest)].set_index("code")["value"]
    districts["einwohner"] = districts["code"].map(pop)
    return districts


st.set_page_config(page_title="Rostock (naive)", layout="wide")
st.title("Rostock: Einwohner je Stadtbereich")
gdf = frame()
layer = pdk.Layer("GeoJsonLayer", data=gdf.__geo_interface__, pickable=True,
                  get_fill_color="[240, 80 + properties.einwohner / 100, 40, 180]",
                  get_line_color=[80, 80, 80])
st.pydeck_chart(pdk.Deck(layers=[layer], initial_view_state=pdk.ViewState(
    latitude=54.135, longitude=12.125, zoom=10.3), tooltip={"text": "{name}: {einwohner}"}))
st.dataframe(gdf.drop(columns="geometry"))
