"""More than one machine: web processes and `dropout-lab worker` processes sharing a real Redis
(tests/redis_server.py). Trainings are counted by the jobs themselves (``lab:trainings``)."""

from __future__ import annotations

import json
import math
import statistics
import threading
import time
import urllib.error
import urllib.request

import pytest

from app.lab.jobs import SERIALIZER
from app.lab.redis_runner import DEFAULT_SECONDS
from app.lab.redis_store import FINISHED, FINISHED_BYTES, SECONDS, TRAININGS, RunKeys, prune, run_hash
from app.lab.stream import Busy, Unavailable
from app.link.lab_query import parse_lab
from tests.lab.test_runner import TINY, events, in_a_thread
from tests.live_server import free_port, server, server_process
from tests.redis_server import kill_worker, redis_server, require_redis_server, start_worker, worker

QUERY = f"{TINY}&train_size=300&epochs=25&configs=none,both"  # about 3 s: long enough to join
SHORT = f"{TINY}&train_size=100&epochs=3&configs=none,both"


def get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=90) as r:
        return r.read()


def trainings(url: str) -> int:
    import redis

    return int(redis.Redis.from_url(url).get(TRAININGS) or 0)


def started(stream) -> None:
    """Read a run's stream to its `start` event (after a `queued` one, if the worker was still
    ending the previous test's run)."""
    first = stream.readline()
    if first == b"event: queued\n":
        stream.readline(), stream.readline()
        first = stream.readline()
    assert first == b"event: start\n", first


def wait_for_workers(url: str, n: int = 1) -> None:
    import redis

    r, deadline = redis.Redis.from_url(url), time.monotonic() + 30
    while sum(r.exists(k) for k in r.smembers("rq:workers:dropout-lab")) < n:
        assert time.monotonic() < deadline, "the lab worker did not register"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def redis_url():
    with redis_server(require_redis_server()) as url:
        yield url


@pytest.fixture(scope="module")
def two_webs(redis_url):
    """Web A and web B on one Redis, and one worker; a run nobody listens to stops after 2 s."""
    env = {"DROPOUT_LAB_REDIS_URL": redis_url, "DROPOUT_LAB_LAB_GRACE": "2"}
    with worker(redis_url), server(env) as a, server(env) as b:
        wait_for_workers(redis_url)
        yield a, b


def test_a_run_started_through_web_a_is_joined_through_web_b(two_webs, redis_url):
    a, b = two_webs
    url = f"/api/train?{QUERY}&data_seed=51"
    before = trainings(redis_url)
    with urllib.request.urlopen(a + url, timeout=90) as ra:
        start = ra.readline()
        assert start == b"event: start\n"
        body_b = get(b + url)  # B joins through the run's Stream: the events so far, then the new ones
        body_a = start + ra.read()
    assert body_a == body_b
    names = [n for n, _ in events(body_a)]
    assert names[0] == "start" and names[-1] == "done" and names.count("epoch") == 2 * 25
    assert trainings(redis_url) == before + 1
    assert get(b + url) == get(a + url) == body_a  # finished: replayed from Redis by both
    assert trainings(redis_url) == before + 1


def test_a_class_of_30_over_both_web_processes_trains_once(two_webs, redis_url):
    a, b = two_webs
    url = f"/api/train?{SHORT}&data_seed=52"
    before = trainings(redis_url)
    go = threading.Barrier(30)
    bodies = []

    def student(base: str) -> None:
        go.wait()
        bodies.append(get(base + url))

    students = [threading.Thread(target=student, args=(base,)) for base in [a, b] * 15]
    for s in students:
        s.start()
    for s in students:
        s.join(90)
    assert len(bodies) == 30 and len(set(bodies)) == 1
    assert events(bodies[0])[-1][0] == "done"
    assert trainings(redis_url) == before + 1


def test_a_restarted_web_process_loses_nothing(two_webs, redis_url):
    _, b = two_webs
    env = {"DROPOUT_LAB_REDIS_URL": redis_url}
    url = f"/api/train?{QUERY}&data_seed=53"
    before = trainings(redis_url)
    with server_process(env) as (c, process), urllib.request.urlopen(c + url, timeout=90) as rc:
        got_c = b""
        while b"event: epoch" not in got_c:
            got_c += rc.readline()
        with urllib.request.urlopen(b + url, timeout=90) as rb:
            process.kill()  # web C dies mid-run, with its listener: the job goes on in the worker
            process.wait()
            body_b = rb.read()
    assert body_b.startswith(got_c)  # the events C had sent are B's too
    names = [n for n, _ in events(body_b)]
    assert names[0] == "start" and names[-1] == "done" and names.count("epoch") == 2 * 25  # nothing lost
    with server(env) as c_again:  # C restarted: the finished run is in Redis
        assert get(c_again + url) == body_b
    assert trainings(redis_url) == before + 1


