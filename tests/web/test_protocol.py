"""The server's own limits (app/web/server.py), over raw sockets against real servers: one with
httptools (what `dropout-lab serve` picks when it is installed) and one with h11.

Request heads are bounded in size (431, 414) and in time (a silent or half-sent connection is
closed), idle keep-alive connections are closed, and the server's own refusals (400, 414, 431,
503) carry the security headers. The timing tests run at once, on both servers, in threads.
"""

from __future__ import annotations

import contextlib
import select
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import pytest

from app.web import server as web_server
from tests.live_server import server

H11_SERVER = """
import socket, sys, uvicorn
from app.web.server import _config
sock = socket.socket(fileno=int(sys.argv[1]))
config = _config("127.0.0.1", sock.getsockname()[1], 1, False)
config["http"] = "app.web.server:NoDelayH11Protocol"
uvicorn.Server(uvicorn.Config("app.web.app:create_app", **config)).run(sockets=[sock])
"""


@contextlib.contextmanager
def h11_server():
    """A server on uvicorn's h11 protocol class (its config otherwise that of `dropout-lab serve`),
    on a socket bound here: no other server started meanwhile can take its port."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(web_server.BACKLOG)
        proc = subprocess.Popen(
            [sys.executable, "-c", H11_SERVER, str(listener.fileno())],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=[listener.fileno()],
        )
        port = listener.getsockname()[1]
    try:
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def wait_up(port: int, proc: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1).read()
            return
        except (urllib.error.URLError, ConnectionError):
            assert proc.poll() is None and time.monotonic() < deadline, "the h11 server did not start"
            time.sleep(0.1)


@pytest.fixture(scope="module")
def ports():
    """{"httptools": port, "h11": port}: both servers started side by side, for the whole module."""
    assert web_server.HttpToolsProtocol is not None, "httptools is installed with the project's extras"
    with h11_server() as (h11_port, proc), server() as base:
        wait_up(h11_port, proc)
        yield {"httptools": int(base.rsplit(":", 1)[1]), "h11": h11_port}


PARSERS = ["httptools", "h11"]


def connect(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=20)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return sock


def read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one response (by Content-Length)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        assert chunk, "closed inside the body"
        body += chunk
    return int(status_line.split()[1]), headers, body


def exchange(port: int, raw: bytes) -> tuple[int, dict[str, str], bytes]:
    with connect(port) as sock:
        sock.sendall(raw)
        return read_response(sock)


def request(target: str, *headers: str) -> bytes:
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines).encode()


def assert_security_headers(headers: dict[str, str]) -> None:
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "no-referrer"
    assert headers["cache-control"] == "no-store" and headers["connection"] == "close"


def assert_closed(sock: socket.socket) -> None:
    """The server closed its side: the next read ends (after any response bytes)."""
    sock.settimeout(5)
    with contextlib.suppress(ConnectionResetError):
        while sock.recv(65536):
            pass


@pytest.mark.parametrize("parser", PARSERS)
def test_headers_over_16_kib_get_a_431_with_the_security_headers(ports, parser):
    pads = [f"X-Pad-{i}: {'a' * 1000}" for i in range(20)]  # 20 KiB of headers
    with connect(ports[parser]) as sock:
        sock.sendall(request("/healthz", *pads))
        status, headers, body = read_response(sock)
        assert status == 431 and b"16 KiB" in body
        assert_security_headers(headers)
        assert_closed(sock)
    # 15 KiB of them is fine
    assert exchange(ports[parser], request("/healthz", *pads[:15]))[0] == 200


@pytest.mark.parametrize("parser", PARSERS)
def test_one_huge_header_is_refused_before_it_ends(ports, parser):
    # the header's line never ends: the parser never has a whole header to count, the bytes are counted
    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"b" * 100_000
    status, headers, _ = exchange(ports[parser], head)
    assert status == 431
    assert_security_headers(headers)


@pytest.mark.parametrize("parser", PARSERS)
def test_a_60_kib_url_reaches_the_app_and_a_longer_one_gets_a_414(ports, parser):
    status, headers, body = exchange(ports[parser], request("/api/trace?text=" + "a" * 60_000))
    assert status == 422 and b'"field":"text"' in body  # the app's answer: over its bound for text
    status, headers, _ = exchange(ports[parser], request("/api/trace?text=" + "a" * 70_000))
    assert status == 414
    assert_security_headers(headers)


@pytest.mark.parametrize("parser", PARSERS)
def test_a_malformed_request_gets_a_400_with_the_security_headers(ports, parser):
    status, headers, _ = exchange(ports[parser], b"NOT A REQUEST \x01\r\n\r\n")
    assert status == 400
    assert_security_headers(headers)


def seconds_until_closed(sock: socket.socket) -> float:
    start = time.monotonic()
    sock.settimeout(30)
    with contextlib.suppress(ConnectionResetError):
        while sock.recv(65536):
            pass
    return time.monotonic() - start


def test_silent_half_sent_and_idle_connections_are_closed(ports):
    """Run together, on both servers: a silent connection and a half-sent head are closed after
    HEAD_TIMEOUT (10 s), an idle keep-alive connection after KEEP_ALIVE_TIMEOUT (5 s)."""
    results: dict[tuple[str, str], float] = {}

    def silent(parser):
        with connect(ports[parser]) as sock:
            results[parser, "silent"] = seconds_until_closed(sock)

    def half_sent(parser):
        with connect(ports[parser]) as sock:
            sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # one header line, then silence
            results[parser, "half sent"] = seconds_until_closed(sock)

    def trickled(parser):
        """A byte every second: the head never completes, and each byte must not restart the clock."""
        with connect(ports[parser]) as sock:
            start = time.monotonic()
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
            with contextlib.suppress(OSError):
                while time.monotonic() - start < 20:
                    sock.sendall(b"X")
                    if select.select([sock], [], [], 1.0)[0] and not sock.recv(65536):
                        break  # closed
            results[parser, "trickled"] = time.monotonic() - start

    def idle(parser):
        with connect(ports[parser]) as sock:
            sock.sendall(request("/healthz"))
            assert read_response(sock)[0] == 200
            results[parser, "idle"] = seconds_until_closed(sock)

    def busy_then_silent(parser):
        """After a response, a partial next head: closed 10 s after that response."""
        with connect(ports[parser]) as sock:
            sock.sendall(request("/healthz"))
            assert read_response(sock)[0] == 200
            sock.sendall(b"GET /healthz HTTP/1.1\r\n")
            results[parser, "partial after a response"] = seconds_until_closed(sock)

    threads = [
        threading.Thread(target=check, args=(parser,))
        for parser in PARSERS
        for check in (silent, half_sent, trickled, idle, busy_then_silent)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(40)
    assert len(results) == 10, results
    for (parser, case), seconds in results.items():
        low, high = (4.5, 7) if case == "idle" else (9.5, 12.5)
        assert low < seconds < high, (parser, case, seconds)


@pytest.mark.parametrize("parser", PARSERS)
def test_beyond_the_concurrency_limit_a_503_with_the_security_headers(ports, parser):
    port = ports[parser]
    held = []
    try:
        for _ in range(web_server.LIMIT_CONCURRENCY):
            held.append(socket.create_connection(("127.0.0.1", port), timeout=20))
        # the server has accepted them all once it answers on one of them: a 503, at the limit
        status, headers, body = exchange(port, request("/healthz"))
        assert status == 503 and headers["retry-after"] == "1" and b"connection limit" in body
        assert_security_headers(headers)
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 10
    while exchange(port, request("/healthz"))[0] != 200:  # the server frees the slots it sees closed
        assert time.monotonic() < deadline
        time.sleep(0.1)
