"""The core projects from ``projects.toml``: one data file for names, texts and layers."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

PROJECTS_FILE = Path(__file__).with_name("projects.toml")


@dataclass(frozen=True)
class Project:
    id: str
    name: str
    url_path: str
    script: str
    icon: str
    inferred: bool
    goal_de: str
    goal_en: str
    where_de: str
    where_en: str
    status_de: str
    status_en: str
    layers: tuple[str, ...]
    datasets: tuple[str, ...]
    sources: tuple[str, ...]
    place_project: str | None = None
    default_indicator: str = "einwohner"
    hotspots: tuple[str, ...] = field(default_factory=tuple)

    def text(self, key: str, lang: str) -> str:
        return str(getattr(self, f"{key}_{'en' if lang == 'en' else 'de'}"))


@cache
def projects() -> tuple[Project, ...]:
    with PROJECTS_FILE.open("rb") as fh:
        raw = tomllib.load(fh)["project"]
    out = []
    for entry in raw:
        entry = dict(entry)
        for key in ("layers", "datasets", "sources", "hotspots"):
            if key in entry:
                entry[key] = tuple(entry[key])
        out.append(Project(**entry))
    return tuple(out)


def get(project_id: str) -> Project:
    for project in projects():
        if project.id == project_id:
            return project
    raise KeyError(f"unknown project {project_id!r}")
