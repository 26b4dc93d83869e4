"""A classroom, measured: a class of students each opening the explorer with a mask seed of their own,
all at once, then each changing one knob; idle, and while a lab run trains (issue 21).

    .venv/bin/python benchmarks/bench_classroom.py [--students 40] [--server-workers 2 1] [--json out.json]
        [--one-address] [--think SECONDS] [--no-lab] [--server-log FILE]

(needs Debian's chromium and playwright; never `playwright install`; about 90 s on two idle cores)

What a student loads is recorded at run time, so hashed static URLs and any change to the page are
picked up: headless Chromium opens ``/?seed=S`` on the server in a fresh context and every request
it makes is kept in order (method, resource type, URL, its Accept headers) until the page is
complete (every figure and the side panel drawn for the state in the URL, not busy:
``body[data-plotted] == body[data-state] == body[data-side]``, then no request for 500 ms, so what
it loads in idle time is in); then one knob is changed
the way a student does (ArrowRight on the "Embedding dropout" slider) and its requests are kept as
a second phase.

The class replays that with asyncio (raw HTTP/1.1 keep-alive streams, so the client's own cost
stays small beside the server's on the same cores): every student starts at the same moment with
a fresh cache (no validators), the browser's Accept-Encoding, their own seed (``seed=`` and
``vs.seed=`` in the page URL and in every API URL carrying them), and, like a browser, up to 6
connections: the HTML first, then the static files and API calls in the recorded order, 6 at a
time; then the knob change's requests the same way. Each student connects from a loopback address
of their own (127.0.0.2, 127.0.0.3, ...: laptops on the school's network; the server shares its
computations fairly per client address), or with --one-address all from 127.0.0.1 (a class behind
one NAT). Every response must be 200 or 304.
Reported: the time until the last student's page is complete, p50 / p90 per student, the phase
split (HTML, static, API, knob: when each phase ends for the median and the last student, and its
request latency), and failures.

The floor: the CPU the page's computations need, in this process without HTTP: the HTML's own
trace (the page embeds it) and every API document the recorded URLs name, each built by the
app's document builders from its URL parsed the way the route does (one BLAS thread, whose CPU
time is the least any threading costs; the process's CPU time, not the wall clock, so other load on
the machine hardly moves it; documents the server would share through its cache, e.g. the page's
trace and /api/trace of the same state, counted once; no JSON gzip, HTML rendering or HTTP); the
median over --students seeds. floor = students x that / cores. Target: the last page complete
<= 2 x the floor, with no failures, idle and while a lab run trains (a default-sized /api/train
with a data_seed no run used, so it really trains, from its first epoch on; its stream is kept
open for the whole class).

Each scenario starts a new server (`dropout-lab serve --workers N`, an empty lab cache) and is
warmed by students alone (the last one's time is reported too); each class uses seeds no earlier
request used, 1,000 apart (/api/mc's draws of neighbouring seeds would overlap), so every document
is computed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ipaddress
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.browser.conftest import ARGS, CHROMIUM
from tests.live_server import server_process

RECORD_SEED = 4_242  # the seed the browser records with: distinctive, so it is found in every URL
# Students' seeds are this far apart: /api/mc draws seeds seed .. seed + samples - 1 (at most 100), and
# draws shared by neighbouring seeds would be computed once, making a class of seats 1, 2, 3 cheaper.
SEED_STEP = 1_000
CONNECTIONS = 6  # a browser's connections per host over HTTP/1.1
COMPLETE = """prev => document.body.dataset.busy === 'false' && document.body.dataset.plotted
    && document.body.dataset.plotted === document.body.dataset.state
    && document.body.dataset.side === document.body.dataset.state && document.body.dataset.plotted !== prev"""
SEED_PARAM = re.compile(r"(^|&)(seed|vs\.seed)=(\d+)")
TIMEOUT = 120.0  # seconds one request may take before it counts as a failure


@dataclass(frozen=True)
class Req:
    """One recorded request: path with query, as the browser sent it."""

    method: str
    kind: str  # "html", "static" or "api"
    resource: str  # the browser's resource type (document, script, stylesheet, fetch, ...)
    path: str
    headers: tuple[tuple[str, str], ...]  # Accept and Accept-Encoding, as the browser sent them


# --- the server ----------------------------------------------------------------------------------


@contextlib.contextmanager
def serve(workers: int, log: Path | None = None):
    """(base URL, port) of a new `dropout-lab serve --workers N` with an empty lab cache of its own;
    its output appended to ``log`` if given (a 500's traceback)."""
    with contextlib.ExitStack() as stack:
        cache = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-classroom-"))
        out = stack.enter_context(log.open("a")) if log else subprocess.DEVNULL
        base, _ = stack.enter_context(server_process({"DROPOUT_LAB_LAB_CACHE_DIR": cache}, workers, out))
        yield base, int(base.rsplit(":", 1)[1])


# --- recording what the explorer loads -----------------------------------------------------------


def kind_of(resource: str, path: str) -> str:
    if resource == "document":
        return "html"
    return "api" if path.startswith("/api/") else "static"


def quiet(page, seen: list, ms: int = 500) -> None:
    """Until the page has made no request for ``ms`` (what it loads in idle time included)."""
    n = -1
    while n != len(seen):
        n = len(seen)
        page.wait_for_timeout(ms)


def record(base: str) -> dict[str, list[Req]]:
    """What the explorer requests, in order: ``load`` until the page is complete, ``knob`` for one
    knob change (ArrowRight on "Embedding dropout")."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        seen = []
        page.on("request", lambda r: seen.append(r))
        page.goto(f"{base}/?seed={RECORD_SEED}")
        page.wait_for_function(COMPLETE, arg=None, timeout=60_000)
        quiet(page, seen)
        loaded = len(seen)
        before = page.evaluate("document.body.dataset.plotted")
        slider = page.get_by_label("Embedding dropout", exact=True)
        slider.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(COMPLETE, arg=before, timeout=60_000)
        quiet(page, seen)

        def req(r) -> Req | None:
            if not r.url.startswith(base + "/"):
                return None  # data: URLs and the like: nothing the server sees
            parts = urlsplit(r.url)
            path = parts.path + (f"?{parts.query}" if parts.query else "")
            sent = r.all_headers()
            headers = tuple((k, sent[k]) for k in ("accept", "accept-encoding") if k in sent)
            return Req(r.method, kind_of(r.resource_type, parts.path), r.resource_type, path, headers)

        phases = {"load": seen[:loaded], "knob": seen[loaded:]}
        out = {name: [x for x in map(req, rs) if x is not None] for name, rs in phases.items()}
        context.close()
        browser.close()
    if not out["load"] or out["load"][0].kind != "html":
        raise RuntimeError("the recording does not start with the page's HTML")
    if not any(r.kind == "api" for r in out["knob"]):
        raise RuntimeError("the knob change made no API request: did the control's name change?")
    return out


def with_seed(path: str, seed: int) -> str:
    """``path`` with the recorded seed set to the student's: ``seed`` and ``vs.seed`` values near
    RECORD_SEED keep their distance from it (B's seed one on is one on); others stay."""

    def sub(m: re.Match) -> str:
        off = int(m[3]) - RECORD_SEED
        return f"{m[1]}{m[2]}={seed + off}" if abs(off) < SEED_STEP // 2 else m[0]

    head, sep, query = path.partition("?")
    return head + sep + SEED_PARAM.sub(sub, query)


# --- the class -------------------------------------------------------------------------------------


class Connection:
    """One HTTP/1.1 keep-alive connection: GET and HEAD, bodies read and counted, not decoded."""

    def __init__(self, port: int, source: str):
        self.port, self.source = port, source
        self.reader = self.writer = None
        self.problem = ""

    async def request(self, r: Req, path: str) -> tuple[int, int]:
        """(status, body bytes). A kept-alive connection the server closed meanwhile (uvicorn closes
        idle ones after 5 s) is opened again and the request sent once more, as a browser does."""
        reused = self.writer is not None
        if not reused:
            self.reader, self.writer = await asyncio.open_connection(
                "127.0.0.1", self.port, local_addr=(self.source, 0)
            )
        extra = "".join(f"{k}: {v}\r\n" for k, v in r.headers)
        try:
            self.writer.write(f"{r.method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n{extra}\r\n".encode())
            await self.writer.drain()
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (ConnectionError, asyncio.IncompleteReadError) as err:
            if not reused or getattr(err, "partial", b""):
                raise
            self.close()
            return await self.request(r, path)
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        fields = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        size = 0
        if r.method == "HEAD" or status in (204, 304):
            pass
        elif "content-length" in fields:
            size = int(fields["content-length"])
            body = await self.reader.readexactly(size)
            if status >= 400 and "content-encoding" not in fields:
                self.problem = body[:300].decode("utf-8", "replace")  # what the server said, for the report
        elif fields.get("transfer-encoding", "").lower() == "chunked":
            while n := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self.reader.readexactly(n + 2)
                size += n
            await self.reader.readuntil(b"\r\n")  # no trailers: the empty line
        else:
            size = len(await self.reader.read())
            self.close()
        if fields.get("connection", "").lower() == "close":
            self.close()
        return status, size

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def fetch(conn: Connection, r: Req, seed: int, t0: float, log: list[dict]) -> None:
    start = time.perf_counter()
    path = with_seed(r.path, seed)
    try:
        conn.problem = ""
        status, size = await asyncio.wait_for(conn.request(r, path), TIMEOUT)
        error = f"HTTP {status} {conn.problem}".strip()
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, TimeoutError) as err:
        status, size, error = 0, 0, f"{type(err).__name__}: {err}"
        conn.close()
    end = time.perf_counter()
    ok = status in (200, 304)
    log.append({"kind": r.kind, "path": path, "status": status, "bytes": size, "start": start - t0, "end": end - t0})
    if not ok:
        log[-1]["error"] = error


async def in_order(conns: list[Connection], reqs: list[Req], seed: int, t0: float, log: list[dict]) -> None:
    """The requests in order over the connections, each taking the next when it is free."""
    queue = list(reversed(reqs))

    async def worker(conn: Connection) -> None:
        while queue:
            await fetch(conn, queue.pop(), seed, t0, log)

    await asyncio.gather(*(worker(c) for c in conns))


def address(i: int) -> str:
    """Student i's own loopback address, 127.0.0.2 on (Linux routes all of 127/8 to the loopback)."""
    return str(ipaddress.IPv4Address("127.0.0.2") + i)


async def student(port: int, plan: dict[str, list[Req]], seed: int, t0: float, think: float, source: str) -> dict:
    """One student's page and knob change: their requests, and when their page and knob completed."""
    conns = [Connection(port, source) for _ in range(CONNECTIONS)]
    log: list[dict] = []
    html, rest = plan["load"][0], plan["load"][1:]
    await fetch(conns[0], html, seed, t0, log)
    await in_order(conns, rest, seed, t0, log)
    page = time.perf_counter() - t0
    await asyncio.sleep(think)
    knob_start = time.perf_counter() - t0
    n = len(log)
    await in_order(conns, plan["knob"], seed, t0, log)
    for entry in log[n:]:
        entry["kind"] = "knob"
    for c in conns:
        c.close()
    return {"seed": seed, "page": page, "knob_start": knob_start, "knob": time.perf_counter() - t0, "log": log}


async def class_of(port: int, plan: dict[str, list[Req]], seeds: list[int], think: float, one: bool) -> list[dict]:
    t0 = time.perf_counter()
    sources = ["127.0.0.1" if one else address(i) for i in range(len(seeds))]
    return await asyncio.gather(*(student(port, plan, s, t0, think, a) for s, a in zip(seeds, sources, strict=True)))


def run_class(
    port: int, plan: dict[str, list[Req]], seeds: list[int], think: float = 0.0, one_address: bool = False
) -> list[dict]:
    """The students of ``seeds`` all at once, each from an address of their own unless ``one_address``."""
    try:
        import uvloop

        factory = uvloop.new_event_loop  # the client's own cost, small beside the server's
    except ImportError:
        factory = None
    with asyncio.Runner(loop_factory=factory) as runner:
        return runner.run(class_of(port, plan, seeds, think, one_address))


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, round(q * (len(v) - 1)))]


