"""Your model: a Keras or PyTorch model, pasted as code or built in a notebook, read into the
lab's state (never run). ``read_code(text)`` and ``read_model(obj)`` return a ``Reading``
(state.py): the state A (and B, with two models), their link, and, line by line, what was
mapped, what was clamped, and what the lab cannot show.

The imports wait for the call: ``read.py`` and ``objects.py`` must import in a framework's own
environment (tf.keras 2's, without this app's web dependencies)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.yourmodel.state import Reading

__all__ = ["read_code", "read_model"]


def read_code(text: str) -> Reading:
    """The reading of pasted Keras 3 / tf.keras 2 / PyTorch code."""
    from app.yourmodel.code import read
    from app.yourmodel.state import to_reading

    return to_reading(read(text))


def read_model(obj: object) -> Reading:
    """The reading of a built Keras 3 / tf.keras 2 model or a PyTorch module, through its public config."""
    from app.yourmodel.objects import read_object  # imports no framework itself
    from app.yourmodel.state import to_reading

    return to_reading(read_object(obj))
