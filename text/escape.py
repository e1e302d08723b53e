"""Text from data is untrusted. folium puts tooltips into innerHTML inside JavaScript
template literals, so besides & < > " ' we also neutralise ` $ and \\ ; Streamlit's
Markdown gets its markup characters escaped; CSV cells cannot start a formula."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

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


def deck_literal(value: object) -> str:
    """Text that deck.gl's JSON converter keeps as text: it reads any string beginning with
    "@@" (in props and in data alike) as a function, constant or class. A zero-width space in
    front changes nothing on screen."""
    text = "" if value is None else str(value)
    return "\u200b" + text if text.startswith("@@") else text


# A spreadsheet runs a cell that starts with one of these as a formula (=HYPERLINK(…) from a
# district name would become a live link). OWASP's advice for CSV injection: such a text
# cell gets a leading apostrophe, which Excel and LibreOffice show as plain text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_csv_cell(value: object) -> object:
    """A text cell that a spreadsheet would run as a formula → inert text; others as given."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def escape_csv(frame: pd.DataFrame, numbers: Iterable[object] = ()) -> pd.DataFrame:
    """A copy of ``frame`` whose headers and text cells cannot run as formulas. Numeric
    columns are left alone (−1.5 stays a number), as are the columns named in ``numbers``
    (numbers already written as text, e.g. with a decimal comma)."""
    keep = set(numbers)
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if name not in keep and not (pd.api.types.is_numeric_dtype(column)
                                     or pd.api.types.is_datetime64_any_dtype(column)):
            out[name] = column.map(escape_csv_cell, na_action="ignore")
    out.columns = [escape_csv_cell(c) for c in out.columns]
    return out
