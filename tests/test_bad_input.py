"""Every kind of bad input leaves the previous good copy in place and names dataset + reason.

Each test starts from a private copy of a good store, makes the loopback mirror misbehave
for one file, refreshes, and checks the outcome, the recorded error and the untouched data.
"""

from __future__ import annotations

import errno
import itertools
import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import Polygon, mapping

import geodata
import geodata.fetch
import geodata.store
from geodata import Store, refresh
from tests.helpers.mirror import MIRROR, Fault, fast_settings, needs_mirror
from tests.helpers.net import free_port
from tests.helpers.store import refused_keeping_copy

pytestmark = needs_mirror

DISTRICTS = "stadtbereiche/stadtbereiche.json"
POP_2023 = "bevoelkerungsstruktur_2023/bevoelkerungsstruktur_2023_insgesamt.csv"
DISTRICTS_BYTES = (MIRROR / "geo.sv.rostock.de/download/opendata" / DISTRICTS).read_bytes() \
    if MIRROR.is_dir() else b""
POP_CSV = (MIRROR / "geo.sv.rostock.de/download/opendata" / POP_2023).read_text() \
    if MIRROR.is_dir() else ""


def _districts_json() -> dict:
    return json.loads(DISTRICTS_BYTES)


def _feature(obj: dict, code: str) -> dict:
    return next(f for f in obj["features"] if f["properties"]["code"] == code)


# -- network and HTTP ---------------------------------------------------------------------


def test_timeout(store_copy: Path, server) -> None:
    server.faults[DISTRICTS] = Fault(delay=2.5)
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "timeout", "stadtbereiche.json")


def test_connection_refused(store_copy: Path) -> None:
    mirror = f"http://127.0.0.1:{free_port()}"
    refused_keeping_copy(store_copy, mirror, "stadtbereiche", "refused the connection")


def test_not_found(store_copy: Path, server) -> None:
    server.faults[POP_2023] = Fault(status=404)
    refused_keeping_copy(store_copy, server.url, "bevoelkerung", "HTTP 404",
                   "bevoelkerungsstruktur_2023_insgesamt.csv")


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_after_retries(store_copy: Path, server, status: int) -> None:
    server.faults[DISTRICTS] = Fault(status=status)
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", f"HTTP {status}", "retries")
    # one request plus two retries (fast_settings: retries=2)
    assert [e.status for e in server.log] == [status] * 3


def test_too_many_requests_keeps_asking_to_wait(store_copy: Path, server) -> None:
    server.faults[DISTRICTS] = Fault(status=429, headers={"Retry-After": "1"})
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "HTTP 429", "wait 1 s")
    times = [e.at for e in server.log]
    assert len(times) == 3
    assert all(b - a >= 0.95 for a, b in itertools.pairwise(times))


def test_retry_after_is_honoured_then_succeeds(tmp_path: Path, server) -> None:
    server.faults[DISTRICTS] = Fault(status=429, headers={"Retry-After": "1"}, times=1)
    (outcome,) = refresh(["stadtbereiche"], fast_settings(tmp_path, server.url))
    assert outcome.status == "updated"
    first, second = server.log[0], server.log[1]
    assert (first.status, second.status) == (429, 200)
    assert second.at - first.at >= 0.95


def test_connection_cut_half_way(store_copy: Path, server) -> None:
    # A changed body (new ETag) so the client really downloads instead of getting a 304.
    server.faults[DISTRICTS] = Fault(body=DISTRICTS_BYTES + b"\n",
                                     cut_after=len(DISTRICTS_BYTES) // 2)
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "broke off")


# -- content -------------------------------------------------------------------------------


def test_truncated_json_with_status_200(store_copy: Path, server) -> None:
    server.faults[DISTRICTS] = Fault(body=DISTRICTS_BYTES[: len(DISTRICTS_BYTES) // 3])
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "not valid JSON", "truncated")


def test_empty_feature_collection(store_copy: Path, server) -> None:
    server.faults[DISTRICTS] = Fault(body=b'{"type": "FeatureCollection", "features": []}')
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "no features")


def test_csv_with_missing_column(store_copy: Path, server) -> None:
    df = pd.read_csv(__import__("io").StringIO(POP_CSV)).drop(columns="einwohnerzahl")
    server.faults[POP_2023] = Fault(body=df.to_csv(index=False).encode())
    refused_keeping_copy(store_copy, server.url, "bevoelkerung",
                   "bevoelkerungsstruktur_2023_insgesamt.csv", "lacks the required column",
                   "einwohnerzahl")


