"""The offline street map: raster tiles rendered here from an OpenStreetMap extract, so a
kiosk or an event without internet still shows streets under the districts.

``python -m layers.tilepack OSM_FILE`` (``make tiles OSM=…``) reads an extract with pyosmium
(``geodata.osm``), draws every tile of the Rostock box for zooms 10–16 with Pillow (street
names from zoom 14, see ``street_names``) and
writes ``<data dir>/static/tiles/{z}/{x}/{y}.png`` and ``tilepack.json`` (zooms, bounds,
credit, the extract's date). The app serves its generated files from ``<data dir>/static``
at ``/app/static``, so the pack is at ``/app/static/tiles/`` and used when present.

Why raster and not vector tiles: both renderers draw the same PNGs (Leaflet has no vector
tile support built in), and the Mapbox GL bundled with Streamlit would need a glyph server
for street names in vector tiles and absolute tile URLs in its workers.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from PIL import Image, ImageDraw

from geodata.osm import BOX
from geodata.tiles import TileSource

from . import labels, street_names
from .basemap import LAND, WATER
from .sources import WATER_AREAS

PACK_DIR = "static/tiles"  # under the data folder; served at /app/static/tiles
META = "tilepack.json"
URL = "/app/static/tiles/{z}/{x}/{y}.png"
ZOOMS = (10, 16)
TILE = 256
SCALE = 2  # drawn at twice the size and reduced: smooth lines without antialiasing support
CREDIT_DE = "© OpenStreetMap-Mitwirkende"
CREDIT_EN = "© OpenStreetMap contributors"
CREDIT_URL = "https://www.openstreetmap.org/copyright"

# Colours of the drawn map: quiet, so the districts' colours stay readable on top.
COLOURS = {
    "water": WATER, "green": "#dbe8cf", "building": "#e3ddd3",
    "major": "#ffffff", "minor": "#ffffff", "path": "#f8f6f2", "casing": "#c9c2b5",
    "rail": "#9a9a9a",
}
# Road widths in pixels at zoom 16 (smaller zooms scale down, minor roads vanish below 13).
WIDTHS = {"major": 9.0, "minor": 5.5, "path": 2.0, "rail": 1.6}


def pack_source(data_dir: Path) -> TileSource | None:
    """The pack under ``data_dir`` as a tile source, or None when none was built."""
    try:
        meta = json.loads((Path(data_dir) / PACK_DIR / META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict):
        return None
    return TileSource(URL, str(meta.get("attribution_de") or CREDIT_DE),
                      str(meta.get("attribution_en") or CREDIT_EN), CREDIT_URL,
                      int(meta.get("min_zoom", ZOOMS[0])), int(meta.get("max_zoom", ZOOMS[1])),
                      data_date=str(meta.get("source_date") or ""))


@dataclass(frozen=True)
class PackStats:
    tiles: int
    bytes: int
    seconds: float
    names: int = 0  # street names written, over all zooms


EARTH = 20037508.342789244  # half the Web-Mercator world, in metres


def tile_range(box: tuple[float, float, float, float], zoom: int
               ) -> tuple[int, int, int, int]:
    """First and last tile column and row (x0, x1, y0, y1) covering a lon/lat box."""
    def tile(lon: float, lat: float) -> tuple[int, int]:
        x, y = labels.world_px(lon, lat, zoom, 1)  # one "pixel" per tile
        return int(x), int(y)

    x0, y0 = tile(box[0], box[3])
    x1, y1 = tile(box[2], box[1])
    return x0, x1, y0, y1


def _bounds(zoom: int, x: int, y: int) -> tuple[float, float, float, float]:
    size = 2 * EARTH / 2 ** zoom
    return -EARTH + x * size, EARTH - (y + 1) * size, -EARTH + (x + 1) * size, EARTH - y * size


class _Drawer:
    """The features in Web-Mercator metres with one spatial index per class."""

    def __init__(self, features: dict) -> None:
        self.geoms: dict[str, np.ndarray] = {}
        self.names: dict[str, np.ndarray] = {}
        self.trees: dict[str, shapely.STRtree] = {}
        self.labels: dict[int, list[street_names.Label]] = {}
        for kind, frame in features.items():
            if frame is None or frame.empty:
                continue
            geoms = np.asarray(frame.to_crs("EPSG:3857").geometry.values)
            self.geoms[kind] = geoms
            self.names[kind] = (frame["name"].to_numpy() if "name" in frame
                                else np.full(len(frame), "", dtype=object))
            self.trees[kind] = shapely.STRtree(geoms)

    @staticmethod
    def name_px(zoom: int) -> float:
        """The street names' text height at ``zoom``, in drawn pixels."""
        return SCALE * street_names.FONT_PX.get(zoom, 12 + max(0, zoom - 16))

    def street_labels(self, zoom: int) -> list[street_names.Label]:
        """The names placed for the whole pack at ``zoom`` (once, then reused per tile)."""
        if zoom not in self.labels:
            k = TILE * SCALE * 2 ** zoom / (2 * EARTH)

            def to_px(coords: np.ndarray) -> np.ndarray:
                return np.column_stack(((coords[:, 0] + EARTH) * k, (EARTH - coords[:, 1]) * k))

            lines = ((kind, name, part)
                     for kind in street_names.FIRST_ZOOM if kind in self.geoms
                     for geom, name in zip(self.geoms[kind], self.names[kind], strict=True)
                     for part in shapely.get_parts(geom) if part.geom_type == "LineString")
            self.labels[zoom] = street_names.place(lines, to_px, self.name_px(zoom), zoom)
        return self.labels[zoom]

    def tile(self, zoom: int, x: int, y: int) -> Image.Image:
        px = TILE * SCALE
        image = Image.new("RGB", (px, px), LAND)
        draw = ImageDraw.Draw(image)
        x0, _y0, x1, y1 = bounds = _bounds(zoom, x, y)
        scale = px / (x1 - x0)
        clip = shapely.box(*bounds).buffer((x1 - x0) * 0.05)

        def pixels(coords: np.ndarray) -> list[tuple[float, float]]:
            return [((cx - x0) * scale, (y1 - cy) * scale) for cx, cy in coords]

        def found(kind: str) -> np.ndarray:
            if kind not in self.trees:
                return np.empty(0, dtype=object)
            return self.geoms[kind][self.trees[kind].query(clip)]

        for kind in ("green", "water", *(("building",) if zoom >= 15 else ())):
            colour = COLOURS[kind]
            for geom in found(kind):
                for poly in shapely.get_parts(shapely.intersection(geom, clip)):
                    if poly.geom_type != "Polygon" or poly.is_empty:
                        continue
                    draw.polygon(pixels(np.asarray(poly.exterior.coords)), fill=colour)
                    for hole in poly.interiors:
                        draw.polygon(pixels(np.asarray(hole.coords)), fill=LAND)
        roads = [("path", 14), ("minor", 12), ("major", 10), ("rail", 11)]
        for kind, from_zoom in roads:
            if zoom < from_zoom:
                continue
            width = max(1.0, WIDTHS[kind] * SCALE * 2 ** (zoom - 16) * (1.6 if zoom < 14 else 1))
            lines = [np.asarray(part.coords) for geom in found(kind)
                     for part in shapely.get_parts(geom) if part.geom_type == "LineString"]
            if kind in ("minor", "major"):  # a darker edge first, so white roads show on
                for coords in lines:                  # light ground
                    draw.line(pixels(coords), fill=COLOURS["casing"],
                              width=round(width + 2 * SCALE), joint="curve")
            for coords in lines:
                draw.line(pixels(coords), fill=COLOURS[kind], width=round(width),
                          joint="curve")
        street_names.draw(image, self.street_labels(zoom), (x * px, y * px), self.name_px(zoom))
        return image.resize((TILE, TILE), Image.Resampling.LANCZOS)


