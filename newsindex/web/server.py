"""Serving the application: Waitress, a pure-Python WSGI server, on 127.0.0.1 unless told otherwise.

Why Waitress and not Flask's development server: the development server is
meant for debugging one request at a time; Waitress is a production server
with a fixed pool of threads, no compiled code, and no dependencies of its
own, and it streams large exports without buffering them.
"""

from __future__ import annotations

import ipaddress
import webbrowser
from typing import Callable

from waitress.server import create_server

from ..index import NewsIndex
from .app import create_app

#: Threads answering requests (each waits its turn for the index; see :mod:`.shared`).
THREADS = 8


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: addresses no other machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def serve(
    index: NewsIndex, host: str = "127.0.0.1", port: int = 8000, open_browser: bool = False,
    threads: int = THREADS, announce: Callable[[str], None] = print,
) -> None:
    """Serve ``index`` until interrupted; ``announce`` is told the address (and a warning off loopback).

    ``port=0`` takes a free port, and the address announced says which.
    """
    local = is_loopback(host)
    app = create_app(index, loopback_only=local)
    server = create_server(app, host=host, port=port, threads=threads, ident="newsindex", clear_untrusted_proxy_headers=True)
    shown = f"[{host}]" if ":" in host else host
    address = f"http://{shown}:{server.effective_port}/"
    if not local:
        announce(
            f"warning: listening on {host}, not on the loopback address: anyone who can reach this machine "
            "on that address can read every article of the index (there is no login and no encryption)"
        )
    announce(f"serving {getattr(index, 'directory', 'the index')} ({len(index):,} articles) at {address} (Ctrl-C stops)")
    if open_browser:
        webbrowser.open(address)
    try:
        server.run()
    finally:
        server.close()
