"""A real `dropout-lab serve` process on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(env: dict[str, str] | None = None):
    """The base URL of a new server; ``env`` overrides the environment (settings: DROPOUT_LAB_...)."""
    with server_process(env) as (base, _):
        yield base


@contextlib.contextmanager
def server_process(env: dict[str, str] | None = None, workers: int = 1, output=subprocess.DEVNULL):
    """(base URL, Popen) of a new server of ``workers`` processes, for a test that may end it itself;
    its output to ``output`` (a file: a benchmark keeps tracebacks). Without DROPOUT_LAB_LAB_CACHE_DIR
    (tests/conftest.py sets one) the lab's runs go to a new directory of its own: a benchmark trains,
    never replays the user's cache."""
    port = free_port()
    # its own address is its public one (QR codes, allowed hosts), not the in-process apps' testserver
    env = {**os.environ, "DROPOUT_LAB_PUBLIC_URL": f"http://127.0.0.1:{port}", **(env or {})}
    with contextlib.ExitStack() as stack:
        if "DROPOUT_LAB_LAB_CACHE_DIR" not in env:
            env["DROPOUT_LAB_LAB_CACHE_DIR"] = stack.enter_context(tempfile.TemporaryDirectory(prefix="dropout-lab-"))
        command = [sys.executable, "-m", "app", "serve", "--port", str(port), "--workers", str(workers)]
        proc = subprocess.Popen(command, stdout=output, stderr=output, env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).read()
                    break
                except (urllib.error.URLError, ConnectionError):
                    if time.monotonic() > deadline or proc.poll() is not None:
                        raise RuntimeError("server did not start") from None
                    time.sleep(0.1)
            yield base, proc
        finally:
            proc.terminate()
            proc.wait(timeout=10 * workers)
