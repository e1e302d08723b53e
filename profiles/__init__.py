"""The district profiles: a light static page per Stadtbereich in German and English (no
Streamlit), an index with the city map, and a printable A4 "Steckbrief" as PDF per district.

Built by ``python -m profiles build`` (``make site``) from the store, with the same code the
app uses — the layer builder (``layers.build``) for the map's classes and colours, the
figures (``figures.profile``, ``figures.charts``) for the key figures and charts, the
planning arithmetic (``geodata.planning``) for ranks and neighbours. Charts are SVG rendered
on the server (vl-convert), the map is Leaflet from the installed package; nothing is loaded
from another host. The app server serves the result at ``/profile/`` and nginx straight from
disk (deploy/). Output: ``<data folder>/profiles/current`` (a symlink switched atomically to
each new build).
"""
