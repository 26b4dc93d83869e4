"""Lab runs as jobs of RQ (https://python-rq.org) on Redis, when DROPOUT_LAB_REDIS_URL is set.

    dropout-lab worker --redis redis://host:6379/0 --concurrency 2

runs ``concurrency`` RQ workers on the queue ``dropout-lab``. Each job is one run, in a work horse
RQ forks for it (a process per job, as app/lab/worker.py is one per run in the embedded mode):

    train(query, h, token, grace)   app/lab/worker.run, each event XADDed to the run's Stream

The job owns its run while its owner key lives (app/lab/redis_store.py): it renews the key and the
claim every second from a thread. A job killed by SIGKILL, or lost with its machine, renews
nothing; the web processes that listen to the run see the key expire, and run the job once more
(``enqueue`` with the next attempt), then write the ``error`` event. RQ's own retries are not used:
they see a dead horse only, not a dead worker nor a lost machine.

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
    EVENTS_TTL,
    FINISHED,
    FINISHED_BYTES,
    HEARTBEAT,
    OWNER_TTL,
    QUEUE,
    RELEASE,
    RENEW,
    SECONDS,
    SECONDS_KEPT,
    TRAININGS,
    RunKeys,
    prune,
)
from app.lab.runner import sse
from app.lab.store import event_name

# Jobs as JSON, not RQ's default pickle: what a worker reads from Redis is data, never code to load
# (Redis still needs a password off the loopback: any client may queue a job; README).
SERIALIZER = JSONSerializer
WORKER_TTL = 20  # s: RQ's worker heartbeat (its key lives this + 60 s, + 90 s while it trains)
JOB_TIMEOUT = 3 * 3600  # s: RQ's bound on one job; the lab's cost bound keeps runs far below it
CACHE_BYTES = int(os.environ.get("DROPOUT_LAB_LAB_CACHE_MB", "64")) * 2**20


def enqueue(queue, query: str, h: str, token: str, grace: float, attempt: int):
    """Queue the run's job (attempt 1, or 2 after a death); RQ's job id names the run and attempt."""
    return queue.enqueue(
        "app.lab.jobs.train",
        args=(query, h, token, grace),
        job_id=f"lab-{h[:24]}-{token[:8]}-{attempt}",
        job_timeout=JOB_TIMEOUT,
        result_ttl=60,
        failure_ttl=24 * 3600,
        description=f"lab run {query}",
    )


class _Heartbeat(threading.Thread):
    """Renews the run's owner key and claim every HEARTBEAT s; ends the job (SIGTERM to itself)
    when nobody has listened for ``grace`` s or the run is no longer this job's."""

    def __init__(self, r, keys: RunKeys, token: str, owner: str, grace: float):
        super().__init__(daemon=True)
        self.r, self.keys, self.token, self.owner, self.grace = r, keys, token, owner, grace
        self.halt = threading.Event()
        self.why: str | None = None

    def run(self) -> None:
        heard = time.monotonic()
        while not self.halt.wait(HEARTBEAT):
            try:
                keys = (self.keys.claim, self.keys.owner)
                ours = self.r.eval(RENEW, 2, *keys, self.token, self.owner, OWNER_TTL, CLAIM_TTL)
                if self.r.exists(self.keys.listen):
                    heard = time.monotonic()
            except Exception:  # Redis away for a moment: the owner key may lapse, a listener then retries
                continue
            if not ours:
                self.why = "the run was ended elsewhere"
            elif time.monotonic() - heard > self.grace:
                self.why = f"nobody listened to this run for {self.grace:g} s"
            if self.why:
                os.kill(os.getpid(), signal.SIGTERM)
                return


def _terminated(signum, frame) -> None:
    raise SystemExit(143)  # unwinds through study.run, whose finally ends the training processes


def train(query: str, h: str, token: str, grace: float) -> str:
    """RQ job: train the run of ``query`` (its hash ``h``) while its claim holds ``token``."""
    from rq import get_current_job

    r = get_current_job().connection
    keys = RunKeys(h)
    where = f"{socket.gethostname()} {os.getpid()}"
    attempt = int(r.eval(BEGIN, 4, keys.claim, keys.starts, keys.owner, TRAININGS, token, OWNER_TTL, where))
    if not attempt:
        return "not run: the run was ended or claimed again before this job began"
    events: list[bytes] = []

    def emit(name: str, data: dict) -> None:
        event = sse(name, data)
        events.append(event)
        r.xadd(keys.events, {"e": event})

    beat = _Heartbeat(r, keys, token, f"{attempt} {where}", grace)
    previous = signal.signal(signal.SIGTERM, _terminated)
    started = time.monotonic()
    beat.start()
    try:
        worker.run(query, emit)
    except SystemExit:
        emit("stopped", {"message": beat.why or "the lab worker was stopped; press Train to start the run again"})
    finally:
        beat.halt.set()
        signal.signal(signal.SIGTERM, previous)
    last = event_name(events[-1]).decode() if events else "none"
    _end(r, keys, token, events if last == "done" else None, time.monotonic() - started)
    return last


def _end(r, keys: RunKeys, token: str, finished: list[bytes] | None, seconds: float) -> None:
    """Free the run, if it is still this job's (a listener may have ended it since: a second death
    seen while this job was only slow); a finished run's events become its replay."""
    if r.get(keys.claim) != token.encode():
        return
    pipe = r.pipeline()
    if finished is not None:
        body = b"".join(finished)
        pipe.set(keys.sse, body)
        pipe.zadd(FINISHED, {keys.h: int(time.time() * 1000)})
        pipe.hset(FINISHED_BYTES, keys.h, len(body))
        pipe.lpush(SECONDS, f"{seconds:.3f}")
        pipe.ltrim(SECONDS, 0, SECONDS_KEPT - 1)
    pipe.expire(keys.events, EVENTS_TTL)
    pipe.delete(keys.owner, keys.starts)
    pipe.execute()
    # the claim goes last: a request in between finds the replay, or joins the Stream's last event
    r.eval(RELEASE, 1, keys.claim, token)
    if finished is not None:
        with contextlib.suppress(Exception):
            prune(r, CACHE_BYTES)


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
