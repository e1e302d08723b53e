"""Colour-vision deficiency: every palette's classes stay apart for red-green colour blindness.

Each palette of ``layers.palettes`` at 3–7 classes, as the map draws it (deck.gl fills at
alpha 190/255 over the basemap's land colour; Leaflet's 0.75 is nearer to opaque), is passed
through the Machado, Oliveira & Fernandes (2009) simulation of deuteranopia and protanopia at
full severity (``colorspacious``, "sRGB1+CVD"). Adjacent classes, and the "no data" grey
against every class, must differ by at least ``MIN_DELTA_E`` in CAM02-UCS.

Why 6: in CAM02-UCS one unit is about one just-noticeable difference for large patches seen
side by side. Map classes are small patches, matched against a legend rather than placed
next to each other, and smaller marks need larger differences to be told apart (Stone,
Szafir & Setlur 2014), so we ask for several JNDs. Viridis and cividis, designed for this,
keep 8–10 under both simulations; ColorBrewer's pale 5-class Blues fell to 4.8.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from colorspacious import cspace_convert, deltaE

from layers.basemap import LAND
from layers.palettes import ANCHORS, NO_DATA, colours
from layers.spec import FILL_OPACITY

MIN_DELTA_E = 6.0
DECK_ALPHA = FILL_OPACITY["choropleth"]  # both renderers' choropleth fills


def _rgb1(hex_colour: str) -> np.ndarray:
    h = hex_colour.lstrip("#")
    return np.array([int(h[i:i + 2], 16) for i in (0, 2, 4)]) / 255


def as_drawn(hex_colours: list[str], alpha: float = DECK_ALPHA) -> np.ndarray:
    """The colours on screen: each fill blended over the basemap's land."""
    return np.array([alpha * _rgb1(c) + (1 - alpha) * _rgb1(LAND) for c in hex_colours])


def seen_with(rgb: np.ndarray, deficiency: str | None) -> np.ndarray:
    if deficiency is None:
        return rgb
    cvd = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
    return np.clip(cspace_convert(rgb, cvd, "sRGB1"), 0, 1)


def closest_neighbours(name: str, k: int, deficiency: str | None) -> tuple[float, float]:
    """(smallest ΔE between adjacent classes, smallest ΔE of 'no data' to any class)."""
    seen = seen_with(as_drawn([*colours(name, k), NO_DATA]), deficiency)
    classes, missing = seen[:-1], seen[-1]
    adjacent = min(deltaE(a, b, input_space="sRGB1", uniform_space="CAM02-UCS")
                   for a, b in itertools.pairwise(classes))
    no_data = min(deltaE(missing, c, input_space="sRGB1", uniform_space="CAM02-UCS")
                  for c in classes)
    return float(adjacent), float(no_data)


@pytest.mark.parametrize("deficiency", [None, "deuteranomaly", "protanomaly"],
                         ids=["normal", "deuteranopia", "protanopia"])
@pytest.mark.parametrize("name", sorted(ANCHORS))
def test_adjacent_classes_stay_distinguishable(name: str, deficiency: str | None) -> None:
    for k in range(3, 8):
        adjacent, no_data = closest_neighbours(name, k, deficiency)
        assert adjacent >= MIN_DELTA_E, f"{name}, {k} classes: adjacent ΔE {adjacent:.1f}"
        assert no_data >= MIN_DELTA_E, f"{name}, {k} classes: 'no data' ΔE {no_data:.1f}"


def test_the_check_catches_a_palette_that_only_differs_in_red_and_green() -> None:
    """A red–green ramp of equal lightness is fine for normal vision, not for these."""
    red_green = ["#d95f02", "#a6761d", "#66a61e"]
    normal = seen_with(as_drawn(red_green), None)
    deutan = seen_with(as_drawn(red_green), "deuteranomaly")
    d_normal = deltaE(normal[0], normal[2], input_space="sRGB1", uniform_space="CAM02-UCS")
    d_deutan = deltaE(deutan[0], deutan[2], input_space="sRGB1", uniform_space="CAM02-UCS")
    assert d_normal >= MIN_DELTA_E > d_deutan
