from ui import project_page, sections

project = project_page.intro("wasser")
project_page.where(project, project_page.query(project))
project_page.places_without_position(project)
project_page.data_heading()
sections.sea_level()
sections.storm_surges()
sections.gauge()
project_page.status_and_sources(project)
