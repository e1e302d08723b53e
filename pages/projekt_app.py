from ui import project_page, sections, widgets

project = project_page.intro("app")
project_page.where_heading(project)
# The place finder comes first, so the map can outline the visitor's district; a click on
# the map (read before it is drawn again) chooses too.
code = sections.find_place(widgets.map_click("project_map"))
indicator = widgets.indicator_picker()
layers = [*project.layers, *(["auswahl"] if code else [])]
query = project_page.query(project, indicator=indicator, codes=(code,) if code else ())
project_page.map_block(layers, query)
project_page.data_heading()
sections.my_district(code)
project_page.status_and_sources(project)
