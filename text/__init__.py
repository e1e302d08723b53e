"""Words and numbers in the page's language, and untrusted text made safe.

Plain Python (no Streamlit): the map layers, the figures, the presenter, the server and the
Streamlit blocks all use it. The texts themselves are data (``de.toml``, ``en.toml``).
"""

from .escape import deck_literal, escape_csv, escape_markdown, escape_text
from .i18n import DEFAULT, LANGS, day, t, texts
from .numbers import number, signed
from .provenance import data_date, source_line

__all__ = ["DEFAULT", "LANGS", "data_date", "day", "deck_literal", "escape_csv",
           "escape_markdown", "escape_text", "number", "signed", "source_line", "t", "texts"]
