"""Hostile and sloppy queries: a 422 naming the right fields, never a 500."""

from __future__ import annotations

import pytest

HOSTILE = [
    ("/api/trace?units=99999999999999999999999999", ["units"]),
    ("/api/trace?seed=1e400", ["seed"]),
    ("/api/trace?dropout=NaN&recurrent_dropout=Infinity", ["dropout", "recurrent_dropout"]),
    ("/api/trace?dropout=-0.0001", ["dropout"]),
    ("/api/trace?dropout=0.5&dropout=0.6", ["dropout"]),
    ("/api/trace?seed=1&seed=1", ["seed"]),
    ("/api/trace?text=%20%21%3F%20...", ["text"]),  # punctuation only: no words
    ("/api/trace?<script>alert(1)</script>=1", ["<script>alert(1)</script>"]),
    ("/api/trace?preset=<script>alert(1)</script>", ["preset"]),
    ("/api/trace?preset=../../etc/passwd", ["preset"]),
    ("/api/trace?text=good&tokens=1,2", ["tokens"]),
    ("/api/trace?units=true", ["units"]),
    ("/api/trace?units=false", ["units"]),
    ("/api/trace?layers=3&units=256&len=1000&weights=random", ["len"]),
    ("/api/trace?vocab=0", ["vocab"]),
    ("/api/trace?v=4", ["v"]),
    ("/api/trace?preset=pytorch", ["recurrent_dropout"]),
    ("/api/trace?%00=1", ["\x00"]),
    ("/api/trace?dropout=%00", ["dropout"]),
    ("/api/trace?len=%E2%91%A0", ["len"]),  # a circled digit one: isdigit() but not a number here
    ("/api/mc?samples=0", ["samples"]),
    ("/api/mc?samples=101", ["samples"]),
    ("/api/mc?samples=5&samples=6", ["samples"]),
    ("/api/mc?samples=%E2%91%A0", ["samples"]),
    ("/api/mc?samples=1e3&units=0", ["units", "samples"]),
    ("/api/weights?init_seed=-1&weights=random", ["init_seed"]),
    ("/api/code?in_share=gate", ["in_share"]),
    ("/api/state?weights=trained&units=8", ["weights"]),
    ("/healthz?x=1", ["x"]),
]


@pytest.mark.parametrize(("url", "fields"), HOSTILE)
def test_hostile_query_gets_422_naming_fields(client, url, fields):
    r = client.get(url)
    assert r.status_code == 422
    body = r.json()
    named = [p["field"] for p in body["problems"]]
    for field in fields:
        assert field in named
    for p in body["problems"]:
        assert p["message"] and p["allowed"] and len(p["value"]) <= 80
    assert r.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    ("query", "field"),
    [("text=" + "a" * 100_000, "text"), ("tokens=" + "1," * 50_000 + "1", "tokens"), ("x" * 100_000 + "=1", "x" * 10)],
)
def test_100kb_queries(raw_get, query, field):
    status, _headers, body = raw_get("/api/trace", query)
    assert status == 422
    assert any(p["field"].startswith(field) for p in body["problems"])
    assert len(body["detail"]) < 2_000


def test_reflected_script_is_only_data(client):
    r = client.get("/api/trace?preset=<script>alert(1)</script>")
    assert r.headers["content-type"] == "application/json"


def test_unicode_text_is_fine(client):
    r = client.get("/api/state?text=caf%C3%A9%20good%20%E2%80%94%20not%20bad%20%F0%9F%98%80")
    assert r.status_code == 200
    assert [t["word"] for t in r.json()["tokens"]] == ["<unk>", "good", "<unk>", "not", "bad", "<unk>"]
