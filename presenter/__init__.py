"""The presenter mode for public events: tour scripts and their checks (``tour``), the command
line (``python -m presenter check|serve``) and the big-screen view (``view``, the only
module here that draws with Streamlit).
"""
