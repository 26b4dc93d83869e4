"""Write the golden fixtures: the real frameworks' outputs for the parity cases.

    KERAS_BACKEND=torch .venv/bin/python -m tests.parity.make_golden

Needs torch==2.13.0 and keras (pip install -e '.[parity]') and, for the tf.keras 2 cases,
the TF environment .venv-tf (tensorflow-cpu==2.15.1, as .ci/run makes it). For every case of
cases.py it runs Keras 3, PyTorch or tf.keras 2 on our weights with our masks injected and
stores what the framework computed (h of every layer at every step, the last c, c at every
step for PyTorch, the output probability where the framework ran the whole model) in
golden/NAME.npz, and the framework versions in golden/meta.json. The plain test run
(test_golden.py) then checks the engine against these numbers without the frameworks.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("KERAS_BACKEND", "torch")

from app.documents import run as app_run
from tests.parity import frameworks as fw
from tests.parity.cases import KERAS_CASES, TF_CASES, TORCH_CASES, state
from tests.parity.tf import run_tf

GOLDEN = Path(__file__).parent / "golden"


def main() -> None:
    import keras
    import torch

    GOLDEN.mkdir(exist_ok=True)
    meta = {"keras": keras.__version__, "torch": torch.__version__, "backend": keras.backend.backend(), "cases": {}}
    for name, query in {**KERAS_CASES, **TORCH_CASES}.items():
        s = state(query)
        w, tr = app_run.state_weights(s), app_run.run(s)
        if name in KERAS_CASES:
            with pytest.MonkeyPatch.context() as mp:
                out = fw.run_keras(mp, w, tr, s.dropout, s.recurrent_dropout, s.emb_dropout, s.emb_mode, s.train)
            arrays = {}
        else:
            out = fw.run_torch(w, tr, s.train)
            arrays = {f"c{n}": c for n, c in enumerate(out["c"])}
        arrays |= {f"h{n}": h for n, h in enumerate(out["h"])}
        arrays |= {"c_last": out["c_last"], "probability": np.float64(out["probability"])}
        np.savez_compressed(GOLDEN / f"{name}.npz", **arrays)
        meta["cases"][name] = {"query": query, "framework": "keras" if name in KERAS_CASES else "torch"}
        print(f"{name}: p={out['probability']:.6f}")
    for name, query in TF_CASES.items():
        out = run_tf(state(query))
        np.savez_compressed(GOLDEN / f"{name}.npz", h0=out["h"], c_last=out["c_last"])
        meta["tensorflow"] = str(out["tf_version"])
        meta["cases"][name] = {"query": query, "framework": "tfkeras2"}
        print(f"{name}: h[-1, 0]={out['h'][-1, 0]:.6f}")
    (GOLDEN / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")


if __name__ == "__main__":
    main()
