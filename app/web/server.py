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

They also bound what a client may hold (uvicorn has no such limits of its own; a security review
measured, on loopback: idle and half-sent connections open past 240 s, 64 MB of headers accepted,
a 32 MB header stalling the other clients for 0.86 s): a request head must be complete within
HEAD_TIMEOUT of connecting or of the previous response, its headers within MAX_HEADER_BYTES and
its request line within MAX_URL_BYTES. And uvicorn's own answers (400 for a malformed request,
414 and 431 here, 503 beyond the concurrency limit) carry the security headers of every response
(app/web/security.py), as the app's do.
"""

from __future__ import annotations

import http
import logging
import signal
import socket
import subprocess
import sys

import h11
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from app.web.security import HEADERS

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed: h11 only
    HttpToolsProtocol = None


MAX_URL_BYTES = 64 * 1024
"""The request line's URL: a lab link with a long ``text`` is a few KiB; the app answers anything
too long for a state with a 422 naming the field, so a URL may be long enough to get that answer.
Beyond this: 414."""
MAX_HEADER_BYTES = 16 * 1024
"""All header names and values together: a browser sends 1 to 2 KiB (cookies are not used here);
nginx's default large_client_header_buffers allows 4 x 8 KiB. Beyond this: 431."""
MAX_HEAD_BYTES = MAX_URL_BYTES + MAX_HEADER_BYTES
"""A request head still incomplete at this size is refused (431) before the parser buffers more:
httptools grows a long header value by concatenation: a 32 MB one stalled the other clients 0.86 s."""
HEAD_TIMEOUT = 10.0
"""Seconds a connection may take to send a complete request head, from connecting or from its
previous response: a browser sends its head at once; a silent or trickling client only holds a slot."""
KEEP_ALIVE_TIMEOUT = 5
"""Seconds an idle keep-alive connection stays open (uvicorn's ``timeout_keep_alive``): long enough
for a page's follow-up requests (modules, plotly.js, the trace), short enough not to hoard slots."""
LIMIT_CONCURRENCY = 512
"""Open connections (and requests in progress) per worker process beyond which uvicorn answers
503: a full classroom's browsers (a hundred, six connections each, spread over the workers) stay
well under it, while a flood of connections cannot exhaust the process's memory or file descriptors."""
BACKLOG = 1024
"""Connections the kernel queues for a worker before it accepts them: a burst well beyond the
concurrency limit waits there; more would only wait longer than a client's patience."""

REFUSALS = {
    400: b"Invalid HTTP request received.",
    414: b"URI Too Long: the request line is over 64 KiB.",
    431: b"Request Header Fields Too Large: the request's headers are over 16 KiB in total.",
    503: b"Service Unavailable: this server is at its connection limit; retry in a moment.",
}
logger = logging.getLogger("uvicorn.error")


def refusal_headers(body: bytes) -> list[tuple[bytes, bytes]]:
    """The headers of one of the server's own refusals: plain text, never cached, the security headers."""
    return [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        (b"connection", b"close"),
        *HEADERS,
    ]


def refusal(status: int, default_headers: list[tuple[bytes, bytes]]) -> bytes:
    """A whole HTTP/1.1 response, written on the transport before closing it."""
    body = REFUSALS[status]
    lines = [b"HTTP/1.1 %d %s\r\n" % (status, http.HTTPStatus(status).phrase.encode())]
    lines += [name + b": " + value + b"\r\n" for name, value in [*default_headers, *refusal_headers(body)]]
    return b"".join(lines) + b"\r\n" + body


def head_refusal(url_bytes: int, header_bytes: int) -> int | None:
    """414 or 431 for a request head over the limits, else None."""
    if url_bytes > MAX_URL_BYTES:
        return 414
    if header_bytes > MAX_HEADER_BYTES:
        return 431
    return None


def _nodelay(transport) -> None:
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _Guards:
    """What both protocols add to uvicorn's: the head timer, the refusals with the security
    headers, and the concurrency limit's 503 with them (uvicorn's own 503 app is a module
    function its protocols name directly: the limit is checked here instead)."""

    head_timer = None
    refusal_status: int | None = None  # the status of a refusal the parser is being stopped for

    def _guard(self) -> None:
        self.busy_limit, self.limit_concurrency = self.limit_concurrency, None
        app = self.app

        async def app_or_busy(scope, receive, send):
            if self._over_limit():
                logger.warning("Exceeded concurrency limit.")
                body = REFUSALS[503]
                headers = [(b"retry-after", b"1"), *refusal_headers(body)]
                await send({"type": "http.response.start", "status": 503, "headers": headers})
                await send({"type": "http.response.body", "body": body, "more_body": False})
                return
            await app(scope, receive, send)

        self.app = app_or_busy

    def _over_limit(self) -> bool:
        # uvicorn checks before the request's task exists; here that task is counted already
        limit = self.busy_limit
        return limit is not None and (len(self.connections) >= limit or len(self.tasks) > limit)

    def _arm_head_timer(self) -> None:
        self._cancel_head_timer()
        self.head_timer = self.loop.call_later(HEAD_TIMEOUT, self._head_timed_out)

    def _cancel_head_timer(self) -> None:
        if self.head_timer is not None:
            self.head_timer.cancel()
            self.head_timer = None

    def _head_timed_out(self) -> None:
        self.head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def send_400_response(self, msg: str) -> None:
        """uvicorn's refusal of a request it cannot parse; also the 414 and 431 raised from the parser."""
        self._cancel_head_timer()
        if not self.transport.is_closing():
            self.transport.write(refusal(self.refusal_status or 400, self.server_state.default_headers))
            self.transport.close()


