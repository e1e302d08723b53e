"""The data's own date beside the retrieval day: derived from the mirror's real data at
refresh time, never from a server's file date, and written one way everywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geodata import Store, loaders, refresh
from geodata.reference import compact, derive
from tests.helpers.mirror import Fault, fast_settings, needs_mirror
from text import data_date, number, signed, source_line
from text.provenance import data_date_label, dates

# What each mirrored dataset says about itself (issue 16: population 2023, DWD to 2023,
# PSMSL to 2017-12, CLIMAT to 2021-07; geometry carries no date).
EXPECTED = {
    "bevoelkerung": {"kind": "day", "start": "2023-12-31", "end": "2023-12-31"},
    "klima_mv": {"kind": "years", "start": "1881", "end": "2023"},
    "meeresspiegel_warnemuende": {"kind": "months", "start": "1855-04", "end": "2017-12"},
    "klima_warnemuende": {"kind": "months", "start": "2003-03", "end": "2021-07"},
    "stadtbereiche": {"kind": "none"},
    "ortsteile": {"kind": "none"},
    "wasser": {"kind": "none"},
}


@needs_mirror
@pytest.mark.parametrize("dataset", sorted(EXPECTED))
def test_each_record_carries_the_date_of_its_data(good_store: Path, dataset: str) -> None:
    meta = Store(fast_settings(good_store, None)).meta(dataset)
    assert meta["reference"] == EXPECTED[dataset]
    assert meta["retrieved_at"][:2] == "20" and "stand" not in meta


@needs_mirror
def test_a_servers_file_date_never_becomes_the_data_date(tmp_path: Path, server) -> None:
    """The mirror answers with a Last-Modified of 1999: nothing in the record says 1999,
    and the data's own date still comes from the data."""
    old = "Fri, 01 Jan 1999 00:00:00 GMT"
    server.faults["11.rlrdata"] = Fault(headers={"Last-Modified": old})
    server.faults["stadtbereiche.json"] = Fault(headers={"Last-Modified": old})
    settings = fast_settings(tmp_path / "data", server.url)
    outcomes = refresh(["meeresspiegel_warnemuende", "stadtbereiche"], settings)
    assert all(o.ok for o in outcomes), outcomes
    store = Store(settings)
    for dataset in ("meeresspiegel_warnemuende", "stadtbereiche"):
        record = store.meta(dataset)
        assert "1999" not in json.dumps(record), record
        assert record["reference"] == EXPECTED[dataset]
    line = source_line(loaders.info("stadtbereiche", settings), "de")
    assert "1999" not in line and "Ohne Datum in den Daten · abgerufen " in line


def test_reference_rules_on_small_frames() -> None:
    years = pd.DataFrame({"year": [2005, 2019, 2023], "value": [1.0, 2.0, None]})
    assert derive("year_end", years)["end"] == "2023-12-31"
    assert derive("years", years, "value") == {"kind": "years", "start": "2005",
                                               "end": "2019"}
    months = pd.DataFrame({"year": [1855, 1855, 2017, 2018], "month": [4, 5, 12, 1],
                           "msl_mm": [6893.0, 6928.0, 7238.0, None]})
    assert derive("months", months, "msl_mm") == {"kind": "months", "start": "1855-04",
                                                  "end": "2017-12"}
    assert derive("none", years) == {"kind": "none"}
    with pytest.raises(ValueError, match="unknown reference rule"):
        derive("decades", years)
    with pytest.raises(ValueError, match="needs rows with a year"):
        derive("years", pd.DataFrame({"value": [1.0]}))
    assert compact(EXPECTED["klima_mv"]) == "1881–2023"
    assert compact(EXPECTED["bevoelkerung"]) == "2023-12-31"
    assert compact({"kind": "none"}) is None and compact(None) is None


@pytest.mark.parametrize(("reference", "de", "en"), [
    (EXPECTED["bevoelkerung"], "Datenstand 31.12.2023", "data as of 2023-12-31"),
    (EXPECTED["klima_mv"], "Zeitraum der Daten 1881–2023", "data period 1881–2023"),
    (EXPECTED["klima_warnemuende"], "Zeitraum der Daten 03/2003–07/2021",
     "data period 03/2003–07/2021"),
    (EXPECTED["meeresspiegel_warnemuende"], "Zeitraum der Daten 04/1855–12/2017",
     "data period 04/1855–12/2017"),
    ({"kind": "none"}, "ohne Datum in den Daten", "no date in the data"),
    (None, "Datenstand unbekannt", "data date unknown"),  # a record from older code
])
def test_the_data_date_is_labelled_in_both_languages(reference, de, en) -> None:
    assert data_date_label(reference, "de") == de
    assert data_date_label(reference, "en") == en


def test_one_source_line_shows_both_dates_labelled() -> None:
    info = {"id": "bevoelkerung", "title_de": "Bevölkerung", "title_en": "Population",
            "publisher": "Stadt", "licence": "CC0 1.0", "reference": EXPECTED["bevoelkerung"],
            "retrieved_at": "2026-12-06T08:00:00+00:00"}
    assert source_line(info, "de") == ("Bevölkerung — Stadt. Lizenz: CC0 1.0. "
                                       "Datenstand 31.12.2023 · abgerufen 06.12.2026.")
    assert source_line(info, "en") == ("Population — Stadt. Licence: CC0 1.0. "
                                       "Data as of 2023-12-31 · retrieved 2026-12-06.")
    assert dates({**info, "retrieved_at": None}, "de").endswith("noch nicht abgerufen")
    packaged = {**info, "packaged": True, "reference": {"kind": "none"},
                "licence_en": "free", "publisher_en": "City"}
    assert source_line(packaged, "en") == ("Population — City. Licence: free. No date in "
                                           "the data · included in the dashboard.")
    assert data_date(None, "de") == ""


def test_numbers_take_the_page_language_with_a_typographic_minus_in_german() -> None:
    assert number(-1.1, "de", 2) == "−1,10" and number(-1.1, "en", 2) == "-1.10"
    assert signed(-1.104, "de", 2) == "−1,10" and signed(1.104, "de", 2) == "+1,10"
    assert number(1234.5, "de", 1) == "1.234,5" and number(1234.5, "en", 1) == "1,234.5"
    assert number(-0.04, "de", 1) == "0,0" and signed(0.04, "de", 1) == "0,0"
    assert number(None) == number(float("nan")) == number(pd.NA) == "–"