def render(features: dict, folder: Path, zooms: tuple[int, int] = ZOOMS,
           box: tuple[float, float, float, float] = BOX, source: str = "",
           source_date: str = "") -> PackStats:
    """Every tile of ``box`` for ``zooms`` into ``folder`` (replaced whole: a pack is built
    beside it and swapped in at the end, so a failed build leaves the old pack)."""
    started = time.perf_counter()
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    drawer = _Drawer(features)
    count = size = names = 0
    try:
        for zoom in range(zooms[0], zooms[1] + 1):
            x0, x1, y0, y1 = tile_range(box, zoom)
            for x in range(x0, x1 + 1):
                column = build / str(zoom) / str(x)
                column.mkdir(parents=True, exist_ok=True)
                for y in range(y0, y1 + 1):
                    path = column / f"{y}.png"
                    image = drawer.tile(zoom, x, y).quantize(colors=48, dither=Image.Dither.NONE)
                    image.save(path, optimize=True)
                    count += 1
                    size += path.stat().st_size
            names += len(drawer.labels.get(zoom, ()))
        meta = {"min_zoom": zooms[0], "max_zoom": zooms[1], "bounds": list(box),
                "tiles": count, "bytes": size, "street_names": names, "attribution_de": CREDIT_DE,
                "attribution_en": CREDIT_EN, "attribution_url": CREDIT_URL,
                "source": source, "source_date": source_date,
                "built_at": datetime.now(UTC).replace(microsecond=0).isoformat()}
        (build / META).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        old = folder.with_name(f".{folder.name}-old")
        if folder.exists():
            os.replace(folder, old)
        os.replace(build, folder)
        if old.exists():
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(build, ignore_errors=True)
        raise
    return PackStats(count, size, time.perf_counter() - started, names)


