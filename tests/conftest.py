"""Shared test set-up.

DROPOUT_LAB_REQUIRE_ALL=1 (set by .ci/run) makes every test required: a test that would be
skipped (for example a live parity test without torch) fails instead.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile

import pytest
from fastapi.testclient import TestClient

os.environ.setdefault("KERAS_BACKEND", "torch")
# The public address of the apps of the tests (QR codes, allowed hosts): TestClient's host. Set
# before any app import; a live server gets its own address (tests/live_server.py).
os.environ.setdefault("DROPOUT_LAB_PUBLIC_URL", "http://testserver")

# The lab's runs on disk (finished runs, locks) go to a directory of this session, for the apps
# of the tests and the servers they start: never the user's cache, never a run of an earlier session.
if "DROPOUT_LAB_LAB_CACHE_DIR" not in os.environ:
    os.environ["DROPOUT_LAB_LAB_CACHE_DIR"] = _lab_cache = tempfile.mkdtemp(prefix="dropout-lab-tests-")
    atexit.register(shutil.rmtree, _lab_cache, ignore_errors=True)

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
