"""The data's own date, read from the data at refresh time.

A record keeps it as ``reference`` beside ``retrieved_at`` (when the copy was downloaded).
It is never the server's file date: a mirror, a re-upload or a new export changes that
without changing what the data describe.

``reference`` in a record (JSON)::

    {"kind": "day", "start": "2023-12-31", "end": "2023-12-31"}   a reference day (Stichtag)
    {"kind": "years", "start": "1881", "end": "2023"}              calendar years
    {"kind": "months", "start": "2003-03", "end": "2021-07"}       calendar months
    {"kind": "none"}                                               the data carry no date

The catalogue names the rule per dataset (``reference = "…"``); text/ formats it for people.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

# How a dataset's date is read from its frame.
#   none      the data hold no date (geometry, reference files): say so, show only retrieval
#   year_end  register figures as of 31 December of each year: the latest year's 31.12.
#   years     annual values: first and last year with a value
#   months    monthly values: first and last month with a value
RULES = ("none", "year_end", "years", "months")
NONE: dict[str, Any] = {"kind": "none"}


def derive(rule: str, frame: pd.DataFrame, value: str | None = None) -> dict[str, Any]:
    """The reference of ``frame`` by ``rule``; rows without ``value`` (if named) do not count.

    Raises ValueError for an unknown rule, or when a dated rule finds no dated row: a
    dataset the catalogue says is dated but whose rows carry no year is a broken file.
    """
    if rule not in RULES:
        raise ValueError(f"unknown reference rule {rule!r}; known: {', '.join(RULES)}")
    if rule == "none":
        return dict(NONE)
    rows = frame if value is None else frame[frame[value].notna()]
    if "year" not in rows.columns or rows["year"].dropna().empty:
        raise ValueError(f"the reference rule {rule!r} needs rows with a year")
    years = rows["year"].dropna().astype(int)
    if rule == "year_end":
        day = f"{years.max():04d}-12-31"
        return {"kind": "day", "start": day, "end": day}
    if rule == "years":
        return {"kind": "years", "start": f"{years.min():04d}", "end": f"{years.max():04d}"}
    if "month" not in rows.columns:
        raise ValueError("the reference rule 'months' needs a month column")
    stamps = sorted(f"{int(y):04d}-{int(m):02d}"
                    for y, m in zip(rows["year"], rows["month"], strict=True)
                    if pd.notna(y) and pd.notna(m))
    return {"kind": "months", "start": stamps[0], "end": stamps[-1]}


def compact(reference: dict[str, Any] | None) -> str | None:
    """A language-free label for logs, file names and database comments: ``2023-12-31``,
    ``1881–2023``, ``2003-03–2021-07``; None when the data carry no date."""
    if not reference or reference.get("kind") in (None, "none"):
        return None
    start, end = reference.get("start"), reference.get("end")
    return str(end) if start == end else f"{start}–{end}"
