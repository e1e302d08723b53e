"""Warm start (server.warm): once the server reports healthy, the first visitor's page is
built from caches the server filled itself — it does not read the store's data files."""

from __future__ import annotations

import shutil
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.browser import (
    ARTIFACTS,
    BROWSER,
    App,
    Watched,
    no_console_errors,
    open_map,
    serve,
    settled,
)
from tests.helpers.mirror import DATA_ONLY

pytestmark = BROWSER


@pytest.fixture(scope="module")
def warm_app(tmp_path_factory: pytest.TempPathFactory, good_store: Path) -> Iterator[App]:
    ARTIFACTS.mkdir(exist_ok=True)
    store = tmp_path_factory.mktemp("warm") / "data"
    shutil.copytree(good_store, store, ignore=DATA_ONLY)
    yield from serve(store)


def test_the_first_visit_reads_no_data_file(warm_app: App, watched: Watched) -> None:
    """After "healthy", every GeoParquet file of the store is overwritten with garbage (the
    records, which only name checksums, stay). Had the visitor's run read any of them, the
    page would show an error instead of the map, its legend and the district's profile."""
    files = sorted((warm_app.store / "store").glob("*.parquet"))
    assert len(files) >= 5
    for path in files:
        path.write_bytes(b"not a parquet file")
    box = open_map(watched, warm_app.url + "/")
    page = watched.page
    settled(page)
    assert box["width"] > 300
    assert not page.locator("[data-testid='stException']").count()
    text = page.locator(".stApp").inner_text()
    assert "Einwohnerinnen und Einwohner" in text  # the legend and table of the default layer
    assert "nicht" not in page.locator("[data-testid='stAlert']").all_inner_texts().__str__()
    page.screenshot(path=str(ARTIFACTS / "warm-first-visit.png"))
    no_console_errors(watched)


def test_the_log_says_the_first_page_was_built(warm_app: App) -> None:
    with urllib.request.urlopen(warm_app.url + "/_stcore/health", timeout=5) as r:
        assert r.status == 200
    log = next(ARTIFACTS.glob(f"streamlit-{warm_app.url.rsplit(':', 1)[1]}.log")).read_text()
    assert "Warm-up: first page built in" in log
