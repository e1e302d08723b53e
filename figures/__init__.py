"""Figures that are not maps: Altair charts (``charts``), the planner's report files
(``report``: CSV, GeoJSON, PNG) and dataset downloads (``export``). No Streamlit; the
arithmetic behind them lives in ``geodata``.
"""
