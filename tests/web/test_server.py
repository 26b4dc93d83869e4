"""Two separate server processes serve the same link with the same bytes and ETag; long
queries get a clear answer and the server goes on serving."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest

from tests.live_server import server


def fetch(url: str, **headers: str):
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture(scope="module")
def two_servers():
    with server() as a, server() as b:
        yield a, b


QUERY = "/api/trace?weights=random&seed=77&layers=2&units=16&text=not%20bad%20at%20all"


def test_same_bytes_and_etag_across_processes(two_servers):
    a, b = two_servers
    ra, rb = fetch(a + QUERY), fetch(b + QUERY)
    assert ra[0] == rb[0] == 200
    assert ra[2] == rb[2] and ra[1]["etag"] == rb[1]["etag"]
    ga, gb = fetch(a + QUERY, **{"Accept-Encoding": "gzip"}), fetch(b + QUERY, **{"Accept-Encoding": "gzip"})
    assert ga[2] == gb[2] and ga[1]["content-encoding"] == "gzip"


def test_etag_from_one_process_validates_on_the_other(two_servers):
    a, b = two_servers
    etag = fetch(a + QUERY)[1]["etag"]
    assert fetch(b + QUERY, **{"If-None-Match": etag})[0] == 304


def test_long_queries(two_servers):
    base = two_servers[0]
    status, _, body = fetch(base + "/api/trace?text=" + "a" * 60_000)  # over the app's bound
    assert status == 422 and b'"field":"text"' in body
    # Over 64 KiB the HTTP parser (httptools) refuses the URL itself: a 400, never a 5xx.
    status, _, _ = fetch(base + "/api/trace?text=" + "a" * 100_000)
    assert status in (400, 414, 422)
    assert fetch(base + "/healthz")[0] == 200
