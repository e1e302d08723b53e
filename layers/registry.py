"""The registry: every map layer of the dashboard, read from ``registry.toml``.

A layer is data (titles, datasets, palette, tooltip lines); only its ``source`` is code, a
function of ``layers.sources`` named in the file. Keys that are no field of ``LayerSpec``
(``cut_water``, ``outline``, ``outline_width``) go into ``LayerSpec.extra``.
"""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path
from typing import Any

from . import sources
from .spec import Field, LayerSpec

REGISTRY_FILE = Path(__file__).with_name("registry.toml")
_FIELDS = {f.name for f in dataclasses.fields(LayerSpec)}


def _spec(entry: dict[str, Any]) -> LayerSpec:
    entry = dict(entry)
    datasets = tuple(entry.pop("datasets", ()))
    cites = tuple(entry.pop("cites", ()))
    name = entry.pop("source")
    if name in sources.FACTORIES:  # one source function per dataset
        source = sources.FACTORIES[name](*datasets)
    else:
        source = getattr(sources, name)
    tooltip = tuple(Field(t["column"], t["de"], t["en"], t.get("digits"), t.get("unit", ""))
                    for t in entry.pop("tooltip", ()))
    extra = {k: entry.pop(k) for k in list(entry) if k not in _FIELDS}
    return LayerSpec(datasets=datasets, cites=cites, source=source, tooltip=tooltip,
                     extra=extra, **entry)


def _load(path: Path = REGISTRY_FILE) -> tuple[LayerSpec, ...]:
    with path.open("rb") as fh:
        layers = tuple(_spec(entry) for entry in tomllib.load(fh)["layer"])
    ids = [layer.id for layer in layers]
    if len(set(ids)) != len(ids):
        raise ValueError(f"{path.name} lists a layer id twice: {ids}")
    return layers


LAYERS: tuple[LayerSpec, ...] = _load()
BY_ID = {layer.id: layer for layer in LAYERS}


def get(layer_id: str) -> LayerSpec:
    try:
        return BY_ID[layer_id]
    except KeyError:
        raise KeyError(f"unknown layer {layer_id!r}; known: {', '.join(BY_ID)}") from None


def by_family(family: str) -> list[LayerSpec]:
    return [layer for layer in LAYERS if layer.family == family]


def names_for(layer_ids: list[str] | tuple[str, ...]) -> list[str]:
    """The name layers that go with these layers: district names wherever districts are
    drawn as areas, Ortsteil names with the Ortsteile."""
    specs = [get(i) for i in layer_ids]
    out = []
    if any("stadtbereiche" in s.datasets and s.kind in ("choropleth", "area") for s in specs):
        out.append("namen_stadtbereiche")
    if "ortsteile" in layer_ids:
        out.append("namen_ortsteile")
    return out
