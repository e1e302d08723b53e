"""Text from data is untrusted. folium puts tooltips into innerHTML inside JavaScript
template literals, so besides & < > " ' we also neutralise ` $ and \\ ."""

from __future__ import annotations

_TABLE = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "`": "&#96;", "$": "&#36;", "\\": "&#92;",
})


def escape_text(value: object) -> str:
    """Any value → text safe inside HTML and JS template literals."""
    return "" if value is None else str(value).translate(_TABLE)
