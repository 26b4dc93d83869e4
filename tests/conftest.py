"""Shared test set-up.

DROPOUT_LAB_REQUIRE_ALL=1 (set by .ci/run) makes every test required: a test that would be
skipped (for example a live parity test without torch) fails instead.
"""

from __future__ import annotations

import os

import pytest
from fastapi.testclient import TestClient

os.environ.setdefault("KERAS_BACKEND", "torch")

REQUIRE_ALL = os.environ.get("DROPOUT_LAB_REQUIRE_ALL") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and not hasattr(report, "wasxfail"):
        report.outcome = "failed"
        report.longrepr = f"required test was skipped (DROPOUT_LAB_REQUIRE_ALL=1): {report.longrepr}"


@pytest.fixture(scope="module")
def client():
    """The app in this process, started (lifespan) once per test module."""
    from app.web.app import create_app

    with TestClient(create_app()) as c:
        yield c
