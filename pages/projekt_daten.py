import streamlit as st

from geodata import loaders
from ui import data, project_page, sections, widgets
from ui.i18n import t

project = project_page.intro("udp")
indicator = widgets.indicator_picker()
years = data.load(loaders.indicator_years) or {}
year = widgets.year_picker(years.get(indicator, []), scope="udp_")
project_page.where(project, project_page.query(project, indicator=indicator, year=year))
project_page.data_heading()
st.markdown(f"**{t('resilience_title')}**")
st.caption(t("resilience_intro"))
sections.resilience()
st.markdown(f"**{t('catalogue_title')}**")
sections.catalogue()
project_page.status_and_sources(project)
