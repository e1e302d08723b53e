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


# Streamlit renders st.write/markdown/title/caption/alerts as Markdown (with $…$ as LaTeX
# and :colour[…] directives): text from data must not turn into links, code, maths or
# headings there. CommonMark lets a backslash escape any ASCII punctuation.
_MARKDOWN = frozenset("\\`*_{}[]()#+-.!|<>$~:&=^\"'@")


def escape_markdown(value: object) -> str:
    """Any value → text that Streamlit's Markdown shows literally, on one line."""
    text = " ".join(("" if value is None else str(value)).split())
    return "".join("\\" + ch if ch in _MARKDOWN else ch for ch in text)
