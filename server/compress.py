"""Compressed responses: brotli or gzip, as the browser accepts, for every text the app serves.

Streamlit 1.67 gzips some responses itself (``SelectiveGZipMiddleware``, level 5) but on
purpose never its own JavaScript and CSS under ``/static/`` nor the page at ``/``: Starlette
would compress the 3 MB deck.gl bundle again for every visitor. Those are 5.4 of the 8 MB a
first visit fetched. :func:`install` (called by the launcher before the server starts)
replaces that middleware by :class:`Compression`:

- Streamlit's frontend files are content-hashed and never change for an installed version,
  so each is compressed once (brotli quality 11 and gzip 9) into a cache folder keyed by
  the file's SHA-256 (:class:`Precompressed`, outside the project and site-packages) and
  served from there with ``Cache-Control: immutable``: no CPU per request. Whatever is not in
  the cache yet is compressed in a low-priority background thread after the start (about
  45 s once per Streamlit version on two cores) and until then compressed on the fly, fast.
- Everything else that is text (the localised page, ``/app/static`` files, component
  bundles, JSON, the district profiles' pages) is compressed on the fly and the result kept
  in memory by the body's hash, so the same file costs CPU once per process.
- Responses get an ETag per encoding and a 304 when the browser has that one. Files under
  ``/app/static`` are ``immutable`` when their URL carries a version (``?v=…``), else
  ``no-cache`` (the browser asks again and gets a 304).

Nothing in site-packages is modified; a newer Streamlit that drops the patched function
makes :func:`install` fail loudly at start (tests/test_compression.py covers it).
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import mimetypes
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import brotli

from geodata.storage import write_bytes_atomic

TEXT_SUFFIXES = (".js", ".css", ".json", ".svg", ".html", ".txt", ".geojson", ".xml")
TEXT_TYPES = ("text/", "application/javascript", "application/json", "application/geo+json",
              "application/manifest+json", "application/xml", "image/svg+xml",
              "application/x-javascript")
IMMUTABLE = "public, max-age=31536000, immutable"
MIN_SIZE = 512          # smaller bodies gain less than the headers cost
MAX_BUFFER = 8 << 20    # larger bodies stream through uncompressed
MEMO_BYTES = 48 << 20   # compressed bodies kept in memory (LRU)
BEST_UP_TO = 512 << 10  # on the fly: brotli 11 below this size, a fast level above
ENV_CACHE = "DASHBOARD_CACHE_DIR"


def cache_root() -> Path:
    """Where compressed copies live: ``DASHBOARD_CACHE_DIR``, else the user's cache folder.
    Never the project folder (read-only at run time) nor site-packages."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "rostock-dashboard"


def accepted(header: str) -> list[str]:
    """The encodings a request accepts that we offer, best first (``q=0`` refuses)."""
    offered = {}
    for part in header.split(","):
        name, _, params = part.strip().partition(";")
        q = 1.0
        for p in params.split(";"):
            key, _, value = p.strip().partition("=")
            if key == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        offered[name.strip().lower()] = q
    star = offered.get("*", 0.0)
    return [e for e in ("br", "gzip") if offered.get(e, star) > 0]


def is_text(content_type: str) -> bool:
    return content_type.split(";")[0].strip().lower().startswith(TEXT_TYPES)


def media_type(path: str) -> str:
    guessed = mimetypes.guess_type(path)[0] or "application/octet-stream"
    return "text/javascript" if guessed == "application/javascript" else guessed


def compress(data: bytes, encoding: str, best: bool = True) -> bytes:
    if encoding == "br":
        return brotli.compress(data, quality=11 if best else 5)
    return gzip.compress(data, 9 if best else 6, mtime=0)


# --- Streamlit's frontend, precompressed once -----------------------------------------------


@dataclass
class Asset:
    """One file of Streamlit's frontend and its compressed copies (when made)."""

    source: Path
    sha: str
    size: int
    media_type: str
    variants: dict[str, Path] = field(default_factory=dict)

    def etag(self, encoding: str) -> str:
        return f'"{self.sha[:24]}-{encoding}"'


