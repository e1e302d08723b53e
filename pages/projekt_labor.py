import streamlit as st

from ui import project_page, widgets
from ui.i18n import t

project = project_page.intro("lab")
project_page.where(project, project_page.query(project), layer_ids=["orte_projekt"],
                   key="lab_place")
project_page.places_without_position(project)
project_page.data_heading()
st.markdown(f"**{t('lab_3d')}**")
indicator = widgets.indicator_picker(default="dichte")
st.caption(t("lab_3d_hint"))
project_page.map_block(["indikator"], project_page.query(project, indicator=indicator),
                       key="lab_3d", extruded=True)
project_page.status_and_sources(project)
