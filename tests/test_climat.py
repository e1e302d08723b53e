"""Tests for the CLIMAT (WMO FM 71) decoder against DWD's real monthly files for Warnemünde."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from geodata.formats.climat import COLUMNS, ClimatFormatError, parse_climat, parse_climat_files
from tests.helpers.mirror import MIRROR

SHARED = MIRROR.parent
RAW_DIR = (
    MIRROR / "opendata.dwd.de/climate_environment/CDC/observations_global"
    "/CLIMAT/monthly/raw"
)
REFERENCE_CSV = (
    SHARED / "geodata-sources/klima-warnemuende-climat/warnemuende_monthly_2003-03_2021-07.csv"
)
DAY_COLUMNS = ("day_t_abs_max", "day_t_abs_min", "day_precip_daily_max")

needs_mirror = pytest.mark.skipif(not RAW_DIR.is_dir(), reason=f"no CLIMAT mirror at {RAW_DIR}")


def read_raw(name: str) -> str:
    return (RAW_DIR / name).read_text(encoding="latin-1")


@pytest.fixture(scope="module")
def months() -> pd.DataFrame:
    files = sorted(RAW_DIR.glob("CLIMAT_RAW_*.txt"))
    return parse_climat_files((path.name, path.read_text(encoding="latin-1")) for path in files)


# A real file (2019-06) split into header and the Warnemünde row, for hand-made variants.
HEADER_2019_06, ROW_2019_06 = (
    read_raw("CLIMAT_RAW_201906.txt").splitlines() if RAW_DIR.is_dir() else ("", "")
)


def with_fields(row: str, changes: dict[int, str]) -> str:
    """The row with some 0-based fields replaced."""
    fields = row.split(";")
    for index, value in changes.items():
        fields[index] = value
    return ";".join(fields)


def at(name: str, nth: int = 0) -> int:
    """0-based field index of the nth header column called `name` (real rows sit at it)."""
    return [i for i, n in enumerate(HEADER_2019_06.split(";")) if n == name][nth]


# --- the real series -------------------------------------------------------------------------


@needs_mirror
def test_every_month_once_without_gaps(months: pd.DataFrame) -> None:
    assert len(months) == 221
    assert list(months.columns) == list(COLUMNS)
    periods = pd.PeriodIndex.from_fields(year=months["year"], month=months["month"], freq="M")
    assert list(periods) == list(pd.period_range("2003-03", "2021-07", freq="M"))
    assert (months["wmo_id"] == 10170).all()
    assert months[["year", "month", "wmo_id"]].dtypes.eq("int64").all()
    assert months.drop(columns=["year", "month", "wmo_id"]).dtypes.eq("float64").all()


@needs_mirror
def test_extremes_of_the_series(months: pd.DataFrame) -> None:
    hottest = months.loc[months["t_abs_max_c"].idxmax()]
    assert (hottest["year"], hottest["month"]) == (2019, 6)
    assert hottest["t_abs_max_c"] == pytest.approx(35.9)
    assert hottest["day_t_abs_max"] == 30

    coldest = months.loc[months["t_abs_min_c"].idxmin()]
    assert (coldest["year"], coldest["month"]) == (2012, 2)
    assert coldest["t_abs_min_c"] == pytest.approx(-16.0)
    assert coldest["day_t_abs_min"] == 6

    wettest = months.loc[months["precip_mm"].idxmax()]
    assert (wettest["year"], wettest["month"]) == (2011, 7)
    assert wettest["precip_mm"] == 344
    assert wettest["precip_daily_max_mm"] == pytest.approx(111.4)  # Rx 1114 tenths of mm


@needs_mirror
def test_hand_checked_month_2003_03(months: pd.DataFrame) -> None:
    row = months[(months["year"] == 2003) & (months["month"] == 3)].iloc[0]
    expected = {
        "p_station_hpa": 1022.2,
        "p_sealevel_hpa": 1023.7,
        "t_mean_c": 3.9,
        "tx_mean_c": 7.3,
        "tn_mean_c": 1.0,
        "vapour_pressure_hpa": 6.4,
        "precip_mm": 11.0,
        "days_precip_ge1mm": 4.0,
        "sunshine_h": 174.0,
        "days_tn_lt0": 10.0,
        "days_tx_lt0": 0.0,
        "days_snow_gt0cm": 2.0,
        "days_wind_ge10ms": 8.0,
        "t_daily_mean_max_c": 9.2,  # raw day 60: on several days from the 10th
        "t_daily_mean_min_c": -1.3,  # sign field 1
        "t_abs_max_c": 15.9,
        "day_t_abs_max": 29.0,
        "t_abs_min_c": -3.2,
        "day_t_abs_min": 3.0,
        "precip_daily_max_mm": 4.4,
        "day_precip_daily_max": 11.0,
    }
    assert row[list(expected)].to_dict() == pytest.approx(expected)
    # no st and no section-3 group 0 (no day >= 25 °C) in this report: not reported, not zero
    assert np.isnan(row["t_sd_daily_c"])
    assert np.isnan(row["days_tx_ge25"]) and np.isnan(row["days_tx_ge30"])


@needs_mirror
@pytest.mark.skipif(not REFERENCE_CSV.is_file(), reason="no reference CSV")
def test_agrees_with_reference_csv(months: pd.DataFrame) -> None:
    reference = pd.read_csv(REFERENCE_CSV)
    merged = months.merge(reference, on=["year", "month"], suffixes=("", "_ref"), validate="1:1")
    assert len(merged) == len(months) == len(reference)
    for column in COLUMNS:
        if column in ("year", "month"):
            continue
        ours = merged[column].to_numpy(dtype=float)
        theirs = merged[f"{column}_ref"].to_numpy(dtype=float)
        if column in DAY_COLUMNS:
            # the reference keeps WMO's raw day code (+50 = on several days), we keep the day
            theirs = np.where(theirs > 50, theirs - 50, theirs)
        np.testing.assert_allclose(ours, theirs, equal_nan=True, err_msg=column)


# --- decoding rules on hand-made variants of a real row --------------------------------------


@needs_mirror
def test_picks_the_station_row_among_others() -> None:
    other = with_fields(ROW_2019_06, {2: "10147", 4: "09999"})
    text = "\n".join([HEADER_2019_06, other, ROW_2019_06, other.replace("10147", "10180")])
    record = parse_climat(text, source="CLIMAT_RAW_201906.txt")
    assert record is not None
    assert record["p_station_hpa"] == pytest.approx(1015.1)
    hamburg = parse_climat(text, wmo_id=10147)
    assert hamburg is not None and hamburg["p_station_hpa"] == pytest.approx(999.9)


@needs_mirror
def test_groups_shifted_left_are_found_by_their_index() -> None:
    # aligned as in the real file, with an empty field inside group 0 (T30 not reported)
    aligned = with_fields(ROW_2019_06, {at("T30"): ""})
    # the same report with the absent groups 2, 5, 6, 7 dropped and the section padded at its end
    section3 = [
        *("0", "11", ""),  # group 0: T25 = 11, T30 not reported
        *("1", "01", "00"),
        *("3", "08", "04"),
        *("4", "03", "00"),
        *("8", "07", "00", "00"),
        *("9", "00", "01", "04"),
    ]
    fields = aligned.split(";")
    start, stop = at("G3"), at("G4")
    shifted = fields[:start] + section3 + [""] * (stop - start - len(section3)) + fields[stop:]
    assert len(shifted) == len(fields)
    record = parse_climat(f"{HEADER_2019_06}\n{';'.join(shifted)}")
    assert record == parse_climat(f"{HEADER_2019_06}\n{aligned}")
    assert record is not None
    assert record["days_tx_ge25"] == 11
    assert np.isnan(record["days_tx_ge30"])
    assert record["days_wind_ge10ms"] == 7
    assert np.isnan(record["days_tn_lt0"])  # group 2 absent


@needs_mirror
def test_trace_multiple_days_and_negative_sign() -> None:
    changes = {at("R1"): "9999", at("Rx"): "9999", at("yr"): "65", at("Tan") - 1: "1"}
    record = parse_climat(f"{HEADER_2019_06}\n{with_fields(ROW_2019_06, changes)}")
    assert record is not None
    assert record["precip_mm"] == 0.0  # trace, not 9999 mm
    assert record["precip_daily_max_mm"] == 0.0  # trace, not 999.9 mm
    assert record["day_precip_daily_max"] == 15  # 65 = the 15th and other days
    assert record["t_abs_min_c"] == pytest.approx(-11.8)


# --- bad input -------------------------------------------------------------------------------


@needs_mirror
def test_file_without_the_station_returns_none() -> None:
    other = with_fields(ROW_2019_06, {2: "10147"})
    assert parse_climat(f"{HEADER_2019_06}\n{other}\n", source="CLIMAT_RAW_201906.txt") is None
    assert parse_climat(HEADER_2019_06 + "\n") is None
    assert parse_climat_files([("CLIMAT_RAW_201906.txt", HEADER_2019_06)]).empty


@needs_mirror
def test_truncated_row_names_the_month() -> None:
    truncated = ";".join(ROW_2019_06.split(";")[:100])
    with pytest.raises(ClimatFormatError, match=r"CLIMAT_RAW_201906\.txt \(2019-06\).*100 fields"):
        parse_climat(f"{HEADER_2019_06}\n{truncated}", source="CLIMAT_RAW_201906.txt")


@needs_mirror
def test_header_without_station_column_raises() -> None:
    header = HEADER_2019_06.replace("IIiii", "station")
    with pytest.raises(ClimatFormatError, match=r"CLIMAT_RAW_201906\.txt.*lacks IIiii"):
        parse_climat(f"{header}\n{ROW_2019_06}", source="CLIMAT_RAW_201906.txt")
    with pytest.raises(ClimatFormatError, match="empty"):
        parse_climat("")


@needs_mirror
def test_misaligned_group_index_raises() -> None:
    g4 = at("G4")
    assert ROW_2019_06.split(";")[g4 : g4 + 2] == ["0", "0"]
    variant = with_fields(ROW_2019_06, {g4: ""})  # index lost: the sign would be read as index
    with pytest.raises(ClimatFormatError, match=r"2019-06.*section 4"):
        parse_climat(f"{HEADER_2019_06}\n{variant}")


@needs_mirror
def test_file_name_and_row_month_must_agree() -> None:
    with pytest.raises(ClimatFormatError, match="file name says 2019-07"):
        parse_climat(f"{HEADER_2019_06}\n{ROW_2019_06}", source="CLIMAT_RAW_201907.txt")


@needs_mirror
def test_duplicate_month_is_rejected() -> None:
    text = read_raw("CLIMAT_RAW_201903.txt")
    pairs = [("CLIMAT_RAW_201903.txt", text), ("CLIMAT_RAW_201903.txt~", text)]
    with pytest.raises(ClimatFormatError, match=r"2019-03.*CLIMAT_RAW_201903\.txt.*duplicated"):
        parse_climat_files(pairs)
