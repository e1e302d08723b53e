"""Deployment settings from ``dashboard.toml`` (or the file in ``DASHBOARD_CONFIG``), with
environment variables for the values an operator sets per installation.

``[accessibility]``: the feedback contact of the accessibility statement (BITV 2.0 § 7) —
``feedback_name``, ``feedback_email`` (or ``DASHBOARD_FEEDBACK_EMAIL``), ``feedback_url``,
``enforcement_name``, ``enforcement_url`` and ``reviewed`` (ISO date of the last review).

``[basemap]``: an online street map under the districts — ``tiles`` (a ``{z}/{x}/{y}`` URL
template, or ``DASHBOARD_BASEMAP_TILES``), ``attribution_de``/``attribution_en``
(``DASHBOARD_BASEMAP_ATTRIBUTION`` for both), ``attribution_url``, ``max_zoom``. Empty: no
online street map (the offline tile pack is used when one is built, see the README).
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from geodata.tiles import TileSource

CONFIG_FILE = Path(__file__).resolve().parent.parent / "dashboard.toml"
ENV_CONFIG = "DASHBOARD_CONFIG"
ENV_EMAIL = "DASHBOARD_FEEDBACK_EMAIL"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
WEB = re.compile(r"https://[^\s<>\"'()\[\]]+")


def section(name: str) -> dict[str, Any]:
    """One table of the settings file (empty when the file or the table is missing)."""
    path = Path(os.environ.get(ENV_CONFIG) or CONFIG_FILE)
    if not path.is_file():
        return {}
    with path.open("rb") as fh:
        table = tomllib.load(fh).get(name, {})
    return dict(table) if isinstance(table, dict) else {}


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    url: str = ""
    enforcement_name: str = ""
    enforcement_url: str = ""
    reviewed: str = ""


def contact() -> Contact:
    """The feedback contact: environment, then the file. A malformed address or URL is
    dropped rather than shown (it ends up in a mailto: link)."""
    raw = section("accessibility")
    email = os.environ.get(ENV_EMAIL) or str(raw.get("feedback_email") or "")
    url = str(raw.get("feedback_url") or "")
    enforcement_url = str(raw.get("enforcement_url") or "")
    return Contact(
        name=str(raw.get("feedback_name") or ""),
        email=email if EMAIL.fullmatch(email) else "",
        url=url if WEB.fullmatch(url) else "",
        enforcement_name=str(raw.get("enforcement_name") or ""),
        enforcement_url=enforcement_url if WEB.fullmatch(enforcement_url) else "",
        reviewed=str(raw.get("reviewed") or ""),
    )


ENV_TILES = "DASHBOARD_BASEMAP_TILES"
ENV_ATTRIBUTION = "DASHBOARD_BASEMAP_ATTRIBUTION"
# A tile template: http(s), a host, and the three placeholders.
TILE_URL = re.compile(r"https?://[A-Za-z0-9.-]+(:\d+)?/[^\s<>\"'`]*")


def street_map() -> TileSource | None:
    """The online street map, or None when none is configured (or it is malformed: a
    broken template would only show grey squares)."""
    raw = section("basemap")
    tiles = (os.environ.get(ENV_TILES) or str(raw.get("tiles") or "")).strip()
    if not tiles:
        return None
    if not TILE_URL.fullmatch(tiles) or not all(p in tiles for p in ("{z}", "{x}", "{y}")):
        raise ValueError(f"the street map's tile address must be an http(s) URL with {{z}}, "
                         f"{{x}} and {{y}}, not {tiles[:80]!r}")
    both = os.environ.get(ENV_ATTRIBUTION)
    de = both or str(raw.get("attribution_de") or raw.get("attribution") or "")
    en = both or str(raw.get("attribution_en") or raw.get("attribution") or de)
    if not de:
        raise ValueError("a street map needs its attribution (attribution_de/_en)")
    url = str(raw.get("attribution_url") or "")
    return TileSource(tiles, de, en, url if WEB.fullmatch(url) else "",
                      max_zoom=int(raw.get("max_zoom") or 19))
