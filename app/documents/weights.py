"""The weights JSON (``dropout-lab weights``, /api/weights) and the gradient of every weight
(``dropout-lab grads``), in the same Keras layout."""

from __future__ import annotations

import numpy as np

from app.core.encoding import dumps, f32, typed_array
from app.documents.run import run, state_weights
from app.documents.trace import TRACE_VERSION
from app.engine import batch
from app.engine.init import Weights
from app.link.state import State


def weights_layout(w: Weights) -> dict:
    """Weights (or gradients, which have the same shapes) in the weights JSON layout."""
    return {
        "embedding": typed_array(w.embedding),
        "layers": [
            {
                "kernel": typed_array(lw.kernel),
                "recurrent_kernel": typed_array(lw.recurrent_kernel),
                "bias": typed_array(lw.bias),
            }
            for lw in w.layers
        ],
        "dense_kernel": typed_array(w.dense_kernel),
        "dense_bias": typed_array(w.dense_bias),
    }


def weights_json(s: State) -> str:
    return dumps({"version": TRACE_VERSION, "state": s.canonical(), **weights_layout(state_weights(s))})


def grads(s: State, label: int) -> tuple[float, Weights, float]:
    """Loss, the gradient of every weight and the probability, for the state's one sequence with
    exactly the masks its trace shows (nothing dropped at phase=infer)."""
    tr = run(s)
    masks = batch.stack_masks([tr.draw], s.run_spec())
    labels = np.array([label], dtype=np.float32)
    loss, g, p = batch.loss_and_grads(state_weights(s), tr.tokens[None], labels, masks)
    return loss, g, float(p[0])


def weight_grads_json(s: State, label: int) -> str:
    """Loss, probability and the gradient of every weight (``dropout-lab grads``)."""
    loss, g, p = grads(s, label)
    return dumps(
        {
            "version": TRACE_VERSION,
            "state": s.canonical(),
            "label": label,
            "loss": f32(loss),
            "probability": f32(p),
            **weights_layout(g),
        }
    )
