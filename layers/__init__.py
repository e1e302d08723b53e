"""Map layers as data (registry) and their renderers to pydeck and folium.

Knows nothing of Streamlit. The only place that reprojects to EPSG:4326 for display and
escapes text for HTML.
"""
