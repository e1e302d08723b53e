"""Accessibility: the statement page (Erklärung zur Barrierefreiheit), its configurable
feedback contact, and the page-wide style fixes the automatic checks asked for.

Public bodies in Germany must publish such a statement (BITV 2.0 § 7, in Mecklenburg-
Vorpommern through the Land's own rules) with a way to report barriers. The contact comes
from ``dashboard.toml`` (``[accessibility]``) or ``DASHBOARD_FEEDBACK_EMAIL``; the texts
below say honestly what is known not to work yet.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import streamlit as st

from layers.escape import escape_markdown

from .i18n import day, lang

CONFIG_FILE = Path(__file__).resolve().parent.parent / "dashboard.toml"
ENV_CONFIG = "DASHBOARD_CONFIG"
ENV_EMAIL = "DASHBOARD_FEEDBACK_EMAIL"
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
WEB = re.compile(r"https://[^\s<>\"'()\[\]]+")

# Streamlit greys captions out (a lighter colour, or 60 % opacity in some containers):
# 2.8–3.9:1 on white, below the 4.5:1 WCAG 2.1 AA asks for (axe-core, tests/test_a11y.py).
# This grey at full opacity gives 7:1 on white.
CSS = """
<style>
.stApp [data-testid="stCaptionContainer"] {color: #595959; opacity: 1;}
/* Section headings are h2 for the document outline; drawn at h3 size, smaller on phones. */
.stApp [data-testid="stHeading"] h2 {font-size: 1.75rem;}
@media (max-width: 640px) {
  .stApp [data-testid="stHeading"] h1 {font-size: 2.1rem;}
  .stApp [data-testid="stHeading"] h2 {font-size: 1.45rem;}
}
</style>
"""


@dataclass(frozen=True)
class Contact:
    name: str
    email: str
    url: str = ""
    enforcement_name: str = ""
    enforcement_url: str = ""
    reviewed: str = ""


def contact() -> Contact:
    """The feedback contact: environment, then ``dashboard.toml``. A malformed address or URL
    is dropped rather than shown (it ends up in a mailto: link)."""
    path = Path(os.environ.get(ENV_CONFIG) or CONFIG_FILE)
    raw: dict = {}
    if path.is_file():
        with path.open("rb") as fh:
            raw = dict(tomllib.load(fh).get("accessibility", {}))
    email = os.environ.get(ENV_EMAIL) or str(raw.get("feedback_email") or "")
    url = str(raw.get("feedback_url") or "")
    enforcement_url = str(raw.get("enforcement_url") or "")
    return Contact(
        name=str(raw.get("feedback_name") or ""),
        email=email if EMAIL.fullmatch(email) else "",
        url=url if WEB.fullmatch(url) else "",
        enforcement_name=str(raw.get("enforcement_name") or ""),
        enforcement_url=enforcement_url if WEB.fullmatch(enforcement_url) else "",
        reviewed=str(raw.get("reviewed") or ""),
    )


def style() -> None:
    """The page-wide CSS fixes (once per run, from the frame)."""
    st.markdown(CSS, unsafe_allow_html=True)


TEXT = {
    "de": {
        "title": "Erklärung zur Barrierefreiheit",
        "intro": "Dieses Dashboard soll von allen Menschen genutzt werden können, auch mit "
                 "Screenreader, Vergrößerung oder nur mit der Tastatur. Maßstab sind die "
                 "Barrierefreie-Informationstechnik-Verordnung (BITV 2.0) und die "
                 "Web-Richtlinien WCAG 2.1 in der Stufe AA.",
        "status_h": "Stand der Vereinbarkeit",
        "status": "Das Dashboard ist **teilweise** mit diesen Anforderungen vereinbar. Die "
                  "unten genannten Inhalte sind noch nicht barrierefrei.",
        "limits_h": "Was noch nicht barrierefrei ist",
        "limits": [
            "**Karten** werden als Grafik gezeichnet (WebGL oder Leaflet). Ein Screenreader "
            "kann sie nicht vorlesen. Neben jeder Karte stehen deshalb dieselben Werte als "
            "Tabelle, ein Satz mit dem höchsten und dem niedrigsten Wert und die Legende als "
            "Liste; einen Stadtbereich wählen Sie auch über die Auswahlliste statt per Klick.",
            "**Diagramme** sind für Screenreader nur als Grafik vorhanden. Die wichtigsten "
            "Aussagen stehen als Text daneben, aber nicht jeder einzelne Wert.",
            "Mit der Tastatur lassen sich alle Bedienelemente erreichen; in der Kartenfläche "
            "selbst kann man nur mit Maus oder Finger verschieben und zoomen.",
            "Das Dashboard nutzt die Bibliothek Streamlit. Einige ihrer Bedienelemente und "
            "Tabellen sind nicht vollständig für Screenreader ausgezeichnet; wir prüfen jede "
            "Seite automatisch (axe-core) und beheben, was wir selbst beheben können.",
        ],
        "basis_h": "Wie diese Erklärung entstand",
        "basis": "Selbstbewertung: automatische Prüfung jeder Seite auf Deutsch und Englisch "
                 "mit axe-core, Tastaturtest der Kartenseite, Prüfung der Farbpaletten unter "
                 "simulierter Rot- und Grünschwäche. Zuletzt überprüft am {reviewed}.",
        "feedback_h": "Barrieren melden",
        "feedback": "Ist Ihnen eine Barriere aufgefallen, oder brauchen Sie Inhalte in "
                    "anderer Form? Schreiben Sie uns; wir antworten so bald wie möglich.",
        "contact": "Kontakt",
        "form": "Formular",
        "no_contact": "Für diese Installation ist noch keine Kontaktadresse eingetragen "
                      "(dashboard.toml).",
        "enforcement_h": "Durchsetzungsverfahren",
        "enforcement": "Wenn Sie auf Ihre Meldung keine oder keine zufriedenstellende Antwort "
                       "erhalten, können Sie sich an die für digitale Barrierefreiheit "
                       "zuständige Durchsetzungs- bzw. Schlichtungsstelle Ihres Bundeslandes "
                       "wenden.",
        "enforcement_named": "Wenn Sie auf Ihre Meldung keine oder keine zufriedenstellende "
                             "Antwort erhalten, können Sie sich wenden an: {name}.",
    },
    "en": {
        "title": "Accessibility statement",
        "intro": "This dashboard is meant for everyone, including people who use a screen "
                 "reader, magnification or only a keyboard. The yardstick is the German "
                 "accessibility regulation (BITV 2.0) and the Web Content Accessibility "
                 "Guidelines WCAG 2.1 at level AA.",
        "status_h": "Compliance status",
        "status": "The dashboard is **partially** compliant. The content listed below is not "
                  "accessible yet.",
        "limits_h": "What is not accessible yet",
        "limits": [
            "**Maps** are drawn as graphics (WebGL or Leaflet) that a screen reader cannot "
            "read. Next to every map the same values are given as a table, one sentence "
            "names the highest and the lowest value, and the legend is a list; a district "
            "can also be chosen from the drop-down list instead of a click on the map.",
            "**Charts** are graphics to a screen reader. Their main points are written next "
            "to them, but not every single value.",
            "Every control can be reached with the keyboard; panning and zooming inside the "
            "map area itself needs a mouse or a finger.",
            "The dashboard is built with the Streamlit library. Some of its controls and "
            "tables are not fully labelled for screen readers; every page is checked "
            "automatically (axe-core) and we fix what we can fix ourselves.",
        ],
        "basis_h": "How this statement was made",
        "basis": "Self-assessment: an automatic check of every page in German and English with "
                 "axe-core, a keyboard test of the map page, and a check of the colour "
                 "palettes under simulated red and green colour blindness. Last reviewed on "
                 "{reviewed}.",
        "feedback_h": "Report a barrier",
        "feedback": "Did you run into a barrier, or do you need content in another form? "
                    "Write to us; we answer as soon as we can.",
        "contact": "Contact",
        "form": "Form",
        "no_contact": "No contact address has been set for this installation yet "
                      "(dashboard.toml).",
        "enforcement_h": "Enforcement procedure",
        "enforcement": "If you get no answer, or no satisfactory one, you can turn to the "
                       "body of your federal state that enforces digital accessibility.",
        "enforcement_named": "If you get no answer, or no satisfactory one, you can turn "
                             "to: {name}.",
    },
}


def statement() -> None:
    """The statement page in the current language, with the configured contact."""
    text = TEXT["en" if lang() == "en" else "de"]
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