def with_open_water(water: gpd.GeoDataFrame, settings: object) -> gpd.GeoDataFrame:
    """OSM draws the sea only as a coastline, not as an area: the stored water reference
    (the Baltic, the Unterwarnow and the Breitling) is added, so the sea is blue in the
    pack as on the map without one."""
    from geodata import loaders, open_store

    if not open_store(settings).has("wasser"):
        return water
    own = loaders.water(settings)
    own = own[own.layer.isin(WATER_AREAS)].to_crs(water.crs)
    return gpd.GeoDataFrame(pd.concat([water, own.assign(name="")[["name", "geometry"]]],
                                      ignore_index=True), crs=water.crs)


def main(argv: list[str] | None = None) -> int:
    """``python -m layers.tilepack EXTRACT.osm.pbf [--zooms 10-16] [--out DIR]``."""
    import geodata
    from geodata.osm import extract_date, read_extract

    parser = argparse.ArgumentParser(prog="python -m layers.tilepack", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("extract", type=Path, help="an OpenStreetMap extract (.osm.pbf/.osm)")
    parser.add_argument("--zooms", default=f"{ZOOMS[0]}-{ZOOMS[1]}",
                        help="first and last zoom, e.g. 10-16")
    parser.add_argument("--out", type=Path,
                        help="the pack folder (default: <data>/static/tiles)")
    args = parser.parse_args(argv)
    first, _, last = args.zooms.partition("-")
    zooms = (int(first), int(last or first))
    if not 0 <= zooms[0] <= zooms[1] <= 19:
        parser.error("zooms are 0–19, the first not after the last")
    settings = geodata.load_settings()
    out = args.out or Path(settings.data_dir) / PACK_DIR
    try:
        features = read_extract(args.extract)
    except geodata.GeodataError as exc:
        print(f"No tile pack: {exc}", file=sys.stderr)
        return 1
    features["water"] = with_open_water(features["water"], settings)
    counts = ", ".join(f"{k} {len(v):,}" for k, v in features.items())
    print(f"Read {args.extract.name}: {counts}")
    if street_names.font(10) is None:
        print("Street names left out: neither DejaVu Sans nor Liberation Sans is installed "
              "(Debian: apt-get install fonts-dejavu-core)", file=sys.stderr)
    dated = extract_date(args.extract)
    if not dated:
        print("The extract carries no date (no replication time, no edit times): the map "
              "will say that its data's date is unknown", file=sys.stderr)
    stats = render(features, out, zooms, source=args.extract.name, source_date=dated)
    print(f"Tile pack {out}: {stats.tiles:,} tiles, {stats.names:,} street names, "
          f"{stats.bytes / 1e6:.1f} MB, zooms "
          f"{zooms[0]}–{zooms[1]}, {stats.seconds:.0f} s, data of {dated or 'an unknown date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
