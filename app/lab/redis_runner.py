"""Lab runs through Redis (DROPOUT_LAB_REDIS_URL): the web side of app/lab/jobs.py.

A request for a run gets, the first that applies (as app/lab/runner.py, Redis for the disk):

1. a recorded study: its events at once (no Redis needed);
2. the finished run in Redis: its events at once, byte for byte (now its most recent use);
3. the run in progress, by any process on any machine: joined through its Stream, the events so
   far then the new ones; one Stream reader per run in this process, shared by its listeners;
4. a new run: this process claims it (SET NX: one training over every process) and queues its
   job, or refuses: ``Busy`` (429, Retry-After) when the queue's wait, from its real depth and
   the last runs' durations over the live workers, would pass ``max_wait``; ``Unavailable`` (503)
   without Redis or without any worker.

While a run has listeners here, this process renews its listen key each second, and reads its
Stream; when the Stream is quiet it looks at the run's attempt: one that began and whose owner
key lapsed (killed, its machine lost), one that RQ failed or lost before it began, or a claim
whose web process died before queueing it, is queued again once (the first listener anywhere to
see it does it); after a second death every listener gets an ``error`` event. Listeners get each
event once: a retry's repeats are skipped (``Sent``).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import redis
import redis.asyncio
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import StartedJobRegistry
from rq.worker_registration import WORKERS_BY_QUEUE_KEY

from app.lab.jobs import SERIALIZER, enqueue
from app.lab.redis_store import (
    ATTEMPTS,
    CLAIM,
    CLAIM_TTL,
    EMIT_WEB,
    ENQUEUE_GRACE,
    EVENTS_TTL,
    FAIL,
    FINISHED,
    HEARTBEAT,
    LISTEN,
    QUEUE,
    QUEUED,
    RELEASE,
    SECONDS,
    RunKeys,
    run_hash,
)
from app.lab.stream import (
    LAST,
    Busy,
    Sent,
    Unavailable,
    event_name,
    events_of,
    finish,
    push,
    replay,
    split_events,
    sse,
)
from app.link.lab_query import LabQuery
from app.studies.recorded import recorded_events

DEFAULT_SECONDS = 30.0  # a run's duration before any has finished: Retry-After's unit
BLOCK_MS = 1000  # an XREAD waits this long for new events before the owner check
UNHEARD = 5.0  # s: a run read here whose requests' bodies never began (their clients left) stops being read


@dataclass(eq=False)
class Run:
    key: str
    keys: RunKeys
    lab: LabQuery
    events: list[bytes] = field(default_factory=list)
    sent: Sent = field(default_factory=Sent)
    done: bool = False
    listeners: int = 0
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None


class RedisLabRunner:
    def __init__(self, url: str, *, grace: float = 60.0, max_wait: float = 300.0, cache_bytes: int = 64 * 2**20):
        self.url = url
        self.grace = grace
        self.max_wait = max_wait
        self.cache_bytes = cache_bytes  # the finished runs' bound, applied by the jobs
        self.errors = (redis.RedisError, OSError)
        self.r = redis.asyncio.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=BLOCK_MS / 1000 + 4)
        self.sync = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        self.queue = Queue(QUEUE, connection=self.sync, serializer=SERIALIZER)
        self.running: dict[str, Run] = {}
        self.started = 0  # jobs queued by this process (trainings it started), for tests
        self.joined = 0  # requests that joined a run in progress, for tests

    def _unavailable(self, err: Exception) -> Unavailable:
        return Unavailable(
            f"the lab cannot reach its Redis at {redis_address(self.url)} ({type(err).__name__}: "
            f"{str(err).rstrip('.')}). Trainings resume when it answers again; traces, pages and lessons keep working."
        )

    async def stream(self, lab: LabQuery) -> AsyncIterator[bytes]:
        """The events of the run of ``lab``: replayed, joined or queued (raises Busy or Unavailable first)."""
        key = lab.run_key()
        if (body := recorded_events(key)) is not None:
            return replay(body)
        run = self.running.get(key)
        if run is None:
            keys = RunKeys(run_hash(key))
            try:
                body = await self._start(lab, keys)
            except self.errors as err:
                raise self._unavailable(err) from err
            if body is not None:
                return replay(body)
            run = self.running.get(key)  # another request of this process may have begun reading it meanwhile
            if run is None:
                run = self.running[key] = Run(key, keys, lab)
                run.task = asyncio.create_task(self._read(run))
        else:
            self.joined += 1
        return self._follow(run)

    async def _start(self, lab: LabQuery, keys: RunKeys) -> bytes | None:
        """The finished run's events; else None once the run is queued, here or by another process.
        Admission comes before the claim: a request that joins a claimed run is never refused."""
        if (body := await self._finished(keys)) is not None:
            return body
        if await self.r.exists(keys.claim):
            self.joined += 1
            return None
        ahead, wait = await asyncio.to_thread(self._admit)
        token = uuid.uuid4().hex
        if not await self.r.eval(CLAIM, 1 + len(keys.state()), keys.claim, *keys.state(), token, CLAIM_TTL):
            self.joined += 1  # claimed by another request meanwhile
            return None
        try:
            if (body := await self._finished(keys)) is not None:  # finished just before the claim
                await self.r.eval(RELEASE, 1, keys.claim, token)
                return body
            await self._listening(keys)
            if ahead:  # it waits for a worker: its listeners are told how long, before its start
                event = sse("queued", {"ahead": ahead, "seconds": math.ceil(wait)})
                await self.r.eval(EMIT_WEB, 2, keys.claim, keys.events, token, event, CLAIM_TTL)
            await self._enqueue(lab.canonical(), keys, token, 1)
        except BaseException:
            with contextlib.suppress(*self.errors):
                await self.r.eval(RELEASE, 1, keys.claim, token)
            raise
        self.started += 1
        return None

    async def _enqueue(self, query: str, keys: RunKeys, token: str, attempt: int) -> None:
        job = await asyncio.to_thread(enqueue, self.queue, query, keys.h, token, attempt, self.grace, self.cache_bytes)
        await self.r.eval(QUEUED, 2, keys.claim, keys.job, token, f"{attempt} {job.id}", CLAIM_TTL)

    async def _listening(self, keys: RunKeys) -> None:
        await self.r.eval(LISTEN, 1, keys.listen, math.ceil(self.grace) + 10)

    async def _finished(self, keys: RunKeys) -> bytes | None:
        body = await self.r.get(keys.sse)
        if body is not None:
            await self.r.zadd(FINISHED, {keys.h: int(time.time() * 1000)}, xx=True)
        return body

    def _admit(self) -> tuple[int, float]:
        """(runs it waits for, seconds it waits) of a new run; Busy when it would wait more than
        ``max_wait`` s to begin; Unavailable without workers. The wait: runs ahead of it (queued
        and training) past the live workers, each the mean duration of the last runs, shared over
        the workers."""
        workers = self.live_workers()
        if workers == 0:
            raise Unavailable(
                "no lab worker is running: start one with `dropout-lab worker` (DROPOUT_LAB_REDIS_URL set to this "
                "server's Redis). Traces, pages and lessons keep working."
            )
        ahead = self.queue.count + StartedJobRegistry(queue=self.queue).count
        seconds = [float(s) for s in self.sync.lrange(SECONDS, 0, -1)]
        mean = sum(seconds) / len(seconds) if seconds else DEFAULT_SECONDS
        waits_for = max(0, ahead - workers + 1)
        wait = waits_for * mean / workers
        if wait > self.max_wait:
            raise Busy(max(1, math.ceil(wait - self.max_wait)))
        return waits_for, wait

    def live_workers(self) -> int:
        """RQ workers of the lab's queue whose heartbeat key still lives."""
        names = self.sync.smembers(WORKERS_BY_QUEUE_KEY % QUEUE)
        pipe = self.sync.pipeline()
        for name in names:
            pipe.exists(name)
        return sum(pipe.execute())

    async def _follow(self, run: Run) -> AsyncIterator[bytes]:
        run.listeners += 1  # here, not before: a response whose client left before its body began never counts
        try:
            async for event in events_of(run):
                yield event
        finally:
            run.listeners -= 1
            if run.listeners == 0 and not run.done:  # nobody here listens: stop reading (the job's grace counts)
                run.task.cancel()
                finish(self.running, run)

    async def _read(self, run: Run) -> None:
        """The run's Stream into its listeners here, until its last event."""
        keys, last, touched, begun = run.keys, "0-0", 0.0, time.monotonic()
        try:
            while True:
                if run.listeners == 0 and time.monotonic() - begun > UNHEARD:
                    return  # its requests' clients left before their bodies began
                if time.monotonic() - touched >= HEARTBEAT:
                    await self._listening(keys)
                    touched = time.monotonic()
                got = await self.r.xread({keys.events: last}, count=1000, block=BLOCK_MS)
                for _, entries in got:
                    for entry_id, fields in entries:
                        last = entry_id
                        push(run, fields[b"e"])
                        if event_name(fields[b"e"]) in LAST:
                            return
                if not got and await self._quiet(run, last):
                    return
        except asyncio.CancelledError:
            raise
        except self.errors as err:
            push(run, sse("error", {"message": str(self._unavailable(err))}))
        except Exception as err:  # never a hung listener
            push(run, sse("error", {"message": f"the lab could not read the run: {type(err).__name__}: {err}"}))
        finally:
            if not run.done:
                finish(self.running, run)

    async def _quiet(self, run: Run, last: str) -> bool:
        """Nothing new for a second: whether the run has ended without a last event here (its
        claim gone: the rest of its Stream, or its replay, or an error), after handling a dead
        attempt (queued again once, then the error, through the Stream to every listener)."""
        keys = run.keys
        pipe = self.r.pipeline()  # one snapshot (MULTI)
        pipe.get(keys.claim).get(keys.job).get(keys.starts).exists(keys.owner).ttl(keys.claim)
        token, job, starts, owned, ttl = await pipe.execute()
        if token is None:
            return await self._ended(run, last)
        if owned:
            return False
        dead = await self._dead_attempt(job, starts, ttl)
        if dead is None or not await self.r.set(keys.recover(dead), 1, nx=True, ex=CLAIM_TTL):
            return False  # alive, or another listener (here or elsewhere) handles its death
        if dead < ATTEMPTS:
            try:
                await self._enqueue(run.lab.canonical(), keys, token.decode(), dead + 1)
            except BaseException:
                with contextlib.suppress(*self.errors):
                    await self.r.delete(keys.recover(dead))  # the next listener to look tries again
                raise
            return False
        message = (
            f"the lab worker training this run stopped {dead} times without finishing it (killed, or its machine "
            "lost), so it is not tried again; press Train to start it anew"
        )
        k, event = keys, sse("error", {"message": message})
        await self.r.eval(FAIL, 5, k.claim, k.events, k.job, k.starts, k.owner, token, event, EVENTS_TTL)
        return False  # the error comes through the Stream, to every process's listeners

    async def _dead_attempt(self, job: bytes | None, starts: bytes | None, ttl: int) -> int | None:
        """The attempt that died without an owner key: the one that began (its job gone), one that
        RQ failed or lost before it began, or 0 when the claim's web process died before queueing
        it; None while the attempt is alive or waits in the queue."""
        if job is None:
            return 0 if CLAIM_TTL - ttl > ENQUEUE_GRACE else None
        attempt, job_id = job.decode().split(" ", 1)
        if starts is not None and starts.decode() == attempt:
            return int(attempt)  # it began, and its owner key lapsed
        status = await asyncio.to_thread(self._job_status, job_id)
        return int(attempt) if status in (None, "failed", "stopped", "canceled") else None

    def _job_status(self, job_id: str) -> str | None:
        try:
            return Job.fetch(job_id, connection=self.sync, serializer=SERIALIZER).get_status().value
        except NoSuchJobError:
            return None

    async def _ended(self, run: Run, last: str) -> bool:
        """The run's claim is gone: the rest of its Stream if any, else its replay, else an error."""
        got = await self.r.xread({run.keys.events: last}, count=100_000)
        for _, entries in got:
            for _, fields in entries:
                push(run, fields[b"e"])
                if event_name(fields[b"e"]) in LAST:
                    return True
        body = await self.r.get(run.keys.sse)
        if body is not None:
            for event in split_events(body)[0]:
                push(run, event)
        else:
            lost = "the run ended without a result (its Redis lost it, or the server queueing it failed); press Train"
            push(run, sse("error", {"message": lost + " to start it again"}))
        return True

    def close(self) -> None:
        """The server stops: its readers end; the runs go on in the workers, for other processes."""
        for run in list(self.running.values()):
            if run.task is not None:
                run.task.cancel()
        self.running.clear()
        self.sync.close()

    async def disconnect(self) -> None:
        """After ``close``: the event loop's connections to Redis."""
        await self.r.aclose()


def redis_address(url: str) -> str:
    """host:port/db of a Redis URL (a socket's path), never its password."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    return f"{parts.hostname}:{parts.port or 6379}{parts.path or '/0'}"
