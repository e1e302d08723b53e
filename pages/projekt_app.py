from ui import project_page, search, sections, widgets

project = project_page.intro("app")
project_page.where_heading(project)
# The search and the district list come first, so the map can mark the visitor's district
# and centre on what was found; a click on the map (read before it is drawn again) chooses
# too.
hit = search.search_box()
code = sections.find_place(widgets.clicked_code("project_map"), search.newly_chosen(hit, "app"))
indicator = widgets.indicator_picker()
query = project_page.query(project, indicator=indicator)
project_page.map_block(project.layers, query, marks=search.marks(code, hit, query),
                       camera=search.camera(hit, widgets.streets_shown() is not None))
project_page.data_heading()
sections.my_district(code)
project_page.status_and_sources(project)
