"""/api/code: Keras 3, tf.keras 2 and PyTorch code for a state (app/codegen/)."""

from __future__ import annotations

from app.codegen import code
from app.core.encoding import dumps
from app.link.state import State


def code_json(s: State) -> str:
    return dumps(code(s))
