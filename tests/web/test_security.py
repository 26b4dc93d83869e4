"""Every response safe at the HTTP layer, in the app: the last-resort 500 (app/web/security.py), HEAD
wherever GET (app/web/head.py) and gzip only when accepted (app/web/gzip.py, app/web/cache.py)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
import time

import pytest
from fastapi.responses import PlainTextResponse, StreamingResponse
from fastapi.testclient import TestClient

from app.web.app import create_app
from app.web.cache import compress
from app.web.config import get_settings
from app.web.security import INTERNAL_ERROR
from tests.asgi import asgi_get


def assert_security_headers(headers) -> None:
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


def in_a_thread(coro):
    """asyncio.run in a thread of its own (the browser tests keep a loop in the main thread)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def get_through(app, path: str) -> list[dict]:
    """The messages ``app`` sends for ``GET path`` (tests/asgi.py), given at most 10 s."""
    return await asyncio.wait_for(asgi_get(app, path, "", [(b"host", b"testserver")]), 10)


class Boom(RuntimeError):
    pass


stream_closed = threading.Event()
release = threading.Event()


async def never_ending():
    try:
        yield "data: first\n\n"
        while True:
            await asyncio.sleep(0.05)
            if release.is_set():
                yield "data: released\n\n"
                return
    finally:
        stream_closed.set()


def with_test_routes():
    """The app with routes that fail or stream (no lifespan: they need none of its state)."""
    app = create_app()

    async def boom():
        raise Boom("a bug in a route")

    async def boom_midway():
        async def chunks():
            yield b"x" * 10
            raise Boom("a bug midway through a stream")

        return StreamingResponse(chunks(), media_type="text/plain")

    async def events():
        return StreamingResponse(never_ending(), media_type="text/event-stream")

    async def plain_stream():
        async def chunks():
            for i in range(3):
                yield f"chunk {i} ".encode() * 200

        return StreamingResponse(chunks(), media_type="text/plain")

    async def big_text():
        return PlainTextResponse("a longer text, " * 500)

    for path, endpoint in [
        ("/boom", boom),
        ("/boom-midway", boom_midway),
        ("/events", events),
        ("/plain-stream", plain_stream),
        ("/big-text", big_text),
    ]:
        app.add_api_route(path, endpoint)
    return app


@pytest.fixture(scope="module")
def test_app():
    return with_test_routes()


# --- 1. the last-resort 500 ---


@pytest.mark.parametrize("raise_server_exceptions", [True, False])
def test_an_unhandled_exception_is_a_500_with_the_security_headers(test_app, caplog, raise_server_exceptions):
    # raise_server_exceptions=True: Starlette's ServerErrorMiddleware re-raises what reaches it, so
    # a 500 here, with no exception, shows it never saw this one
    client = TestClient(test_app, raise_server_exceptions=raise_server_exceptions)
    with caplog.at_level(logging.ERROR, logger="app.web"):
        r = client.get("/boom")
    assert r.status_code == 500 and r.content == INTERNAL_ERROR
    assert r.json() == {"detail": "internal error: the server failed on this request; it has been logged"}
    assert r.headers["content-type"] == "application/json" and r.headers["cache-control"] == "no-store"
    assert_security_headers(r.headers)
    [record] = [rec for rec in caplog.records if rec.name == "app.web"]
    assert "/boom" in record.getMessage() and isinstance(record.exc_info[1], Boom)  # with its traceback


def test_an_exception_after_the_response_started_ends_it_without_a_second_start(test_app, caplog):
    with caplog.at_level(logging.ERROR, logger="app.web"):
        sent = in_a_thread(get_through(test_app, "/boom-midway"))  # no exception
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]
    assert sent[0]["status"] == 200 and sent[1]["more_body"] is True  # unfinished: the server closes it
    assert any(isinstance(rec.exc_info[1], Boom) for rec in caplog.records if rec.name == "app.web")


# --- 2. HEAD wherever GET ---


