"""The Keras 3, tf.keras 2 and PyTorch code that builds the model of a state.

Each framework's code does exactly what the state's plan says: with its built-in layers where
they can (recipes.py says which), else with a small custom layer (cells.py) behind a plain
comment saying what the framework cannot do. ``code(state)`` is what /api/code serves; its
``fidelity`` says, per framework, which of the two the code is. tests/parity runs every
generated line in the framework it is written for and checks the masks it draws.
"""

from __future__ import annotations

from app.codegen.keras import keras
from app.codegen.torch import pytorch
from app.link.state import State

NOTES = [
    "Weights: Keras initialises kernels glorot-uniform, recurrent kernels orthogonal and the "
    "forget bias to 1; PyTorch uses U(-1/sqrt(H), 1/sqrt(H)) for all. Copy the weights from "
    "/api/weights to reproduce this trace's numbers (PyTorch: weight_ih = kernel.T, "
    "weight_hh = recurrent_kernel.T, bias_ih = bias, bias_hh = 0).",
    "The masks themselves come from each framework's own random generator: the same seed "
    "gives other masks there. The parity tests inject this app's masks to compare numbers.",
    "Where a framework's own layers cannot draw the masks the plan says, the code defines a small "
    "custom layer that does (MaskedLSTM, WordDropout, embedded_dropout): fidelity says which.",
]


def code(s: State) -> dict:
    plan = s.plan()
    k3, k3_fidelity = keras(s, plan, v3=True)
    k2, k2_fidelity = keras(s, plan, v3=False)
    pt, pt_fidelity = pytorch(s, plan)
    return {
        "state": s.canonical(),
        "keras3": k3,
        "tfkeras2": k2,
        "pytorch": pt,
        "notes": NOTES,
        "fidelity": {
            "keras3": k3_fidelity.as_dict(),
            "tfkeras2": k2_fidelity.as_dict(),
            "pytorch": pt_fidelity.as_dict(),
        },
    }
