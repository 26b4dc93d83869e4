"""Responses that are pure functions of a canonical key: ETag, Cache-Control, 304, gzip, LRU.

Every state-derived response is identified by (route, canonical state, extras). The ETag is the
code version (app/code_version.py) and a hash of that key, so it is known before any work is done:
a matching If-None-Match gets a 304 at once. Such a body never changes for its URL while the code
does not, so it is ``Cache-Control: public, max-age=..., immutable``: a CDN or a reverse proxy in
front may serve it to everyone (README: More than one machine). Bodies are kept, with their gzip
form, in a byte-bounded LRU. No state outlives a request except this cache, so any number of workers serve a link alike.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from fastapi import Request, Response

from app.code_version import code_version
from app.web.compute import compute
from app.web.config import Settings
from app.web.negotiate import accepts_gzip

try:  # ISA-L's gzip: the same format as zlib's, about ten times faster here (benchmarks/)
    from isal import igzip as gzip
except ImportError:  # pragma: no cover - a platform without an isal wheel
    import gzip


class BodyCache:
    """A thread-safe LRU of (body, gzipped body or None), bounded by total bytes."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._items: OrderedDict[str, tuple[bytes, bytes | None]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str) -> tuple[bytes, bytes | None] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: str, item: tuple[bytes, bytes | None]) -> None:
        size = len(item[0]) + len(item[1] or b"")
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = item
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (body, gz) = self._items.popitem(last=False)
                self._bytes -= len(body) + len(gz or b"")


def etag_of(key: str) -> str:
    """A weak validator (the body may travel gzipped or not): the code version, then a hash of
    the key and that version, e.g. ``W/"0.1.0+3f9c2a71b0de-5d41402abc4b2a76b9719d911017c592"``."""
    version = code_version()
    return f'W/"{version}-' + hashlib.sha256(f"{version}|{key}".encode()).hexdigest()[:32] + '"'


def cache_control(settings: Settings) -> str:
    """The Cache-Control of a response that is a pure function of its URL and the code version."""
    return f"public, max-age={settings.max_age}, immutable"


def compress(body: bytes, settings: Settings, always: bool = False) -> bytes | None:
    """The gzip form of a body worth compressing (deterministic: mtime 0), else None."""
    if not always and len(body) < settings.gzip_min_bytes:
        return None
    return gzip.compress(body, compresslevel=settings.gzip_level, mtime=0)


def get_or_build(
    cache: BodyCache, key: str, build: Callable[[], str], settings: Settings
) -> tuple[bytes, bytes | None]:
    """The cached (body, gzip) of ``key``, built and kept on a miss."""
    item = cache.get(key)
    if item is None:
        body = build().encode()
        item = (body, compress(body, settings))
        cache.put(key, item)
    return item


def negotiated(request: Request, body: bytes, gz: bytes | None, headers: dict[str, str]) -> bytes:
    """The gzip form when there is one and the client accepts it (headers updated), else body."""
    headers["Vary"] = "Accept-Encoding"
    if gz is not None and accepts_gzip(request.headers.get("accept-encoding")):
        headers["Content-Encoding"] = "gzip"  # the GZip middleware leaves such responses alone
        return gz
    return body


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    tags = {t.strip().removeprefix("W/") for t in if_none_match.split(",")}
    return etag.removeprefix("W/") in tags


# A miss this small (steps x layers x units) is computed on the event loop: under a millisecond,
# less than the hand-off to a thread and back costs (benchmarks/bench_api.py).
INLINE_VALUES = 5_000


async def cached_json(
    request: Request, key: str, build: Callable[[], str], inline: Callable[[], bool] = lambda: False
) -> Response:
    """The JSON of ``build()`` for ``key`` with validators, cache headers and gzip if accepted.

    Validators and cache hits are answered on the event loop, and so is a small miss
    (``inline()`` true, asked on a miss only); a larger miss is computed in a worker thread in this
    client's turn (app/web/compute.py: a fair queue per client address, abandoned if the client
    leaves first). The cache and the settings live on ``app.state`` (no dependency injection: it
    cost a tenth of a cold trace per request).
    """
    cache: BodyCache = request.app.state.cache
    settings: Settings = request.app.state.settings
    etag = etag_of(key)
    headers = {"ETag": etag, "Cache-Control": cache_control(settings), "Vary": "Accept-Encoding"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    item = cache.get(key)
    if item is None and inline():
        item = get_or_build(cache, key, build, settings)
    elif item is None:
        item = await compute(request, lambda job: get_or_build(cache, key, build, settings))
    return Response(content=negotiated(request, *item, headers), media_type="application/json", headers=headers)
