"""A refresh that must fail: the sentence it gives, and the good copy it must leave as it was."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd

from geodata import Store, refresh
from tests.helpers.mirror import fast_settings


def _snapshot(store: Store, dataset: str) -> tuple[dict, pd.DataFrame, set[str]]:
    raw = {p.name for p in (store.raw / dataset).iterdir()}
    return store.meta(dataset), store.load(dataset), raw


def refused_keeping_copy(data_dir: Path, mirror: str, dataset: str, *reason: str) -> str:
    """Refresh ``dataset``; assert it failed for ``reason`` (words of the sentence) and that
    nothing good was lost. Returns the sentence."""
    settings = fast_settings(data_dir, mirror)
    store = Store(settings)
    meta_before, frame_before, raw_before = _snapshot(store, dataset)
    (outcome,) = refresh([dataset], settings)
    assert outcome.status == "failed"
    message = outcome.message
    assert message.startswith(f"{dataset}: "), message
    assert message.count(".") >= 1 and "\n" not in message and "Traceback" not in message
    for word in reason:
        assert word.lower() in message.lower(), (word, message)
    meta_after = store.meta(dataset)
    assert meta_after["file"] == meta_before["file"]
    assert meta_after["file_sha256"] == meta_before["file_sha256"]
    assert meta_after["last_error"] == message
    after = store.load(dataset)
    if isinstance(after, gpd.GeoDataFrame):
        assert after.geom_equals(frame_before).all()
    pd.testing.assert_frame_equal(pd.DataFrame(after.drop(columns="geometry", errors="ignore")),
                                  pd.DataFrame(frame_before.drop(columns="geometry",
                                                                 errors="ignore")))
    # No half-written files: the store holds one parquet per dataset, the raw cache is as before.
    assert len(list(store.dir.glob(f"{dataset}.*.parquet"))) == 1
    assert not list(store.dir.glob(".*.tmp"))
    assert {p.name for p in (store.raw / dataset).iterdir()} == raw_before
    return message
