"""gzip for the responses the routes did not compress themselves (pure ASGI middleware).

Starlette's GZipMiddleware tested for the substring "gzip" in Accept-Encoding, so a client that
refused gzip (``gzip;q=0``) got it anyway; this one asks ``accepts_gzip`` (app/web/negotiate.py).
It compresses with ISA-L at the configured level, like the routes' cached bodies (app/web/cache.py),
and otherwise keeps Starlette's behaviour (1.10): a response that already has a Content-Encoding
(the cached JSON, the pages, plotly.js), a partial one (206) or one of an excluded type passes
untouched: among them text/event-stream, so the lab's stream is never buffered. A small complete
body passes untouched too; a large one is compressed whole; a streamed one chunk by chunk, each
flushed at once (Z_SYNC_FLUSH). Every response that could be compressed says
``Vary: Accept-Encoding``, whether or not this client took gzip, so a shared cache keeps both.
"""

from __future__ import annotations

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.middleware.gzip import DEFAULT_EXCLUDED_CONTENT_TYPES

from app.web.config import Settings
from app.web.negotiate import accepts_gzip

try:  # ISA-L, as in app/web/cache.py
    from isal import igzip as gzip
    from isal import isal_zlib as zlib
except ImportError:  # pragma: no cover - a platform without an isal wheel
    import gzip
    import zlib

EXCLUDED = frozenset(DEFAULT_EXCLUDED_CONTENT_TYPES)
# ISA-L compresses hundreds of MB/s at level 1: a body under this takes a few milliseconds on the
# event loop, less than a thread hand-off is worth; a larger one is compressed in a thread.
THREAD_MIN_BYTES = 1 << 20


def _excluded(content_type: str) -> bool:
    media = content_type.partition(";")[0].strip().lower()
    return media in EXCLUDED or media.partition("/")[0] + "/*" in EXCLUDED or media.startswith("application/grpc+")


def _add_vary(headers: MutableHeaders) -> None:
    listed = {v.strip().lower() for value in headers.getlist("vary") for v in value.split(",")}
    if "accept-encoding" not in listed and "*" not in listed:
        headers.add_vary_header("Accept-Encoding")


class GzipResponses:
    def __init__(self, app, settings: Settings):
        self.app = app
        self.minimum_size = settings.gzip_min_bytes
        self.level = settings.gzip_level

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        header = b",".join(v for k, v in scope["headers"] if k == b"accept-encoding").decode("latin-1")
        await _Responder(self, accepts_gzip(header), send)(scope, receive)


class _Responder:
    """One response: holds its start until the first body chunk says whether to compress."""

    def __init__(self, middleware: GzipResponses, accepted: bool, send):
        self.middleware, self.accepted, self.send = middleware, accepted, send
        self.start: dict | None = None  # the held http.response.start
        self.untouched = False
        self.compressor = None  # a streamed response's, when it is being compressed

    async def __call__(self, scope, receive) -> None:
        await self.middleware.app(scope, receive, self.send_compressed)

    async def send_compressed(self, message) -> None:
        kind = message["type"]
        if kind == "http.response.start":
            headers = Headers(raw=message.get("headers", []))
            self.untouched = (
                "content-encoding" in headers
                or message["status"] == 206
                or _excluded(headers.get("content-type", ""))
                or bool(message.get("trailers"))
            )
            if self.untouched:
                await self.send(message)
            else:
                self.start = message
        elif self.untouched or kind != "http.response.body":
            await self._release()
            await self.send(message)
        elif self.start is not None:
            await self._first_chunk(message)
        elif self.compressor is not None:
            more = message.get("more_body", False)
            await self.send({**message, "body": await self._compress_chunk(message.get("body", b""), more)})
        else:
            await self.send(message)

    async def _release(self) -> None:
        if self.start is not None:
            start, self.start = self.start, None
            await self.send(start)

    async def _first_chunk(self, message) -> None:
        body, more = message.get("body", b""), message.get("more_body", False)
        if not more and len(body) < self.middleware.minimum_size:
            await self._release()
            await self.send(message)
            return
        self.start["headers"] = list(self.start.get("headers", []))
        headers = MutableHeaders(raw=self.start["headers"])
        _add_vary(headers)
        if self.accepted:
            headers["Content-Encoding"] = "gzip"
            if more:
                del headers["Content-Length"]
                self.compressor = zlib.compressobj(self.middleware.level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
                body = await self._compress_chunk(body, more)
            else:
                body = await self._run(self._compress_whole, body)
                headers["Content-Length"] = str(len(body))
            message = {**message, "body": body}
        await self._release()
        await self.send(message)

    def _compress_whole(self, body: bytes) -> bytes:
        return gzip.compress(body, compresslevel=self.middleware.level, mtime=0)

    async def _compress_chunk(self, body: bytes, more: bool) -> bytes:
        return await self._run(self._compress_and_flush, body, more)

    def _compress_and_flush(self, body: bytes, more: bool) -> bytes:
        return self.compressor.compress(body) + self.compressor.flush(zlib.Z_SYNC_FLUSH if more else zlib.Z_FINISH)

    @staticmethod
    async def _run(function, body: bytes, *args):
        if len(body) < THREAD_MIN_BYTES:
            return function(body, *args)
        return await anyio.to_thread.run_sync(function, body, *args)
