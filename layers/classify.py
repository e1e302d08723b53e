"""Classes for choropleths (mapclassify) with the colours and legend that go with them."""

from __future__ import annotations

from dataclasses import dataclass

import mapclassify
import numpy as np
import pandas as pd

from text import number

from .palettes import NO_DATA, colours

SCHEMES = ("quantiles", "natural_breaks", "equal_interval")


@dataclass(frozen=True)
class Classes:
    """Upper bounds of each class, one colour per class, and legend labels."""

    scheme: str
    bounds: tuple[float, ...]
    colors: tuple[str, ...]
    minimum: float
    digits: int

    @property
    def k(self) -> int:
        return len(self.bounds)

    def index(self, value: float | None) -> int | None:
        if value is None or value != value:
            return None
        return int(min(np.searchsorted(self.bounds, value, side="left"), self.k - 1))

    def color(self, value: float | None) -> str:
        i = self.index(value)
        return NO_DATA if i is None else self.colors[i]

    def labels(self, lang: str = "de") -> list[str]:
        out = []
        lower = self.minimum
        for upper in self.bounds:
            out.append(f"{number(lower, lang, self.digits)} – {number(upper, lang, self.digits)}")
            lower = upper
        return out

    def legend(self, lang: str = "de") -> list[tuple[str, str]]:
        """(colour, label) pairs, lowest class first."""
        return list(zip(self.colors, self.labels(lang), strict=True))


def _digits(values: np.ndarray) -> int:
    span = float(np.nanmax(values) - np.nanmin(values)) if len(values) else 0.0
    if span >= 100:
        return 0
    return 1 if span >= 5 else 2


def classify(values: pd.Series, scheme: str = "quantiles", k: int = 5,
             palette: str = "viridis", digits: int | None = None) -> Classes:
    """Classify non-missing values; fewer distinct values than k gives fewer classes."""
    if scheme not in SCHEMES:
        raise ValueError(f"unknown classification {scheme!r}; use one of {SCHEMES}")
    if not 3 <= k <= 7:
        raise ValueError("choose between 3 and 7 classes")
    vals = pd.to_numeric(values, errors="coerce").dropna().to_numpy(float)
    if len(vals) == 0:
        raise ValueError("no values to classify")
    k = max(1, min(k, len(np.unique(vals))))
    if k == 1:
        bounds = (float(vals.max()),)
    elif scheme == "quantiles":
        bounds = tuple(float(b) for b in mapclassify.Quantiles(vals, k=k).bins)
    elif scheme == "natural_breaks":
        bounds = tuple(float(b) for b in mapclassify.NaturalBreaks(vals, k=k).bins)
    else:
        bounds = tuple(float(b) for b in mapclassify.EqualInterval(vals, k=k).bins)
    bounds = tuple(dict.fromkeys(bounds))  # identical breaks would give empty classes
    return Classes(scheme, bounds, colours(palette, len(bounds)), float(vals.min()),
                   _digits(vals) if digits is None else digits)
