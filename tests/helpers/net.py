"""Ports, health checks and the one polling loop every wait on a condition uses."""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def http_get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and body of a GET, errors included."""
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as e:
        return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def poll_until(check: Callable[[], T], timeout: float, what: str,
               interval: float = 0.25) -> T:
    """Call ``check`` until it returns something truthy (returned) or ``timeout`` seconds
    pass (AssertionError naming ``what``). The one place a test waits between looks."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


def wait_healthy(url: str, process: subprocess.Popen | None = None, timeout: float = 90,
                 what: str = "server") -> None:
    def healthy() -> bool:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{what} at {url} exited before it became healthy")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    try:
        poll_until(healthy, timeout, f"{what} at {url}", interval=0.3)
    except AssertionError:
        raise RuntimeError(f"{what} at {url} did not become healthy") from None


def holds(check: Callable[[], bool], seconds: float, interval: float = 0.25) -> bool:
    """Whether ``check`` stays true for ``seconds`` (looked at every ``interval``): for what
    must *not* happen within a window, e.g. a paused tour that must not move on."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not check():
            return False
        time.sleep(interval)
    return bool(check())
