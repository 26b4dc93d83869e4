"""The files under static/, the vendored plotly.js and Swagger UI: read and gzipped once, served from
memory under one hashed prefix, ``/static/<build>/<path>``.

Why: Starlette's StaticFiles stat'ed and opened each file, and the GZip middleware re-compressed it,
on every request (about 10 ms of CPU per small module; a page loads some fifty ES modules). Here
every file is read and gzipped at start-up. Its URL names the build (a hash of every path and byte),
so a browser may keep it a year without asking again (``immutable``); a changed file is a new build,
a new URL. Every file shares the one prefix, so the modules' relative imports ("./state.js",
``import("../embed/x.js")``) resolve to canonical URLs with no rewriting.

What answers what (no answer is ever built from the Host header):

- ``/static/<build>/<path>``: 200 with a strong ETag, gzip when accepted, 304 on If-None-Match;
- an old unhashed URL (``/static/js/state.js``) or another build's: 308 to the canonical path;
- anything else (``/static``, directories, trailing slashes, "..", unknown files): 404.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import mimetypes
import re
from dataclasses import dataclass
from pathlib import Path

import swagger_ui_bundle
from starlette._utils import get_route_path
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Match, NoMatchFound

from app.web.cache import gzip
from app.web.negotiate import accepts_gzip

__all__ = ["BUILD", "PLOTLY_PATH", "STORE", "StaticRoute", "accepts_gzip", "asset_response", "static_url"]

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"
PREFIX = "/static/"
PLOTLY_FILE = importlib.resources.files("plotly") / "package_data" / "plotly.min.js"
SWAGGER_DIR = Path(swagger_ui_bundle.swagger_ui_path)
SWAGGER_FILES = ("swagger-ui.css", "swagger-ui-bundle.js")  # what templates/docs.html loads (they load nothing else)
# Once per file at start-up: ISA-L's best (3) takes ~0.1 s for all; zlib's 9 would take 0.4 s for plotly.js alone.
LEVEL = 3 if gzip.__name__ == "isal.igzip" else 9
IMMUTABLE = "public, max-age=31536000, immutable"
BUILD_SEGMENT = re.compile(r"[0-9a-f]{12}")
MEDIA_TYPES = {  # explicit: the system's mime.types differs from one machine to the next
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
}


def media_type(path: str) -> str:
    suffix = Path(path).suffix.lower()
    return MEDIA_TYPES.get(suffix) or mimetypes.guess_type(path)[0] or "application/octet-stream"


@dataclass(frozen=True, slots=True)
class Asset:
    """One file's bytes, its gzip form (None when gzip would not make it smaller) and their validators.

    The two forms are two representations, so each has its own strong ETag (RFC 9110 8.8.3)."""

    body: bytes
    gz: bytes | None
    media_type: str
    etag: str
    gz_etag: str

    @classmethod
    def of(cls, path: str, body: bytes) -> Asset:
        digest = hashlib.sha256(body).hexdigest()[:24]
        gz = gzip.compress(body, compresslevel=LEVEL, mtime=0)
        return cls(body, gz if len(gz) < len(body) else None, media_type(path), f'"{digest}"', f'"{digest}.gz"')

    def choose(self, accept_encoding: str | None) -> tuple[bytes, str, bool]:
        """(body, its ETag, gzipped) for a request's Accept-Encoding."""
        if self.gz is not None and accepts_gzip(accept_encoding):
            return self.gz, self.gz_etag, True
        return self.body, self.etag, False


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """If-None-Match's weak comparison: any listed tag, W/ or not, equal to ``etag``; or "*"."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def _plotly_version(head: bytes) -> str:
    """The plotly.js version, from the bundle's own header."""
    return re.search(rb"plotly\.js v([0-9][0-9A-Za-z.\-]*)", head[:200]).group(1).decode()


def read_files() -> dict[str, bytes]:
    """Every file the store serves, by its path under /static/<build>/."""
    files = {
        p.relative_to(STATIC_DIR).as_posix(): p.read_bytes()
        for p in sorted(STATIC_DIR.rglob("*"))
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(STATIC_DIR).parts)
    }
    plotly = PLOTLY_FILE.read_bytes()
    files[f"vendor/plotly-{_plotly_version(plotly)}.min.js"] = plotly
    for name in SWAGGER_FILES:
        files[f"vendor/swagger-ui/{name}"] = (SWAGGER_DIR / name).read_bytes()
    return files


