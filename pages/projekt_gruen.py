from geodata import loaders
from ui import data, project_page, sections, widgets

project = project_page.intro("gruen")
years = data.load(loaders.indicator_years) or {}
heat_years = sorted(set(years.get("dichte", [])) & set(years.get("anteil_65_plus", [])))
year = widgets.year_picker(heat_years, scope="heat_")
project_page.where(project, project_page.query(project, year=year))
project_page.data_heading()
sections.hotspots(project.hotspots, year)
sections.climate()
project_page.status_and_sources(project)
