"""A notebook executed headless (nbclient) on a kernel of this venv, with the network off:
``from dropout_lab import explain``, the seed's two models as code, a second explain; the outputs
hold the figures, the cell, the verdict, and plotly.js exactly once, with no CDN anywhere."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from html import escape
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from plotly.offline import get_plotlyjs

from dropout_lab.notebook_html import ascii_html
from tests.dropout_lab.page_trace import load
from tests.yourmodel.cases import SEED

# Loaded by the kernel at start-up (PYTHONPATH): any connection beyond this machine fails.
NETWORK_OFF = """
import ipaddress
import socket

_connect, _connect_ex = socket.socket.connect, socket.socket.connect_ex


def _local(sock, address):
    if sock.family not in (socket.AF_INET, socket.AF_INET6):
        return True
    try:
        return ipaddress.ip_address(address[0]).is_loopback
    except ValueError:
        return address[0] == "localhost"


def connect(self, address):
    if not _local(self, address):
        raise OSError(f"network off in this test: connect to {address!r}")
    return _connect(self, address)


def connect_ex(self, address):
    if not _local(self, address):
        raise OSError(f"network off in this test: connect to {address!r}")
    return _connect_ex(self, address)


socket.socket.connect, socket.socket.connect_ex = connect, connect_ex
"""

CELLS = [
    "import sys\nfrom dropout_lab import explain\nprint(sys.executable)",
    f"explain({SEED!r})",
    'explain("len=498", seed=3)',
    # the guard is on in the kernel: a connection out fails before any packet is sent
    "import socket\n"
    "try:\n"
    "    socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
    "except OSError as err:\n"
    "    print(err)",
]


def kernel_home(tmp: Path) -> Path:
    """A Jupyter data dir with a python3 kernel running this venv's Python, the network guard loaded."""
    guard = tmp / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(NETWORK_OFF)
    spec = tmp / "jupyter" / "kernels" / "python3"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    env = {"PYTHONPATH": str(guard), "KERAS_BACKEND": "torch"}
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "dropout-lab venv",
                                                  "language": "python", "env": env}))  # fmt: skip
    return tmp / "jupyter"


def html_of(cell) -> str:
    (result,) = [o for o in cell.outputs if o.output_type == "execute_result"]
    assert set(result.data) >= {"text/html", "text/plain"}
    return result.data["text/html"]


def test_notebook(tmp_path, monkeypatch):
    home = kernel_home(tmp_path)
    monkeypatch.setenv("JUPYTER_PATH", str(home))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(home))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    client = NotebookClient(nb, kernel_name="python3", timeout=60, resources={"metadata": {"path": str(tmp_path)}})
    start = time.monotonic()
    with ThreadPoolExecutor(1) as pool:  # an event loop of its own, in a thread of its own (common.md)
        pool.submit(asyncio.run, client.async_execute()).result()
    assert time.monotonic() - start < 30

    assert nb.cells[0].outputs[0]["text"].strip() == sys.executable  # the kernel runs this venv's Python
    seed, second = html_of(nb.cells[1]), html_of(nb.cells[2])
    assert "network off in this test" in "".join(o.get("text", "") for o in nb.cells[3].outputs)

    js = get_plotlyjs()
    everything = "".join(json.dumps(cell.outputs) for cell in nb.cells)
    assert json.dumps(js)[1:-1] in everything and everything.count(json.dumps(js)[1:-1]) == 1
    assert seed.count(js) == 1 and js not in second
    for html, figures in ((seed, 3), (second, 2)):
        assert html.count('class="plotly-graph-div"') == html.count("Plotly.newPlot") == figures
        assert html.count("<svg") >= 1 and 'data-mask="h:o"' in html
    answer = load("len=498")["plan"]["verdict"]["answer"]
    assert ascii_html(escape(answer)) in seed and "The answer, for model A below" in seed
    assert ascii_html(escape(load("len=498&seed=3")["plan"]["verdict"]["answer"])) in second
    assert 'href="http://127.0.0.1:8000/?len=498&amp;v=3&amp;vs.emb_dropout=0"' in seed
    assert "<h3>Read from your code</h3>" in seed and 'data-role="A"' in seed  # which pasted lines are A and B
    for html in (seed, second):
        ours = html.replace(js, "")
        assert not re.search(r"<script[^>]*\bsrc=|cdn\.|jsdelivr|unpkg|cdnjs", ours, re.IGNORECASE)
