"""The server asks no one for its address.

Streamlit looks up the machine's public IP (HTTP requests to checkip.amazonaws.com): at
start, when headless without a fixed address (containers, the deployment's 0.0.0.0), and
again on every websocket handshake from a foreign Origin, where any web page can trigger
it. At an offline event the start waits for that timeout, and it is a request no visitor
asked for. Its LAN address comes from a UDP ``connect`` to 8.8.8.8 (no packet, but a
socket aimed off the machine). :func:`install` replaces both before the server starts:
no public IP (the deployment names its host in nginx), and the LAN address read from the
machine's own interfaces. Both are module attributes Streamlit looks up at call time
(``streamlit.net_util``, checked by tests/test_server_process.py on every upgrade).
"""

from __future__ import annotations

import fcntl
import ipaddress
import socket
import struct
from pathlib import Path

_SIOCGIFADDR = 0x8915  # Linux: the IPv4 address of an interface


def _address_of(interface: str) -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            packed = fcntl.ioctl(s.fileno(), _SIOCGIFADDR,
                                 struct.pack("256s", interface[:15].encode()))
        except OSError:  # no IPv4 address, or not an interface
            return None
    return socket.inet_ntoa(packed[20:24])


def _default_route_interfaces() -> list[str]:
    """Interfaces that carry a default route (``/proc/net/route``), most likely first."""
    try:
        lines = Path("/proc/net/route").read_text().splitlines()[1:]
    except OSError:
        return []
    routes = [line.split() for line in lines]
    return [r[0] for r in routes if len(r) > 3 and r[1] == "00000000" and int(r[3], 16) & 1]


def lan_ip() -> str | None:
    """This machine's address on the local network, from its interfaces: the one with the
    default route, else the first non-loopback one (an event's Wi-Fi without internet has
    no default route). None when there is none (or on systems without these interfaces)."""
    try:
        names = [name for _i, name in socket.if_nameindex()]
    except OSError:
        return None
    for name in [*_default_route_interfaces(), *names]:
        address = _address_of(name)
        if address and not ipaddress.ip_address(address).is_loopback:
            return address
    return None


def _no_external_ip() -> None:
    return None


def install() -> None:
    """Replace Streamlit's two address look-ups (see the module docstring)."""
    from streamlit import net_util

    net_util.get_external_ip = _no_external_ip
    net_util.get_internal_ip = lan_ip
