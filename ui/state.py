"""Shareable state: what the user picked lives in the URL (``st.query_params``).

Each value has a typed accessor; a widget takes its start value from the URL (so opening a
shared link restores the view) and writes its current value back after every change.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TypeVar

import streamlit as st

T = TypeVar("T")
WIDGET_PREFIX = "w_"


def _parse_list(raw: str) -> list[str]:
    return [x for x in raw.split(",") if x]


def url_value(name: str, parse: Callable[[str], T], valid: Callable[[T], bool],
              default: T) -> T:
    raw = st.query_params.get(name)
    if raw is None:
        return default
    try:
        value = parse(raw)
    except (TypeError, ValueError):
        return default
    return value if valid(value) else default


def bind(name: str, parse: Callable[[str], T], valid: Callable[[T], bool], default: T,
         scope: str = "") -> str:
    """Seed the widget key ``w_<scope><name>`` from the URL once; return it for the widget.

    ``scope`` keeps widgets of different pages apart when their options differ (a stored
    choice must never be read against another page's options).
    """
    key = WIDGET_PREFIX + scope + name
    if key not in st.session_state:
        st.session_state[key] = url_value(name, parse, valid, default)
    elif not valid(st.session_state[key]):
        st.session_state[key] = default
    return key


def bind_choice(name: str, options: Sequence[str], default: str, scope: str = "") -> str:
    return bind(name, str, lambda v: v in options, default, scope)


def bind_int(name: str, options: Sequence[int], default: int, scope: str = "") -> str:
    return bind(name, int, lambda v: v in options, default, scope)


def bind_list(name: str, options: Sequence[str], default: list[str], scope: str = "") -> str:
    return bind(name, _parse_list, lambda v: all(x in options for x in v), default, scope)


def publish(**values: object) -> None:
    """Write the current choices into the URL (lists comma-separated; None removes)."""
    for name, value in values.items():
        if value is None or value == "" or value == []:
            if name in st.query_params:
                del st.query_params[name]
            continue
        text = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
        if st.query_params.get(name) != text:
            st.query_params[name] = text


def get(name: str) -> object:
    return st.session_state.get(WIDGET_PREFIX + name)
