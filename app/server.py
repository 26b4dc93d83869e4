"""Serving with uvicorn: uvloop and httptools (uvicorn's "standard" extras) when installed.

With ``--workers > 1`` uvicorn binds the socket in the supervisor and the workers rebuild it
from its file descriptor with ``proto = 0``, so asyncio's automatic TCP_NODELAY (which checks
``proto == IPPROTO_TCP``) is skipped. Responses then wait on Nagle's algorithm and the
client's delayed ACK: 40 ms on every keep-alive request (measured: 44 ms for /healthz with two
workers, 1 ms with one). The protocols below set TCP_NODELAY on every connection themselves.
"""

from __future__ import annotations

import socket

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed: h11 only
    HttpToolsProtocol = None


def _nodelay(transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class NoDelayH11Protocol(H11Protocol):
    def connection_made(self, transport):
        _nodelay(transport)
        super().connection_made(transport)


if HttpToolsProtocol is not None:

    class NoDelayHttpToolsProtocol(HttpToolsProtocol):
        def connection_made(self, transport):
            _nodelay(transport)
            super().connection_made(transport)


def http_protocol() -> str:
    """httptools (a C parser) when installed, else h11; both with TCP_NODELAY. Given by import
    path: worker processes import it themselves."""
    name = "NoDelayHttpToolsProtocol" if HttpToolsProtocol is not None else "NoDelayH11Protocol"
    return f"app.server:{name}"


def serve(host: str, port: int, workers: int, access_log: bool = False) -> None:
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        http=http_protocol(),
        loop="auto",  # uvloop when installed
        access_log=access_log,
        # h11 only: 256 KiB request lines, so a 100 KB query reaches the app and gets its 422.
        # httptools parses URLs of up to 64 KiB; a longer one gets uvicorn's 400.
        h11_max_incomplete_event_size=256 * 1024,
    )
