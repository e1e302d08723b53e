"""Start the app: ``python -m server [streamlit options]`` (what ``make run`` does).

The project keeps its pages in ``pages/`` and routes them with ``st.navigation``. Streamlit
decides once per process, at the first session, whether a ``pages/`` folder means legacy
auto-pages; a shared deep link that happens to be that first request would then get a
"page does not exist" notice before the right page appears. Settling the question before
the server starts avoids that. The app's HTML also declares the page language here
(``server.page_lang``), ``/app/static`` is served from the data folder (``server.static``:
the project folder stays read-only), and the server asks no one for its address
(``server.network``). Plain ``streamlit run dashboard.py`` lacks these three.
"""

from __future__ import annotations

import sys
from pathlib import Path

from streamlit.runtime.pages_manager import PagesManager
from streamlit.web import cli

import geodata

from . import network, page_lang, static

APP = Path(__file__).resolve().parent.parent / "dashboard.py"


def main(argv: list[str] | None = None) -> int:
    if hasattr(PagesManager, "uses_pages_directory"):
        PagesManager.uses_pages_directory = False
    page_lang.install()
    network.install()
    static.install(geodata.load_settings())
    sys.argv = ["streamlit", "run", str(APP), *(argv if argv is not None else sys.argv[1:])]
    return int(cli.main() or 0)


if __name__ == "__main__":
    sys.exit(main())
