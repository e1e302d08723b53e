"""Where the street map's tiles come from and whom to credit: one description for the
configured online tile server (``app.settings.street_map``) and the offline tile pack
(``layers.tilepack``), which the renderers and the server's Content Security Policy use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TileSource:
    """Raster tiles of a street map: a ``{z}/{x}/{y}`` URL template and whom to credit."""

    url: str
    attribution_de: str
    attribution_en: str
    attribution_url: str = ""
    min_zoom: int = 0
    max_zoom: int = 19
    data_date: str = ""  # ISO day of the data drawn (the pack's extract); "" for live tiles

    def attribution(self, lang: str = "de") -> str:
        return self.attribution_en if lang == "en" else self.attribution_de

    @property
    def origin(self) -> str:
        """scheme://host[:port] of the tiles ("" for the pack, served by the app itself):
        the one other address the browser may ask."""
        scheme, sep, rest = self.url.partition("://")
        return f"{scheme}://{rest.split('/', 1)[0]}" if sep else ""
