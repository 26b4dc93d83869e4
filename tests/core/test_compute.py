"""Training runs with one BLAS thread, and the limit is lifted after."""

from __future__ import annotations

from threadpoolctl import threadpool_info

from app.core.compute import one_blas_thread


def blas_threads() -> list[int]:
    return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]


def test_one_blas_thread_inside_and_the_old_count_after():
    before = blas_threads()
    assert before  # numpy's BLAS is found
    with one_blas_thread():
        assert set(blas_threads()) == {1}
    assert blas_threads() == before