def test_a_run_nobody_listens_to_stops_after_the_grace_period_and_frees_its_worker(two_webs, redis_url):
    import redis

    a, _ = two_webs
    query = f"{TINY}&train_size=1000&epochs=100&configs=both&data_seed=55"  # about 15 s
    keys = RunKeys(run_hash(parse_lab(query).run_key()))
    with urllib.request.urlopen(f"{a}/api/train?{query}", timeout=90) as stream:
        started(stream)
    r, deadline = redis.Redis.from_url(redis_url), time.monotonic() + 30
    while not r.xrevrange(keys.events, count=1)[0][1][b"e"].startswith(b"event: stopped"):
        assert time.monotonic() < deadline, "the run went on without listeners"
        time.sleep(0.1)
    last = events(r.xrevrange(keys.events, count=1)[0][1][b"e"])[0][1]
    assert last["message"] == "nobody listened to this run for 2 s"
    assert r.exists(keys.claim, keys.sse) == 0  # free: the next request trains it anew


def test_a_run_waiting_for_a_worker_says_how_long_before_its_start(two_webs, redis_url):
    import redis

    a, b = two_webs
    busy = f"{TINY}&train_size=1000&epochs=100&configs=both&data_seed=56"  # the only worker trains it
    with urllib.request.urlopen(f"{a}/api/train?{busy}", timeout=90) as first:
        started(first)
        last = [float(s) for s in redis.Redis.from_url(redis_url).lrange(SECONDS, 0, -1)]
        mean = statistics.mean(last) if last else DEFAULT_SECONDS  # the last runs' durations, if any
        with urllib.request.urlopen(f"{b}/api/train?{SHORT}&data_seed=57", timeout=90) as second:
            queued = events(second.readline() + second.readline() + second.readline())
    assert queued == [("queued", {"ahead": 1, "seconds": math.ceil(mean)})]  # 1 run ahead, for 1 worker


def test_a_queued_job_lost_before_it_began_is_queued_again(two_webs, redis_url):
    import redis
    from rq.job import Job

    a, b = two_webs
    r = redis.Redis.from_url(redis_url)
    lost = f"{SHORT}&data_seed=59"
    keys = RunKeys(run_hash(parse_lab(lost).run_key()))
    with urllib.request.urlopen(f"{a}/api/train?{QUERY}&data_seed=60", timeout=90) as first:
        started(first)  # the only worker trains it
        with urllib.request.urlopen(f"{b}/api/train?{lost}", timeout=90) as second:
            assert second.readline() == b"event: queued\n"
            attempt, job_id = r.get(keys.job).decode().split()
            Job.fetch(job_id, connection=r, serializer=SERIALIZER).cancel()  # as `rq empty`, or a worker on old code
            body = b"event: queued\n" + second.read()
        first.read()
    assert attempt == "1"
    assert [n for n, _ in events(body)][-1] == "done"  # attempt 2 trained it
    deadline = time.monotonic() + 10
    while r.exists(keys.claim, keys.job, keys.starts, keys.owner):  # the job's end frees them all, at once
        assert time.monotonic() < deadline, "the run's keys stayed"
        time.sleep(0.05)
    retry = Job.fetch(job_id.rsplit("-", 1)[0] + "-2", connection=r, serializer=SERIALIZER)
    while retry.get_status().value != "finished":  # RQ records the end a moment after the job's own
        assert time.monotonic() < deadline, retry.get_status()
        time.sleep(0.05)
    assert retry.return_value() == "done"


def test_a_worker_killed_mid_run_is_retried_once_then_every_listener_gets_an_error(tmp_path):
    import redis

    url_long = f"/api/train?{TINY}&train_size=1000&epochs=40&configs=both&data_seed=54"  # about 6 s
    with redis_server(require_redis_server()) as url, server({"DROPOUT_LAB_REDIS_URL": url}) as web:
        r = redis.Redis.from_url(url)
        with pytest.raises(urllib.error.HTTPError) as no_worker:
            get(web + url_long)
        assert no_worker.value.code == 503
        assert "no lab worker is running" in json.loads(no_worker.value.read())["detail"]

        keys = RunKeys(run_hash(parse_lab(url_long.split("?", 1)[1]).run_key()))
        first = start_worker(url)
        wait_for_workers(url)
        with urllib.request.urlopen(web + url_long, timeout=90) as stream:
            got = b""
            while b"event: epoch" not in got:
                got += stream.readline()
            kill_worker(first)  # the worker, its horse and its trainings: no clean-up
            second = start_worker(url)  # the retry waits in the queue for it
            try:
                deadline = time.monotonic() + 60
                length = r.xlen(keys.events)
                while not (r.get(keys.starts) == b"2" and r.xlen(keys.events) >= length + 3):
                    assert time.monotonic() < deadline, "the run was not retried"
                    time.sleep(0.05)
                kill_worker(second)  # the retry dies too, mid-run
                got += stream.read()
            finally:
                kill_worker(second)
        assert trainings(url) == 2
    parsed = events(got)
    names = [n for n, _ in parsed]
    assert names.count("start") == 1 and names[-1] == "error" and "done" not in names
    assert "stopped 2 times" in parsed[-1][1]["message"]
    epochs = [d["epoch"] for n, d in parsed if n == "epoch"]
    assert epochs == list(range(1, len(epochs) + 1))  # the retry's repeats skipped: each epoch once


