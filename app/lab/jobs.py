"""Lab runs as jobs of RQ (https://python-rq.org) on Redis, when DROPOUT_LAB_REDIS_URL is set.

    dropout-lab worker --redis redis://host:6379/0 --concurrency 2

runs ``concurrency`` RQ workers on the queue ``dropout-lab``. Each job is one run, in a work horse
RQ forks for it (a process per job, as app/lab/worker.py is one per run in the embedded mode):

    train(query, h, token, grace)   app/lab/worker.run, each event XADDed to the run's Stream

The job holds its run while its owner key lives (app/lab/redis_store.py): it renews the key and the
claim every second from a thread, and every write it makes (begin, each event, the end) is one Lua
script that checks the claim's token and that its attempt is the run's current one, so an attempt
declared dead never writes into its retry's run. A job killed by SIGKILL, or lost with its machine,
renews nothing; the web processes that listen to the run see the key lapse and queue the run once
more (the next attempt), then write the ``error`` event. RQ's own retries are not used: they see a
dead work horse only, not a dead worker nor a lost machine.

Why RQ: one job, one forked process, which a signal ends with its training processes, the model
of app/lab/worker.py; Redis only; a small, maintained library. Dramatiq and taskiq run actors in
threads or on an event loop (a training is minutes of CPU), Celery brings a broker abstraction
and much configuration this needs none of, arq is asyncio-only.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time

from rq import Worker
from rq.serializers import JSONSerializer

from app.lab import worker
from app.lab.redis_store import (
    BEGIN,
    CLAIM_TTL,
    EMIT,
    END,
    EVENTS_TTL,
    FINISHED,
    FINISHED_BYTES,
    HEARTBEAT,
    LET_GO,
    OWNER_TTL,
    QUEUE,
    RENEW,
    SECONDS,
    SECONDS_KEPT,
    TRAININGS,
    RunKeys,
    prune,
)
from app.lab.stream import event_name, sse

# Jobs as JSON, not RQ's default pickle: what a worker reads from Redis is data, never code to load
# (Redis still needs a password off the loopback: any client may queue a job; README).
SERIALIZER = JSONSerializer
WORKER_TTL = 20  # s: RQ's worker heartbeat (its key lives this + 60 s, + 90 s while it trains)
JOB_TIMEOUT = 3 * 3600  # s: RQ's bound on one job; the lab's cost bound keeps runs far below it


def enqueue(queue, query: str, h: str, token: str, attempt: int, grace: float, cache_bytes: int):
    """Queue the run's job (attempt 1, or 2 after a death) with the web's settings (the listeners'
    grace, the bound of the finished runs); RQ's job id names the run and attempt."""
    return queue.enqueue(
        "app.lab.jobs.train",
        args=(query, h, token, attempt, grace, cache_bytes),
        job_id=f"lab-{h[:24]}-{token[:8]}-{attempt}",
        job_timeout=JOB_TIMEOUT,
        result_ttl=60,
        failure_ttl=24 * 3600,
        description=f"lab run {query}",
    )


class _Run:
    """One attempt's hold on its run: every write is fenced by the claim's token and the attempt
    (app/lab/redis_store.py), so an attempt declared dead never writes into its retry's run."""

    def __init__(self, r, keys: RunKeys, token: str, attempt: int):
        self.r, self.keys, self.token, self.attempt = r, keys, token, str(attempt)
        self.where = f"{socket.gethostname()} {os.getpid()}"
        self.events: list[bytes] = []

    def begin(self) -> bool:
        k = self.keys
        keys = (k.claim, k.job, k.starts, k.owner, TRAININGS, k.events)
        return bool(self.r.eval(BEGIN, 6, *keys, self.token, self.attempt, self.where, OWNER_TTL, CLAIM_TTL))

    def emit(self, name: str, data: dict) -> None:
        event = sse(name, data)
        self.events.append(event)
        k = self.keys
        self.r.eval(EMIT, 3, k.claim, k.starts, k.events, self.token, self.attempt, event, CLAIM_TTL)

    def renew(self) -> tuple[int, int] | None:
        """(Redis's clock, when listeners were last heard of), or None when the run is not this attempt's."""
        k = self.keys
        owner = f"{self.attempt} {self.where}"
        keys = (k.claim, k.starts, k.owner, k.listen)
        got = self.r.eval(RENEW, 4, *keys, self.token, self.attempt, owner, OWNER_TTL, CLAIM_TTL)
        return (int(got[1]), int(got[2])) if got[0] else None

    def end(self, finished: bool, seconds: float, cache_bytes: int) -> None:
        k = self.keys
        keys = (k.claim, k.starts, k.owner, k.job, k.events, k.sse, FINISHED, FINISHED_BYTES, SECONDS)
        body = b"".join(self.events) if finished else b""
        now = int(time.time() * 1000)
        self.r.eval(END, 9, *keys, self.token, self.attempt, body, k.h, now, f"{seconds:.3f}", EVENTS_TTL, SECONDS_KEPT)
        if finished:
            with contextlib.suppress(Exception):
                prune(self.r, cache_bytes)

    def let_go(self) -> None:
        """Stopped from outside (SIGTERM, not the lab's): the owner key goes now, so a listener
        queues the run again at once instead of after OWNER_TTL."""
        k = self.keys
        with contextlib.suppress(Exception):
            self.r.eval(LET_GO, 3, k.claim, k.starts, k.owner, self.token, self.attempt)


