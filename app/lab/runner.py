"""Lab runs in the server: a bounded pool of worker processes, shared runs, replays, stops.

- A run is keyed by its canonical lab query. A request for a finished run replays its events
  from memory (an LRU bounded in bytes); a request for a run in progress joins it: it gets the
  events so far, then the new ones. A class of 30 pressing Train on one link costs one training.
- At most ``workers`` runs train at once, each in a process of its own (``python -m
  app.lab.worker``: a fresh interpreter, never a fork of the threaded server); one more is
  refused with ``Busy`` (the route answers 429 with Retry-After), never queued out of sight.
- When the last listener of an unfinished run goes away, its process is ended and the run
  forgotten.

Events are server-sent events: ``event: NAME`` and ``data: JSON`` lines. One reader thread per
run moves the worker's lines into the event loop; nothing trains in the event loop or in the
trace threads.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

from app.core.encoding import dumps
from app.link.lab_query import LabQuery


class Busy(Exception):
    """Every worker is training; ``retry_after`` estimates the seconds until one is free."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"every lab worker is busy; try again in about {retry_after} s")


def sse(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {dumps(data)}\n\n".encode()


@dataclass
class Run:
    key: str
    total: int  # progress events expected: configs x epochs x batches
    events: list[bytes] = field(default_factory=list)
    done: bool = False
    listeners: int = 0
    progress: int = 0
    started: float = field(default_factory=time.monotonic)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    process: subprocess.Popen | None = None

    def remaining(self) -> float:
        """Seconds left, from the progress so far (60 s before the first batch)."""
        if not self.progress:
            return 60.0
        elapsed = time.monotonic() - self.started
        return elapsed * (self.total - self.progress) / self.progress


class LabRunner:
    def __init__(self, workers: int, cache_bytes: int):
        self.workers = workers
        self.cache_bytes = cache_bytes
        self.running: dict[str, Run] = {}
        self.finished: OrderedDict[str, bytes] = OrderedDict()
        self.started = 0  # trainings started, for tests and benchmarks
        self.joined = 0  # requests that joined a run in progress, for tests

    def _remember(self, key: str, body: bytes) -> None:
        self.finished[key] = body
        while sum(map(len, self.finished.values())) > self.cache_bytes and len(self.finished) > 1:
            self.finished.popitem(last=False)

    def _start(self, lab: LabQuery, key: str) -> Run:
        if len(self.running) >= self.workers:
            soonest = min(run.remaining() for run in self.running.values())
            raise Busy(max(1, round(soonest)))
        cfg = lab.train_config()
        run = Run(key=key, total=len(lab.configs) * lab.epochs * cfg.batches)
        run.process = subprocess.Popen(
            [sys.executable, "-m", "app.lab.worker", key],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.running[key] = run
        self.started += 1
        loop = asyncio.get_running_loop()
        threading.Thread(target=self._read, args=(run, loop), daemon=True).start()
        return run

    def _read(self, run: Run, loop: asyncio.AbstractEventLoop) -> None:
        """In a thread: the worker's lines into the run, until its output ends (or the server's)."""

        def post(item: tuple[str, dict] | None) -> bool:
            try:
                loop.call_soon_threadsafe(self._push, run, item)
                return True
            except RuntimeError:  # the event loop has closed: the server is shutting down
                return False

        finished = False
        with run.process.stdout as lines:
            for line in lines:
                name, data = json.loads(line)
                finished = finished or name in ("done", "error")
                if not post((name, data)):
                    break
        run.process.wait()
        if not finished and run.process.returncode not in (0, -15):  # -15: ended by _abandon
            post(("error", {"message": f"the training process ended without a result (exit {run.process.returncode})"}))
        post(None)

    def _push(self, run: Run, item: tuple[str, dict] | None) -> None:
        if item is None:
            run.done = True
            if self.running.get(run.key) is run:
                del self.running[run.key]
            if run.events and run.events[-1].startswith(b"event: done"):
                self._remember(run.key, b"".join(run.events))
        else:
            name, data = item
            run.events.append(sse(name, data))
            run.progress += name == "progress"
        run.changed.set()
        run.changed = asyncio.Event()

    async def stream(self, lab: LabQuery) -> AsyncIterator[bytes]:
        """The events of the run of ``lab``: replayed, joined or started (raises Busy first)."""
        key = lab.canonical()
        if key in self.finished:
            self.finished.move_to_end(key)
            body = self.finished[key]
            return _replay(body)
        run = self.running.get(key)
        if run is None:
            run = self._start(lab, key)
        else:
            self.joined += 1
        run.listeners += 1
        return self._follow(run)

    async def _follow(self, run: Run) -> AsyncIterator[bytes]:
        sent = 0
        try:
            while True:
                changed = run.changed
                while sent < len(run.events):
                    yield run.events[sent]
                    sent += 1
                if run.done:
                    return
                await changed.wait()
        finally:
            run.listeners -= 1
            if run.listeners == 0 and not run.done:
                self._abandon(run)

    def _abandon(self, run: Run) -> None:
        """Nobody listens any more: end the worker and forget the run."""
        if self.running.get(run.key) is run:
            del self.running[run.key]
        _end(run.process)

    def close(self) -> None:
        for run in list(self.running.values()):
            _end(run.process)
        self.running.clear()


async def _replay(body: bytes) -> AsyncIterator[bytes]:
    yield body


def _end(process: subprocess.Popen) -> None:
    """SIGTERM: the worker holds nothing worth saving; the reader thread reaps it."""
    if process.poll() is None:
        process.terminate()
