"""Accessibility: the statement page (Erklärung zur Barrierefreiheit) and the page-wide style
fixes the automatic checks asked for.

Public bodies in Germany must publish such a statement (BITV 2.0 § 7, in Mecklenburg-
Vorpommern through the Land's own rules) with a way to report barriers. Its texts are in the
text catalogue (``[statement]``), its contact in the settings (``app.settings.contact``);
the texts say honestly what is known not to work yet.
"""

from __future__ import annotations

import streamlit as st

from app.settings import contact
from text import escape_markdown, texts

from .i18n import day, lang

# Streamlit greys captions out (a lighter colour, or 60 % opacity in some containers):
# 2.8–3.9:1 on white, below the 4.5:1 WCAG 2.1 AA asks for (axe-core, tests/test_a11y.py).
# This grey at full opacity gives 7:1 on white.
CSS = """
<style>
.stApp [data-testid="stCaptionContainer"] {color: #595959; opacity: 1;}
/* Section headings are h2 for the document outline; drawn at h3 size, smaller on phones. */
.stApp [data-testid="stHeading"] h2 {font-size: 1.75rem;}
/* Phones: a chart as wide as a table (the districts × indicators heatmap) scrolls inside its
   own box, like a table; every other chart takes the column's width. The page itself never
   scrolls sideways. */
.stApp [data-testid="stVegaLiteChart"] {overflow-x: auto; max-width: 100%;}
@media (max-width: 640px) {
  .stApp [data-testid="stHeading"] h1 {font-size: 2.1rem;}
  .stApp [data-testid="stHeading"] h2 {font-size: 1.45rem;}
}
</style>
"""


def style() -> None:
    """The page-wide CSS fixes (once per run, from the frame)."""
    st.markdown(CSS, unsafe_allow_html=True)


def statement() -> None:
    """The statement page in the current language, with the configured contact."""
    catalogue = texts(lang())
    text = {key.removeprefix("statement."): value for key, value in catalogue.items()
            if key.startswith("statement.")}
    c = contact()
    st.title(text["title"])
    st.write(text["intro"])
    st.header(text["status_h"])
    st.markdown(text["status"])
    st.header(text["limits_h"])
    st.markdown("\n".join(f"- {item}" for item in text["limits"]))
    st.header(text["basis_h"])
    st.write(text["basis"].format(reviewed=escape_markdown(day(c.reviewed) or "–")))
    st.header(text["feedback_h"])
    st.write(text["feedback"])
    lines = []
    if c.email:
        who = f"{escape_markdown(c.name)}: " if c.name else ""
        lines.append(f"- {text['contact']}: {who}[{escape_markdown(c.email)}](mailto:{c.email})")
    if c.url:
        lines.append(f"- {text['form']}: [{escape_markdown(c.url)}]({c.url})")
    st.markdown("\n".join(lines) if lines else text["no_contact"])
    st.header(text["enforcement_h"])
    if c.enforcement_name:
        named = escape_markdown(c.enforcement_name)
        if c.enforcement_url:
            named = f"[{named}]({c.enforcement_url})"
        st.markdown(text["enforcement_named"].format(name=named))
    else:
        st.write(text["enforcement"])