class Precompressed:
    """Compressed copies of every text file under a static folder, addressed by content.

    ``<cache>/<sha256>.br`` and ``.gz``: the same content has the same copies whatever its
    name or Streamlit version, several servers on one machine share them, and a copy is
    written atomically (a reader sees it whole or not at all).
    """

    def __init__(self, static_dir: Path, cache: Path, prefix: str = "/") -> None:
        self.static_dir = Path(static_dir)
        self.cache = Path(cache)
        self.assets: dict[str, Asset] = {}
        for src in sorted(self.static_dir.rglob("*")):
            if not src.is_file() or src.suffix not in TEXT_SUFFIXES:
                continue
            data = src.read_bytes()
            sha = hashlib.sha256(data).hexdigest()
            asset = Asset(src, sha, len(data), media_type(src.name))
            for enc in ("br", "gzip"):
                copy = self._copy_path(sha, enc)
                if copy.is_file():
                    asset.variants[enc] = copy
            url = prefix + src.relative_to(self.static_dir).as_posix()
            self.assets[url] = asset
        self._thread: threading.Thread | None = None

    def _copy_path(self, sha: str, encoding: str) -> Path:
        return self.cache / sha[:2] / f"{sha}.{'br' if encoding == 'br' else 'gz'}"

    def missing(self) -> list[tuple[Asset, str]]:
        return [(a, enc) for a in self.assets.values() for enc in ("gzip", "br")
                if enc not in a.variants]

    def fill(self, low_priority: bool = False,
             progress: Callable[[int, int], None] | None = None) -> int:
        """Make the missing copies (gzip first: fast; then brotli, largest first)."""
        if low_priority:
            # Linux: a thread has its own nice value; visitors come first
            with contextlib.suppress(AttributeError, OSError):
                os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
        todo = sorted(self.missing(), key=lambda x: (x[1] != "gzip", -x[0].size))
        for n, (asset, enc) in enumerate(todo, 1):
            copy = self._copy_path(asset.sha, enc)
            if not copy.is_file():
                data = asset.source.read_bytes()
                if hashlib.sha256(data).hexdigest() != asset.sha:
                    continue  # changed under us (an upgrade mid-run): leave it to the stock path
                write_bytes_atomic(copy, compress(data, enc))
            asset.variants[enc] = copy  # one dict assignment: safe for concurrent readers
            if progress:
                progress(n, len(todo))
        return len(todo)

    def fill_in_background(self) -> threading.Thread | None:
        if not self.missing():
            return None
        started = time.monotonic()

        def run() -> None:
            import fcntl

            # One process of the machine fills the cache; others serve on the fly meanwhile.
            self.cache.mkdir(parents=True, exist_ok=True)
            with (self.cache / ".filling").open("w") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    return
                n = self.fill(low_priority=True)
            print(f"compressed {n} copies of Streamlit's frontend in "
                  f"{time.monotonic() - started:.0f} s into {self.cache}", flush=True)

        self._thread = threading.Thread(target=run, name="precompress", daemon=True)
        self._thread.start()
        return self._thread


# --- the middleware ----------------------------------------------------------------------------


class Memo:
    """Compressed bodies by (hash, encoding), least recently used dropped beyond a size."""

    def __init__(self, max_bytes: int = MEMO_BYTES) -> None:
        self.max_bytes = max_bytes
        self.items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> bytes | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: tuple[str, str], value: bytes) -> None:
        with self.lock:
            if key in self.items or len(value) > self.max_bytes // 4:
                return
            self.items[key] = value
            self.size += len(value)
            while self.size > self.max_bytes:
                _k, old = self.items.popitem(last=False)
                self.size -= len(old)


