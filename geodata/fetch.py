"""Downloading one file: timeouts, retries honouring Retry-After, conditional requests,
streaming into a temporary file. The only module that talks to the network."""

from __future__ import annotations

import email.utils
import errno
import hashlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from .catalogue import Limits
from .config import Settings
from .errors import FetchError, one_line

USER_AGENT = "rostock-dashboard-geodata/0.1 (+https://www.opendata-hro.de)"
BytesCallback = Callable[[int], None]
Session = requests.Session  # re-exported so other modules need not import requests


@dataclass(frozen=True)
class Fetched:
    """What arrived: a file in ``path`` (None when the server said 304 Not Modified)."""

    path: Path | None
    etag: str | None
    last_modified: str | None
    sha256: str | None
    size: int

    @property
    def not_modified(self) -> bool:
        return self.path is None


class _CappedRetry(Retry):
    """Retry that waits as the server asks, but never longer than ``max_retry_after``."""

    max_retry_after: float = 30.0

    def get_retry_after(self, response):  # type: ignore[no-untyped-def]
        value = super().get_retry_after(response)
        return None if value is None else min(value, self.max_retry_after)

    def new(self, **kw):  # type: ignore[no-untyped-def]
        retry = super().new(**kw)
        retry.max_retry_after = self.max_retry_after
        return retry


def make_session(settings: Settings) -> requests.Session:
    retry = _CappedRetry(
        total=settings.retries,
        connect=settings.retries,
        read=settings.retries,
        status=settings.retries,
        backoff_factor=settings.backoff_factor,
        status_forcelist=(429, 500, 502, 503, 504),
        allowed_methods=frozenset({"GET"}),
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    retry.max_retry_after = settings.max_retry_after
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry, pool_maxsize=4)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = USER_AGENT
    return session


def _http_date(ts: float) -> str:
    return email.utils.formatdate(ts, usegmt=True)


class _TooLarge(Exception):
    """More bytes arrived than the dataset's limit allows (raised while they arrive)."""


def _capped(chunks: Iterable[bytes], limits: Limits | None) -> Iterator[bytes]:
    """The chunks as they come, until more than the dataset's limit has arrived."""
    size = 0
    for chunk in chunks:
        size += len(chunk)
        if limits and size > limits.file_bytes:
            raise _TooLarge(size)
        yield chunk


def _write_stream(chunks, dest: Path, on_bytes: BytesCallback | None) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with dest.open("wb") as fh:
        for chunk in chunks:
            if not chunk:
                continue
            fh.write(chunk)
            digest.update(chunk)
            size += len(chunk)
            if on_bytes:
                on_bytes(len(chunk))
        fh.flush()
        os.fsync(fh.fileno())
    return digest.hexdigest(), size


def _mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB" if n >= 100_000 else f"{n:,} bytes"


def _too_large(dataset: str, name: str, limits: Limits, size: int | None) -> FetchError:
    """The refusal: which file, how large, the limit and where it is set."""
    limit = limits.phrase("max_file_mb")
    if size is None:
        what = f"{name} is larger than {limit}; reading stopped there"
    else:
        what = f"{name} is {_mb(size)}, more than {limit}; it was not read"
    return FetchError(dataset, what, "size")


