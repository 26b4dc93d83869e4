"""Call tf_reference.py in the TF virtual environment (.venv-tf, made by .ci/run).

``run_jobs`` runs many jobs in one process (TF takes seconds to import); ``run_tf`` runs one
LSTM layer of a state eagerly on the engine's masks, for the golden fixtures and
test_tfkeras2.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from app.documents import run as app_run
from app.link.state import State
from tests.parity.masks import pack

ROOT = Path(__file__).parents[2]
TF_PYTHON = Path(os.environ.get("DROPOUT_LAB_TF_PYTHON", ROOT / ".venv-tf" / "bin" / "python"))
SCRIPT = Path(__file__).with_name("tf_reference.py")

LAYER_CODE = """import tensorflow as tf

inputs = tf.keras.Input(shape=({steps}, {features}))
lstm = tf.keras.layers.LSTM({units}, dropout={d}, recurrent_dropout={rd}, return_sequences=True, return_state=True)
sequence, _h, c = lstm(inputs)
model = tf.keras.Model(inputs, [sequence, c])
"""


def run_jobs(jobs: dict[str, dict[str, np.ndarray]], timeout: float = 600) -> dict[str, dict]:
    """Run tf_reference.py once on every job (name -> fields); its JSON results by job name."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.npz", Path(tmp) / "out.json"
        np.savez(src, **{f"{name}/{k}": v for name, job in jobs.items() for k, v in job.items()})
        done = subprocess.run(
            [str(TF_PYTHON), str(SCRIPT), str(src), str(dst)], capture_output=True, text=True, timeout=timeout
        )
        if done.returncode:
            raise RuntimeError(f"tf_reference.py failed:\n{done.stderr[-4000:]}")
        return json.loads(dst.read_text())


def run_parallel(jobs: dict[str, dict[str, np.ndarray]]) -> dict[str, dict]:
    """``run_jobs`` split over one process per CPU (at most 4): TF traces on one thread each."""
    names = list(jobs)
    n = max(1, min(4, os.cpu_count() or 1, len(names)))
    chunks = [{name: jobs[name] for name in names[k::n]} for k in range(n)]
    with ThreadPoolExecutor(n) as pool:
        results = list(pool.map(run_jobs, chunks))
    return {name: out for part in results for name, out in part.items()}


def layer_job(s: State) -> dict[str, np.ndarray]:
    """Layer 0 of ``s`` alone, called eagerly on its input (after the embedding dropout) with
    the engine's input and recurrent masks of that layer."""
    tr = app_run.run(s)
    lw = app_run.state_weights(s).layers[0]
    masks, rates = pack(s, app_run.plan_of(s), tr)
    x = tr.layers[0].x
    code = LAYER_CODE.format(
        steps=x.shape[0], features=x.shape[1], units=lw.recurrent_kernel.shape[0], d=s.dropout, rd=s.recurrent_dropout
    )
    job = {"code": np.array(code), "x": x[None], "modes": np.array("eager"), "record": np.int64(0)}
    job |= {
        f"lstm0/{k}": v
        for k, v in zip(("kernel", "recurrent_kernel", "bias"), (lw.kernel, lw.recurrent_kernel, lw.bias), strict=True)
    }
    for kind in ("input", "recurrent"):
        if kind in masks:
            job |= {f"mask/{kind}/0": masks[kind][0], f"rate/{kind}": np.float64(rates[kind])}
    return job


def run_tf(s: State) -> dict:
    """h (T, H) and the last c (H,) of layer 0 as tf.keras 2 computes them on the engine's masks,
    the mask requests of its cell, its implementation and the TF version."""
    out = run_jobs({"layer": layer_job(s)})["layer"]
    run = out["eager"]
    if "error" in run:
        raise AssertionError(run["error"])
    sequence, c = run["outputs"]
    return {
        "h": np.asarray(sequence, dtype=np.float32)[0],
        "c_last": np.asarray(c, dtype=np.float32)[0],
        "requests": run["requests"],
        "seen": run.get("seen", {}),
        "implementation": out["implementation"][0],
        "tf_version": out["tf_version"],
    }