def summary(students: list[dict], floor: dict[str, float]) -> dict:
    """The class's figures: page and knob times, the ratios to the floor, failures, the phase split."""
    pages = [s["page"] for s in students]
    log = [e for s in students for e in s["log"]]
    failures = [e for e in log if "error" in e]
    phases = {}
    for kind in ("html", "static", "api", "knob"):
        ends = [max((e["end"] for e in s["log"] if e["kind"] == kind), default=0.0) for s in students]
        lat = [e["end"] - e["start"] for e in log if e["kind"] == kind]
        if lat:
            phases[kind] = {
                "requests": len(lat),
                "bytes": sum(e["bytes"] for e in log if e["kind"] == kind),
                "end_p50": statistics.median(ends),
                "end_max": max(ends),
                "latency_p50": statistics.median(lat),
                "latency_p90": pct(lat, 0.9),
            }
    last = max(pages)
    return {
        "students": len(students),
        "last_page": last,
        "page_p50": statistics.median(pages),
        "page_p90": pct(pages, 0.9),
        "knob_p50": statistics.median(s["knob"] - s["knob_start"] for s in students),
        "knob_p90": pct([s["knob"] - s["knob_start"] for s in students], 0.9),
        "last_knob": max(s["knob"] for s in students),
        "ratio": last / floor["page"],
        "ratio_with_knob": max(s["knob"] for s in students) / floor["all"],
        "requests": len(log),
        "failures": len(failures),
        "failed": dict(Counter(f"{e['path'].split('?')[0]}: {e['error']}" for e in failures).most_common(10)),
        "phases": phases,
        "per_student": [{k: s[k] for k in ("seed", "page", "knob_start", "knob")} for s in students],
    }


