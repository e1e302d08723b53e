"""Spec + query → display data: classes, colours, escaped tooltips, table, summary.

The renderers (deck, leaflet) draw from this one object, so both show the same classes,
colours, legend and tooltip text.
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import pandas as pd

from geodata import Settings
from geodata.indicators import BY_ID as INDICATORS
from text import escape_text, number

from . import geometry, labels
from .classify import Classes, classify
from .palettes import NO_DATA
from .registry import get
from .spec import Field, LayerSpec, Query


@dataclass(frozen=True)
class LayerData:
    spec: LayerSpec
    query: Query
    gdf: gpd.GeoDataFrame  # EPSG:4326 with columns label, fill, tooltip (+ value)
    classes: Classes | None
    title: str
    unit: str
    digits: int
    year: int | None

    @property
    def has_values(self) -> bool:
        return self.classes is not None

    def legend(self) -> list[tuple[str, str]]:
        lang = self.query.lang
        if self.classes is None:
            return [(self.spec.color, self.spec.title(lang))]
        items = self.classes.legend(lang)
        if self.gdf["value"].isna().any():
            items.append((NO_DATA, "keine Daten" if lang == "de" else "no data"))
        return items

    def table(self) -> pd.DataFrame:
        """The map as a table: nothing is only visible as colour."""
        lang = self.query.lang
        cols = [f for f in self.spec.tooltip if f.column in self.gdf.columns]
        def fmt(f: Field, series: pd.Series) -> pd.Series:
            if f.digits is None:
                return series.astype(str)
            digits = self.digits if f.column == self.spec.value else f.digits
            return series.map(lambda v: number(v, lang, digits))

        frame = pd.DataFrame({f.label(lang) + (f" ({f.unit})" if f.unit else ""):
                              fmt(f, self.gdf[f.column]) for f in cols})
        if self.classes is not None:
            value_label = next(f.label(lang) for f in cols if f.column == self.spec.value)
            frame = frame.rename(columns={value_label: f"{self.title} ({self.unit})"
                                          if self.unit else self.title})
            frame = frame.iloc[self.gdf["value"].fillna(float("-inf")).argsort()[::-1]]
        return frame.reset_index(drop=True)

    def summary(self) -> str:
        lang = self.query.lang
        de = lang != "en"
        if self.spec.kind != "choropleth":
            n = len(self.gdf)
            if de:
                return f"{self.title}: {n} {'Objekt' if n == 1 else 'Objekte'} auf der Karte."
            return f"{self.title}: {n} {'feature' if n == 1 else 'features'} on the map."
        valid = self.gdf.dropna(subset=["value"])
        if valid.empty:
            return (f"Für {self.year} liegen zu „{self.title}“ keine Daten vor." if de
                    else f"No data on “{self.title}” for {self.year}.")
        hi = valid.loc[valid["value"].idxmax()]
        lo = valid.loc[valid["value"].idxmin()]
        unit = f" {self.unit}" if self.unit else ""
        fmt = lambda v: number(v, lang, self.digits)  # noqa: E731
        if de:
            return (f"{self.title} {self.year}: am höchsten in {hi.label} ({fmt(hi.value)}{unit}),"
                    f" am niedrigsten in {lo.label} ({fmt(lo.value)}{unit}); Daten für "
                    f"{len(valid)} von {len(self.gdf)} Stadtbereichen.")
        return (f"{self.title} {self.year}: highest in {hi.label} ({fmt(hi.value)}{unit}), "
                f"lowest in {lo.label} ({fmt(lo.value)}{unit}); data for {len(valid)} of "
                f"{len(self.gdf)} districts.")


def _format(field: Field, value: object, lang: str, digits: int | None) -> str:
    """Plain text; escaping happens where the text meets HTML (``tip_html``)."""
    if field.digits is None:
        return "" if value is None else str(value)
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    text = number(float(value), lang, digits if digits is not None else field.digits)
    return f"{text} {field.unit}".strip()


def _tooltip_lines(gdf: gpd.GeoDataFrame, spec: LayerSpec, lang: str, value_digits: int,
                   value_label: str) -> list[list[tuple[str, str]]]:
    rows = []
    for _, row in gdf.iterrows():
        lines = []
        for f in spec.tooltip:
            if f.column not in gdf.columns:
                continue
            label = value_label if f.column == spec.value else f.label(lang)
            digits = value_digits if f.column == spec.value else None
            lines.append((label, _format(f, row[f.column], lang, digits)))
        rows.append(lines)
    return rows


def tip_text(lines: list[tuple[str, str]]) -> str:
    """For deck.gl's text tooltip, which Streamlit sets as innerText: no HTML at all."""
    return "\n".join(f"{label}: {value}" for label, value in lines)


def tip_html(lines: list[tuple[str, str]]) -> str:
    """For Leaflet, which puts tooltips into innerHTML: every piece escaped."""
    return "<br>".join(f"<b>{escape_text(label)}</b>: {escape_text(value)}"
                       for label, value in lines)


def build(layer_id: str, query: Query, settings: Settings | None = None) -> LayerData:
    spec = get(layer_id)
    lang = query.lang
    gdf = spec.source(query, settings)
    if spec.simplify_m:
        gdf = (geometry.simplify_coverage(gdf, spec.simplify_m) if spec.coverage
               else geometry.simplify(gdf, spec.simplify_m))
    if spec.extra.get("cut_water"):
        from geodata import loaders

        water = loaders.water(settings)
        gdf = geometry.cut_out(gdf, water[water.layer == "unterwarnow_breitling"])
    title, unit, digits = spec.title(lang), "", 0
    if spec.uses_indicator:
        ind = INDICATORS[query.indicator]
        title = ind.label(lang)
        unit, digits = ind.unit(lang), ind.digits
    elif spec.value:
        value_field = next(f for f in spec.tooltip if f.column == spec.value)
        digits = value_field.digits or 0
    classes = None
    gdf = gdf.copy()
    if spec.kind == "choropleth":
        if gdf["value"].notna().any():
            classes = classify(gdf["value"], query.scheme, query.k, spec.palette, digits)
        gdf["fill"] = [classes.color(v) if classes else NO_DATA for v in gdf["value"]]
    else:
        gdf["fill"] = spec.color
    label_col = "name" if "name" in gdf.columns else None
    gdf["label"] = gdf[label_col].astype(str) if label_col else spec.title(lang)
    value_label = f"{title} ({unit})" if unit else title
    lines = _tooltip_lines(gdf, spec, lang, digits, value_label)
    gdf["tip_text"] = [tip_text(x) for x in lines]
    gdf["tip_html"] = [tip_html(x) for x in lines]
    year = int(gdf["year"].iloc[0]) if "year" in gdf.columns and len(gdf) else None
    if spec.kind == "label":
        gdf["font_px"] = gdf["kind"].map(labels.FONT_PX).fillna(12)
    keep = [c for c in ("label", "value", "fill", "tip_text", "tip_html", "code", "priority",
                        "font_px", "geometry") if c in gdf.columns]
    keep += [f.column for f in spec.tooltip if f.column in gdf.columns and f.column not in keep]
    display = geometry.to_display(gdf[keep])
    return LayerData(spec, query, display, classes, title, unit, digits, year)
