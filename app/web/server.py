"""Serving with uvicorn: uvloop and httptools (uvicorn's "standard" extras) when installed.

Several workers: on Linux each worker is a process of its own with its own listening socket
bound with SO_REUSEPORT, so the kernel spreads new connections evenly over the workers. With one
shared socket (uvicorn's own --workers) the worker that wakes first accepts a burst of
connections: with 32 keep-alive clients one worker often held most of them while the other core
idled, and throughput and p50 swung by 2x between runs (benchmarks/bench_api.py).

With ``--workers > 1`` uvicorn binds the socket in the supervisor and the workers rebuild it
from its file descriptor with ``proto = 0``, so asyncio's automatic TCP_NODELAY (which checks
``proto == IPPROTO_TCP``) is skipped. Responses then wait on Nagle's algorithm and the
client's delayed ACK: 40 ms on every keep-alive request (measured: 44 ms for /healthz with two
workers, 1 ms with one). The protocols below set TCP_NODELAY on every connection themselves.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys

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
    return f"app.web.server:{name}"


def _config(host: str, port: int, workers: int, access_log: bool) -> dict:
    return {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "http": http_protocol(),
        "loop": "auto",  # uvloop when installed
        "access_log": access_log,
        # h11 only: 256 KiB request lines, so a 100 KB query reaches the app and gets its 422.
        # httptools parses URLs of up to 64 KiB; a longer one gets uvicorn's 400.
        "h11_max_incomplete_event_size": 256 * 1024,
    }


def _reuse_port_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def serve(host: str, port: int, workers: int, access_log: bool = False, reuse_port: bool = False) -> None:
    if reuse_port:  # one worker of several, on its own SO_REUSEPORT socket
        config = uvicorn.Config("app.web.app:create_app", **_config(host, port, 1, access_log))
        uvicorn.Server(config).run(sockets=[_reuse_port_socket(host, port)])
    elif workers > 1 and hasattr(socket, "SO_REUSEPORT"):
        _supervise(host, port, workers, access_log)
    else:
        uvicorn.run("app.web.app:create_app", **_config(host, port, workers, access_log))


def _supervise(host: str, port: int, workers: int, access_log: bool) -> None:
    """Start the workers, wait, and pass SIGINT / SIGTERM on to them."""
    command = [sys.executable, "-m", "app", "serve", "--host", host, "--port", str(port), "--reuse-port"]
    children = [subprocess.Popen(command + (["--access-log"] if access_log else [])) for _ in range(workers)]

    def stop(signum, frame):
        for child in children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for child in children:
        child.wait()
