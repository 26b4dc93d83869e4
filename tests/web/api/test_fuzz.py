"""Property-based fuzzing of every endpoint with schemathesis, in process (ASGI).

Positive and negative cases, at least 1,000 in all: no 5xx, and every response conforms to
its documented status codes, content type, headers and schema."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from app.web.app import create_app

APP = create_app()
# /api/train streams a training of up to minutes in a worker process: fuzzing it would train for
# hours. Its bounds, 422s and 429 are tested in tests/lab/test_runner.py instead.
schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path="/api/train")
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
EXAMPLES = 250  # per operation with parameters (6 of them): over 1,000 cases
CASES = {"n": 0}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api(case):
    CASES["n"] += 1
    case.call_and_validate(checks=CHECKS)


def test_zz_at_least_1000_cases_ran():
    """Runs after test_api (file order): the fuzzing above really made 1,000+ requests."""
    assert CASES["n"] >= 1000, CASES
