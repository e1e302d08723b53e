"""Entry point: page registry → st.navigation, shared frame (language)."""

import streamlit as st

from ui.i18n import TEXTS, lang, t

st.set_page_config(page_title="Rostock Smart City", page_icon="🌊", layout="wide")

if "lang" not in st.session_state:
    st.session_state["lang"] = lang()
with st.sidebar:
    st.selectbox(t("language"), list(TEXTS), key="lang",
                 format_func=lambda code: {"de": "Deutsch", "en": "English"}[code])
st.query_params["lang"] = st.session_state["lang"]

PAGES = [
    st.Page("pages/uebersicht.py", title=t("page_overview"), icon="🗺️", default=True,
            url_path="uebersicht"),
    st.Page("pages/daten.py", title=t("page_data"), icon="📚", url_path="daten"),
]
st.navigation(PAGES).run()