def _header(scope: dict, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return ""


def _matches(if_none_match: str, etag: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in if_none_match.split(",")]
    return "*" in tags or etag in tags


class Compression:
    """ASGI middleware: precompressed frontend files, and everything else that is text
    compressed once per distinct body (see the module docstring)."""

    def __init__(self, app: Any, assets: Precompressed | None = None, base_url: str = "",
                 memo: Memo | None = None,
                 versioned: Iterable[str] = ("/app/static/",)) -> None:
        self.app = app
        self.assets = assets
        base = base_url.strip("/")
        self.prefix = f"/{base}" if base else ""
        self.memo = memo or Memo()
        self.versioned = tuple(versioned)

    def _route(self, scope: dict) -> str:
        path = scope.get("path", "")
        for prefix in (scope.get("root_path", ""), self.prefix):
            if prefix and (path == prefix or path.startswith(prefix + "/")):
                path = path[len(prefix):] or "/"
        return path

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        path = self._route(scope)
        encodings = accepted(_header(scope, b"accept-encoding"))
        ranged = bool(_header(scope, b"range"))
        asset = self.assets.assets.get(path) if self.assets else None
        if asset and not ranged:
            ready = [e for e in encodings if e in asset.variants]
            if ready:
                await self._send_asset(scope, receive, send, asset, ready[0])
                return
        cache_control = None
        if path.startswith(self.versioned):
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            cache_control = IMMUTABLE if query.get("v") else "no-cache"
        if ranged or scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        await _Buffered(self, scope, receive, send, encodings, path, cache_control,
                        best=asset is None).run()

    async def _send_asset(self, scope: dict, receive: Any, send: Any, asset: Asset,
                          encoding: str) -> None:
        from starlette.responses import FileResponse, Response

        etag = asset.etag(encoding)
        headers = {"Cache-Control": IMMUTABLE, "Vary": "Accept-Encoding", "ETag": etag}
        if _matches(_header(scope, b"if-none-match"), etag):
            await Response(status_code=304, headers=headers)(scope, receive, send)
            return
        headers["Content-Encoding"] = encoding
        response = FileResponse(asset.variants[encoding], media_type=asset.media_type,
                                headers=headers)
        del response.headers["accept-ranges"]
        await response(scope, receive, send)


class _Buffered:
    """One response: held back, compressed when it is text and whole, then sent."""

    def __init__(self, owner: Compression, scope: dict, receive: Any, send: Any,
                 encodings: list[str], path: str, cache_control: str | None,
                 best: bool) -> None:
        self.owner, self.scope, self.receive, self.send = owner, scope, receive, send
        self.encodings, self.path = encodings, path
        self.cache_control, self.best = cache_control, best
        self.start: dict | None = None
        self.chunks: list[bytes] = []
        self.size = 0
        self.passing = False

    async def run(self) -> None:
        await self.owner.app(self.scope, self.receive, self._send)

    async def _send(self, message: dict) -> None:
        if self.passing:
            await self.send(message)
            return
        if message["type"] == "http.response.start":
            self.start = message
            headers = {k.lower(): v for k, v in message.get("headers", ())}
            ctype = headers.get(b"content-type", b"").decode("latin-1")
            if self.cache_control and message["status"] == 200:
                self._set(b"cache-control", self.cache_control.encode())
            if (message["status"] != 200 or b"content-encoding" in headers
                    or not is_text(ctype)):
                await self._pass()
                return
            self._set(b"vary", b"Accept-Encoding")
            return
        if message["type"] != "http.response.body":
            await self.send(message)
            return
        self.chunks.append(message.get("body", b""))
        self.size += len(self.chunks[-1])
        if self.size > MAX_BUFFER:
            await self._pass()
            return
        if not message.get("more_body", False):
            await self._finish(b"".join(self.chunks))

    def _set(self, name: bytes, value: bytes) -> None:
        assert self.start is not None
        headers = [(k, v) for k, v in self.start.get("headers", ()) if k.lower() != name]
        self.start["headers"] = [*headers, (name, value)]

    async def _pass(self) -> None:
        """Send what was held back unchanged and let the rest stream through."""
        self.passing = True
        assert self.start is not None
        await self.send(self.start)
        for chunk in self.chunks:
            await self.send({"type": "http.response.body", "body": chunk, "more_body": True})
        self.chunks = []

    async def _finish(self, body: bytes) -> None:
        import anyio.to_thread

        assert self.start is not None
        headers = {k.lower(): v for k, v in self.start.get("headers", ())}
        sha = hashlib.sha256(body).hexdigest()
        encoding = self.encodings[0] if self.encodings and len(body) >= MIN_SIZE else None
        base_etag = headers.get(b"etag", f'"{sha[:24]}"'.encode()).decode("latin-1")
        etag = base_etag if encoding is None else \
            f'{base_etag.removesuffix(chr(34))}-{encoding}"'
        self._set(b"etag", etag.encode())
        if _matches(_header(self.scope, b"if-none-match"), etag):
            self.start["status"] = 304
            self.start["headers"] = [(k, v) for k, v in self.start["headers"]
                                     if k.lower() not in (b"content-length", b"content-type")]
            await self.send(self.start)
            await self.send({"type": "http.response.body", "body": b""})
            return
        if encoding is not None:
            best = self.best and len(body) <= BEST_UP_TO
            key = (sha, f"{encoding}{'-best' if best else ''}")
            packed = self.owner.memo.get(key)
            if packed is None:
                if len(body) > 64 << 10:
                    packed = await anyio.to_thread.run_sync(compress, body, encoding, best)
                else:
                    packed = compress(body, encoding, best)
                self.owner.memo.put(key, packed)
            body = packed
            self._set(b"content-encoding", encoding.encode())
        self._set(b"content-length", str(len(body)).encode())
        await self.send(self.start)
        await self.send({"type": "http.response.body", "body": body})


# --- wiring into Streamlit ---------------------------------------------------------------------


_assets: Precompressed | None = None


def frontend_assets(cache: Path | None = None) -> Precompressed:
    """The installed Streamlit's frontend with whatever copies the cache holds."""
    from streamlit import file_util

    # Only the content-hashed bundles under static/ (index.html and manifest.json at the top
    # are not hashed and stay no-cache).
    static = Path(file_util.get_static_dir()) / "static"
    return Precompressed(static, (cache or cache_root()) / "precompressed", prefix="/static/")


def install(background: bool = True) -> None:
    """Put :class:`Compression` in place of Streamlit's SelectiveGZipMiddleware."""
    from starlette.middleware import Middleware
    from streamlit import config
    from streamlit.web.server.starlette import starlette_app as sa
    from streamlit.web.server.starlette.starlette_gzip_middleware import (
        SelectiveGZipMiddleware,
    )

    if getattr(sa.create_streamlit_middleware, "_compression", False):
        return
    original = sa.create_streamlit_middleware

    def create() -> list[Middleware]:
        global _assets
        middleware = original()
        gzip_at = [i for i, m in enumerate(middleware) if m.cls is SelectiveGZipMiddleware]
        if len(gzip_at) != 1:
            raise RuntimeError("Streamlit's middleware changed: no SelectiveGZipMiddleware "
                               "to replace (see server/compress.py)")
        _assets = frontend_assets()
        if background:
            _assets.fill_in_background()
        middleware[gzip_at[0]] = Middleware(
            Compression, assets=_assets, base_url=config.get_option("server.baseUrlPath") or "")
        return middleware

    create._compression = True  # type: ignore[attr-defined]
    sa.create_streamlit_middleware = create


def main() -> int:
    """``python -m server.compress``: make every compressed copy now (image builds)."""
    assets = frontend_assets()
    started = time.monotonic()
    todo = len(assets.missing())
    assets.fill(progress=lambda n, total: print(f"\r{n}/{total}", end="", flush=True)
                if n % 20 == 0 or n == total else None)
    sizes = {enc: sum(a.variants[enc].stat().st_size for a in assets.assets.values())
             for enc in ("gzip", "br")}
    raw = sum(a.size for a in assets.assets.values())
    print(f"\n{len(assets.assets)} files ({raw:,} B): gzip {sizes['gzip']:,} B, brotli "
          f"{sizes['br']:,} B; {todo} copies made in {time.monotonic() - started:.1f} s "
          f"into {assets.cache}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