# --- the floor -------------------------------------------------------------------------------------


def builders():
    """The document builders by API route, each reading its route's own fields (app/web/api/)."""
    from app.documents.code import code_json
    from app.documents.grads import grads_json, rule_label
    from app.documents.mc import mc_json
    from app.documents.trace import state_json, trace_json
    from app.documents.weights import weights_json
    from app.web.params import LABEL, SAMPLES

    def grads(s, extra, given):
        label = extra["label"] if "label" in given else rule_label(s)
        return f"grads|{label}", lambda: grads_json(s, label)

    return {
        "trace": ((), lambda s, e, g: ("trace", lambda: trace_json(s))),
        "weights": ((), lambda s, e, g: ("weights", lambda: weights_json(s))),
        "state": ((), lambda s, e, g: ("state", lambda: state_json(s))),
        "code": ((), lambda s, e, g: ("code", lambda: code_json(s))),
        "mc": ((SAMPLES,), lambda s, e, g: (f"mc|{e['samples']}", lambda: mc_json(s, e["samples"]))),
        "grads": ((LABEL,), grads),
    }


def page_work(path: str) -> list[tuple[str, object]]:
    """(cache key, build) of the traces the explorer's HTML embeds for ``path`` (A, and B if compared)."""
    from app.core.problems import StateError
    from app.documents.trace import trace_json
    from app.link import compare
    from app.web.pages.render import page_params, parse_lenient

    pairs, _, _ = page_params(parse_qsl(urlsplit(path).query, keep_blank_values=True))
    a_pairs, vs = compare.split(pairs)
    a, _ = parse_lenient(a_pairs)
    out = [(f"trace|{a.canonical()}", lambda: trace_json(a))]
    with contextlib.suppress(StateError):  # B's problems: the page shows them and computes no B
        b = compare.parse_b(a, vs)
        if b is not None:
            out.append((f"trace|{b.canonical()}", lambda: trace_json(b)))
    return out


