"""HEAD wherever GET (RFC 9110 section 9.3.2): link checkers, unfurlers and monitors send HEAD.

Routes declare GET only, and FastAPI answered their HEAD with a 405. Here the app sees a GET, and
the client gets that GET's status and every header (Content-Length, ETag, Content-Encoding: the
same as the GET's) with no body. A streamed response (the lab's events) ends with its headers:
the server then reports the client gone, which stops the stream.
"""

from __future__ import annotations


class HeadAsGet:
    """A pure ASGI middleware: a HEAD request reaches the app as a GET; its body is dropped."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] != "HEAD":
            return await self.app(scope, receive, send)
        done = False

        async def send_headers_only(message):
            nonlocal done
            if done:
                return
            if message["type"] in ("http.response.body", "http.response.pathsend"):
                done = True  # the first body chunk ends a HEAD response, streamed or not
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        async def receive_until_done():
            if done:
                return {"type": "http.disconnect"}
            return await receive()

        # a copy: the server reads its own scope's method (HEAD) to send no body
        await self.app({**scope, "method": "GET"}, receive_until_done, send_headers_only)
