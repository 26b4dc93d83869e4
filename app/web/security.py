"""Security headers on every response (pure ASGI middleware: no per-request task overhead).

Framing: only /embed may be shown in another site's iframe (course pages, blogs); every other
page refuses it (frame-ancestors 'none' and X-Frame-Options: DENY), so the lab cannot be
click-jacked.

Sharing: the scripts and styles, and the three read-only routes an embedded figure fetches, may
be read by any origin (Access-Control-Allow-Origin: *). Course platforms often frame with
sandbox="allow-scripts" and no allow-same-origin: the frame's origin is then opaque, and without
this its ES modules and fetches are refused. They are public and cookie-less; the lab's training
route, which costs the server seconds of work, stays same-origin.

Last resort: an exception no route handled becomes a 500 here, with these headers, logged with
its traceback. Starlette's ServerErrorMiddleware, which would answer otherwise, sits outside
this middleware and its 500 carried none of them.
"""

from __future__ import annotations

import json
import logging

from app.web.errors import send_json

logger = logging.getLogger("app.web")

# Plotly draws heatmaps through data: images and injects styles; everything else is 'self'.
BASE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; "
)
COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
HEADERS = [
    (b"content-security-policy", (BASE_CSP + "frame-ancestors 'none'").encode()),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    *COMMON,
]
EMBED_HEADERS = [(b"content-security-policy", (BASE_CSP + "frame-ancestors *").encode()), *COMMON]
EMBED_PATH = "/embed"
CORS = (b"access-control-allow-origin", b"*")
SHARED_PATHS = frozenset({"/api/trace", "/api/mc", "/api/grads"})
SHARED_HEADERS = [*HEADERS, CORS]
INTERNAL_ERROR = json.dumps(
    {"detail": "internal error: the server failed on this request; it has been logged"}
).encode()


def headers_for(path: str) -> list[tuple[bytes, bytes]]:
    """The headers a response to ``path`` gets (unless the route set them itself)."""
    if path == EMBED_PATH:
        return EMBED_HEADERS
    return SHARED_HEADERS if path.startswith("/static/") or path in SHARED_PATHS else HEADERS


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        extra = headers_for(scope["path"])
        started = False

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {k.lower() for k, _ in message.get("headers", [])}
                message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in names]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            logger.exception("unhandled error on %s %s", scope.get("method"), scope["path"])
            if started:
                return  # too late for a 500: the server closes the connection of an unfinished response
            await send_internal_error(send, extra)


async def send_internal_error(send, extra: list[tuple[bytes, bytes]]) -> None:
    """A JSON 500 with the security headers; never cached, it says nothing of the failure itself."""
    await send_json(send, 500, INTERNAL_ERROR, extra)