def api_work(path: str, table) -> tuple[str, object] | None:
    """(cache key, build) of an API URL, parsed the way its route does; None for a route not known."""
    from app.link.state import parse_with

    parts = urlsplit(path)
    name = parts.path.removeprefix("/api/")
    if name not in table:
        return None
    extra, make = table[name]
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    s, values = parse_with(pairs, {f.name: f for f in extra})
    values = {f.name: values.get(f.name, f.default) for f in extra}
    key, build = make(s, values, {k for k, _ in pairs})
    return f"{key}|{s.canonical()}", build


def one_student_cpu(plan: dict[str, list[Req]], seed: int, table, skipped: set[str]) -> dict[str, float]:
    """CPU seconds of one student's documents: the page's (load) and the knob change's."""
    from app.core.compute import one_blas_thread

    done: set[str] = set()
    out = {}
    with one_blas_thread():
        for phase, reqs in plan.items():
            work = []
            for r in reqs:
                path = with_seed(r.path, seed)
                if r.kind == "html":
                    work += page_work(path)
                elif r.kind == "api":
                    item = api_work(path, table)
                    if item is None:
                        skipped.add(urlsplit(r.path).path)
                    else:
                        work.append(item)
            t0 = time.process_time()
            for key, build in work:
                if key not in done:  # the server's response cache shares it
                    done.add(key)
                    build()
            out[phase] = time.process_time() - t0
    return out


