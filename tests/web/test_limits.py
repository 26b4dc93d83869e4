"""Bounded answers to unbounded requests (issue 21): too many parameters, too many problems,
control characters in a sentence, a step number that only looks like digits."""

from __future__ import annotations

import json

import pytest

from app.core.problems import LISTED, MAX_BODY
from app.web.limits import MAX_PARAMS

SECURITY = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")


@pytest.mark.parametrize("path", ["/api/trace", "/api/mc", "/api/state", "/", "/train", "/embed", "/healthz"])
def test_thirty_thousand_parameters_get_one_small_422_at_once(raw_get, path):
    query = "&".join(f"p{k}=1" for k in range(30_000))  # about 200 KB
    status, headers, body = raw_get(path, query)
    assert status == 422 and len(json.dumps(body)) < 2_000
    (p,) = body["problems"]
    assert p["field"] == "query" and p["value"] == "30000 parameters" and str(MAX_PARAMS) in p["allowed"]
    assert body["more"] == 0  # one problem for the query, not 30,000 (the 20 MB answer of issue 21)
    expected = [h for h in SECURITY if not (path == "/embed" and h == "x-frame-options")]  # /embed may be framed
    assert all(h in headers for h in expected) and headers["cache-control"] == "no-store"


def test_many_problems_are_listed_up_to_twenty_with_a_count(raw_get):
    query = "&".join(f"unknown{k}=1" for k in range(150)) + "&dropout=7&seed=-1"
    status, _, body = raw_get("/api/trace", query)
    assert status == 422 and len(body["problems"]) == LISTED and body["more"] == 152 - LISTED
    assert len(json.dumps(body).encode()) <= MAX_BODY and "and 132 more problems" in body["detail"]


def test_long_problems_keep_the_body_under_its_bound(raw_get):
    long = "x" * 5_000
    query = "&".join(f"{long}{k}={long}" for k in range(30))
    status, _, body = raw_get("/api/trace", query)
    assert status == 422 and len(json.dumps(body).encode()) <= MAX_BODY
    assert body["more"] == 30 - len(body["problems"]) and body["problems"]


def test_a_page_lists_twenty_problems_and_how_many_more(client):
    html = client.get("/?" + "&".join(f"nope{k}=1" for k in range(60))).text
    start = html.index('id="page-constants"')
    constants = json.loads(html[html.index(">", start) + 1 : html.index("</script>", start)])
    problems = constants["problems"]
    assert len(problems) == LISTED + 1 and problems[-1]["message"].startswith("... and 40 more problems")


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x7f", "\x9b"])
def test_control_characters_in_text_are_refused_naming_text(client, char):
    r = client.get("/api/trace", params={"text": f"the movie{char} was good"})
    assert r.status_code == 422
    (p,) = r.json()["problems"]
    assert p["field"] == "text" and f"U+{ord(char):04X}" in p["message"] and "position 9" in p["message"]


def test_tabs_and_newlines_are_white_space_not_control_characters(client):
    assert client.get("/api/trace", params={"text": "the movie\twas\r\ngood"}).status_code == 200


@pytest.mark.parametrize("number", ["%C2%B2", "%C2%B9", "%E2%91%A0", "%EF%BC%91", "01", "99999999999"])
def test_step_numbers_are_ascii_digits(client, number):
    r = client.get(f"/lessons/seed-question/{number}")
    assert r.status_code == 404 and "it has 8)" in r.text  # names the lesson and its steps
    assert all(h in r.headers for h in SECURITY)


def test_the_monte_carlo_request_of_the_review_is_refused_with_the_draws_it_may_have(client):
    """Issue 21, item 3: 20 draws of a 1,000-step, 256-unit model cost seconds; the answer names the
    bound, the fields that drive it and the most draws this state may have."""
    from app.link.cost import most_samples
    from app.link.state import parse

    query = "len=1000&units=256&emb=256&vocab=1024&weights=random"
    r = client.get(f"/api/mc?samples=20&{query}")
    assert r.status_code == 422
    (p,) = r.json()["problems"]
    most = most_samples(parse(query))
    assert p["field"] == "samples" and p["fallback"] == str(most) and 1 <= most < 20
    assert "0.5 s of CPU" in p["allowed"] and "units" in p["message"] and "len" in p["message"]
    assert client.get(f"/api/mc?samples={most}&{query}").status_code == 200


@pytest.mark.parametrize("path", ["/docs/", "/api/trace/", "/healthz/", "/lessons/", "/train/"])
def test_one_canonical_url_a_trailing_slash_is_not_found_not_redirected(client, path):
    """No redirect built from the Host header: a trailing slash is simply another, unknown URL."""
    r = client.get(path, headers={"host": "localhost"}, follow_redirects=False)
    assert r.status_code == 404 and "location" not in r.headers and "content-security-policy" in r.headers
