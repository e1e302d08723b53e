"""Watches a process's own attempts to reach beyond this machine (tests only).

Python imports this module at start-up when its folder is on ``PYTHONPATH``. An audit hook
(PEP 578) writes one JSON line to the file named by ``EGRESS_LOG`` for every socket connect
or datagram aimed at an address that is not loopback, and for every host name that would
need the network to resolve (a DNS query leaves the machine even when nothing else does).
Loopback, unspecified (0.0.0.0) and numeric addresses to resolve, and Unix sockets, are not
recorded.
"""

from __future__ import annotations

import ipaddress
import json
import os
import socket
import sys

_LOG = os.environ.get("EGRESS_LOG")
_LOCAL_NAMES = {"", "localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def _host(value: object) -> str:
    text = value.decode(errors="replace") if isinstance(value, bytes) else str(value)
    return text.strip("[]").split("%")[0].lower()


def _is_local(host: object) -> bool:
    if host is None or _host(host) in _LOCAL_NAMES:
        return True
    try:
        address = ipaddress.ip_address(_host(host))
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def _is_numeric(host: object) -> bool:
    try:
        ipaddress.ip_address(_host(host))
    except ValueError:
        return False
    return True


def _target(event: str, args: tuple) -> str | None:
    """What this event would reach off the machine, or None."""
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
        sock, address = args[0], args[1]
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or not address:
            return None
        return None if _is_local(address[0]) else f"{_host(address[0])}:{address[1]}"
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyaddr"):
        host = args[0]
        return None if _is_local(host) or _is_numeric(host) else _host(host)
    return None


if _LOG:
    _fd = os.open(_LOG, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)

    def _watch(event: str, args: tuple) -> None:
        if not event.startswith("socket."):
            return
        target = _target(event, args)
        if target:
            line = json.dumps({"pid": os.getpid(), "event": event, "target": target})
            os.write(_fd, (line + "\n").encode())

    sys.addaudithook(_watch)