def measure_floor(plan: dict[str, list[Req]], seeds: list[int]) -> dict:
    table = builders()
    skipped: set[str] = set()
    one_student_cpu(plan, 0, table, skipped)  # warm: imports, weights, caches (seeds 0..99 in no other draw)
    costs = [one_student_cpu(plan, s, table, skipped) for s in seeds]
    load = statistics.median(c["load"] for c in costs)
    both = statistics.median(c["load"] + c["knob"] for c in costs)
    cores = os.cpu_count() or 1
    n = len(seeds)
    return {
        "cores": cores,
        "cpu_page": load,
        "cpu_knob": statistics.median(c["knob"] for c in costs),
        "page": n * load / cores,
        "all": n * both / cores,
        "not_counted": sorted(skipped),
    }


# --- a lab run beside the class --------------------------------------------------------------------


class LabRun:
    """A default-sized lab run read on its own thread: entered once it trains (its first epoch),
    its stream kept open until the block ends."""

    def __init__(self, base: str, data_seed: int):
        self.url = f"{base}/api/train?data_seed={data_seed}"
        self.started = threading.Event()
        self.stopping = threading.Event()
        self.epochs = 0
        self.end: str | None = None  # "done", "error", "stopped" or an exception, if it ended
        self.thread = threading.Thread(target=self._read, daemon=True)

    def _read(self) -> None:
        try:
            with urllib.request.urlopen(self.url, timeout=300) as r:
                event = None
                for raw in r:
                    line = raw.decode().rstrip("\n")
                    if line.startswith("event: "):
                        event = line[7:]
                    elif line.startswith("data: "):
                        if event == "epoch":
                            self.epochs += 1
                            self.started.set()
                        elif event in ("done", "error", "stopped"):
                            self.end = event
                            break
                    if self.stopping.is_set():
                        break
        except OSError as err:
            self.end = f"{type(err).__name__}: {err}"
        finally:
            self.started.set()

    def __enter__(self):
        self.thread.start()
        if not self.started.wait(60) or self.end:
            raise RuntimeError(f"the lab run did not start training ({self.end})")
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(timeout=60)


# --- the report ------------------------------------------------------------------------------------


def print_result(name: str, res: dict) -> None:
    verdict = "ok" if res["ratio"] <= 2 and res["failures"] == 0 else "MISSED"
    print(
        f"\n{name}: {res['students']} students, {res['requests']} requests, {res['failures']} failures; "
        f"one student alone {res['alone']:.2f} s; load average before {res['load_before']:.1f}, "
        f"the client's own CPU {res['client_cpu']:.1f} s"
    )
    print(
        f"  last page complete {res['last_page']:.2f} s (p50 {res['page_p50']:.2f}, p90 {res['page_p90']:.2f}); "
        f"ratio to the floor {res['ratio']:.2f} (target <= 2: {verdict})"
    )
    print(
        f"  knob change p50 {res['knob_p50']:.2f} s, p90 {res['knob_p90']:.2f} s; class done {res['last_knob']:.2f} s, "
        f"{res['ratio_with_knob']:.2f} x the floor of page + knob"
    )
    heads = ("ends p50 s", "ends max s", "req p50 ms", "req p90 ms")
    print(f"  {'phase':8}{'requests':>9}{'MB':>8}" + "".join(f"{h:>12}" for h in heads))
    for kind, p in res["phases"].items():
        print(
            f"  {kind:8}{p['requests']:9d}{p['bytes'] / 1e6:8.2f}{p['end_p50']:12.2f}{p['end_max']:12.2f}"
            f"{p['latency_p50'] * 1e3:12.0f}{p['latency_p90'] * 1e3:12.0f}"
        )
    for what, n in res["failed"].items():
        print(f"  failed {n} x {what}")
    if "lab" in res:
        lab = res["lab"]
        print(
            f"  lab run: {lab['epochs_during']} epochs during the class; "
            f"{'still training at its end' if lab['training_after'] else 'ended before the class did: ' + lab['end']}"
        )


