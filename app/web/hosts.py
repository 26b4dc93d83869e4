"""Trusted hosts: a request naming a host this server does not answer as gets a 400 before any route.

Why: the share panel's QR code holds an absolute link, and responses are cached publicly
(Cache-Control: public; nginx's proxy_cache in front). A body built from a request's Host header
(``Host: evil.example``) would send a room of students elsewhere. So absolute links come from the
configured public URL (DROPOUT_LAB_PUBLIC_URL, app/web/config.py) and a request whose Host is not
one of DROPOUT_LAB_ALLOWED_HOSTS never reaches a route, nor a cached body. The 400 is no-store; it
carries the security headers because app/web/security.py's middleware wraps this one.

A request without Host (HTTP/1.0) is answered as the public host. /healthz answers a client on
the machine itself whatever its Host, so a local health check keeps working when the allowed hosts
name only the public one. Pure ASGI, like app/web/security.py: no per-request task overhead.
"""

from __future__ import annotations

import ipaddress
import json

from app.core.problems import shown
from app.web.config import Settings
from app.web.errors import send_json

HEALTH_PATH = "/healthz"


def request_host(headers) -> str | None:
    """The Host header of an ASGI scope's headers, or None."""
    for name, value in headers:
        if name == b"host":
            return value.decode("latin-1")
    return None


def host_name(host: str) -> str:
    """``host[:port]`` without its port, lower-case, without a final dot; an IPv6 address without its
    brackets. Anything malformed is returned whole (and is then in no list of allowed hosts)."""
    host = host.strip().lower()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name if rest == "" or (rest[0] == ":" and rest[1:].isdigit()) else host
    name, colon, port = host.rpartition(":")
    if colon and ":" not in name and (port == "" or port.isdigit()):
        host = name
    return host[:-1] if host.endswith(".") and len(host) > 1 else host


def is_loopback(client) -> bool:
    """Whether an ASGI scope's client (host, port) is this machine."""
    try:
        address = ipaddress.ip_address(client[0])
    except (TypeError, ValueError, IndexError):
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    return (mapped or address).is_loopback


class TrustedHosts:
    def __init__(self, app, settings: Settings):
        self.app = app
        self.allowed = frozenset(settings.allowed_hosts)
        self.public_url = settings.public_url

    def allows(self, scope) -> bool:
        host = request_host(scope.get("headers", ()))
        if host is None or host_name(host) in self.allowed:
            return True
        return scope.get("path") == HEALTH_PATH and is_loopback(scope.get("client"))

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket") or self.allows(scope):
            return await self.app(scope, receive, send)
        if scope["type"] == "websocket":
            return await send({"type": "websocket.close", "code": 1008})
        host = request_host(scope["headers"])
        detail = f"unknown host {shown(host)!r}: this server answers as {self.public_url}"
        await send_json(send, 400, json.dumps({"detail": detail}).encode())
