"""The process around the app: the launcher (``python -m server``), the page-language patch of
Streamlit's HTML, the files the app generates for the browser (under the data folder) and
the address look-ups that stay on the machine. No Streamlit blocks here: those are in ``ui/``.
"""
