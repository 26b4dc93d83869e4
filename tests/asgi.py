"""One GET through an ASGI app, in this process: no sockets, no HTTP client (for query strings
longer than a client allows, and for measuring the app's own cost in benchmarks/bench_api.py)."""

from __future__ import annotations

import asyncio


async def asgi_get(app, path: str, query: str, headers: list[tuple[bytes, bytes]]) -> list[dict]:
    """The messages ``app`` sends for ``GET path?query``: the response start, then its body."""
    host = dict(headers).get(b"host", b"testserver").decode()
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": query.encode(),
        "headers": headers,
        "client": ("127.0.0.1", 1),
        "server": (host, 80),
        "root_path": "",
        "state": {},
    }
    sent = []
    requested = False

    async def receive():
        """As a server's: the request once, then nothing until the client leaves (it stays)."""
        nonlocal requested
        if not requested:
            requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # cancelled by the app once its response is sent

    async def send(message):
        sent.append(message)

    await app(scope, receive, send)
    return sent
