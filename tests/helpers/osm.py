"""A small OpenStreetMap extract written by the tests (.osm XML, as osmium reads it): the test
streets of ``tests.helpers.addresses`` as roads, a stretch of the Unterwarnow as water, a
park, a railway and a building, near their real places in Rostock."""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

from tests.helpers.addresses import STREETS

# (tags, ring or line of lon/lat); rings are closed by repeating the first point.
EXTRA = [
    ({"natural": "water", "name": "Unterwarnow"},
     [(12.100, 54.0935), (12.150, 54.0935), (12.150, 54.1000), (12.100, 54.1000),
      (12.100, 54.0935)]),
    ({"leisure": "park", "name": "Wallanlagen"},
     [(12.1250, 54.0860), (12.1300, 54.0860), (12.1300, 54.0880), (12.1250, 54.0880),
      (12.1250, 54.0860)]),
    ({"railway": "rail"}, [(12.1000, 54.0780), (12.1500, 54.0790)]),
    ({"building": "yes"},
     [(12.1340, 54.0905), (12.1346, 54.0905), (12.1346, 54.0908), (12.1340, 54.0908),
      (12.1340, 54.0905)]),
    ({"highway": "primary", "name": "Am Strande"}, [(12.1100, 54.0928), (12.1500, 54.0930)]),
]


EDITED = "2026-11-30T09:15:00Z"  # the ways' last edit in the test extract


def write_extract(path: Path, edited: str | None = EDITED) -> Path:
    """The extract at ``path`` (its ways last edited at ``edited``, or undated); returns it."""
    nodes: list[str] = []
    ways: list[str] = []
    ids: dict[tuple[float, float], int] = {}

    def node(lon: float, lat: float) -> int:
        if (lon, lat) not in ids:
            ids[(lon, lat)] = len(ids) + 1
            nodes.append(f'  <node id="{ids[(lon, lat)]}" lat="{lat}" lon="{lon}" '
                         'version="1"/>')
        return ids[(lon, lat)]

    features = [({"highway": "residential", "name": name}, line)
                for name, _key, lines, _code in STREETS for line in lines]
    for n, (tags, coords) in enumerate([*features, *EXTRA], start=1):
        refs = "".join(f'<nd ref="{node(lon, lat)}"/>' for lon, lat in coords)
        tagged = "".join(f"<tag k={quoteattr(k)} v={quoteattr(v)}/>" for k, v in tags.items())
        stamp = f' timestamp="{edited}"' if edited else ""
        ways.append(f'  <way id="{n}" version="1"{stamp}>{refs}{tagged}</way>')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("<?xml version='1.0' encoding='UTF-8'?>\n<osm version=\"0.6\" "
                    'generator="rostock-dashboard tests">\n' + "\n".join(nodes + ways)
                    + "\n</osm>\n", encoding="utf-8")
    return path
