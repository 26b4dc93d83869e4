"""Lab runs in the server: each trained once per machine, shared by every listener, kept on disk.

A run is keyed by ``LabQuery.run_key()``. A request for a run gets, the first that applies:

1. a recorded study (app/studies/recorded.py): its events at once;
2. the run in progress in this process: joined, the events so far then the new ones (a class of
   30 pressing Train on one link costs one training);
3. the finished run on disk: its events at once, byte for byte;
4. the run another process of the machine trains (it holds the run's lock): joined through the
   run's .part file, read as it grows by one task of this process ("mirrored");
5. a new training here: this process takes the run's lock and one of the machine's ``workers``
   training slots, or refuses with ``Busy`` (the route answers 429 with Retry-After) when every
   slot is taken; never queued out of sight.

The files and locks are described in app/lab/store.py. A training is a worker process (``python
-m app.lab.worker QUERY``: a fresh interpreter, never a fork of the threaded server) whose JSON
lines one reader thread appends to the run's .part and hands to the event loop; nothing trains
in the event loop or in the trace threads. A finished run's .part becomes its .sse: replayed by
every process, and after a restart.

Listeners: when the last one leaves a run trained here, it keeps training for ``grace`` seconds
(a reload or a tab switch rejoins it); the other processes' listeners count too, through the
mtime of the run's .listen file. After that its worker is ended (SIGTERM) and the run forgotten.
A mirrored run stops being read as soon as nobody here listens. If the process that trains a
mirrored run dies, the run is trained again here; its listeners get only the events they have
not had.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from app.lab.store import Lock, RunFiles, Store
from app.lab.stream import LAST, Busy, Sent, event_name, events_of, finish, push, replay, split_events, sse
from app.link.lab_query import LabQuery
from app.studies.recorded import recorded_events

POLL = 0.2  # seconds between reads of a .part another process writes
TOUCH = 1.0  # seconds between touches of a .listen while this process reads the run
STALE = 3 * TOUCH  # a .listen untouched this long: that process's listeners have gone
TICK = 0.25  # seconds between checks of the listeners of a run trained here
KILL_AFTER = 30  # seconds from a worker's SIGTERM to its SIGKILL, if it is still there
KILL_AFTER_CLOSE = 5  # the same when the server stops


@dataclass(eq=False)
class Training:
    """The worker process training a run here, and what it holds until it ends."""

    process: subprocess.Popen
    out: BinaryIO  # the run's .part
    locks: tuple[Lock, ...]  # the run's lock, a slot
    ending: bool = False  # ended on purpose: nobody listens, or the server stops
    thread: threading.Thread | None = None


@dataclass
class Run:
    key: str
    lab: LabQuery
    files: RunFiles
    events: list[bytes] = field(default_factory=list)
    sent: Sent = field(default_factory=Sent)
    done: bool = False  # no event will come any more
    listeners: int = 0
    quiet_since: float = field(default_factory=time.time)  # when the last listener here left
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    training: Training | None = None  # None: mirrored from the .part of another process
    task: asyncio.Task | None = None  # the mirror's, or the watch of the listeners of a training


class LabRunner:
    def __init__(self, directory: Path, *, workers: int = 2, cache_bytes: int = 64 * 2**20, grace: float = 60.0):
        self.store = Store(directory, cache_bytes)
        self.workers = workers  # trainings at once on the machine
        self.grace = grace
        self.running: dict[str, Run] = {}  # runs in progress with this process: trained or mirrored
        self.trainings: set[Training] = set()  # the worker processes of this process, until their end
        self.started = 0  # trainings started by this process, for tests and benchmarks
        self.joined = 0  # requests that joined a run in progress, for tests

    async def stream(self, lab: LabQuery) -> AsyncIterator[bytes]:
        """The events of the run of ``lab``: replayed, joined or started (raises Busy first)."""
        key = lab.run_key()
        if (body := recorded_events(key)) is not None:
            return replay(body)
        run = self.running.get(key)
        if run is not None:
            self.joined += 1
        else:
            files = self.store.files(key)
            if (body := self.store.finished(files)) is not None:
                return replay(body)
            run = Run(key, lab, files)
            if (lock := self.store.claim(files)) is None:
                self.joined += 1  # another process trains it
                run.task = asyncio.create_task(self._mirror(run))
            elif (body := self._train(run, lock)) is not None:
                return replay(body)
            self.running[key] = run
        return self._follow(run)

    async def _follow(self, run: Run) -> AsyncIterator[bytes]:
        run.listeners += 1  # here, not before: a response whose client left before its body began never counts
        try:
            async for event in events_of(run):
                yield event
        finally:
            run.listeners -= 1
            if run.listeners == 0:
                run.quiet_since = time.time()
                if run.training is None and not run.done:  # mirrored: its trainer counts the rest
                    run.task.cancel()
                    self._finish(run)

    # the events of a run, from a worker here or another process's file, into the event loop

    def _finish(self, run: Run) -> None:
        finish(self.running, run)
        self.trainings.discard(run.training)

    # trained here

    def _train(self, run: Run, lock: Lock) -> bytes | None:
        """Start training ``run``, whose lock this process holds. Busy when every slot is taken;
        the run's events when its trainer finished it just before (its lock then came free)."""
        if (body := self.store.finished(run.files)) is not None:
            lock.release()
            return body
        slot = self.store.slot(self.workers)
        if slot is None:
            lock.release()
            raise Busy(max(1, round(self.store.seconds_left())))
        try:
            out = self.store.begin(run.files)
            try:
                process = subprocess.Popen(
                    [sys.executable, "-m", "app.lab.worker", run.lab.canonical()],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                )
            except BaseException:
                self.store.drop(run.files, out)
                raise
        except BaseException:
            slot.release()
            lock.release()
            raise
        training = run.training = Training(process, out, (lock, slot))
        self.trainings.add(training)
        loop = asyncio.get_running_loop()
        training.thread = threading.Thread(target=self._read, args=(run, training, loop), daemon=True)
        training.thread.start()
        run.task = asyncio.create_task(self._watch(run))
        self.started += 1
        return None

    def _read(self, run: Run, training: Training, loop: asyncio.AbstractEventLoop) -> None:
        """In a thread: the worker's lines into the run's .part and the event loop, to its end."""

        def emit(event: bytes) -> None:
            _post(loop, push, run, event)
            training.out.write(event)

        last = None
        try:
            with training.process.stdout as lines:
                for line in lines:
                    name, data = json.loads(line)
                    last = name
                    emit(sse(name, data))
            code = training.process.wait()
            if last not in ("done", "stopped", "error") and not training.ending:
                last = "error"
                emit(sse("error", {"message": f"the training process ended without a result (exit {code})"}))
        except Exception as err:  # a line that is no event, a full disk: reported, never a hung run
            last = "error"
            training.process.kill()
            training.process.wait()
            with contextlib.suppress(OSError):
                emit(sse("error", {"message": f"the lab could not read the training: {type(err).__name__}: {err}"}))
        finally:
            try:
                if last == "done":
                    self.store.complete(run.files, training.out)
                else:
                    self.store.drop(run.files, training.out)
            finally:  # whatever the disk said: the locks go, the listeners are told
                for lock in reversed(training.locks):  # the slot, then the run (after its .sse exists)
                    lock.release()
                _post(loop, self._finish, run)

    async def _watch(self, run: Run) -> None:
        """End the training ``grace`` seconds after its last listener (here or elsewhere) left."""
        while not run.done and not run.training.ending:
            await asyncio.sleep(TICK)
            if run.listeners == 0:
                heard = max(run.quiet_since, self.store.heard(run.files) + STALE)
                if time.time() - heard > self.grace:
                    self._end(run)

    def _end(self, run: Run) -> None:
        """Nobody listens any more: end the worker, forget the run (the reader thread cleans up)."""
        if self.running.get(run.key) is run:  # new requests start over rather than join an ending run
            del self.running[run.key]
        _stop(run.training)
        asyncio.get_running_loop().call_later(KILL_AFTER, _kill, run.training.process)

    # trained by another process of the machine

    async def _mirror(self, run: Run) -> None:
        """Read the run another process trains until its last event; if that process ends
        without finishing it, the run is trained here."""
        while not await self._tail(run):
            if (body := self.store.finished(run.files)) is not None:
                for event in split_events(body)[0]:
                    push(run, event)
                break
            if (lock := self.store.claim(run.files)) is None:
                continue  # another process has started it again: read its .part
            try:
                body = self._train(run, lock)
            except Busy as busy:
                push(run, sse("error", {"message": f"the server training this run stopped, and {busy}"}))
                break
            if body is None:
                return  # trained here from now on: the reader thread carries on
            for event in split_events(body)[0]:
                push(run, event)
            break
        self._finish(run)

    async def _tail(self, run: Run) -> bool:
        """The events of the run's .part as it grows: True when its last event came, False when
        its trainer has gone without it (or a new trainer has replaced the file)."""
        files, f, rest, touched = run.files, None, b"", 0.0
        try:
            while True:
                if f is None:
                    with contextlib.suppress(FileNotFoundError):
                        f = open(files.part, "rb", buffering=0)  # closed below  # noqa: SIM115
                # seen before reading: everything written before the trainer went is read below
                gone = not self.store.trained(files) or (f is not None and _removed(f))
                if f is not None:
                    events, rest = split_events(rest + f.read())
                    for event in events:
                        push(run, event)
                        if event_name(event) in LAST:
                            return True
                if gone:
                    return False
                if time.time() - touched >= TOUCH:
                    self.store.listening(files)
                    touched = time.time()
                await asyncio.sleep(POLL)
        finally:
            if f is not None:
                f.close()

    def close(self) -> None:
        """The server stops: end the trainings here (their locks are freed, their .part removed)."""
        for run in self.running.values():
            if run.task is not None:
                run.task.cancel()
        self.running.clear()
        trainings = list(self.trainings)
        for training in trainings:
            _stop(training)
        deadline = time.monotonic() + KILL_AFTER_CLOSE
        for training in trainings:
            training.thread.join(max(0.0, deadline - time.monotonic()))
            _kill(training.process)


def _stop(training: Training) -> None:
    """SIGTERM: the worker ends its training processes and exits (the reader thread cleans up)."""
    training.ending = True
    if training.process.poll() is None:
        training.process.terminate()


def _kill(process: subprocess.Popen) -> None:
    """SIGKILL, for a worker still there long after its SIGTERM."""
    if process.poll() is None:
        process.kill()


def _removed(f: BinaryIO) -> bool:
    """Whether the file open as ``f`` has been removed (renaming it keeps it)."""
    return os.fstat(f.fileno()).st_nlink == 0


def _post(loop: asyncio.AbstractEventLoop, fn: Callable, *args) -> None:
    """Call ``fn(*args)`` in the event loop, from a thread; nothing once the loop has closed."""
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(fn, *args)