def _describe_oserror(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    return exc.strerror or str(exc)


def fetch(
    dataset: str,
    source: str,
    dest: Path,
    session: requests.Session,
    settings: Settings,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    on_bytes: BytesCallback | None = None,
    limits: Limits | None = None,
) -> Fetched:
    """Fetch ``source`` (URL or mirror path) into ``dest``; on any failure ``dest`` is removed.

    ``etag``/``last_modified`` come from the copy we already have and make the request
    conditional, so an unchanged file costs one small round trip. A file larger than the
    dataset's ``limits`` allow is refused: before reading when its size is known, else as
    soon as more has arrived.
    """
    name = source.rsplit("/", 1)[-1]
    try:
        if source.startswith(("http://", "https://")):
            return _fetch_http(dataset, source, name, dest, session, settings,
                               etag, last_modified, on_bytes, limits)
        return _fetch_file(dataset, Path(source), name, dest, last_modified, settings,
                           on_bytes, limits)
    except _TooLarge:
        dest.unlink(missing_ok=True)
        assert limits is not None
        raise _too_large(dataset, name, limits, None) from None
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


def _outside(path: Path, root: Path | None) -> bool:
    return root is not None and not path.is_relative_to(root)


def _fetch_file(
    dataset: str, path: Path, name: str, dest: Path, last_modified: str | None,
    settings: Settings, on_bytes: BytesCallback | None, limits: Limits | None,
) -> Fetched:
    if not path.is_file():
        raise FetchError(dataset, f"the mirror has no file {name} (looked for {path})", "missing")
    # A link in the mirror folder may lead anywhere (a password file, /etc/passwd): only
    # files that really lie inside the mirror are read. The target is not named either.
    root = Path(settings.mirror).resolve() if settings.mirror else None
    refused = FetchError(dataset, f"{name} in the mirror folder is reached through a link "
                         "that leads outside it; it was not read", "validation")
    if _outside(path.resolve(), root):
        raise refused
    try:
        with path.open("rb") as src:
            # What was opened, not what the path meant a moment ago (a link swapped in).
            opened = Path(f"/proc/self/fd/{src.fileno()}")
            if opened.is_symlink() and _outside(Path(os.readlink(opened)), root):
                raise refused
            stat = os.fstat(src.fileno())
            lm = _http_date(stat.st_mtime)
            if last_modified and last_modified == lm:
                return Fetched(None, None, lm, None, 0)
            if limits and stat.st_size > limits.file_bytes:
                raise _too_large(dataset, name, limits, stat.st_size)
            chunks = iter(lambda: src.read(settings.chunk_size), b"")
            sha, size = _write_stream(_capped(chunks, limits), dest, on_bytes)
    except OSError as exc:
        raise FetchError(dataset, f"copying {name} failed: {_describe_oserror(exc)}",
                         "write") from exc
    return Fetched(dest, None, lm, sha, size)


LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}


def refuse_when_offline(dataset: str, url: str, settings: Settings) -> None:
    """In offline mode (an event laptop) nothing leaves the machine: only a mirror folder or
    a mirror on loopback may be used, so no visitor waits for a network that is not there."""
    if settings.offline and (urlsplit(url).hostname or "") not in LOOPBACK_HOSTS:
        raise FetchError(dataset, f"offline mode: {_host(url)} is not asked; use a local "
                         "mirror (GEODATA_MIRROR) or refresh before the event", "connection")


def _fetch_http(
    dataset: str, url: str, name: str, dest: Path, session: requests.Session,
    settings: Settings, etag: str | None, last_modified: str | None,
    on_bytes: BytesCallback | None, limits: Limits | None,
) -> Fetched:
    refuse_when_offline(dataset, url, settings)
    headers = {}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    timeout = (settings.connect_timeout, settings.read_timeout)
    try:
        with session.get(url, headers=headers, stream=True, timeout=timeout) as resp:
            if resp.status_code == 304:
                return Fetched(None, resp.headers.get("ETag", etag),
                               resp.headers.get("Last-Modified", last_modified), None, 0)
            if resp.status_code != 200:
                raise FetchError(dataset, _status_sentence(name, resp), "http")
            expected = resp.headers.get("Content-Length")
            announced = int(expected) if expected and expected.isdigit() else None
            if limits and announced is not None and announced > limits.file_bytes:
                raise _too_large(dataset, name, limits, announced)
            sha, size = _write_stream(_capped(resp.iter_content(settings.chunk_size), limits),
                                      dest, on_bytes)
            # Content-Length counts the bytes sent; with gzip on the wire more arrive unpacked.
            plain = resp.headers.get("Content-Encoding", "identity") == "identity"
            if announced is not None and plain and announced != size:
                raise FetchError(
                    dataset, f"the download of {name} broke off after {size:,} of "
                    f"{announced:,} bytes", "connection")
            return Fetched(dest, resp.headers.get("ETag"), resp.headers.get("Last-Modified"),
                           sha, size)
    except FetchError:
        raise
    except requests.exceptions.RequestException as exc:
        raise _request_error(dataset, name, url, settings, exc, "download") from exc
    except OSError as exc:
        raise FetchError(dataset, f"writing {name} to disk failed: {_describe_oserror(exc)}",
                         "write") from exc


