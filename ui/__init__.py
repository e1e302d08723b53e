"""Streamlit widgets shared by pages, and the one module that caches data (ui.data)."""
