"""The reference frameworks, for every live parity test: torch (on one thread) and Keras 3 on its
torch backend. Without them a live test skips, and under DROPOUT_LAB_REQUIRE_ALL=1 (.ci/run) a
skip is a failure (tests/conftest.py)."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def torch():
    """torch on one thread: the step-by-step models are many small ops, which threads only slow
    down, and on a loaded 2-core machine two threads made the seed-size case 100x slower."""
    torch = pytest.importorskip("torch")
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield torch
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def keras(torch):
    keras = pytest.importorskip("keras")
    assert keras.backend.backend() == "torch"
    return keras
