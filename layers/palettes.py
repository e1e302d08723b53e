"""Colour-blind-safe palettes, interpolated to the number of classes.

Anchors are the published end and mid colours of viridis/cividis (perceptually uniform and
readable with colour-vision deficiencies) and of ColorBrewer's PuOr (diverging, safe).
"""

from __future__ import annotations

ANCHORS: dict[str, tuple[str, ...]] = {
    "viridis": ("#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"),
    "cividis": ("#fee838", "#c3b369", "#7d7c78", "#3b496c", "#00224e"),
    # ColorBrewer Blues, from its 9-class scheme: the 5-class one's pale end left the two
    # lightest of 7 classes too close under protanopia (tests/test_colour_vision.py).
    "blues": ("#deebf7", "#9ecae1", "#4292c6", "#2171b5", "#08306b"),
    "oranges": ("#feedde", "#fdbe85", "#fd8d3c", "#e6550d", "#a63603"),
    "puor": ("#b35806", "#f1a340", "#f7f7f7", "#998ec3", "#542788"),
}
NO_DATA = "#d9d9d9"


def _rgb(hex_color: str) -> tuple[int, int, int]:
    h = hex_color.lstrip("#")
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in rgb)


def colours(name: str, k: int) -> tuple[str, ...]:
    """k colours from light (low values) to dark (high values)."""
    anchors = [_rgb(c) for c in ANCHORS[name]]
    if k == 1:
        return (_hex(anchors[len(anchors) // 2]),)
    out = []
    for i in range(k):
        pos = i / (k - 1) * (len(anchors) - 1)
        lo = min(int(pos), len(anchors) - 2)
        f = pos - lo
        a, b = anchors[lo], anchors[lo + 1]
        out.append(_hex(tuple(a[j] + (b[j] - a[j]) * f for j in range(3))))
    return tuple(out)


def rgba(hex_color: str, alpha: int = 200) -> list[int]:
    return [*_rgb(hex_color), alpha]
