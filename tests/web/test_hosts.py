"""One public origin, trusted hosts: a foreign Host gets a 400 (no-store, security headers) before
any route or cached body; QR codes hold the public URL; the settings and the CLI's derived URL."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import socket
from typing import ClassVar

import pytest
from pydantic import ValidationError

from app import cli
from app.web.config import Settings
from app.web.hosts import TrustedHosts, host_name, is_loopback
from tests.asgi import asgi_get

PUBLIC = "http://testserver"  # tests/conftest.py
REFUSED = f"unknown host 'evil.example': this server answers as {PUBLIC}"
QR_LINK = "/lessons/seed-question/1"


def in_thread(coroutine):
    """asyncio.run in a thread of its own (the browser tests' playwright keeps a loop in this one)."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def raw(app, path: str, headers: list[tuple[bytes, bytes]], query: str = "") -> tuple[int, dict, bytes]:
    """A GET through the ASGI app from a loopback client (127.0.0.1), with exactly these headers."""
    sent = in_thread(asgi_get(app, path, query, headers))
    return (
        sent[0]["status"],
        {k.decode(): v.decode() for k, v in sent[0]["headers"]},
        b"".join(m.get("body", b"") for m in sent[1:]),
    )


@pytest.mark.parametrize(
    "path,params",
    [
        ("/", {}),
        ("/api/trace", {"seed": "3"}),
        ("/api/qr", {"link": QR_LINK}),
        ("/static/js/constants.js", {}),
        ("/lessons/seed-question/1", {"present": "1"}),
        ("/healthz", {}),  # TestClient's client is no loopback address
    ],
)
def test_a_foreign_host_is_refused_with_no_store_and_the_security_headers(client, path, params):
    r = client.get(path, params=params, headers={"host": "evil.example"})
    assert r.status_code == 400
    assert r.json() == {"detail": REFUSED}
    assert r.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["content-type"] == "application/json"


def test_a_foreign_host_never_reaches_a_cached_body(client):
    ok = client.get("/api/trace", params={"seed": "5"})
    assert ok.status_code == 200 and ok.headers["etag"]
    for host in ("evil.example", "evil.example:80", "testserver.evil.example", "[::2]:8000", "testserver:x"):
        r = client.get("/api/trace", params={"seed": "5"}, headers={"host": host, "if-none-match": ok.headers["etag"]})
        assert r.status_code == 400 and "etag" not in r.headers and b"seed" not in r.content, host


def test_the_refusal_shows_at_most_80_characters_of_the_host(client):
    r = client.get("/healthz", headers={"host": "e" * 200})
    assert r.status_code == 400
    shown = r.json()["detail"].split("'")[1]
    assert len(shown) == 80 and shown.endswith("...")


ALLOWED = ["testserver", "TestServer:8000", "localhost", "localhost:8000", "127.0.0.1:9", "[::1]:8000", "[::1]"]


@pytest.mark.parametrize("host", ALLOWED)
def test_allowed_hosts_and_loopback_are_served(client, host):
    r = client.get("/healthz", headers={"host": host})
    assert r.status_code == 200 and r.json()["status"] == "ok"
    assert client.get("/api/trace", params={"seed": "3"}, headers={"host": host}).status_code == 200


def test_healthz_from_loopback_answers_any_host_and_nothing_else_does(client):
    assert raw(client.app, "/healthz", [(b"host", b"evil.example")])[0] == 200
    status, headers, body = raw(client.app, "/api/trace", [(b"host", b"evil.example")], "seed=3")
    assert status == 400 and json.loads(body) == {"detail": REFUSED} and headers["cache-control"] == "no-store"


def test_a_request_without_host_is_answered_as_the_public_host(client):
    """HTTP/1.0 may send no Host: the public host is meant."""
    status, headers, body = raw(client.app, "/api/qr", [], f"link={QR_LINK}")
    assert status == 200 and headers["content-type"] == "image/svg+xml"
    assert f"<title>{PUBLIC}{QR_LINK}</title>".encode() in body


def test_the_qr_code_holds_the_public_url_whatever_allowed_host_asked(client):
    for host in ("testserver", "localhost:8000", "127.0.0.1"):
        r = client.get("/api/qr", params={"link": QR_LINK}, headers={"host": host})
        assert r.status_code == 200 and r.headers["content-type"] == "image/svg+xml"
        assert f"<title>{PUBLIC}{QR_LINK}</title>".encode() in r.content
        assert b"localhost" not in r.content and b"127.0.0.1" not in r.content
    evil = client.get("/api/qr", params={"link": QR_LINK}, headers={"host": "evil.example"})
    assert evil.status_code == 400 and b"<svg" not in evil.content


def test_the_share_panel_gets_the_public_url(client):
    r = client.get("/lessons", params={"present": "1"}, headers={"host": "localhost:8000"})
    assert r.status_code == 200 and f'data-public-url="{PUBLIC}"'.encode() in r.content


@pytest.mark.parametrize(
    "host,name",
    [
        ("Lab.School.org:8000", "lab.school.org"),
        ("lab.school.org.", "lab.school.org"),
        ("[::1]:8000", "::1"),
        ("[::1]", "::1"),
        ("::1", "::1"),
        ("127.0.0.1:", "127.0.0.1"),
        ("evil:x", "evil:x"),
        ("[::1]x", "[::1]x"),
    ],
)
def test_host_name(host, name):
    assert host_name(host) == name


def test_is_loopback():
    assert is_loopback(("127.0.0.1", 1)) and is_loopback(("::1", 1)) and is_loopback(("::ffff:127.0.0.1", 1))
    assert not is_loopback(("192.168.1.20", 1)) and not is_loopback(("testclient", 1)) and not is_loopback(None)


def test_the_middleware_answers_as_its_settings_public_url():
    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    app = TrustedHosts(inner, Settings(public_url="https://lab.school.org", allowed_hosts="lab.example"))
    assert raw(app, "/", [(b"host", b"lab.school.org")])[0] == 204  # the public host: always allowed
    assert raw(app, "/", [(b"host", b"lab.example:8443")])[0] == 204
    status, _, body = raw(app, "/", [(b"host", b"localhost")])  # not named: loopback not added
    assert status == 400
    assert json.loads(body)["detail"] == "unknown host 'localhost': this server answers as https://lab.school.org"


@pytest.mark.parametrize(
    "value,public",
    [
        ("http://192.168.1.20:8000", "http://192.168.1.20:8000"),
        ("HTTPS://Lab.School.org/", "https://lab.school.org"),
        (" http://[FE80::1]:8000 ", "http://[fe80::1]:8000"),
    ],
)
def test_public_url_is_normalised(value, public):
    assert Settings(public_url=value).public_url == public


@pytest.mark.parametrize(
    "value",
    [
        "lab.school.org",
        "ftp://lab.school.org",
        "http://lab.school.org/lab",
        "http://lab.school.org?x=1",
        "http://lab.school.org#top",
        "http://teacher:secret@lab.school.org",
        "http://lab.school.org:99999",
        "http://lab.school.org:0",
        "http://",
        "http://lab school.org",
        "",
    ],
)
def test_a_bad_public_url_is_named_with_what_is_allowed(value, monkeypatch):
    monkeypatch.setenv("DROPOUT_LAB_PUBLIC_URL", value)
    with pytest.raises(ValidationError) as err:
        Settings()
    text = str(err.value)
    assert f"DROPOUT_LAB_PUBLIC_URL={value!r} is not allowed" in text
    assert "absolute http:// or https:// URL" in text and "no path, query or fragment" in text


def test_allowed_hosts_default_and_given(monkeypatch):
    monkeypatch.setenv("DROPOUT_LAB_PUBLIC_URL", "http://192.168.1.20:8000")
    monkeypatch.delenv("DROPOUT_LAB_ALLOWED_HOSTS", raising=False)
    assert Settings().allowed_hosts == ("192.168.1.20", "localhost", "127.0.0.1", "::1")
    monkeypatch.setenv("DROPOUT_LAB_ALLOWED_HOSTS", " Lab.School.org, [::1],,lab.school.org")
    assert Settings().allowed_hosts == ("192.168.1.20", "lab.school.org", "::1")


@pytest.mark.parametrize("value", ["lab.school.org:8000", "http://lab.school.org", "lab.school.org/x", "a b"])
def test_a_bad_allowed_host_is_named(value, monkeypatch):
    monkeypatch.setenv("DROPOUT_LAB_ALLOWED_HOSTS", f"localhost,{value}")
    with pytest.raises(ValidationError) as err:
        Settings()
    assert f"DROPOUT_LAB_ALLOWED_HOSTS: {value!r} is not allowed" in str(err.value)


def test_the_cli_derives_the_public_url_from_the_bind_address(monkeypatch):
    monkeypatch.setattr(cli, "lan_address", lambda: "192.168.1.20")
    assert cli.public_url_for("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert cli.public_url_for("localhost", 8001) == "http://localhost:8001"
    assert cli.public_url_for("0.0.0.0", 8000) == "http://192.168.1.20:8000"
    assert cli.public_url_for("::", 8000) == "http://192.168.1.20:8000"
    assert cli.public_url_for("10.0.0.7", 80) == "http://10.0.0.7"
    assert cli.public_url_for("::1", 8000) == "http://[::1]:8000"
    assert Settings(public_url=cli.public_url_for("fe80::1", 8000)).public_url == "http://[fe80::1]:8000"


class FakeUDP:
    """A UDP socket whose connect() picks the interface by the probe's address (no packet)."""

    routes: ClassVar[dict[str, str]] = {}

    def __init__(self, family, kind):
        assert (family, kind) == (socket.AF_INET, socket.SOCK_DGRAM)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def connect(self, address):
        if address[0] not in self.routes:
            raise OSError("Network is unreachable")
        self.address = self.routes[address[0]]

    def getsockname(self):
        return (self.address, 40000)


@pytest.mark.parametrize(
    "routes,address",
    [
        ({"8.8.8.8": "192.168.1.20"}, "192.168.1.20"),
        ({"10.255.255.255": "10.1.2.3"}, "10.1.2.3"),  # a classroom network with no way out
        ({"8.8.8.8": "127.0.0.1", "192.168.255.255": "192.168.0.5"}, "192.168.0.5"),
        ({}, "127.0.0.1"),  # no network at all
    ],
)
def test_the_lan_address_by_the_udp_connect_trick(monkeypatch, routes, address):
    monkeypatch.setattr(FakeUDP, "routes", routes)
    monkeypatch.setattr(cli.socket, "socket", FakeUDP)
    assert cli.lan_address() == address


def test_serve_puts_the_public_url_in_the_environment_and_prints_it(monkeypatch, capsys):
    import app.web.server

    served = []
    monkeypatch.setattr(app.web.server, "serve", lambda *args: served.append(args))
    monkeypatch.delenv("DROPOUT_LAB_PUBLIC_URL")
    assert cli.main(["serve", "--port", "8123"]) == 0
    assert served == [("127.0.0.1", 8123, 1, False, False)]
    assert "Students open http://127.0.0.1:8123" in capsys.readouterr().out
    assert os.environ["DROPOUT_LAB_PUBLIC_URL"] == "http://127.0.0.1:8123"
    monkeypatch.setenv("DROPOUT_LAB_PUBLIC_URL", "https://Lab.School.org")  # the user's own: kept
    assert cli.main(["serve", "--port", "8123"]) == 0
    assert "Students open https://lab.school.org" in capsys.readouterr().out
    assert os.environ["DROPOUT_LAB_PUBLIC_URL"] == "https://Lab.School.org"


def test_serve_refuses_a_bad_public_url_before_starting(monkeypatch, capsys):
    import app.web.server

    served = []
    monkeypatch.setattr(app.web.server, "serve", lambda *args: served.append(args))
    monkeypatch.setenv("DROPOUT_LAB_PUBLIC_URL", "lab.school.org:8000")
    assert cli.main(["serve"]) == 2 and served == []
    err = capsys.readouterr().err
    assert "DROPOUT_LAB_PUBLIC_URL='lab.school.org:8000' is not allowed" in err and "Traceback" not in err