@pytest.mark.parametrize(
    "url", ["/healthz", "/api/trace", "/api/trace?len=200", "/api/mc", "/api/state", "/docs", "/", "/openapi.json"]
)
@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_head_is_the_gets_headers_without_a_body(client, url, encoding):
    get = client.get(url, headers={"Accept-Encoding": encoding})
    head = client.head(url, headers={"Accept-Encoding": encoding})
    assert get.status_code == head.status_code == 200 and get.content and head.content == b""
    assert dict(head.headers) == dict(get.headers)
    assert head.headers.get("etag") == get.headers.get("etag")


def test_head_of_a_stream_ends_with_its_headers_and_stops_it(test_app):
    stream_closed.clear()
    release.clear()
    watchdog = threading.Timer(10, release.set)  # ends the stream, should HEAD wait for it
    watchdog.start()
    try:
        start = time.monotonic()
        r = TestClient(test_app).head("/events")
        assert time.monotonic() - start < 5 and r.status_code == 200 and r.content == b""
        assert r.headers["content-type"].startswith("text/event-stream")
        assert stream_closed.wait(5)  # the stream was stopped, not left running
    finally:
        watchdog.cancel()
        release.set()


# --- 3. gzip only when accepted ---

REFUSING = ["gzip;q=0", "identity", "*;q=0", "br", ""]


@pytest.mark.parametrize("url", ["/api/trace", "/", "/openapi.json", "/big-text"])
def test_gzip_is_sent_only_when_accepted(client, test_app, url):
    c = TestClient(test_app) if url == "/big-text" else client
    gz = c.get(url, headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip" and "accept-encoding" in gz.headers["vary"].lower()
    assert gz.headers["vary"].lower().count("accept-encoding") == 1
    for refused in REFUSING:
        plain = c.get(url, headers={"Accept-Encoding": refused})
        assert plain.status_code == 200 and "content-encoding" not in plain.headers, refused
        assert plain.content == gz.content and "accept-encoding" in plain.headers["vary"].lower()
    assert c.get(url, headers={"Accept-Encoding": "identity;q=0.5, gzip;q=0.1"}).headers["content-encoding"] == "gzip"


def test_the_middleware_gzips_with_isal_at_the_configured_level(test_app):
    # the routes' cached bodies are compressed by app/web/cache.py; this one by the middleware, alike
    with TestClient(test_app).stream("GET", "/big-text", headers={"Accept-Encoding": "gzip"}) as r:
        raw = b"".join(r.iter_raw())
        assert int(r.headers["content-length"]) == len(raw)
    assert raw == compress(("a longer text, " * 500).encode(), get_settings(), always=True)


def test_a_small_body_is_never_compressed(client):
    r = client.get("/healthz", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in r.headers and r.json()["status"] == "ok"


def test_a_plain_stream_is_compressed_chunk_by_chunk(test_app):
    r = TestClient(test_app).get("/plain-stream", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip" and "content-length" not in r.headers
    assert r.text == "".join(f"chunk {i} " * 200 for i in range(3))


def test_an_event_stream_is_neither_compressed_nor_buffered(test_app):
    stream_closed.clear()
    release.clear()
    try:
        with TestClient(test_app).stream("GET", "/events", headers={"Accept-Encoding": "gzip"}) as r:
            assert "content-encoding" not in r.headers
            chunks = r.iter_raw()  # kept: a dropped iterator closes the stream
            first = next(chunks)  # while the stream is still waiting: nothing held back
            assert first == b"data: first\n\n" and not stream_closed.is_set()
            release.set()
            assert b"".join(chunks) == b"data: released\n\n"
    finally:
        release.set()


def test_the_labs_stream_arrives_uncompressed(client):
    url = "/api/train?v=2&units=8&weights=random&batch=25&train_size=50&epochs=2&configs=cell&data_seed=77"
    with client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        assert "content-encoding" not in r.headers
        chunks = r.iter_raw()
        assert next(chunks).startswith(b"event: start\n")  # the first event as it is sent
        assert b"event: done\n" in b"".join(chunks)  # read to the end: no run left training
