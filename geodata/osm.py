"""Streets, water, green spaces and buildings of Rostock from an OpenStreetMap extract, for the
offline street map (``layers.tilepack`` draws it).

Reads ``.osm`` or ``.osm.pbf`` with pyosmium; only objects with the tags the map draws are
turned into geometry, and only those inside the Rostock box are kept. OpenStreetMap data is
© OpenStreetMap contributors, ODbL: whoever shows the tiles credits them.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import geopandas as gpd
import shapely

from .errors import ValidationError

DATASET = "osm"
BOX = (11.95, 54.04, 12.35, 54.25)  # lon/lat: the city with a margin
OSM_BEGAN = datetime(2004, 8, 1, tzinfo=UTC)  # an edit before this is no real date
MAX_BYTES = 2 * 1024**3  # a Land extract is ~0.1 GB; anything this big is not an extract

# Road classes as the map draws them.
MAJOR = {"motorway", "trunk", "primary", "secondary", "tertiary", "motorway_link",
         "trunk_link", "primary_link", "secondary_link", "tertiary_link"}
MINOR = {"residential", "unclassified", "living_street", "service", "pedestrian", "road"}
PATHS = {"footway", "cycleway", "path", "steps", "track", "bridleway"}
RAIL = {"rail", "tram", "light_rail", "subway", "narrow_gauge"}
GREEN = {("leisure", "park"), ("leisure", "garden"), ("leisure", "nature_reserve"),
         ("landuse", "forest"), ("landuse", "grass"), ("landuse", "meadow"),
         ("landuse", "allotments"), ("landuse", "cemetery"), ("landuse", "recreation_ground"),
         ("natural", "wood"), ("natural", "scrub"), ("natural", "heath"),
         ("natural", "wetland")}
WATER = {("natural", "water"), ("waterway", "riverbank"), ("landuse", "reservoir"),
         ("landuse", "basin")}
CLASSES = ("water", "green", "building", "major", "minor", "path", "rail")


def _area_class(tags: dict[str, str]) -> str | None:
    pairs = set(tags.items())
    if pairs & WATER:
        return "water"
    if pairs & GREEN:
        return "green"
    if "building" in tags:
        return "building"
    return None


def _line_class(tags: dict[str, str]) -> str | None:
    highway, railway = tags.get("highway"), tags.get("railway")
    if highway in MAJOR:
        return "major"
    if highway in MINOR:
        return "minor"
    if highway in PATHS:
        return "path"
    if railway in RAIL:
        return "rail"
    return None


def read_extract(path: Path, box: tuple[float, float, float, float] = BOX
                 ) -> dict[str, gpd.GeoDataFrame]:
    """The drawable features of an OSM file inside ``box``: class → frame (EPSG:4326), each
    with its geometry and ``name``. Raises ValidationError for a file that is missing, too
    large or not OSM data."""
    import osmium

    path = Path(path)
    if not path.is_file():
        raise ValidationError(DATASET, f"there is no OpenStreetMap extract at {path.name}")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ValidationError(DATASET, f"{path.name} has {size / 1e9:.1f} GB, more than the "
                              f"{MAX_BYTES / 1e9:.1f} GB an extract may have: cut the region "
                              "out first (osmium extract -b …)")
    frame = shapely.box(*box)
    found: dict[str, list] = {c: [] for c in CLASSES}
    factory = osmium.geom.WKBFactory()
    keys = ("highway", "railway", "natural", "waterway", "landuse", "leisure", "building")
    try:
        processor = (osmium.FileProcessor(str(path)).with_locations().with_areas()
                     .with_filter(osmium.filter.KeyFilter(*keys)))
        for obj in processor:
            tags = {t.k: t.v for t in obj.tags}
            if obj.is_area():
                kind = _area_class(tags)
                make = factory.create_multipolygon
            elif obj.is_way() and _line_class(tags):
                kind = _line_class(tags)
                make = factory.create_linestring
            else:
                continue
            if kind is None:
                continue
            try:
                geom = shapely.from_wkb(make(obj))
            except Exception:  # a way with missing nodes (cut at the extract's edge)
                continue
            if geom.intersects(frame):
                found[kind].append((geom, tags.get("name", "")))
    except RuntimeError as exc:
        raise ValidationError(DATASET, f"{path.name} cannot be read as OpenStreetMap data "
                              f"({str(exc)[:120]})") from exc
    return {kind: gpd.GeoDataFrame({"name": [n for _g, n in rows]},
                                   geometry=[g for g, _n in rows], crs="EPSG:4326")
            for kind, rows in found.items()}


def extract_date(path: Path) -> str:
    """The data's own date of an extract (ISO day): the replication time its producer wrote
    into the header (Geofabrik's extracts carry it), else the newest edit among its ways;
    "" when neither is known. Never the file's own date: that is the download day."""
    import osmium

    try:
        reader = osmium.io.Reader(str(path), osmium.osm.osm_entity_bits.NOTHING)
        try:
            stamp = reader.header().get("osmosis_replication_timestamp")
        finally:
            reader.close()
        if stamp:
            return datetime.fromisoformat(stamp.replace("Z", "+00:00")).date().isoformat()
        newest = max((way.timestamp for way in osmium.FileProcessor(str(path), osmium.osm.WAY)),
                     default=None)
    except (RuntimeError, ValueError):  # unreadable: read_extract names the problem
        return ""
    return newest.date().isoformat() if newest is not None and newest > OSM_BEGAN else ""
