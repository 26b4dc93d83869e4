from __future__ import annotations

import pytest

from tests.asgi import asgi_get


@pytest.fixture(scope="module")
def raw_get(client):
    """GET through the ASGI app directly: for query strings longer than an HTTP client allows."""
    import asyncio
    import concurrent.futures
    import json

    def get(path: str, query: str):
        # in a thread of its own: the browser tests' playwright keeps an event loop running in
        # this thread for the whole session, and asyncio.run refuses to nest in it
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            sent = pool.submit(asyncio.run, asgi_get(client.app, path, query, [(b"host", b"testserver")])).result()
        status = sent[0]["status"]
        headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
        body = b"".join(m.get("body", b"") for m in sent[1:])
        return status, headers, json.loads(body) if body else None

    return get


@pytest.fixture(scope="module")
def raw_query(client):
    """GET ``path`` with a list of (name, value) pairs, percent-encoded, through the ASGI app:
    (status, headers, raw body bytes), however long the query."""
    import asyncio
    import concurrent.futures
    from urllib.parse import urlencode

    def get(path: str, pairs: list[tuple[str, str]]):
        query = urlencode(pairs, encoding="utf-8", errors="surrogatepass")
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            sent = pool.submit(asyncio.run, asgi_get(client.app, path, query, [(b"host", b"testserver")])).result()
        headers = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
        return sent[0]["status"], headers, b"".join(m.get("body", b"") for m in sent[1:])

    return get
