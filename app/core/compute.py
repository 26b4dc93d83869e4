"""How the app runs the engine's training work: one BLAS thread, two engine threads.

On this kind of machine (2 cores) OpenBLAS's own threads cost more than they save on the
engine's matrices, and stall badly when another process holds the second core; the engine's
second thread (app/engine/bptt.py: the big matmuls of finished chunks beside the recurrence)
gains a quarter instead. Measured in benchmarks/bench_train.py: forward plus backward of the
seed's model, batch 32, T = 498, 76 ms this way, 101 ms with one thread, 95 to 420 ms with
OpenBLAS's two threads depending on the load. The engine itself never touches threads of its own
accord; callers choose.
"""

from __future__ import annotations

from threadpoolctl import threadpool_limits

TRAIN_THREADS = 2


def one_blas_thread() -> threadpool_limits:
    """A context in which numpy's BLAS runs in the calling thread only."""
    return threadpool_limits(limits=1, user_api="blas")
