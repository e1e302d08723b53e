"""The printable "Steckbrief": each German district page printed to an A4 PDF by Chromium
(Debian's ``chromium`` through Playwright), from a loopback server over the built folder so
the page's map loads as in a browser. Nothing but that server is reachable for the page."""

from __future__ import annotations

import functools
import shutil
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def print_pdfs(folder: Path, pages: list[str], timeout_ms: int = 30_000) -> list[str]:
    """``de/x.html`` → ``de/x.pdf`` for each page; returns the PDFs' paths.

    Runs in a thread of its own: Playwright's sync API refuses a thread whose event loop
    is running (a caller inside a server or a test with a browser open)."""
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(1, thread_name_prefix="pdf") as pool:
        return pool.submit(_print, folder, pages, timeout_ms).result()


def _print(folder: Path, pages: list[str], timeout_ms: int) -> list[str]:
    from playwright.sync_api import sync_playwright

    executable = chromium()
    if executable is None:
        raise RuntimeError("Debian's chromium is needed to print the PDFs "
                           "(apt-get install chromium, or build with --no-pdf)")
    handler = functools.partial(_Quiet, directory=str(folder))
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    done = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=executable,
                                        args=["--no-sandbox", "--disable-gpu"])
            context = browser.new_context(locale="de-DE")
            context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(base)
                          else r.abort())
            page = context.new_page()
            page.emulate_media(media="print")
            for rel in pages:
                page.goto(base + rel, wait_until="load")
                page.wait_for_selector("html[data-map-ready]", timeout=timeout_ms,
                                       state="attached")
                # Paper has no links: the build server's loopback address must not end
                # up in the file as a link target.
                page.evaluate("document.querySelectorAll('a[href]')"
                              ".forEach(a => a.removeAttribute('href'))")
                target = rel.removesuffix(".html") + ".pdf"
                page.pdf(path=str(folder / target), format="A4", print_background=True,
                         tagged=True, outline=True, prefer_css_page_size=True)
                done.append(target)
            browser.close()
    finally:
        httpd.shutdown()
        httpd.server_close()
    return done
