"""Text from data is untrusted. folium puts tooltips into innerHTML inside JavaScript
template literals, so besides & < > " ' we also neutralise ` $ and \\ ."""

from __future__ import annotations

import re

_TABLE = str.maketrans({
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "`": "&#96;", "$": "&#36;", "\\": "&#92;",
})


def escape_text(value: object) -> str:
    """Any value → text safe inside HTML and JS template literals."""
    return "" if value is None else str(value).translate(_TABLE)


# Streamlit renders st.write/markdown/title/caption/alerts as Markdown (with $…$ as LaTeX,
# :colour[…] directives and GitHub's autolinks): text from data must not turn into links,
# code, maths, lists or headings there. CommonMark lets a backslash escape any ASCII
# punctuation; only the characters that can start such markup are escaped, so numbers and
# sentences stay readable in the Markdown source.
_MARKDOWN = frozenset("\\`*_{}[]<>$~|&@:")
_LINE_START = re.compile(r"[#>+=-]|\d+(?=[.)])")
_AUTOLINK = re.compile(r"(?i)\b(www)\.")


def escape_markdown(value: object) -> str:
    """Any value → text that Streamlit's Markdown shows literally, on one line."""
    text = " ".join(("" if value is None else str(value)).split())
    out = "".join("\\" + ch if ch in _MARKDOWN else ch for ch in text)
    out = _AUTOLINK.sub(r"\1\\.", out)  # "https\://" is already broken by the colon
    start = _LINE_START.match(out)
    if start:  # a heading, quote, list item or setext line when at the start of a line
        end = start.end()
        out = out[:end] + "\\" + out[end:] if out[0].isdigit() else "\\" + out
    return out
