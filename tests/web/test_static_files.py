"""The static files: canonical hashed URLs served from memory (immutable, gzip, 304), old URLs
redirected by path, everything else a 404 that echoes nothing of the request."""

from __future__ import annotations

import asyncio
import gzip
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from app.web.pages.modules import JS_ROOT, resolve, static_imports
from app.web.pages.render import PLOTLY_JS
from app.web.static_files import BUILD, STORE, StaticStore, accepts_gzip, read_files, static_url

STATIC = Path(__file__).resolve().parents[2] / "static"
STATE_JS = static_url("js/state.js")
EVIL = "evil.example"


def call(app, path: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict, bytes]:
    """(status, headers, body) of one request straight to an ASGI app, the raw path as given (no
    client normalises "..") and asyncio.run in a thread of its own (playwright owns the main one)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode("latin-1", "replace"),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()],
        "client": ("127.0.0.1", 1),
        "server": ("testserver", 80),
    }
    sent = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = sent[0]
    return start["status"], {k.decode(): v.decode() for k, v in start["headers"]}, b"".join(m["body"] for m in sent[1:])


def test_the_build_is_a_hash_of_every_path_and_byte():
    assert re.fullmatch(r"[0-9a-f]{12}", BUILD) and f"/static/{BUILD}/js/state.js" == STATE_JS
    assert StaticStore(read_files()).build == BUILD  # reproducible: a second worker names the same URLs
    one, other, renamed = StaticStore({"a.js": b"1"}), StaticStore({"a.js": b"2"}), StaticStore({"b.js": b"1"})
    assert len({one.build, other.build, renamed.build}) == 3
    with pytest.raises(KeyError, match="no static file"):
        static_url("js/nope.js")


def test_every_file_under_static_plotly_and_swagger_are_in_the_store():
    files = {p.relative_to(STATIC).as_posix() for p in STATIC.rglob("*") if p.is_file()}
    assert files <= set(STORE.assets) and len(files) > 50
    assert static_url(re.sub(r"^/static/[0-9a-f]{12}/", "", PLOTLY_JS)) == PLOTLY_JS
    assert {"vendor/swagger-ui/swagger-ui.css", "vendor/swagger-ui/swagger-ui-bundle.js"} <= set(STORE.assets)


def test_a_canonical_url_is_immutable_and_gzipped_when_accepted(client):
    r = client.get(STATE_JS, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert r.content == (STATIC / "js" / "state.js").read_bytes()  # gzipped once, not again by the middleware
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert r.headers["vary"] == "Accept-Encoding" and r.headers["content-type"] == "text/javascript; charset=utf-8"
    assert re.fullmatch(r'"[0-9a-f]{24}\.gz"', r.headers["etag"])  # strong, of this representation
    assert r.headers["access-control-allow-origin"] == "*"  # app/web/security.py: /static/ is shared
    assert int(r.headers["content-length"]) == len(STORE.assets["js/state.js"].gz)


def test_identity_unless_gzip_is_accepted(client):
    body = (STATIC / "js" / "state.js").read_bytes()
    for refused in ("identity", "gzip;q=0"):  # the app's gzip middleware does not add it either
        r = client.get(STATE_JS, headers={"Accept-Encoding": refused})
        assert r.status_code == 200 and "content-encoding" not in r.headers and r.content == body, refused
    assert re.fullmatch(r'"[0-9a-f]{24}"', r.headers["etag"]) and r.headers["vary"] == "Accept-Encoding"
    for header in ({}, {"accept-encoding": "gzip;q=0"}, {"accept-encoding": "br, gzip; q=0.0, *"}):
        status, headers, got = call(STORE, STATE_JS, header)
        assert status == 200 and "content-encoding" not in headers and got == body, header
    status, headers, got = call(STORE, STATE_JS, {"accept-encoding": "br;q=1, gzip;q=0.5"})
    assert headers["content-encoding"] == "gzip" and gzip.decompress(got) == body


def test_accepts_gzip_weighs_q():
    assert accepts_gzip("gzip, deflate, br") and accepts_gzip("GZIP;q=0.1") and accepts_gzip("*")
    assert not accepts_gzip(None) and not accepts_gzip("") and not accepts_gzip("gzip;q=0")
    assert not accepts_gzip("br") and not accepts_gzip("*;q=0") and not accepts_gzip("gzip;q=0, *")


@pytest.mark.parametrize("encoding", ["gzip", "identity"])
def test_if_none_match_gets_a_304(client, encoding):
    first = client.get(STATE_JS, headers={"Accept-Encoding": encoding})
    etag = first.headers["etag"]
    for sent in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        r = client.get(STATE_JS, headers={"Accept-Encoding": encoding, "If-None-Match": sent})
        assert r.status_code == 304 and r.content == b"" and r.headers["etag"] == etag, sent
        assert r.headers["cache-control"] == first.headers["cache-control"]
    assert client.get(STATE_JS, headers={"If-None-Match": '"other"'}).status_code == 200


def test_head_has_the_headers_of_get_and_no_body(client):
    head = client.head(STATE_JS, headers={"Accept-Encoding": "gzip"})
    get = client.get(STATE_JS, headers={"Accept-Encoding": "gzip"})
    assert head.status_code == 200 and head.content == b""
    for name in ("content-length", "content-type", "content-encoding", "etag", "cache-control"):
        assert head.headers[name] == get.headers[name], name
    status, headers, body = call(STORE, STATE_JS, {"accept-encoding": "gzip"}, method="HEAD")  # the store alone
    assert status == 200 and body == b"" and headers["content-length"] == get.headers["content-length"]


def test_other_methods_are_not_allowed(client):
    for method in ("POST", "PUT", "DELETE"):
        r = client.request(method, STATE_JS)
        assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD", method


@pytest.mark.parametrize("old", ["/static/js/state.js", "/static/000000000000/js/state.js"])
def test_an_old_or_other_build_url_redirects_to_the_canonical_path(client, old):
    r = client.get(old, follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == STATE_JS and r.headers["cache-control"] == "no-cache"
    status, headers, body = call(STORE, old, {"host": EVIL})  # never built from the Host header
    assert status == 308 and headers["location"] == STATE_JS and EVIL not in str(headers) + body.decode()
    through_app = client.get(old, headers={"Host": EVIL}, follow_redirects=False)  # 308, or a 400 for the host
    assert EVIL not in str(dict(through_app.headers)) and through_app.headers.get("location", STATE_JS) == STATE_JS


def test_plotly_keeps_its_versioned_path():
    name = PLOTLY_JS.split("/", 3)[3]
    assert re.fullmatch(r"vendor/plotly-[0-9][0-9A-Za-z.\-]*\.min\.js", name)
    status, headers, _ = call(STORE, "/static/" + name)
    assert status == 308 and headers["location"] == PLOTLY_JS


@pytest.mark.parametrize(
    "path",
    [
        f"/static/{BUILD}/js/state.js/",
        "/static/js/state.js/",
        "/static",
        "/static/",
        "/static/js",
        "/static/js/",
        f"/static/{BUILD}",
        f"/static/{BUILD}/",
        f"/static/{BUILD}/js",
        f"/static/{BUILD}/js/nope.js",
        f"/static/{BUILD}/{BUILD}/js/state.js",
        "/static/vendor/swagger-ui/index.html",
    ],
)
def test_directories_trailing_slashes_and_unknown_files_are_404(client, path):
    r = client.get(path, headers={"Host": "testserver"}, follow_redirects=False)
    assert r.status_code == 404 and len(r.content) < 100 and "location" not in r.headers
    status, headers, body = call(STORE, path, {"host": EVIL})
    assert status == 404 and EVIL not in str(headers) + body.decode()


@pytest.mark.parametrize(
    "path",
    [
        f"/static/{BUILD}/../pyproject.toml",
        f"/static/{BUILD}/js/../js/state.js",
        "/static/../pyproject.toml",
        f"/static/{BUILD}/./js/state.js",
        f"/static/{BUILD}//js/state.js",
        f"/static/{BUILD}/js/state.js\x00",
        f"/static/{BUILD}/js\\state.js",
        "/static/../../../etc/passwd",
    ],
)
def test_traversal_and_odd_paths_are_404(path):
    status, _, body = call(STORE, path)
    assert status == 404 and body == b"Not Found"


def test_the_favicon_has_an_etag_a_days_cache_and_a_304(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
    assert r.content == (STATIC / "favicon.svg").read_bytes() and r.headers["cache-control"] == "public, max-age=86400"
    again = client.get("/favicon.ico", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == r.headers["etag"]
    assert client.head("/favicon.ico").status_code == 200


def test_plotly_js_is_served(client):
    r = client.get(PLOTLY_JS, headers={"Accept-Encoding": "gzip"})
    assert r.status_code == 200 and r.headers["content-encoding"] == "gzip"
    assert "immutable" in r.headers["cache-control"]
    assert r.text.lstrip().startswith("/**") and "plotly.js v" in r.text[:200]


STATIC_URL = re.compile(r'(?:href|src)="(/static/[^"]*)"')


@pytest.mark.parametrize("page", ["/", "/docs", "/train", "/embed?view=fig-h", "/lessons"])
def test_every_static_url_of_a_page_is_canonical_and_resolves(client, page):
    urls = set(STATIC_URL.findall(client.get(page).text))
    assert urls and all(u.startswith(STORE.prefix) for u in urls), urls
    if page == "/":
        assert PLOTLY_JS in urls and len(urls) > 40
    for url in urls:
        assert client.get(url, follow_redirects=False).status_code == 200, url


def test_every_relative_import_of_every_module_names_a_file_of_the_store():
    """Every module shares the prefix, so "./x.js" and import("../y/z.js") resolve to canonical URLs."""
    dynamic = re.compile(r"""\bimport\(\s*(["'])(\.{1,2}/[^"']+)\1""")
    for module in JS_ROOT.rglob("*.js"):
        name = module.relative_to(JS_ROOT).with_suffix("").as_posix()
        text = module.read_text(encoding="utf-8")
        for spec in static_imports(text) + [spec for _, spec in dynamic.findall(text)]:
            found = resolve(name, spec)
            assert found is None or f"js/{found}.js" in STORE.assets, (name, spec)
        assert "/static/" not in re.sub(r"//.*|/\*.*?\*/", "", text, flags=re.S), name  # no absolute URL
