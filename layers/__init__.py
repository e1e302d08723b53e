"""Map layers as data (registry, specs) and their two renderers, pydeck and folium.

Knows nothing of Streamlit. The only place that reprojects to EPSG:4326 for display and
builds pydeck or folium objects.
"""
