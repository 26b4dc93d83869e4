"""What was read from a user's model, framework-neutral: the contract between the readers
(keras_code.py, torch_code.py for code; objects.py for built models) and the state (state.py).

A reader never guesses. What it maps goes into a ``ModelRead`` field, with the line it came
from in ``mapping``; what it maps with a choice or a change the user should see is a ``Note``;
what the lab cannot show (a GRU, a Bidirectional, a Dropout where the engine has no mask) is a
``Reason``, and one reason means no state is opened for that model.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The framework readings a model may have: preset names of app/engine/semantics.py.
FRAMEWORKS = ("keras3", "keras3-legacy", "tfkeras2", "tfkeras2-fit", "pytorch")
EMB_MODES = ("standard", "spatial")
JSON_INT = 2**53  # larger ints as read (Embedding(10**30, 64)) are written as text: JSON readers lose them


def _json(value: object) -> object:
    return str(value) if isinstance(value, int) and abs(value) >= JSON_INT else value


@dataclass(frozen=True)
class Reason:
    """Why a line cannot be mapped: ``line`` (1-based, 0 = the code as a whole), its text, a sentence."""

    line: int
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "code": self.code, "message": self.message}

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Note:
    """Something mapped with a choice or a change the user should see (a clamp, a reading of an
    ambiguous import); ``line`` 0 = the model as a whole."""

    line: int
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "message": self.message}

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


@dataclass(frozen=True)
class Mapped:
    """One line that set fields: its number, its text, and what it set (``{"vocab": 64}``)."""

    line: int
    code: str
    fields: dict[str, object]

    def as_dict(self) -> dict:
        return {"line": self.line, "code": self.code, "fields": {k: _json(v) for k, v in self.fields.items()}}


@dataclass
class ModelRead:
    """One model, as read. ``None`` = not given by the model (the state's default applies, and
    ``to_state`` says so where it matters). Rates are the framework's own arguments:

    - ``emb_dropout``/``emb_mode``: a Dropout (standard) or SpatialDropout1D (spatial) right after
      the Embedding; PyTorch's nn.Dropout on the embedding output is standard.
    - ``dropout``/``recurrent_dropout``: the LSTM's arguments (PyTorch: nn.LSTM's dropout, between layers).
    - ``layers``: stacked LSTMs with equal units and rates (PyTorch: num_layers).
    - ``length``: the sequence length, from input_length or Input(shape=(T,)).
    - ``out_dropout``: a Dropout on the last LSTM's output, before the Dense (PyTorch: before the Linear).
    """

    framework: str  # one of FRAMEWORKS
    vocab: int | None = None
    emb: int | None = None
    length: int | None = None
    emb_dropout: float = 0.0
    emb_mode: str = "standard"
    dropout: float = 0.0
    recurrent_dropout: float = 0.0
    layers: int = 1
    units: int | None = None
    out_dropout: float = 0.0
    first_line: int = 0  # where the model starts in the code (0 for an object)
    last_line: int = 0
    mapping: list[Mapped] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    # Readings this model would not have under another framework: {preset: why} (Keras's unroll=True
    # is modelled under Keras 3, not under tf.keras 2): no link is offered for those.
    not_for: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        keys = ("framework", "vocab", "emb", "length", "emb_dropout", "emb_mode", "dropout", "recurrent_dropout")
        out = {k: _json(getattr(self, k)) for k in (*keys, "layers", "units", "out_dropout", "first_line", "last_line")}
        out["mapping"] = [m.as_dict() for m in self.mapping]
        out["notes"] = [n.as_dict() for n in self.notes]
        out["reasons"] = [r.as_dict() for r in self.reasons]
        return out


@dataclass
class CodeRead:
    """What a reader found in a piece of code: its models in the order written, and reasons that
    belong to no model (a syntax error, no model at all, a third model)."""

    models: list[ModelRead] = field(default_factory=list)
    reasons: list[Reason] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
