"""Format name in the catalogue → function turning downloaded files into a validated frame."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd

from ..catalogue import Dataset, Part
from ..errors import ValidationError
from . import addresses, geojson, tables

Parser = Callable[[Dataset, list[tuple[Part, Path]]], pd.DataFrame]


def _climat(ds: Dataset, files: list[tuple[Part, Path]]) -> pd.DataFrame:
    from . import climat

    wmo_id = int(ds.options.get("wmo_id", 10170))
    texts = [(path.name.split("__")[-1], path.read_bytes().decode("latin-1"))
             for _part, path in files]
    try:
        frame = climat.parse_climat_files(texts, wmo_id=wmo_id)
    except climat.ClimatFormatError as exc:
        raise ValidationError(ds.id, str(exc)) from exc
    found = set(zip(frame["year"], frame["month"], strict=True))
    for (part, _path), (name, _text) in zip(files, texts, strict=True):
        month = part.params.get("month", "")
        if month and (int(month[:4]), int(month[4:])) not in found:
            raise ValidationError(ds.id, f"{name} has no report of station {wmo_id}")
    return frame


PARSERS: dict[str, Parser] = {
    "geojson": geojson.parse,
    "district_table": tables.parse_district_tables,
    "dwd_regional": tables.parse_dwd_regional,
    "psmsl": tables.parse_psmsl,
    "climat": _climat,
    "address_list": addresses.parse,
}
