"""Entry point: shared frame (language), then the page registry as st.navigation."""

import streamlit as st

from ui.data import outage_notice, start_run
from ui.frame import language_switch, navigation

st.set_page_config(page_title="Rostock Smart City", page_icon="🌊", layout="wide")
start_run()
language_switch()
outage_notice()
navigation().run()