def scenario(base: str, port: int, plan, floor: dict, first_seed: int, args, lab: bool) -> dict:
    """Students alone (to warm the server; the last one timed), then the class, beside a lab run if ``lab``."""
    for k in range(3):
        alone = run_class(port, plan, [first_seed + k * SEED_STEP])[0]["page"]
    seeds = [first_seed + SEED_STEP * (i + 3) for i in range(args.students)]
    load = os.getloadavg()[0]
    cpu = time.process_time()
    with LabRun(base, 10_000 + first_seed // SEED_STEP) if lab else contextlib.nullcontext() as run:
        before = run.epochs if run else 0
        students = run_class(port, plan, seeds, args.think, args.one_address)
        if run:
            info = {"epochs_during": run.epochs - before, "training_after": run.end is None, "end": run.end or ""}
    res = summary(students, floor)
    res |= {"alone": alone, "load_before": load, "client_cpu": time.process_time() - cpu}
    if lab:
        res["lab"] = info
    return res


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument(
        "--server-workers", type=int, nargs="+", default=[2, 1], choices=(1, 2), help="one scenario each"
    )
    parser.add_argument("--think", type=float, default=0.0, help="seconds between a page complete and the knob")
    parser.add_argument(
        "--one-address", action="store_true", help="every student from 127.0.0.1 (a class behind one NAT)"
    )
    parser.add_argument("--no-lab", action="store_true", help="skip the classes beside a lab run")
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--server-log", type=Path, help="append the servers' output (tracebacks) to this file")
    args = parser.parse_args()
    began = time.perf_counter()
    out: dict = {"students": args.students, "one_address": args.one_address, "think": args.think, "scenarios": {}}
    plan = floor = None
    block = SEED_STEP * (args.students + 3)  # the seeds of one class and its students alone
    seed_block = block
    for workers in args.server_workers:
        with serve(workers, args.server_log) as (base, port):
            if plan is None:
                plan = record(base)
                out["recorded"] = {k: [asdict(r) for r in v] for k, v in plan.items()}
                counts = {k: sum(r.kind == k for r in plan["load"]) for k in ("html", "static", "api")}
                print(
                    f"recorded /?seed=S: {len(plan['load'])} requests to the page complete {counts}, "
                    f"{len(plan['knob'])} for one knob change: " + ", ".join(r.path.split("?")[0] for r in plan["knob"])
                )
                floor = measure_floor(plan, [SEED_STEP * (i + 1) for i in range(args.students)])
                out["floor"] = floor
                print(
                    f"floor: one student's documents {floor['cpu_page'] * 1e3:.0f} ms CPU for the page, "
                    f"{floor['cpu_knob'] * 1e3:.0f} ms for the knob (median of {args.students} seeds); "
                    f"{args.students} x that / {floor['cores']} cores = {floor['page']:.2f} s "
                    f"(page + knob {floor['all']:.2f} s)"
                )
                if floor["not_counted"]:
                    print(f"  not in the floor (no builder known): {floor['not_counted']}")
            scenarios = [("idle", False)] + ([] if args.no_lab else [("lab training", True)])
            for name, lab in scenarios:
                seed_block += block
                res = scenario(base, port, plan, floor, seed_block, args, lab)
                key = f"{workers} worker{'s' if workers > 1 else ''}, {name}"
                out["scenarios"][key] = res
                print_result(key, res)
    out["seconds"] = time.perf_counter() - began
    print(f"\n({out['seconds']:.0f} s in all)")
    if args.json:
        args.json.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