def test_csv_with_renamed_column(store_copy: Path, server) -> None:
    body = POP_CSV.replace("einwohnerzahl", "einwohner_gesamt", 1).encode()
    server.faults[POP_2023] = Fault(body=body)
    message = refused_keeping_copy(store_copy, server.url, "bevoelkerung", "einwohnerzahl")
    assert "einwohner_gesamt" in message  # the sentence shows what was found instead


def test_geometry_in_a_projected_crs(store_copy: Path, server) -> None:
    gdf = gpd.read_file(DISTRICTS_BYTES.decode()).to_crs(25833)
    obj = json.loads(gdf.to_json())
    obj.pop("crs", None)  # no crs member: by GeoJSON rules it claims lon/lat
    body = json.dumps(obj).encode()
    server.faults[DISTRICTS] = Fault(body=body)
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "not longitude/latitude",
                   "EPSG:25833")


def test_geometry_declaring_another_crs(store_copy: Path, server) -> None:
    obj = _districts_json()
    obj["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}}
    server.faults[DISTRICTS] = Fault(body=json.dumps(obj).encode())
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "declares", "EPSG:4326")


def test_self_intersecting_polygon(store_copy: Path, server) -> None:
    obj = _districts_json()
    bow_tie = Polygon([(12.05, 54.10), (12.10, 54.15), (12.10, 54.10), (12.05, 54.15)])
    _feature(obj, "C")["geometry"] = mapping(bow_tie)
    server.faults[DISTRICTS] = Fault(body=json.dumps(obj).encode())
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "code C", "Self-intersection",
                   "cannot be repaired")


def test_coordinates_outside_rostock(store_copy: Path, server) -> None:
    obj = _districts_json()
    feature = _feature(obj, "K")
    ring = feature["geometry"]["coordinates"][0]
    feature["geometry"]["coordinates"][0] = [[x + 1.3, y - 1.6] for x, y in ring]  # Berlin
    server.faults[DISTRICTS] = Fault(body=json.dumps(obj).encode())
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "outside the Rostock area",
                   "code K")


def test_duplicate_district_codes(store_copy: Path, server) -> None:
    obj = _districts_json()
    _feature(obj, "D")["properties"]["code"] = "C"
    server.faults[DISTRICTS] = Fault(body=json.dumps(obj).encode())
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "code C", "more than once")


def test_duplicate_district_codes_in_a_table(store_copy: Path, server) -> None:
    server.faults[POP_2023] = Fault(body=POP_CSV.replace("\nB,", "\nA,", 1).encode())
    refused_keeping_copy(store_copy, server.url, "bevoelkerung", "code A", "more than once")


# -- the disk --------------------------------------------------------------------------------


def test_store_write_interrupted_half_way(
    store_copy: Path, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = geodata.store.write_frame

    def half_then_disk_full(frame, path):
        real_write(frame, path)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(geodata.store, "write_frame", half_then_disk_full)
    # A changed file forces a real write (an unchanged one would be skipped).
    obj = _districts_json()
    _feature(obj, "A")["properties"]["bezeichnung"] = "Warnemünde (neu)"
    server.faults[DISTRICTS] = Fault(body=json.dumps(obj).encode())
    refused_keeping_copy(store_copy, server.url, "stadtbereiche", "disk is full", "previous copy")


def test_download_write_interrupted_half_way(
    store_copy: Path, server, monkeypatch: pytest.MonkeyPatch
) -> None:
    def half_then_fail(chunks, dest, on_bytes):
        with dest.open("wb") as fh:
            fh.write(next(iter(chunks))[:100])
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(geodata.fetch, "_write_stream", half_then_fail)
    psmsl = MIRROR / "psmsl.org/data/obtaining/rlr.monthly.data/11.rlrdata"
    server.faults["11.rlrdata"] = Fault(body=psmsl.read_bytes() + b"\n")
    refused_keeping_copy(store_copy, server.url, "meeresspiegel_warnemuende", "writing 11.rlrdata",
                   "Input/output error")


def test_a_good_refresh_after_a_failure_clears_the_error(store_copy: Path, server) -> None:
    settings = fast_settings(store_copy, server.url)
    server.faults[DISTRICTS] = Fault(status=503)
    assert refresh(["stadtbereiche"], settings)[0].status == "failed"
    server.faults.clear()
    assert refresh(["stadtbereiche"], settings)[0].ok
    assert Store(settings).meta("stadtbereiche")["last_error"] is None


def test_no_copy_yet_is_a_sentence(tmp_path: Path) -> None:
    with pytest.raises(geodata.StoreError, match="stadtbereiche: there is no local copy yet"):
        Store(fast_settings(tmp_path, None)).load("stadtbereiche")
