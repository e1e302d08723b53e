from ui import project_page, sections

project = project_page.intro("qbk")
weights = sections.need_weights()
project_page.where(project, project_page.query(project, weights=weights))
project_page.data_heading()
sections.need_ranking(weights)
project_page.status_and_sources(project)
