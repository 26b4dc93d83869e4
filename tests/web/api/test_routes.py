"""Every endpoint: bodies, validators, caching headers, gzip, security headers."""

from __future__ import annotations

import ast
import json

import numpy as np
import pytest

from app.code_version import code_version
from app.core.encoding import decode
from app.documents.trace import trace_json
from app.documents.weights import weights_json
from app.engine.semantics import PRESETS
from app.link.state import parse
from app.web.static_files import static_url

ROUTES = ["/api/trace", "/api/weights", "/api/state", "/api/mc", "/api/code"]


def test_trace_is_byte_identical_to_the_cli(client):
    r = client.get("/api/trace?seed=4&dropout=0.3")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.content == trace_json(parse("seed=4&dropout=0.3")).encode()
    assert (
        client.get("/api/weights?units=8&weights=random").content
        == weights_json(parse("units=8&weights=random")).encode()
    )


def test_equal_states_share_etag_and_bytes(client):
    a = client.get("/api/trace?dropout=0.3&seed=4")
    b = client.get("/api/trace?seed=04&dropout=0.30")
    assert a.headers["etag"] == b.headers["etag"] and a.content == b.content
    assert a.headers["etag"] != client.get("/api/trace?seed=5").headers["etag"]
    assert a.headers["etag"] != client.get("/api/state?dropout=0.3&seed=4").headers["etag"]


def test_if_none_match_gives_304(client):
    r = client.get("/api/trace?seed=12")
    etag = r.headers["etag"]
    assert r.headers["cache-control"] == "public, max-age=86400, immutable"  # a CDN may keep it: a pure function
    assert etag.startswith(f'W/"{code_version()}-')  # of the URL and the code version, named in the ETag
    assert client.get("/healthz").json()["code"] == code_version()
    again = client.get("/api/trace?seed=12", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    other = client.get("/api/trace?seed=12", headers={"If-None-Match": 'W/"nope"'})
    assert other.status_code == 200


def test_gzip_when_accepted_and_identity_otherwise(client):
    gz = client.get("/api/trace?len=200", headers={"Accept-Encoding": "gzip"})
    assert gz.headers["content-encoding"] == "gzip" and gz.headers["vary"] == "Accept-Encoding"
    assert int(gz.headers["content-length"]) < len(gz.content)
    plain = client.get("/api/trace?len=200", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.content == gz.content


def test_default_trace_payload_is_small_on_the_wire(client):
    r = client.get("/api/trace", headers={"Accept-Encoding": "gzip"})
    assert int(r.headers["content-length"]) <= 60_000


@pytest.mark.parametrize("url", [*ROUTES, "/api/presets", "/healthz", "/docs", "/nope", "/api/trace?units=0"])
def test_security_headers_everywhere(client, url):
    r = client.get(url)
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "http" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_state_endpoint(client):
    body = client.get("/api/state?text=The%20film%20was%20great&dropout=.50").json()
    assert body["state"] == "text=The%20film%20was%20great&v=3" and body["link"] == "/?" + body["state"]
    assert [t["word"] for t in body["tokens"]] == ["the", "film", "was", "great"]
    assert body["plan"]["masks"]["input"]["sharing"] == "gate"
    assert "bdata" not in json.dumps(body)


def test_mc(client):
    body = client.get("/api/mc?samples=12&seed=3&units=8&weights=random").json()
    assert body["samples"] == 12 and body["seeds"] == list(range(3, 15))
    assert len(body["probability"]) == 12 and len(set(body["probability"])) > 1
    trace = json.loads(trace_json(parse("seed=3&units=8&weights=random")))
    assert body["probability"][0] == trace["output"]["probability"]
    layer = body["layers"][0]
    assert set(layer["gates"]) == {"i", "f", "g", "o"}
    std = decode(layer["h"]["std"])
    assert std.shape == (11, 8) and (std >= 0).all() and std.max() > 0
    probs = np.array(body["probability"], dtype=np.float32)
    assert body["probability_mean"] == pytest.approx(float(probs.mean()), abs=1e-6)


def test_mc_at_inference_has_no_spread_and_says_why(client):
    body = client.get("/api/mc?samples=5&phase=infer&units=8&weights=random").json()
    assert len(set(body["probability"])) == 1 and any("phase=train" in n for n in body["notes"])


def test_mc_work_is_bounded_by_its_cost(client):
    """The cost model (app/link/cost.py) names the most draws the state allows, and the trace says
    the same number, so the explorer asks for no more."""
    from app.link.cost import BUDGET, most_samples
    from app.link.state import parse

    most = most_samples(parse("len=1000"))
    r = client.get(f"/api/mc?samples={most + 1}&len=1000")
    assert r.status_code == 422
    (p,) = r.json()["problems"]
    assert p["field"] == "samples" and p["fallback"] == str(most)
    assert p["allowed"] == f"at most {most} samples for this state (a request may cost at most {BUDGET} s of CPU)"
    assert client.get("/api/trace?len=1000").json()["config"]["mc_samples_max"] == most
    assert client.get(f"/api/mc?samples={most}&len=1000").status_code == 200


def test_code_is_python_for_every_preset(client):
    for name in PRESETS:
        q = {
            "pytorch": "preset=pytorch&recurrent_dropout=0&layers=2",
            "zaremba": "preset=zaremba&recurrent_dropout=0",
            "semeniuta": "preset=semeniuta&recurrent_dropout=0&candidate_dropout=0.2",
            "awd": "preset=awd&recurrent_dropout=0&weight_drop=0.3&emb_mode=word",
            "custom": "preset=custom&zoneout_c=0.1&in_share=gate&rec_time=step",
        }.get(name, f"preset={name}")
        body = client.get(f"/api/code?{q}").json()
        for framework in ("keras3", "tfkeras2", "pytorch"):
            ast.parse(body[framework])
    body = client.get("/api/code?preset=pytorch&recurrent_dropout=0").json()
    assert "does nothing" in body["pytorch"]
    body = client.get("/api/code?preset=tfkeras2&recurrent_dropout=0").json()
    assert "layers.LSTM(100, dropout=0.5)" in body["tfkeras2"]
    assert "layers.Dropout(0.5)" in body["keras3"]


def test_presets(client):
    body = client.get("/api/presets").json()
    names = [p["name"] for p in body["presets"]]
    assert names == list(PRESETS)
    keras3 = body["presets"][0]
    assert [r["masks"]["input"] for r in keras3["resolves"]] == [
        "the same mask for all four gates, the same at every step",
        "one mask per gate, the same at every step",
    ]
    assert keras3["source"].startswith("keras/src/layers/rnn/lstm.py")


def test_healthz(client):
    r = client.get("/healthz")
    assert r.json()["status"] == "ok" and r.headers["cache-control"] == "no-store"


def test_docs_are_served_from_here(client):
    html = client.get("/docs").text
    bundle = static_url("vendor/swagger-ui/swagger-ui-bundle.js")
    assert bundle in html and "<script>" not in html
    assert "cdn" not in html.lower() and "https://" not in html
    assert client.get(bundle).status_code == 200
    assert client.get(static_url("js/docs.js")).status_code == 200
    assert client.get("/favicon.ico").headers["content-type"] == "image/svg+xml"


def test_routes_without_parameters_reject_them(client):
    r = client.get("/api/presets?dropout=0.5")
    assert r.status_code == 422 and r.json()["problems"][0]["field"] == "dropout"
