"""Street names for the offline tile pack: placed once per zoom for the whole pack, drawn
into every tile a name touches, so a name cut by a tile edge continues on the next tile.

A name is written straight along a stretch of its street that is straight enough for the
text, turned so it never reads upside down, with a light halo; a name that would cover
another is left out (main roads are placed first, then long streets). Long streets get
their name again every few hundred pixels. The font is DejaVu Sans from the system (Debian
``fonts-dejavu-core``, installed by ``make system-deps``): Pillow's built-in font has no
umlauts. Without it the pack is drawn without names, and the command says so.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import shapely
from PIL import Image, ImageDraw, ImageFont
from shapely.ops import substring

from .basemap import LAND

FONT_FILES = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
              "LiberationSans-Regular.ttf",
              "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf")
FIRST_ZOOM = {"major": 14, "minor": 15}  # the first zoom at which a class gets names
FONT_PX = {14: 10, 15: 11, 16: 12}  # text height at each zoom, in tile pixels
TEXT = "#474747"
HALO = LAND
MAX_CHARS = 60  # longer is not a street name; it would not fit anyway
REPEAT_PX = 420  # a long street's name again after this many tile pixels


@dataclass
class Label:
    """One placed name: its centre and angle in drawn pixels of the whole world at a zoom."""

    name: str
    x: float
    y: float
    angle: float  # degrees, counter-clockwise, within (-90, 90]
    box: shapely.Polygon  # the text's turned rectangle with its halo, for collisions
    image: Image.Image | None = field(default=None, repr=False)


def font(size_px: int) -> ImageFont.FreeTypeFont | None:
    """DejaVu Sans (or Liberation Sans) at ``size_px``, None when neither is installed."""
    for name in FONT_FILES:
        try:
            return ImageFont.truetype(name, size_px)
        except OSError:
            continue
    return None


def clean(name: object) -> str:
    """A name as it may be drawn: printable characters only, at most MAX_CHARS."""
    text = "".join(ch for ch in str(name or "") if ch.isprintable()).strip()
    return text if len(text) <= MAX_CHARS else ""


def _turned_box(cx: float, cy: float, w: float, h: float, angle: float) -> shapely.Polygon:
    a = math.radians(angle)
    ux, uy = math.cos(a), -math.sin(a)  # along the text (pixel y points down)
    vx, vy = -uy, ux
    corners = [(cx + sx * w / 2 * ux + sy * h / 2 * vx, cy + sx * w / 2 * uy + sy * h / 2 * vy)
               for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
    return shapely.Polygon(corners)


def place(lines: Iterable[tuple[str, str, shapely.Geometry]], to_px, size_px: float,
          zoom: int) -> list[Label]:
    """The names to draw at ``zoom``: ``lines`` are (class, name, line in metres),
    ``to_px`` turns an (n, 2) array of metres into drawn pixels, ``size_px`` is the text
    height in drawn pixels. Returns [] without a font."""
    face = font(round(size_px))
    if face is None:
        return []
    by_name: dict[tuple[int, str], list] = {}
    for kind, name, geom in lines:
        if zoom < FIRST_ZOOM.get(kind, 99) or not (text := clean(name)):
            continue
        by_name.setdefault((0 if kind == "major" else 1, text), []).append(geom)
    candidates = []
    for (rank, text), geoms in by_name.items():
        merged = shapely.line_merge(shapely.union_all(geoms))
        for part in shapely.get_parts(merged):
            if part.geom_type != "LineString":
                continue
            coords = to_px(np.asarray(part.coords))
            candidates.append((rank, -_length(coords), text, coords))
    candidates.sort(key=lambda c: c[:2])
    placed: list[Label] = []
    taken = _Grid()
    pad = size_px * 0.4
    for _rank, _neg, text, coords in candidates:
        left, top, right, bottom = face.getbbox(text)
        w, h = right - left + 2 * pad, bottom - top + 2 * pad
        for label in _along(text, coords, w, h, size_px * REPEAT_PX / 11):
            if taken.hits(label.box):
                continue
            placed.append(label)
            taken.add(label.box)
    return placed


class _Grid:
    """The boxes placed so far, bucketed by cells, so a new box is tested against its
    neighbours only (a city has thousands of names per zoom)."""

    CELL = 256.0

    def __init__(self) -> None:
        self.cells: dict[tuple[int, int], list[shapely.Polygon]] = {}

    def _cells(self, box: shapely.Polygon) -> list[tuple[int, int]]:
        x0, y0, x1, y1 = (int(v // self.CELL) for v in box.bounds)
        return [(i, j) for i in range(x0, x1 + 1) for j in range(y0, y1 + 1)]

    def hits(self, box: shapely.Polygon) -> bool:
        return any(box.intersects(other) for cell in self._cells(box)
                   for other in self.cells.get(cell, ()))

    def add(self, box: shapely.Polygon) -> None:
        for cell in self._cells(box):
            self.cells.setdefault(cell, []).append(box)


def _length(coords: np.ndarray) -> float:
    return float(np.hypot(*np.diff(coords, axis=0).T).sum()) if len(coords) > 1 else 0.0


def _along(text: str, coords: np.ndarray, w: float, h: float, every: float) -> list[Label]:
    """Labels at the middle of a line and every ``every`` pixels from there, each where the
    line is straight enough over the text's width."""
    line = shapely.LineString(coords)
    length = line.length
    if length < w * 1.1:
        return []
    middle = length / 2
    steps = int((middle - w / 2) // every)
    found = []
    for d in sorted((middle + i * every for i in range(-steps, steps + 1)),
                    key=lambda d: abs(d - middle)):
        start, end = line.interpolate(d - w / 2), line.interpolate(d + w / 2)
        piece = substring(line, d - w / 2, d + w / 2)
        chord = shapely.LineString([start, end])
        if chord.length < w * 0.9 or piece.hausdorff_distance(chord) > h * 0.3:
            continue  # a bend: text would leave the street
        angle = -math.degrees(math.atan2(end.y - start.y, end.x - start.x))
        if angle > 90:
            angle -= 180
        elif angle <= -90:
            angle += 180
        cx, cy = (start.x + end.x) / 2, (start.y + end.y) / 2
        found.append(Label(text, cx, cy, angle, _turned_box(cx, cy, w, h, angle)))
    return found


def draw(image: Image.Image, labels: list[Label], origin: tuple[float, float],
         size_px: float) -> None:
    """The labels that touch ``image`` (whose top-left corner is ``origin`` in the same
    drawn world pixels), each turned and pasted with its halo."""
    x0, y0 = origin
    x1, y1 = x0 + image.width, y0 + image.height
    face = None
    for label in labels:
        bx0, by0, bx1, by1 = label.box.bounds
        if bx1 < x0 or bx0 > x1 or by1 < y0 or by0 > y1:
            continue
        if label.image is None:
            face = face or font(round(size_px))
            if face is None:
                return
            label.image = _text_image(label, face, size_px)
        image.paste(label.image, (round(label.x - label.image.width / 2 - x0),
                                  round(label.y - label.image.height / 2 - y0)), label.image)


def _text_image(label: Label, face: ImageFont.FreeTypeFont, size_px: float) -> Image.Image:
    halo = max(1, round(size_px * 0.18))
    left, top, right, bottom = face.getbbox(label.name, stroke_width=halo)
    flat = Image.new("RGBA", (right - left + 2, bottom - top + 2), (0, 0, 0, 0))
    ImageDraw.Draw(flat).text((1 - left, 1 - top), label.name, font=face, fill=TEXT,
                              stroke_width=halo, stroke_fill=HALO)
    return flat.rotate(label.angle, resample=Image.Resampling.BICUBIC, expand=True)
