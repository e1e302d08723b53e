"""Re-export of the number formatting used by layers, for pages and widgets."""

from layers.fmt import number, signed

__all__ = ["number", "signed"]
