"""Layer specifications: what a layer is, as data (lonboard-style typed options)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import geopandas as gpd

from geodata import Settings

FAMILIES = ("quality", "climate", "water")
KINDS = ("choropleth", "point", "line", "area", "label")
# Drawing order in both renderers: areas first, lines above them, points on top (names are
# drawn above all, apart).
DRAW_ORDER = {"choropleth": 0, "area": 1, "line": 2, "point": 3}
# Fill opacity of areas in both renderers; lighter over a street map, so its streets show
# through.
FILL_OPACITY = {"choropleth": 0.75, "area": 0.45, "line": 1.0}
FILL_OPACITY_ON_STREETS = {"choropleth": 0.45, "area": 0.28, "line": 1.0}


@dataclass(frozen=True)
class Query:
    """What the user picked; layers use the parts they need."""

    indicator: str = "einwohner"
    year: int | None = None
    scheme: str = "quantiles"
    k: int = 5
    lang: str = "de"
    project: str | None = None  # whose places to show (places.toml `projects`)
    weights: tuple[tuple[str, float], ...] = ()  # for indices with adjustable weights
    codes: tuple[str, ...] = ()  # districts the user picked (planner comparison)
    point: tuple[float, float] | None = None  # a place the search found (EPSG:25833)
    point_label: str = ""


@dataclass(frozen=True)
class Field:
    """One tooltip line: a column shown with a label, formatted as text or number."""

    column: str
    label_de: str
    label_en: str
    digits: int | None = None  # None: text; else a number with these decimals
    unit: str = ""

    def label(self, lang: str) -> str:
        return self.label_en if lang == "en" else self.label_de


Source = Callable[[Query, Settings | None], gpd.GeoDataFrame]


@dataclass(frozen=True)
class LayerSpec:
    id: str
    family: str
    kind: str
    title_de: str
    title_en: str
    description_de: str
    description_en: str
    datasets: tuple[str, ...]
    source: Source
    tooltip: tuple[Field, ...] = ()
    value: str | None = None  # the column a choropleth classifies
    palette: str = "viridis"
    color: str = "#1f78b4"  # fill/line colour of non-choropleth layers
    uses_indicator: bool = False
    uses_year: bool = False
    formula_de: str = ""
    formula_en: str = ""
    simplify_m: float = 0.0
    coverage: bool = False  # polygons tile the city: simplify them together
    default_on: bool = False
    overview: bool = True  # offered on the city map page (project-only layers are not)
    # Catalogue entries the layer draws on without reading them from the store (packaged
    # tables such as the places): named in its source line, never fetched.
    cites: tuple[str, ...] = ()
    # What a high value means, under the legend of a choropleth.
    legend_note_de: str = ""
    legend_note_en: str = ""
    extra: dict[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.family not in FAMILIES or self.kind not in KINDS:
            raise ValueError(f"layer {self.id}: unknown family or kind")
        if self.kind == "choropleth" and not self.value:
            raise ValueError(f"layer {self.id}: a choropleth needs a value column")

    def title(self, lang: str = "de") -> str:
        return self.title_en if lang == "en" else self.title_de

    def description(self, lang: str = "de") -> str:
        return self.description_en if lang == "en" else self.description_de

    def formula(self, lang: str = "de") -> str:
        return self.formula_en if lang == "en" else self.formula_de

    def legend_note(self, lang: str = "de") -> str:
        return self.legend_note_en if lang == "en" else self.legend_note_de

    @property
    def cited(self) -> tuple[str, ...]:
        """Every catalogue entry its source line names: what it reads, then what it cites."""
        return tuple(dict.fromkeys((*self.datasets, *self.cites)))
