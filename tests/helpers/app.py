"""The app under Streamlit's AppTest, and the rule for servers a test run requires."""

from __future__ import annotations

import os

import pytest

from tests.helpers.mirror import ROOT

APP = str(ROOT / "dashboard.py")


def page_scripts() -> list[tuple[str, str]]:
    """(script, url path) of every page of the app, in the navigation's order."""
    from ui.frame import all_pages

    return [(script, url) for script, _t, _i, url, _d in all_pages()]


def page_urls() -> list[str]:
    """Every page's URL path as a browser opens it ("" for the start page)."""
    from ui.frame import all_pages

    return [("" if default else url) for _s, _t, _i, url, default in all_pages()]


def run_app(page: str | None = None, *, params_after_switch: bool = False,
            **params: str):
    """Run the app (optionally switched to ``page``) with URL parameters; no exception."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=120)

    def set_params() -> None:
        for key, value in params.items():
            at.query_params[key] = value

    if not params_after_switch:
        set_params()
    at.run()
    if page:
        at.switch_page(page)
        if params_after_switch:
            set_params()
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    return at


def require(env: str, why: str | None) -> None:
    """Skip with the reason, or fail when ``env`` says the servers must be here (make test)."""
    if why is None:
        return
    if os.environ.get(env) == "1":
        pytest.fail(f"{why}, but {env}=1 requires it (install with `make system-deps`)")
    pytest.skip(why)
