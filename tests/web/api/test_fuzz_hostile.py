"""Fuzzing with what schemathesis does not send: huge values, repeated parameters, hundreds of them,
unknown names, control characters, every route (issue 21). Whatever comes, the answer is a page or
a bounded 422 (at most 16 KB, at most 20 problems and a count), never a 5xx, always with the
security headers."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.problems import LISTED, MAX_BODY
from app.link.state import FIELDS

ROUTES = ["/api/trace", "/api/mc", "/api/grads", "/api/weights", "/api/state", "/api/code", "/healthz", "/", "/embed",
          "/train", "/lessons/seed-question/2", "/api/from-code", "/from-code"]  # fmt: skip
NAMES = [f.name for f in FIELDS] + ["samples", "label", "view", "present", "vs.seed", "vs.preset", "configs", "x"]
NAMES += ["code"]  # /from-code's
VALUES = st.one_of(
    st.sampled_from(["0", "1", "0.5", "-1", "1e308", "nan", "inf", "keras3", "random", "2", "1000", "256", ""]),
    st.text(min_size=0, max_size=30),
    st.builds(lambda w, n: " ".join([w] * n), st.sampled_from(["good", "movie", "x"]), st.integers(1, 3_000)),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=2_000),
)
PAIRS = st.one_of(
    st.lists(st.tuples(st.sampled_from(NAMES), VALUES), max_size=12),  # plausible, often repeated
    st.builds(lambda name, value, n: [(name, value)] * n, st.sampled_from(NAMES), VALUES, st.integers(2, 400)),
    st.lists(st.tuples(st.text(min_size=1, max_size=40), VALUES), min_size=20, max_size=250),  # unknown names
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(route=st.sampled_from(ROUTES), pairs=PAIRS)
def test_hostile_queries_get_bounded_answers(raw_query, route, pairs):
    status, headers, body = raw_query(route, pairs)
    assert status in (200, 400, 404, 422, 503), (status, route, body[:300])
    assert "content-security-policy" in headers and headers.get("x-content-type-options") == "nosniff"
    if status == 422 and headers["content-type"].startswith("text/html"):  # /from-code's reasons, the code kept
        assert route == "/from-code" and len(body) <= 256_000, (route, len(body))
    elif status == 422:
        assert len(body) <= MAX_BODY, len(body)
        problems = json.loads(body)
        assert problems["problems"] and len(problems["problems"]) <= LISTED and problems["more"] >= 0
