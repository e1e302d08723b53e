"""The process around the app: the launcher (``python -m server``), the page-language patch of
Streamlit's HTML, and the files the app generates for the browser. No Streamlit blocks here:
those are in ``ui/``.
"""
