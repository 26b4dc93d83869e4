"""A real ``redis-server`` (Debian's package; .ci/run installs it) on a free loopback port, and
``dropout-lab worker`` processes on it, for the tests of More than one machine and the benchmark."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import pytest

from tests.live_server import free_port


def require_redis_server() -> str:
    """The path of redis-server, or a skip (a failure in CI: DROPOUT_LAB_REQUIRE_ALL=1)."""
    path = shutil.which("redis-server")
    if path is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    return path


@contextlib.contextmanager
def redis_server(path: str | None = None):
    """The URL of a new, empty redis-server (nothing saved to disk), stopped at the end."""
    import redis

    port = free_port()
    with tempfile.TemporaryDirectory(prefix="dropout-lab-redis-") as directory:
        command = [path or "redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no", "--dir", directory]
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"redis://127.0.0.1:{port}/0"
        try:
            client = redis.Redis.from_url(url)
            deadline = time.monotonic() + 10
            while True:
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("redis-server did not start") from None
                    time.sleep(0.02)
            client.close()
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def start_worker(url: str, concurrency: int = 1, output=subprocess.DEVNULL) -> subprocess.Popen:
    """A ``dropout-lab worker`` in a process group of its own (its work horses and their training
    processes in it too), so that a test can kill the whole worker as a lost machine would die."""
    env = {**os.environ, "DROPOUT_LAB_REDIS_URL": url}
    command = [sys.executable, "-m", "app", "worker", "--concurrency", str(concurrency)]
    return subprocess.Popen(command, stdout=output, stderr=output, env=env, start_new_session=True)


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = []
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                with open(f"/proc/{entry.name}/stat", "rb") as f:
                    if int(f.read().rsplit(b")", 1)[1].split()[1]) == pid:
                        found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def kill_worker(proc: subprocess.Popen) -> None:
    """SIGKILL to the worker's process group, and to the groups of its children (RQ runs each job
    in a work horse of its own session, with the job's training processes): nothing of it cleans
    up, as when its machine is lost."""
    for group in (proc.pid, *children(proc.pid)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(group, signal.SIGKILL)
    proc.wait(timeout=10)


@contextlib.contextmanager
def worker(url: str, concurrency: int = 1):
    proc = start_worker(url, concurrency)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()  # RQ's warm shutdown waits for the job in progress: then the group goes
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        kill_worker(proc)
