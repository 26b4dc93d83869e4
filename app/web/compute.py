"""Where the server's computations run: off the event loop, a fair share per client, abandoned
when nobody waits.

Every computation a request needs (a trace, Monte Carlo draws, gradients, a page with its traces)
runs in a worker thread, at most ``compute_threads`` at once per process (more would only contend
for the GIL and the cores). Requests waiting for a thread queue per client address, and the
waiting client served longest ago goes next: a client with twenty heavy requests in flight delays
another's one request by at most one computation per thread, not by twenty. Each computation is
admitted by its cost first (app/link/cost.py: at most ``BUDGET`` seconds of CPU), so no turn is long.

A computation is a function of a ``Job``; it calls ``job.check()`` between its pieces (a page:
trace A, trace B, the HTML; Monte Carlo: the draws run one by one), and stops there with
``Abandoned`` once the client has gone: a request whose client hung up while it waited never
starts, and one that was running stops at its next piece. An address may have at most
``MAX_WAITING`` requests waiting (a class behind one NAT shares one); a request that waited
``MAX_WAIT_S`` gets a 503 with Retry-After instead of a result nobody may still want.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TypeVar

import anyio
from fastapi import Request

T = TypeVar("T")
MAX_WAITING = 256  # requests of one address waiting (a class behind one NAT: 40 x 4); more get a 503 at once
MAX_WAIT_S = 30.0  # seconds a request may wait for a thread before it gets a 503


class Abandoned(Exception):
    """The client left: the computation stopped between two pieces."""


class Overloaded(Exception):
    """No thread for this request in time (or its client already has MAX_WAITING waiting)."""

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.retry_after = retry_after


class Job:
    """What a running computation may ask: whether its client still waits."""

    def __init__(self) -> None:
        self._gone = threading.Event()

    def cancel(self) -> None:
        self._gone.set()

    @property
    def cancelled(self) -> bool:
        return self._gone.is_set()

    def check(self) -> None:
        """Raise Abandoned if the client has gone (called between the pieces of a computation)."""
        if self._gone.is_set():
            raise Abandoned


class FairQueue:
    """``slots`` computations at once; of the clients waiting, the one served longest ago goes next.

    Lives on one event loop (the app's); its bookkeeping runs there, the computations in threads."""

    def __init__(self, slots: int, max_waiting: int = MAX_WAITING, max_wait: float = MAX_WAIT_S):
        self.slots = slots
        self.max_waiting = max_waiting
        self.max_wait = max_wait
        self._free = slots
        self._waiting: OrderedDict[str, deque[asyncio.Future]] = OrderedDict()
        self._threads = anyio.CapacityLimiter(slots)
        self._turn = 0
        self._last_turn: OrderedDict[str, int] = OrderedDict()  # client -> when it was last served

    @property
    def waiting(self) -> int:
        return sum(len(q) for q in self._waiting.values())

    def _served(self, client: str) -> None:
        """Note a turn of ``client``: of the waiting clients, the one served longest ago goes next."""
        self._turn += 1
        self._last_turn[client] = self._turn
        self._last_turn.move_to_end(client)
        if len(self._last_turn) > 4096:  # forget the oldest (they would go first anyway)
            self._last_turn.popitem(last=False)

    async def _acquire(self, client: str) -> None:
        if self._free > 0 and not self._waiting:
            self._free -= 1
            self._served(client)
            return
        queue = self._waiting.setdefault(client, deque())
        if len(queue) >= self.max_waiting:
            if not queue:
                del self._waiting[client]
            raise Overloaded(
                f"this client already has {self.max_waiting} requests waiting for the server's computations; "
                "retry when they are done.",
                retry_after=5,
            )
        future = asyncio.get_running_loop().create_future()
        queue.append(future)
        try:
            async with asyncio.timeout(self.max_wait):
                await future
        except BaseException as err:
            if future.done() and not future.cancelled():
                self._release()  # the slot came as we were leaving: hand it on
            else:
                future.cancel()
                self._forget(client, future)
            if isinstance(err, TimeoutError):
                raise Overloaded(
                    f"the server's computations were busy for {self.max_wait:.0f} s; retry in a moment.", retry_after=10
                ) from None
            raise

    def _forget(self, client: str, future: asyncio.Future) -> None:
        queue = self._waiting.get(client)
        if queue is not None:
            with contextlib.suppress(ValueError):
                queue.remove(future)
            if not queue:
                del self._waiting[client]

    def _release(self) -> None:
        """The slot passes to the first waiter of the waiting client served longest ago (never
        served: first), else becomes free."""
        while self._waiting:
            client = min(self._waiting, key=lambda c: self._last_turn.get(c, 0))
            queue = self._waiting[client]
            future = queue.popleft()
            if not queue:
                del self._waiting[client]
            if not future.done():
                self._served(client)
                future.set_result(None)
                return
        self._free += 1

    async def run(self, client: str, fn: Callable[[Job], T], job: Job) -> T:
        """``fn(job)`` in a worker thread when this client's turn comes."""
        await self._acquire(client)
        try:
            job.check()
            return await anyio.to_thread.run_sync(_run, fn, job, limiter=self._threads)
        finally:
            self._release()


_current = threading.local()  # the job of the computation running in this thread


def checkpoint() -> None:
    """Between two pieces of a computation: raise Abandoned if its client has gone (no-op outside one)."""
    job = getattr(_current, "job", None)
    if job is not None:
        job.check()


def _run(fn: Callable[[Job], T], job: Job) -> T:
    _current.job = job
    try:
        return fn(job)
    finally:
        _current.job = None


async def _disconnected(receive) -> None:
    """Return when the client has gone: after the request's (a GET's one, empty) body messages, a
    server's receive() waits until the client disconnects."""
    while (await receive())["type"] != "http.disconnect":
        pass


def client_of(request: Request) -> str:
    return request.client.host if request.client else "-"


async def compute(request: Request, fn: Callable[[Job], T]) -> T:
    """``fn(job)`` in a worker thread, in this client's turn; Abandoned if the client leaves first."""
    queue: FairQueue = request.app.state.compute
    job = Job()
    work = asyncio.ensure_future(queue.run(client_of(request), fn, job))
    watch = asyncio.ensure_future(_disconnected(request.receive))
    try:
        await asyncio.wait({work, watch}, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        job.cancel()
        work.cancel()
        watch.cancel()
        raise
    if work.done():
        watch.cancel()
        return work.result()
    job.cancel()  # the client left: stop at the next piece, or never start
    work.cancel()  # leaves the queue if still waiting; a running thread finishes its piece first
    with contextlib.suppress(asyncio.CancelledError, Abandoned):
        await work
    raise Abandoned
