"""Warm before the first visitor: the server runs the overview once itself at start.

On a cold process the first script run paid about 5.7 s (imports, reading the store,
deriving indicators, building the layer and the deck, writing the basemap style) and the
first visitor waited for all of it. :func:`install` lets the runtime, as soon as it has
started, run the default page once in a session of its own that no browser sees (the way
Streamlit's own ``does_script_run_without_error`` runs a script): every cache a real visit
fills — ``st.cache_data``/``st.cache_resource`` of ``ui.data``, the store's parsed files,
the imported modules — is filled by the same code. The process that does it is the one that
serves, so the visitor's run finds them warm.

Until that run has finished, ``/_stcore/health`` answers 503 ("warming up"): tests, the
container health check and load balancers send visitors only to a warm server, and a
browser that arrives earlier waits on Streamlit's own "connecting" screen. A run that
fails or takes longer than ``timeout_s`` is logged and the server reports healthy anyway
(a visitor then pays as before, nothing breaks).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)

TIMEOUT_S = 180.0
READY = threading.Event()
timing: dict[str, float] = {}


async def warm(runtime: Any, timeout_s: float = TIMEOUT_S) -> None:
    """Run the app's default page once in a session without a browser."""
    from streamlit.runtime.app_session import AppSession
    from streamlit.runtime.script_data import ScriptData
    from streamlit.runtime.state import SCRIPT_RUN_WITHOUT_ERRORS_KEY

    started = time.monotonic()
    session = None
    try:
        session = AppSession(
            script_data=ScriptData(runtime._main_script_path, runtime._is_hello),
            uploaded_file_manager=runtime._uploaded_file_mgr,
            script_cache=runtime._script_cache,
            message_enqueued_callback=None,
            user_info={"email": None},
        )
        session.request_rerun(None)
        while SCRIPT_RUN_WITHOUT_ERRORS_KEY not in session.session_state:
            if time.monotonic() - started > timeout_s:
                log.warning("warm-up: the first page did not finish within %.0f s", timeout_s)
                break
            await asyncio.sleep(0.05)
        else:
            ok = session.session_state[SCRIPT_RUN_WITHOUT_ERRORS_KEY]
            timing["warm_s"] = time.monotonic() - started
            # Streamlit's own start-up lines go to stdout; this one joins them.
            print(f"  Warm-up: first page {'built' if ok else 'FAILED'} in "
                  f"{timing['warm_s']:.1f} s", flush=True)
        # the overview's first view, in every language (server.first_view)
        from text import LANGS

        from . import first_view

        for lang in LANGS:
            await asyncio.to_thread(first_view.markup, lang)
    except Exception:  # a failed warm-up must never keep the server from serving
        log.exception("warm-up failed")
    finally:
        if session is not None:
            session.shutdown()
        READY.set()


def install(timeout_s: float = TIMEOUT_S) -> None:
    """Start :func:`warm` when the runtime starts; report unhealthy until it is done."""
    from streamlit.runtime.runtime import Runtime

    if getattr(Runtime.start, "_warm", False):
        return
    start = Runtime.start
    ready_for_browser = Runtime.is_ready_for_browser_connection

    async def start_and_warm(self: Runtime) -> None:
        await start(self)
        self._warm_task = asyncio.get_running_loop().create_task(warm(self, timeout_s))

    async def _ready(self: Runtime) -> tuple[bool, str]:
        ok, message = await ready_for_browser.fget(self)  # type: ignore[union-attr]
        if ok and not READY.is_set():
            return False, "warming up"
        return ok, message

    start_and_warm._warm = True  # type: ignore[attr-defined]
    Runtime.start = start_and_warm  # type: ignore[method-assign]
    Runtime.is_ready_for_browser_connection = property(_ready)  # type: ignore[assignment]
