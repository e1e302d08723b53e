"""What every page of a build needs, loaded once, and small helpers the pages share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import geodata
from figures.profile import PROFILE_INDICATORS

INDEX_INDICATORS = PROFILE_INDICATORS[:7]  # the city map's choices


def json_for_html(value: Any) -> str:
    """JSON that is safe inside a <script> element (no ``</script>`` can end it early)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace(
        "<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")



@dataclass
class Site:
    """What every page needs, loaded once."""

    settings: geodata.Settings
    ind: pd.DataFrame
    city: pd.Series
    districts: pd.DataFrame
    water: Any
    year: int
    first: int
    names: dict[str, str]
    slugs: dict[str, str]
    sources: list[dict[str, Any]]  # ``loaders.info`` of what the pages show
    search_sources: list[dict[str, Any]] = field(default_factory=list)  # … the search uses
    assets: dict[str, str] = field(default_factory=dict)  # logical name → hashed path
    built: str = ""
    base_url: str = ""  # the public address, when configured (absolute links for search)