def _start(status: int, headers: list[tuple[str, str]], length: int | None) -> dict:
    """The response's start message; ``length`` None for a 304, which has no Content-Length of its own."""
    raw = [(k.encode(), v.encode()) for k, v in headers]
    if length is not None:
        raw.append((b"content-length", str(length).encode()))
    return {"type": "http.response.start", "status": status, "headers": raw}


async def _reply(send, status: int, headers: list[tuple[str, str]], body: bytes = b"", length: int | None = 0) -> None:
    await send(_start(status, headers, len(body) if body else length))
    await send({"type": "http.response.body", "body": body})


class StaticStore:
    """The files in memory and the pure ASGI app that serves them (no request object, no thread)."""

    def __init__(self, files: dict[str, bytes]):
        self.assets = {path: Asset.of(path, body) for path, body in files.items()}
        tree = hashlib.sha256()  # the build: a hash of every path and every file's hash, in path order
        for path in sorted(self.assets):
            tree.update(f"{path}\0{self.assets[path].etag}\n".encode())
        self.build = tree.hexdigest()[:12]
        self.prefix = f"{PREFIX}{self.build}/"

    def url(self, path: str) -> str:
        """The canonical URL of the file at ``path`` under static/ ("js/state.js"); KeyError if none."""
        if path not in self.assets:
            raise KeyError(f"no static file {path!r}")
        return self.prefix + path

    def canonical(self, route_path: str) -> str | None:
        """The canonical URL an old or other build's URL names, None when it names no file."""
        if not route_path.startswith(PREFIX):
            return None
        rest = route_path[len(PREFIX) :]
        if rest in self.assets:
            return self.prefix + rest
        head, _, tail = rest.partition("/")
        if BUILD_SEGMENT.fullmatch(head) and tail in self.assets:
            return self.prefix + tail
        return None

    async def __call__(self, scope, receive, send) -> None:
        path = get_route_path(scope)
        asset = self.assets.get(path[len(self.prefix) :]) if path.startswith(self.prefix) else None
        location = None if asset is not None else self.canonical(path)
        if asset is None and location is None:
            return await _reply(send, 404, [("content-type", "text/plain; charset=utf-8")], b"Not Found")
        if scope["method"] not in ("GET", "HEAD"):
            headers = [("allow", "GET, HEAD"), ("content-type", "text/plain; charset=utf-8")]
            return await _reply(send, 405, headers, b"Method Not Allowed")
        if asset is None:  # a path only: never the request's Host
            return await _reply(send, 308, [("location", location), ("cache-control", "no-cache")])
        request = {k: v for k, v in scope["headers"] if k in (b"accept-encoding", b"if-none-match")}
        accept = request.get(b"accept-encoding", b"").decode("latin-1")
        body, etag, gzipped = asset.choose(accept)
        headers = [("etag", etag), ("cache-control", IMMUTABLE), ("vary", "Accept-Encoding")]
        if etag_matches(request.get(b"if-none-match", b"").decode("latin-1"), etag):
            return await _reply(send, 304, headers, length=None)
        headers.append(("content-type", asset.media_type))
        if gzipped:
            headers.append(("content-encoding", "gzip"))  # the GZip middleware leaves such responses alone
        head = scope["method"] == "HEAD"  # the headers of a GET, no body
        await _reply(send, 200, headers, b"" if head else body, length=len(body))


class StaticRoute(BaseRoute):
    """``/static`` and every path under it, answered by the store.

    Owning ``/static`` itself too keeps the router's trailing-slash redirect (whose Location is built
    from the Host header) away from it. Insert it first: it matches nothing else."""

    path_format = "/static"

    def __init__(self, store: StaticStore):
        self.store = store

    def matches(self, scope) -> tuple[Match, dict]:
        if scope["type"] == "http":
            path = get_route_path(scope)
            if path == "/static" or path.startswith(PREFIX):
                return Match.FULL, {}
        return Match.NONE, {}

    def url_path_for(self, name: str, /, **path_params) -> str:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope, receive, send) -> None:
        await self.store(scope, receive, send)


def asset_response(request: Request, path: str, cache_control: str) -> Response:
    """A file of the store as a route's response (the favicon): ETag, 304, gzip when accepted."""
    asset = STORE.assets[path]
    body, etag, gzipped = asset.choose(request.headers.get("accept-encoding"))
    headers = {"ETag": etag, "Cache-Control": cache_control, "Vary": "Accept-Encoding"}
    if etag_matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    if gzipped:
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=asset.media_type, headers=headers)


STORE = StaticStore(read_files())
BUILD = STORE.build
static_url = STORE.url
PLOTLY_PATH = next(p for p in STORE.assets if p.startswith("vendor/plotly-"))