def _request_error(dataset: str, name: str, url: str, settings: Settings,
                   exc: requests.exceptions.RequestException, what: str) -> FetchError:
    """One sentence for whatever requests raised (shared by downloads and live APIs)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return FetchError(dataset, f"the server for {name} did not answer within "
                          f"{settings.connect_timeout:g} s (timeout)", "timeout")
    read_timeout = FetchError(dataset, f"the server stopped sending {name} for more than "
                              f"{settings.read_timeout:g} s (timeout)", "timeout")
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return read_timeout
    if isinstance(exc, requests.exceptions.ConnectionError):
        text = str(exc)
        if "Read timed out" in text:
            return read_timeout
        if "refused" in text.lower():
            reason = f"the server for {name} refused the connection ({_host(url)})"
        elif "NameResolution" in text or "resolve" in text.lower():
            reason = f"the host {_host(url)} could not be found (no internet?)"
        else:
            reason = f"the connection broke while loading {name}"
        return FetchError(dataset, reason, "connection")
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return FetchError(dataset, f"the {what} of {name} broke off half-way", "connection")
    return FetchError(dataset, f"loading {name} failed ({type(exc).__name__})", "connection")

def _host(url: str) -> str:
    return url.split("/")[2] if "://" in url else url


def _status_sentence(name: str, resp: requests.Response) -> str:
    reason = one_line(resp.reason or "", 40)  # the server's own words: untrusted
    text = f"the server answered HTTP {resp.status_code} {reason}".rstrip()
    if resp.status_code == 404:
        text += f" for {name} (file not found)"
    elif resp.status_code == 429:
        wait = resp.headers.get("Retry-After")
        text += f" for {name} (too many requests"
        text += f"; it asked to wait {one_line(wait, 20)} s)" if wait else ")"
    elif resp.status_code >= 500:
        text += f" for {name} (server error, still failing after retries)"
    else:
        text += f" for {name}"
    return text


def get_json(
    url: str, session: requests.Session, settings: Settings, *,
    dataset: str = "pegelonline", max_bytes: int = 8 * 1024 * 1024,
) -> object:
    """GET one small JSON document from a live API (e.g. a gauge reading) and parse it.

    Live services have no mirror and nothing worth keeping on disk, so unlike :func:`fetch`
    the answer stays in memory; ``max_bytes`` keeps a misbehaving server from filling it.
    Every failure is a :class:`FetchError` with one sentence; its ``kind`` is ``timeout``,
    ``connection``, ``http``, ``missing`` (HTTP 404) or ``format`` (not JSON, too large).
    """
    import json

    refuse_when_offline(dataset, url, settings)
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
    timeout = (settings.connect_timeout, settings.read_timeout)
    try:
        with session.get(url, headers={"Accept": "application/json"}, stream=True,
                         timeout=timeout) as resp:
            if resp.status_code != 200:
                kind = "missing" if resp.status_code == 404 else "http"
                raise FetchError(dataset, _status_sentence(name, resp), kind)
            body = bytearray()
            for chunk in resp.iter_content(settings.chunk_size):
                body += chunk
                if len(body) > max_bytes:
                    raise FetchError(dataset, f"the answer for {name} is larger than "
                                     f"{max_bytes:,} bytes, which no JSON reply should be",
                                     "format")
    except FetchError:
        raise
    except requests.exceptions.RequestException as exc:
        raise _request_error(dataset, name, url, settings, exc, "answer") from exc
    if not body.strip():
        raise FetchError(dataset, f"the answer for {name} was empty", "format")
    try:
        return json.loads(bytes(body))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        where = f" at character {exc.pos}" if isinstance(exc, json.JSONDecodeError) else ""
        raise FetchError(dataset, f"the answer for {name} is not valid JSON{where} "
                         "(cut off or not JSON at all)", "format") from exc
