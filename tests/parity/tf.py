"""Call tf_reference.py in the TF virtual environment (.venv-tf, made by .ci/run)."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from app import trace as app_trace
from app.state import State

ROOT = Path(__file__).parents[2]
TF_PYTHON = Path(os.environ.get("DROPOUT_LAB_TF_PYTHON", ROOT / ".venv-tf" / "bin" / "python"))
SCRIPT = Path(__file__).with_name("tf_reference.py")


def tf_inputs(s: State) -> dict:
    """Our weights, the LSTM input and our masks for layer 0, as tf_reference.py wants them."""
    tr = app_trace.run(s)
    lw = app_trace.state_weights(s).layers[0]
    layer = tr.layers[0]
    inp, rec = layer.masks["input"], layer.masks["recurrent"]
    inp_mult = inp.keep.astype(np.float32) * np.float32(inp.scale)  # (nT, nG, E)
    rec_mult = rec.keep.astype(np.float32) * np.float32(rec.scale)
    if inp_mult.shape[0] > 1:  # per step, shared: the (T, E) mask of the whole sequence
        input_masks = inp_mult[:, 0]
    else:
        input_masks = np.broadcast_to(inp_mult[0], (4, inp_mult.shape[2])).copy()
    recurrent_masks = np.broadcast_to(rec_mult[0], (4, rec_mult.shape[2])).copy()
    return {
        "kernel": lw.kernel,
        "recurrent_kernel": lw.recurrent_kernel,
        "bias": lw.bias,
        "x": layer.x,
        "dropout": np.float64(s.dropout),
        "recurrent_dropout": np.float64(s.recurrent_dropout),
        "input_masks": input_masks,
        "recurrent_masks": recurrent_masks,
    }


def run_tf(s: State) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "in.npz", Path(tmp) / "out.npz"
        np.savez(src, **tf_inputs(s))
        subprocess.run([str(TF_PYTHON), str(SCRIPT), str(src), str(dst)], check=True, capture_output=True, timeout=300)
        with np.load(dst) as out:
            return {k: out[k] for k in out.files}
