"""The lab's runs on disk: one directory shared by every server process of the machine.

    <dir>/runs/<h>.sse     a finished run: its complete server-sent events, replayed byte for byte.
                           Its mtime is its last use: past the byte bound the least recently used go.
    <dir>/runs/<h>.part    a run in progress: its events so far, appended and flushed one by one by
                           the process that trains it, renamed to <h>.sse when the run is done.
    <dir>/runs/<h>.lock    flock held by the process that trains the run: one training per run on the
                           machine (single flight). Free while a .part exists: its trainer died.
    <dir>/runs/<h>.listen  made by the trainer with the .part; its mtime is touched every second by
                           the other processes that have listeners of the run: the trainer ends a
                           run nobody listens to (app/lab/runner.py).
    <dir>/slots/<i>.lock   flock held by the process of each training, i < workers: the machine's
                           bound on trainings at once.

<h> is the sha256 of the run's key (``LabQuery.run_key()``). Locks are ``flock`` on files that
their last holder removes while still holding them; a process that locked a file removed in
between sees it (another inode at the path) and locks the new one. The kernel releases the locks
of a process that dies, so nothing stale ever blocks a run.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

ORPHAN = 600  # seconds: a .part untouched this long whose lock is free is removed by prune


class Lock:
    """An exclusive ``flock`` on a file, held until ``release`` (or the process's end)."""

    def __init__(self, path: Path, fd: int):
        self.path, self.fd = path, fd

    def release(self) -> None:
        """Remove the file, then unlock it: the next locker makes a new one."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self.fd)


def try_lock(path: Path) -> Lock | None:
    """The lock of ``path`` if no process holds it (this one included), else None; never waits."""
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        try:
            current = os.stat(path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            current = False
        if current:
            return Lock(path, fd)
        os.close(fd)  # its holder removed it before this process locked it: lock the new file


@dataclass(frozen=True)
class RunFiles:
    sse: Path
    part: Path
    lock: Path
    listen: Path


class Store:
    def __init__(self, directory: Path, max_bytes: int):
        self.runs = Path(directory) / "runs"
        self.slots = Path(directory) / "slots"
        self.max_bytes = max_bytes
        self.runs.mkdir(parents=True, exist_ok=True)
        self.slots.mkdir(parents=True, exist_ok=True)

    def files(self, key: str) -> RunFiles:
        return self._files(hashlib.sha256(key.encode()).hexdigest())

    def _files(self, h: str) -> RunFiles:
        return RunFiles(*(self.runs / f"{h}.{ext}" for ext in ("sse", "part", "lock", "listen")))

    # finished runs

    def finished(self, files: RunFiles) -> bytes | None:
        """The events of a finished run (now its most recent use), or None."""
        try:
            body = files.sse.read_bytes()
        except FileNotFoundError:
            return None
        with contextlib.suppress(FileNotFoundError):
            os.utime(files.sse)
        return body

    def prune(self) -> None:
        """Remove the least recently used finished runs until they fit in ``max_bytes``, and the
        files of runs whose trainer died (unless someone asked for them since)."""
        for part in self.runs.glob("*.part"):
            self._remove_orphan(part)
        entries = []
        for path in self.runs.glob("*.sse"):
            with contextlib.suppress(FileNotFoundError):
                stat = path.stat()
                entries.append((stat.st_mtime_ns, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size

    def _remove_orphan(self, part: Path) -> None:
        """Remove the .part of a dead trainer left for ``ORPHAN`` seconds (holding the run's lock)."""
        files = self._files(part.stem)
        with contextlib.suppress(FileNotFoundError):
            if time.time() - part.stat().st_mtime < ORPHAN or (lock := self.claim(files)) is None:
                return
            try:
                if time.time() - part.stat().st_mtime >= ORPHAN:
                    part.unlink()
                    files.listen.unlink(missing_ok=True)
            finally:
                lock.release()

    # runs in progress

    def claim(self, files: RunFiles) -> Lock | None:
        """The run's lock: this process is to train it. None: another process trains it."""
        return try_lock(files.lock)

    def trained(self, files: RunFiles) -> bool:
        """Whether some process holds the run's lock (this one included)."""
        lock = try_lock(files.lock)
        if lock is None:
            return True
        lock.release()
        return False

    def slot(self, workers: int) -> Lock | None:
        """One of the machine's ``workers`` training slots, or None when every one is taken."""
        for i in range(workers):
            if (lock := try_lock(self.slots / f"{i}.lock")) is not None:
                return lock
        return None

    def begin(self, files: RunFiles) -> BinaryIO:
        """The new .part of a run whose lock this process holds (the .part of a dead trainer goes)."""
        files.part.unlink(missing_ok=True)  # its readers see it removed (st_nlink 0) and look again
        files.listen.touch()
        os.utime(files.listen, (0, 0))  # nobody elsewhere has listened yet
        return open(files.part, "xb", buffering=0)  # closed by complete or drop

    def complete(self, files: RunFiles, out: BinaryIO) -> None:
        """The run is done: its .part becomes its .sse, and the oldest finished runs make room."""
        out.close()
        os.replace(files.part, files.sse)
        files.listen.unlink(missing_ok=True)
        self.prune()

    def drop(self, files: RunFiles, out: BinaryIO) -> None:
        """The run ended unfinished: nothing of it stays (readers with the file open read it to its end)."""
        out.close()
        files.part.unlink(missing_ok=True)
        files.listen.unlink(missing_ok=True)

    def listening(self, files: RunFiles) -> None:
        """This process has listeners of the run (another process trains it). Only while the run's
        trainer keeps its .listen: never one left behind after the run."""
        with contextlib.suppress(FileNotFoundError):
            os.utime(files.listen)

    def heard(self, files: RunFiles) -> float:
        """When another process last said it had listeners of the run (epoch seconds; 0: never)."""
        try:
            return files.listen.stat().st_mtime
        except FileNotFoundError:
            return 0.0

    def seconds_left(self) -> float:
        """The soonest end of the runs training on the machine, each from its last ``progress``
        event: its ``left`` (else elapsed * (total - done) / done), less the seconds since; 60 s before
        its first."""
        soonest = None
        for part in self.runs.glob("*.part"):
            if not self.trained(self._files(part.stem)):
                continue  # the .part of a dead trainer
            left = 60.0
            if (progress := _last_progress(part)) is not None:
                done, total, elapsed, estimate, mtime = progress
                left = (estimate if estimate is not None else elapsed * (total - done) / done) - (time.time() - mtime)
            soonest = left if soonest is None else min(soonest, left)
        return 60.0 if soonest is None else soonest


def _last_progress(part: Path, tail: int = 4096) -> tuple[int, int, float, float | None, float] | None:
    """(done, total, elapsed, left or None, mtime) of the last ``progress`` event of a .part, or None."""
    try:
        with open(part, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            f.seek(max(0, size - tail))
            data = f.read()
            mtime = os.fstat(f.fileno()).st_mtime
    except FileNotFoundError:
        return None
    at = data.rfind(b"event: progress\ndata: ")
    if at < 0:
        return None
    line = data[at:].split(b"\n", 2)[1][6:]
    try:
        p = json.loads(line)
        done, total, elapsed = int(p["done"]), int(p["total"]), float(p["elapsed"])
        left = float(p["left"]) if "left" in p else None
    except (ValueError, KeyError, TypeError):  # cut by the tail, or another format
        return None
    return (done, total, elapsed, left, mtime) if done > 0 else None