class _Heartbeat(threading.Thread):
    """Renews the attempt's hold every HEARTBEAT s; ends the job (SIGTERM to itself) when nobody
    has listened for ``grace`` s (by Redis's clock: also after a wait in the queue) or the run is
    no longer this attempt's."""

    def __init__(self, run: _Run, grace: float):
        super().__init__(daemon=True)
        self.run_, self.grace = run, grace
        self.halt = threading.Event()
        self.why: str | None = None

    def run(self) -> None:
        while not self.halt.wait(HEARTBEAT):
            try:
                held = self.run_.renew()
            except Exception:  # Redis away for a moment: the owner key may lapse, a listener then retries
                continue
            if held is None:
                self.why = "the run was ended or taken over elsewhere"
            elif held[0] - held[1] > self.grace:
                self.why = f"nobody listened to this run for {self.grace:g} s"
            if self.why and not self.halt.is_set():
                os.kill(os.getpid(), signal.SIGTERM)
                return


def train(query: str, h: str, token: str, attempt: int, grace: float, cache_bytes: int) -> str:
    """RQ job: train the run of ``query`` (its hash ``h``) while its claim holds ``token`` and
    ``attempt`` is the one queued last."""
    from rq import get_current_job

    run = _Run(get_current_job().connection, RunKeys(h), token, attempt)
    if not run.begin():
        return "not run: the run was ended, claimed again or queued again before this job began"
    beat = _Heartbeat(run, grace)
    previous = signal.signal(signal.SIGTERM, worker.terminated)
    started = time.monotonic()
    beat.start()
    stopped = False
    try:
        worker.run(query, run.emit)
    except SystemExit:
        stopped = True
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # the heartbeat's last signal lands nowhere
        beat.halt.set()
        beat.join()
        signal.signal(signal.SIGTERM, previous)
    if stopped and beat.why is None:  # a SIGTERM from outside, not the lab's: the next listener retries it
        run.let_go()
        raise SystemExit(143)
    if stopped:
        run.emit("stopped", {"message": beat.why})
    last = event_name(run.events[-1]).decode() if run.events else "none"
    run.end(last == "done", time.monotonic() - started, cache_bytes)
    return last


def work(url: str, concurrency: int) -> None:
    """``dropout-lab worker``: ``concurrency`` RQ workers on the lab's queue, until SIGINT/SIGTERM."""
    from redis import Redis
    from rq.worker_pool import WorkerPool

    connection = Redis.from_url(url)
    connection.ping()  # a clear error now rather than a worker that waits on nothing
    if concurrency == 1:
        LabWorker([QUEUE], connection=connection, serializer=SERIALIZER).work(with_scheduler=False)
    else:
        pool = WorkerPool([QUEUE], connection, concurrency, worker_class=LabWorker, serializer=SERIALIZER)
        pool.start()


class LabWorker(Worker):
    """RQ's worker with a short heartbeat: one that died drops out of the web processes' count of
    live workers (the 503 without workers, the queue's wait) within about 90 s, not RQ's 8 min."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("worker_ttl", WORKER_TTL)
        super().__init__(*args, **kwargs)
