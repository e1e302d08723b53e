import streamlit as st

from ui import project_page, search, sections, widgets

project = project_page.intro("app")
hit = search.search_box()
indicator = widgets.indicator_picker()
query = project_page.query(project, indicator=indicator)
where, below = st.container(), st.container()
with below:
    project_page.data_heading()
    code = widgets.district_picker(widgets.clicked_code("project_map"),
                                   search.newly_chosen(hit, "app"))
with where:
    project_page.where(project, query, marks=search.marks(code, hit, query),
                       camera=search.camera(hit, widgets.streets_shown() is not None))
with below:
    sections.my_district(code)
project_page.status_and_sources(project)
