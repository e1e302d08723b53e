from ui import project_page, sections, widgets

project = project_page.intro("dbz")
indicator = widgets.indicator_picker(("anteil_65_plus", "anteil_single"),
                                     default=project.default_indicator, scope="dbz_")
project_page.where(project, project_page.query(project, indicator=indicator))
project_page.data_heading()
sections.centres()
project_page.status_and_sources(project)
