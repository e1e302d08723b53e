from ui import project_page, sections, widgets

project = project_page.intro("app")
indicator = widgets.indicator_picker()
clicked = project_page.where(project, project_page.query(project, indicator=indicator))
project_page.data_heading()
code = widgets.district_picker(clicked)
sections.my_district(code)
project_page.status_and_sources(project)
