"""The dashboard described as data, without Streamlit: its pages, its core projects
(``projects.toml``) and its deployment settings (``dashboard.toml``). The Streamlit blocks
(``ui/``) and the presenter read them from here.
"""
