"""A lab run's stream, whichever runner trains it (on this machine: app/lab/runner.py; through
Redis: app/lab/redis_runner.py and app/lab/jobs.py): its events as bytes, their listeners in one
process, and the refusals before any event.

    event: NAME\ndata: JSON\n\n      one server-sent event; a run's last is done, stopped or error

A run held in a process (``run``: any object with ``events``, ``sent``, ``done`` and ``changed``)
hands each listener the events so far, then each new one (``events_of``); ``push`` appends an
event unless a retry repeats it (``Sent``), and wakes the listeners (``changed``).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from app.core.encoding import dumps

LAST = (b"done", b"stopped", b"error")  # the events that end a run's stream


def event_name(event: bytes) -> bytes:
    """``NAME`` of one server-sent event ``event: NAME\\ndata: JSON\\n\\n``."""
    return event[7 : event.index(b"\n")]


def split_events(data: bytes) -> tuple[list[bytes], bytes]:
    """The complete events at the start of ``data`` and the rest (an event still being written)."""
    *blocks, rest = data.split(b"\n\n")
    return [block + b"\n\n" for block in blocks], rest


class Busy(Exception):
    """Every training slot is taken; ``retry_after`` estimates the seconds until one is free."""

    def __init__(self, retry_after: int):
        self.retry_after = retry_after
        super().__init__(f"every lab worker is busy; try again in about {retry_after} s")


class Unavailable(Exception):
    """The lab cannot train now (its Redis does not answer, or no worker runs): the route's 503."""


def sse(name: str, data: dict) -> bytes:
    return f"event: {name}\ndata: {dumps(data)}\n\n".encode()


class Sent:
    """The events a run has handed out. A run trained again after its trainer died repeats the
    events its listeners already have (``start`` and ``epoch`` events are the same bytes each
    time): those are skipped, each with the ``progress`` event after it."""

    def __init__(self) -> None:
        self.seen: set[bytes] = set()
        self.skipping = False

    def fresh(self, event: bytes) -> bool:
        if event_name(event) == b"progress":
            return not self.skipping
        self.skipping = event in self.seen
        self.seen.add(event)
        return not self.skipping


def push(run, event: bytes) -> None:
    """A run's event to its listeners in this process, unless a retry repeats it (``Sent``)."""
    if run.sent.fresh(event):
        run.events.append(event)
        changed(run)


def finish(running: dict, run) -> None:
    """No event will come any more: the run leaves ``running`` (if it is still the one there) and
    its listeners read to its end."""
    run.done = True
    if running.get(run.key) is run:
        del running[run.key]
    changed(run)


def changed(run) -> None:
    """Wake the run's listeners (each waits on the event of the moment)."""
    run.changed.set()
    run.changed = asyncio.Event()


async def events_of(run) -> AsyncIterator[bytes]:
    """A run's events in this process for one listener: those so far, then each new one, to the last."""
    sent = 0
    while True:
        now = run.changed
        while sent < len(run.events):
            yield run.events[sent]
            sent += 1
        if run.done:
            return
        await now.wait()


async def replay(body: bytes) -> AsyncIterator[bytes]:
    yield body