class HeadTooLarge(Exception):
    """Raised from a parser callback to stop the parser; the protocol then sends its refusal."""


class _GuardedH11Connection(h11.Connection):
    """h11's connection, telling its protocol when a request head is complete and refusing one
    over the limits (h11 itself refuses a head over its incomplete-event size, as a 431)."""

    def __init__(self, protocol: NoDelayH11Protocol, max_incomplete_event_size: int):
        super().__init__(h11.SERVER, max_incomplete_event_size=max_incomplete_event_size)
        self.protocol = protocol

    def next_event(self):
        try:
            event = super().next_event()
        except h11.RemoteProtocolError as err:
            if err.error_status_hint == 431:  # the buffered head outgrew max_incomplete_event_size
                first_line = self.trailing_data[0].split(b"\n", 1)[0]
                self.protocol.refusal_status = 414 if len(first_line) > MAX_URL_BYTES else 431
            raise
        if isinstance(event, h11.Request):
            self.protocol._cancel_head_timer()
            status = head_refusal(len(event.target), sum(len(n) + len(v) for n, v in event.headers))
            if status is not None:
                self.protocol.refusal_status = status
                raise h11.RemoteProtocolError("request head over the limits", error_status_hint=status)
        return event


class NoDelayH11Protocol(_Guards, H11Protocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conn = _GuardedH11Connection(self, self.config.h11_max_incomplete_event_size or MAX_HEAD_BYTES)
        self._guard()

    def connection_made(self, transport):
        _nodelay(transport)
        super().connection_made(transport)
        self._arm_head_timer()

    def connection_lost(self, exc):
        self._cancel_head_timer()
        super().connection_lost(exc)

    def on_response_complete(self):
        if not self.transport.is_closing():
            self._arm_head_timer()  # before uvicorn's: it may parse a pipelined head, which cancels it
        super().on_response_complete()


if HttpToolsProtocol is not None:

    class NoDelayHttpToolsProtocol(_Guards, HttpToolsProtocol):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._guard()
            self.reading_head = True  # from a message's end to its head's end
            self.head_bytes = 0  # received while reading this head
            self.header_bytes = 0  # in its parsed headers

        def connection_made(self, transport):
            _nodelay(transport)
            super().connection_made(transport)
            self._arm_head_timer()

        def connection_lost(self, exc):
            self._cancel_head_timer()
            super().connection_lost(exc)

        def data_received(self, data: bytes) -> None:
            if self.reading_head:
                self.head_bytes += len(data)
            super().data_received(data)  # a callback's HeadTooLarge ends in send_400_response
            if self.reading_head and self.head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                # the URL and each whole header were within their limits: a header still arriving is not
                self.refusal_status = 431
                self.send_400_response("")

        def on_message_begin(self) -> None:
            super().on_message_begin()
            self.header_bytes = 0

        def on_url(self, url: bytes) -> None:
            super().on_url(url)
            if len(self.url) > MAX_URL_BYTES:
                self.refusal_status = 414
                raise HeadTooLarge

        def on_header(self, name: bytes, value: bytes) -> None:
            self.header_bytes += len(name) + len(value)
            if self.header_bytes > MAX_HEADER_BYTES:
                self.refusal_status = 431
                raise HeadTooLarge
            super().on_header(name, value)

        def on_headers_complete(self) -> None:
            self.reading_head, self.head_bytes = False, 0
            self._cancel_head_timer()
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            self.reading_head = True
            super().on_message_complete()

        def on_response_complete(self) -> None:
            pipelined = bool(self.pipeline)  # a queued request, its head complete: no timer for it
            super().on_response_complete()
            if not pipelined and not self.transport.is_closing():
                self._arm_head_timer()


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
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "limit_concurrency": LIMIT_CONCURRENCY,
        "backlog": BACKLOG,
        # h11 only: the largest head it buffers (httptools' protocol counts for itself)
        "h11_max_incomplete_event_size": MAX_HEAD_BYTES,
    }


def _reuse_port_socket(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(BACKLOG)
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
