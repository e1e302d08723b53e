"""Rostock's open data as validated (Geo)DataFrames: catalogue, download, validate, store.

Knows nothing of Streamlit; usable from scripts, tests and notebooks.
"""

from .catalogue import DISTRICT_CODES, Dataset, get, load_catalogue, stored
from .config import Settings, load_settings
from .errors import FetchError, GeodataError, MirrorError, StoreError, ValidationError
from .refresh import Outcome, refresh
from .store import DatasetStore, Store, checksums, open_store

__all__ = [
    "DISTRICT_CODES",
    "Dataset",
    "DatasetStore",
    "FetchError",
    "GeodataError",
    "MirrorError",
    "Outcome",
    "Settings",
    "Store",
    "StoreError",
    "ValidationError",
    "checksums",
    "get",
    "load_catalogue",
    "load_settings",
    "open_store",
    "refresh",
    "stored",
]
