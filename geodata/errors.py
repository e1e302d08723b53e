"""Errors that read as one sentence: the dataset, then what went wrong.

A sentence may quote what it found (a column name, a value, a server's words), but the
file or server is untrusted: :func:`excerpt` quotes at most a short piece of it on one line,
and every reason is kept to one line of bounded length, whatever a library's message held.
"""

from __future__ import annotations

import re

# Control characters (line breaks, tabs, escapes), zero-width and bidirectional marks: they
# would break a log line or a table cell, or make text read differently from what it is.
_HIDDEN = re.compile(r"[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e"
                     r"\u2060-\u2069\ufeff]")
EXCERPT_CHARS = 40
REASON_CHARS = 400


def one_line(text: object, limit: int) -> str:
    """``text`` without hidden characters, on one line, cut to ``limit`` characters."""
    flat = " ".join(_HIDDEN.sub(" ", str(text)).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def excerpt(value: object, limit: int = EXCERPT_CHARS) -> str:
    """A short, quoted, single-line piece of untrusted text for an error sentence."""
    return "'" + one_line(value, limit) + "'"


def excerpts(values: object, limit: int = 8) -> str:
    """Up to ``limit`` short names (columns, codes) from a file, comma-separated, with how
    many more there were."""
    items = list(values)  # type: ignore[call-overload]
    shown = ", ".join(one_line(v, 32) for v in items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


class GeodataError(Exception):
    """A dataset could not be refreshed or loaded; ``str()`` is the user-facing sentence.

    ``kind`` lets a UI choose its own wording (timeout, http, connection, format, validation,
    size, write, unavailable, missing) without parsing the English sentence.
    """

    def __init__(self, dataset: str, reason: str, kind: str = "validation") -> None:
        self.dataset = dataset
        self.reason = one_line(reason, REASON_CHARS).rstrip(".")
        self.kind = kind
        super().__init__(f"{dataset}: {self.reason}.")


class ValidationError(GeodataError):
    """The file arrived but its content is not what the catalogue promises."""


class FetchError(GeodataError):
    """The file did not arrive (network, HTTP status, local mirror)."""


class StoreError(GeodataError):
    """The store has no usable copy, or writing the new copy failed."""


class MirrorError(GeodataError):
    """The configured mirror itself is missing: one sentence for all datasets, not one each."""

    def __init__(self, reason: str) -> None:
        super().__init__("mirror", reason, "missing")
