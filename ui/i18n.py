"""The session's language, and the texts of ``text`` in it (``t``, ``day``)."""

from __future__ import annotations

import streamlit as st

import text
from text import LANGS

__all__ = ["LANGS", "day", "lang", "t"]


def lang() -> str:
    value = st.session_state.get("w_lang") or st.query_params.get("lang", text.DEFAULT)
    return value if value in LANGS else text.DEFAULT


def t(key: str, language: str | None = None, **params: object) -> str:
    return text.t(key, language or lang(), **params)


def day(stamp: str | None, language: str | None = None) -> str:
    return text.day(stamp, language or lang())
