"""/api/grads: the gradients through time of the state's sequence with its masks, and without
any dropout (the weight gradients are app/documents/weights.py's)."""

from __future__ import annotations

import numpy as np

from app.core.encoding import dumps, f32, typed_array
from app.documents.run import run, state_weights, without_dropout
from app.documents.trace import TRACE_VERSION
from app.engine import batch
from app.engine.data import label as data_label
from app.link.state import State


def rule_label(s: State) -> int:
    """The toy task's label of the state's sentence (a sentence without a sentiment word: 1)."""
    found = data_label(s.sequence())
    return 1 if found is None else found


def grads_json(s: State, label: int) -> str:
    """/api/grads: gradients through time with the state's masks, and without any dropout."""
    notes = [
        "dh_norm, dc_norm: the norm over units of dL/dh_t and dL/dc_t at each step; embedding.grad: "
        "dL/de_t of the embedding output. A mask blocks the backward pass as it blocks the forward "
        "one: an element it dropped gets exactly zero gradient."
    ]
    if not s.train:
        notes.append("phase=infer applies no mask: both halves are the same computation.")
    return dumps(
        {
            "version": TRACE_VERSION,
            "state": s.canonical(),
            "label": label,
            "rule_label": rule_label(s),
            **through_time(s, label),
            "without_dropout": through_time(without_dropout(s), label),
            "notes": notes,
        }
    )


def through_time(s: State, label: int) -> dict:
    """Loss, probability and the gradients through time of the state's sequence with its masks:
    per layer the norm over units of dL/dh_t and dL/dc_t at every step, and dL/de_t of the
    embedding output (T, E), zero where embedding dropout dropped an element."""
    tr = run(s)
    out: dict = {}
    loss, _, p = batch.loss_and_grads(
        state_weights(s),
        tr.tokens[None],
        np.array([label], np.float32),
        batch.stack_masks([tr.draw], s.run_spec()),
        1,
        out,
    )
    return {
        "loss": f32(loss),
        "probability": f32(p[0]),
        "layers": [
            {
                "dh_norm": typed_array(np.linalg.norm(dh[:, 0], axis=1)),
                "dc_norm": typed_array(np.linalg.norm(dc[:, 0], axis=1)),
            }
            for dh, dc in zip(out["dh"], out["dc"], strict=True)
        ],
        "embedding": {
            "grad": typed_array(out["embedding"][:, 0]),
            "norm": typed_array(np.linalg.norm(out["embedding"][:, 0], axis=1)),
        },
    }