def test_without_redis_the_lab_says_so_and_traces_keep_working():
    env = {"DROPOUT_LAB_REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"}  # nothing listens there
    with server(env) as web:
        with pytest.raises(urllib.error.HTTPError) as down:
            get(f"{web}/api/train?{SHORT}")
        assert down.value.code == 503 and down.value.headers["Retry-After"] == "30"
        detail = json.loads(down.value.read())["detail"]
        assert "cannot reach its Redis at 127.0.0.1:" in detail and "traces, pages and lessons keep working" in detail
        assert json.loads(get(f"{web}/api/trace?seed=3"))["state"] == "seed=3&v=3"
        assert get(f"{web}/api/train?study=seed").startswith(b"event: start")  # recorded: no Redis needed
        assert b"Train" in get(f"{web}/train")


def test_redis_lost_mid_run_every_listener_is_told():
    import redis

    query = f"{TINY}&train_size=1000&epochs=100&configs=both&data_seed=58"
    with (
        redis_server(require_redis_server()) as url,
        server({"DROPOUT_LAB_REDIS_URL": url}) as web,
        worker(url),
    ):
        wait_for_workers(url)
        with urllib.request.urlopen(f"{web}/api/train?{query}", timeout=90) as stream:
            started(stream)
            redis.Redis.from_url(url).shutdown(nosave=True)  # Redis goes, mid-run
            rest = stream.read()
    last = events(b"event: start\n" + rest)[-1]
    assert last[0] == "error" and "the lab cannot reach its Redis at 127.0.0.1:" in last[1]["message"]


@pytest.fixture
def empty_redis():
    import redis

    with redis_server(require_redis_server()) as url:
        yield url, redis.Redis.from_url(url)


def test_the_queue_refuses_from_its_depth_and_the_last_runs_durations(empty_redis):
    from rq import Queue

    from app.lab.redis_runner import RedisLabRunner

    url, r = empty_redis
    runner = RedisLabRunner(url, max_wait=30)
    with pytest.raises(Unavailable, match="no lab worker is running"):
        runner._admit()
    r.sadd("rq:workers:dropout-lab", "rq:worker:w1", "rq:worker:gone")
    r.set("rq:worker:w1", "1")  # one live worker; the other's heartbeat key expired
    assert runner.live_workers() == 1
    assert runner._admit() == (0, 0.0)  # an empty queue: the run begins at once
    r.rpush(SECONDS, 20, 20)  # the last runs took 20 s
    queue = Queue("dropout-lab", connection=r, serializer=SERIALIZER)
    for n in range(3):
        queue.enqueue("app.lab.jobs.train", args=("", str(n), "", 1, 0.0, 0), job_id=f"queued-{n}")
    # 3 runs ahead for 1 worker: this one would begin after 3 x 20 s = 60 s, past 30 s
    with pytest.raises(Busy) as busy:
        runner._admit()
    assert busy.value.retry_after == 30
    r.set("rq:worker:gone", "1")  # a second live worker halves the wait: (3 - 2 + 1) x 20 / 2 = 20 s
    assert runner._admit() == (2, 20.0)
    runner.close()


def test_finished_runs_are_bounded_least_recently_used_first(empty_redis):
    from app.lab.redis_runner import RedisLabRunner

    url, r = empty_redis
    for n, h in enumerate("abc"):
        r.set(RunKeys(h).sse, b"x" * 100)
        r.zadd(FINISHED, {h: n})
        r.hset(FINISHED_BYTES, h, 100)
    runner = RedisLabRunner(url)

    async def use_a() -> bytes | None:
        try:
            return await runner._finished(RunKeys("a"))
        finally:
            runner.close()
            await runner.disconnect()

    assert in_a_thread(use_a()) == b"x" * 100  # a used again: now the newest
    prune(r, 200)
    assert r.exists(RunKeys("b").sse) == 0 and r.exists(RunKeys("a").sse) == r.exists(RunKeys("c").sse) == 1
    assert sorted(r.hkeys(FINISHED_BYTES)) == [b"a", b"c"]
