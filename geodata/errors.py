"""Errors that read as one sentence: the dataset, then what went wrong."""

from __future__ import annotations


class GeodataError(Exception):
    """A dataset could not be refreshed or loaded; ``str()`` is the user-facing sentence.

    ``kind`` lets a UI choose its own wording (timeout, http, connection, format, validation,
    write, unavailable, missing) without parsing the English sentence.
    """

    def __init__(self, dataset: str, reason: str, kind: str = "validation") -> None:
        self.dataset = dataset
        self.reason = reason.rstrip(".")
        self.kind = kind
        super().__init__(f"{dataset}: {self.reason}.")


class ValidationError(GeodataError):
    """The file arrived but its content is not what the catalogue promises."""


class FetchError(GeodataError):
    """The file did not arrive (network, HTTP status, local mirror)."""


class StoreError(GeodataError):
    """The store has no usable copy, or writing the new copy failed."""
