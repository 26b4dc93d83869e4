"""Read Keras models from pasted code, through Python's ``ast``, never executing it.

``read_keras(tree, lines)`` finds every model the code builds, in the order written: a
``Sequential([...])``, a ``Sequential()`` followed by ``model.add(...)`` lines (any variable name, any
module path: ``keras.Sequential``, ``tf.keras.models.Sequential``...), or a functional chain
``x = Layer(...)(x)`` ... ``Model(inputs, outputs)`` followed by variable names, at module level or
inside a function. It reads each model's layers into a ``ModelRead`` (app/yourmodel/read.py) and
says, line by line, which fields each line set, what it read with a choice (a Note) and what the lab
cannot show (a Reason).

The reading runs in two passes, both linear in the code's size. The scan (keras_scan.py) walks the
code's statements, keeping what every name is bound to, and records each model's layers as written.
This module holds the interpretation: ``_Reader`` walks each model's layers in order (Input,
Embedding, its dropout, the LSTMs, the output dropout, Dense) and maps them; then the framework
note, and ``read_keras`` itself.

Which Keras: ``tf_keras``, or a module only Keras 2 has (``keras.layers.recurrent``, ``keras.engine``...),
is tf.keras 2 (preset tfkeras2-fit when the code calls ``.fit(``, else tfkeras2); any other import,
or none, is read as Keras 3.8 or later (keras3) with a Note naming the other readings (offered as
links by state.py), because ``tensorflow.keras`` was Keras 2 up to TensorFlow 2.15. The Note of a
Keras-2-only import says the lab's tf.keras 2 is Keras 2.3 to 2.15 (standalone Keras 2.0 to 2.2 is not modelled).
"""

from __future__ import annotations

import ast

from app.yourmodel.keras_scan import (
    MAX_TEXT,
    UNKNOWN,
    _Arg,
    _final,
    _Layer,
    _Link,
    _Model,
    _number,
    _Scanner,
    _show,
    _Source,
)
from app.yourmodel.read import CodeRead, Mapped, ModelRead, Note, Reason

MAX_MODELS = 2

OTHER_RNN = {
    "GRU", "SimpleRNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "CuDNNGRU", "CuDNNLSTM", "RNN", "LSTMCell",
    "GRUCell", "SimpleRNNCell", "StackedRNNCells", "PeepholeLSTMCell",
}  # fmt: skip
NOISE = {"GaussianDropout", "AlphaDropout", "GaussianNoise", "SpatialDropout2D", "SpatialDropout3D"}
KERAS1_LSTM = {"dropout_W", "dropout_U", "output_dim", "inner_activation", "consume_less", "inner_init"}
LSTM_FLAGS = {  # argument: (its default, why the lab cannot show the other value)
    "use_bias": (True, "the lab's LSTM has biases"),
    "go_backwards": (False, "the lab runs the LSTM forward in time"),
    "stateful": (False, "the lab starts every sequence from zero states"),
    "return_state": (False, "the lab reads the LSTM's last h only"),
    "time_major": (False, "the lab reads (batch, time, features) inputs"),
}

KNOWN = ("Input", "InputLayer", "Embedding", "Dropout", "SpatialDropout1D", "LSTM", "Dense", "Activation")


class _Reader:
    """Walks one model's layers in order and fills a ModelRead."""

    def __init__(self, model: _Model, framework: str, src: _Source) -> None:
        self.m = ModelRead(framework=framework)
        self.src, self.framework = src, framework
        self.fields: dict[int, dict[str, object]] = {}
        self.model = model
        self._embedding_seen = self._emb_dropout_set = False

    def reason(self, line: int, message: str) -> None:
        self.m.reasons.append(Reason(line, self.src.line(line), message))

    def note(self, line: int, message: str) -> None:
        self.m.notes.append(Note(line, message))

    def set(self, line: int, name: str, value: object) -> None:
        self.fields.setdefault(line, {})[name] = value

    # -- values --

    def _unknown(self, layer: _Layer, name: str, arg: _Arg) -> None:
        message = f"{layer.kind} {name} = {arg.text} is not known from the code; the lab uses its default"
        self.note(self.at(layer, arg), message)

    def _defaults(self, layer: _Layer, arg: _Arg) -> None:
        for p in arg.defaults:
            self.note(
                layer.line,
                f"{p}: read from its default value in the function's parameters; a call with "
                "another value is not followed",
            )

    def count(self, layer: _Layer, name: str) -> int | None:
        """A positive whole number argument, None when not known (with a Note) or invalid (a Reason)."""
        arg = layer.args.get(name)
        if arg is None:
            if not layer.star:
                self.reason(layer.line, f"{layer.kind}: {name} is not given")
            else:
                self.note(
                    layer.line,
                    f"{layer.kind} {name} is not known from the code ({layer.star}); the lab uses its default",
                )
            return None
        if arg.value is UNKNOWN:
            self._unknown(layer, name, arg)
            return None
        if not isinstance(arg.value, int) or isinstance(arg.value, bool) or arg.value < 1:
            self.reason(self.at(layer, name), f"{layer.kind} {name} = {arg.text}: must be a whole number of at least 1")
            return None
        self._defaults(layer, arg)
        return arg.value

    def rate(self, layer: _Layer, name: str, given: bool = False) -> float | None:
        """A rate in [0, 1); 0.0 when not written (Keras's default), None when not known."""
        arg = layer.args.get(name)
        if arg is None:
            if given and not layer.star:
                self.reason(layer.line, f"{layer.kind}: rate is not given")
            if layer.star:
                self.note(
                    layer.line,
                    f"{layer.kind} {name} is not known from the code ({layer.star}); the lab uses its default",
                )
                return None
            return 0.0
        if arg.value is UNKNOWN:
            self._unknown(layer, name, arg)
            return None
        if not _number(arg.value):
            self.reason(self.at(layer, name), f"{layer.kind} {name} = {arg.text}: a rate must be a number")
            return None
        if not 0 <= arg.value < 1:
            self.reason(
                self.at(layer, name), f"{layer.kind} {name} = {_show(arg.value)}: a rate must be at least 0 and below 1"
            )
            return None
        self._defaults(layer, arg)
        return float(arg.value)

    def flag(self, layer: _Layer, name: str, default: bool) -> bool | None:
        """True/False as written, the default when absent; None (with a Reason) when not known."""
        arg = layer.args.get(name)
        if arg is None:
            return default
        if arg.value is UNKNOWN or not isinstance(arg.value, bool | int | type(None)):
            message = f"{layer.kind} {name} = {arg.text}: not known from the code to be True or False"
            self.reason(self.at(layer, name), message)
            return None
        return bool(arg.value)

    def at(self, layer: _Layer, name: str | _Arg) -> int:
        """The line of argument ``name`` of a call written over several lines (so a reason quotes
        ``mask_zero=True``, not ``tf.keras.layers.Embedding(``); the call's line otherwise."""
        arg = layer.args.get(name) if isinstance(name, str) else name
        line = getattr(arg.node, "lineno", 0) if arg is not None else 0
        if line <= layer.line:
            return layer.line
        self.model.lines.add(line)
        return line

    def _spatial_noise(self, layer: _Layer) -> bool:
        """A Dropout whose noise_shape is (None or batch, 1, the Embedding's output_dim): one mask per
        sequence and feature, shared over the steps, which is what SpatialDropout1D draws."""
        ns = layer.args.get("noise_shape")
        shape = ns.value if ns is not None else None
        if not isinstance(shape, tuple) or len(shape) != 3:
            return False
        batch, steps, features = shape
        if not (type(steps) is int and steps == 1):
            return False
        if not (batch is None or batch is UNKNOWN or (type(batch) is int and batch >= 1)):
            return False
        if features is UNKNOWN:  # output_dim (SpatialDropout1D) or 1 (whole sequences dropped): not guessed
            self.reason(
                self.at(layer, "noise_shape"),
                f"Dropout with noise_shape={ns.text}: its last size is not known from the code; as the "
                "Embedding's output_dim it would be SpatialDropout1D, as 1 it drops whole sequences: write the number",
            )
            return True  # the reason says what it is; no second one
        if features is None or (self.m.emb is not None and type(features) is int and features == self.m.emb):
            how = "its last size is the Embedding's output_dim"
        elif self.m.emb is None and type(features) is int and features > 1:  # Keras accepts only output_dim there
            how = "its last size can only be the Embedding's output_dim"
        else:
            return False
        self.note(
            self.at(layer, "noise_shape"),
            f"Dropout with noise_shape={ns.text} right after the Embedding ({how}): one mask per sequence "
            "and feature, shared over the steps, is exactly SpatialDropout1D; read as emb_mode=spatial",
        )
        return True

    def activation(self, layer: _Layer, name: str) -> str:
        arg = layer.args.get(name)
        if arg is None:
            return ""
        if isinstance(arg.value, str):
            return arg.value
        if isinstance(arg.node, ast.Name | ast.Attribute):
            return _final(arg.node)
        return "linear" if arg.value is None else arg.text

    def length(self, layer: _Layer, shape: _Arg, batch: bool) -> None:
        """The sequence length from a shape: (T,) or, for a batch shape, (B, T)."""
        v = shape.value
        if v is UNKNOWN:
            self._unknown(layer, "shape", shape)
            return
        if not isinstance(v, tuple) or len(v) != 1 + batch:
            self.reason(
                self.at(layer, shape),
                f"{layer.kind} shape {shape.text}: the lab's model reads one sequence of word ids, shape (length,)",
            )
            return
        t = v[-1]
        if t is None:
            self.note(layer.line, f"{layer.kind} {shape.text}: the length is not fixed; the lab uses its default")
        elif t is UNKNOWN:
            self.note(
                layer.line,
                f"{layer.kind} {shape.text}: the length is not known from the code; the lab uses its default",
            )
        elif not isinstance(t, int) or isinstance(t, bool) or t < 1:
            message = f"{layer.kind} shape {shape.text}: the length must be a whole number of at least 1"
            self.reason(self.at(layer, shape), message)
        elif self.m.length is not None and self.m.length != t:
            self.note(
                layer.line,
                f"{layer.kind}: length {_show(t)} differs from {_show(self.m.length)} read "
                f"before; the lab uses {_show(self.m.length)}",
            )
        elif self.m.length is None:
            self._defaults(layer, shape)
            self.m.length = t
            self.set(layer.line, "len", t)

    def shape_args(self, layer: _Layer, names: tuple[str, ...]) -> None:
        for name in names:
            if name in layer.args:
                self.length(layer, layer.args[name], batch=name.startswith("batch"))

    # -- the walk --

    def read(self) -> ModelRead:
        model, m = self.model, self.m
        items = self._items()
        stage = "start"  # start | emb | lstm | dense
        pending: _Layer | None = None  # a dropout layer whose place is known only from what follows
        pending_rate: float | None = 0.0
        lstms: list[_Layer] = []
        dense_early: _Layer | None = None
        for item in items:
            if isinstance(item, _Link):
                self.reason(item.line, item.opaque)
                continue
            model.lines.add(item.line)
            kind = item.kind
            if kind in KNOWN:  # an unknown layer's one reason is that it is unknown
                self._star(item)
            if kind in ("Input", "InputLayer"):
                if stage != "start" or pending:
                    self.reason(item.line, f"{kind} after other layers: the lab's model starts with its input")
                self.shape_args(item, ("shape", "input_shape", "batch_shape", "batch_input_shape"))
            elif kind == "Embedding":
                if pending is not None:
                    self.reason(
                        pending.line,
                        f"a {pending.kind} before the Embedding would drop word ids: the lab "
                        "drops the Embedding's output",
                    )
                    pending = None
                if stage != "start":
                    self.reason(item.line, "a second Embedding or an Embedding after other layers: not the lab's model")
                    continue
                self._embedding(item)
                stage = "emb"
            elif kind in ("Dropout", "SpatialDropout1D"):
                rate = self.rate(item, "rate", given=True)
                first_after_emb = stage == "emb" and not self._emb_dropout_set and pending is None
                spatial = kind == "SpatialDropout1D" or (first_after_emb and self._spatial_noise(item))
                if kind == "Dropout" and not spatial and (ns := item.args.get("noise_shape")) and ns.value is not None:
                    self.reason(
                        self.at(item, "noise_shape"),
                        f"Dropout with noise_shape={ns.text}: the lab draws standard (per step "
                        "and feature) or SpatialDropout1D masks only",
                    )
                if stage == "dense":
                    self.reason(item.line, f"a {kind} after Dense: the lab's model has no dropout there")
                elif pending is not None:
                    self.reason(
                        item.line,
                        f"two dropout layers in a row (lines {pending.line} and {item.line}): the "
                        "lab has one dropout layer there",
                    )
                elif stage == "emb" and not self._emb_dropout_set:
                    m.emb_dropout, m.emb_mode = rate, "spatial" if spatial else "standard"
                    self._emb_dropout_set = True
                    if rate is not None:
                        self.set(item.line, "emb_dropout", rate)
                    self.set(item.line, "emb_mode", m.emb_mode)
                elif stage == "emb":
                    self.reason(
                        item.line,
                        f"two dropout layers in a row (line {item.line}): the lab has one dropout "
                        "layer after the Embedding",
                    )
                else:  # before the Embedding, or after an LSTM: what follows decides
                    pending = item
                    pending_rate = rate
            elif kind == "LSTM":
                if dense_early is not None:
                    self.reason(dense_early.line, "a Dense before the LSTM: the lab feeds the embeddings to the LSTM")
                    dense_early = None
                if pending is not None and stage == "lstm":
                    self.reason(
                        pending.line,
                        f"a {pending.kind} between stacked LSTMs: the lab has no mask there "
                        "for Keras (only PyTorch's nn.LSTM drops between layers)",
                    )
                pending = None  # before an LSTM with no Embedding: "no Embedding" says it
                if stage == "dense":
                    self.reason(item.line, "an LSTM after Dense: the lab's model ends with Dense")
                    continue
                lstms.append(item)
                stage = "lstm"
            elif kind == "Dense":
                if stage in ("start", "emb"):
                    dense_early = dense_early or item
                    continue
                if stage == "lstm":
                    self._out_dropout(pending, pending_rate if pending else 0.0)
                    pending = None
                self._dense(item, second=stage == "dense")
                stage = "dense"
            elif kind == "Activation" and stage == "dense":
                continue
            else:
                self.reason(item.line, self._unsupported(item))
        if pending is not None and stage == "lstm":
            self._out_dropout(pending, pending_rate)
        elif pending is not None:
            self.reason(
                pending.line,
                f"a {pending.kind} before the Embedding would drop word ids: the lab drops the Embedding's output",
            )
        if stage == "lstm":
            self.note(
                lstms[-1].line,
                "no Dense after the LSTM: the lab's model ends in Dense(1, sigmoid); the masks do not depend on it",
            )
        self._stack(lstms)
        if not self._embedding_seen:
            self.reason(model.line, "no Embedding: the lab's model starts with an Embedding of word ids")
        if not lstms and not self.m.reasons:  # a GRU's reason already says it
            self.reason(model.line, "no LSTM layer: the lab shows the dropout masks of an LSTM")
        return self._finish()

    def _items(self) -> list[_Layer | _Link]:
        model = self.model
        if not model.functional:
            return model.items
        if model.items:  # the call itself could not be read
            return model.items
        chain: list[_Layer | _Link] = []
        link, seen = model.output, set()
        while link is not None and id(link) not in seen:
            seen.add(id(link))
            chain.append(link.layer if link.layer is not None else link)
            if link.layer is not None:
                model.lines.add(link.line)
            link = link.prev
        chain.reverse()
        head = chain[0] if chain else None
        if isinstance(head, _Layer) and head.kind not in ("Input", "InputLayer"):
            chain.insert(0, _Link(None, None, head.line, f"{head.kind}: its input is not followed to an Input"))
        inputs = model.inputs
        if inputs is not None and inputs.layer is not None and chain and inputs.layer is not chain[0]:
            chain.append(_Link(None, None, model.line, "the model's inputs are not where its outputs start"))
        elif inputs is not None and inputs.layer is None:
            chain.append(inputs)
        return chain

    def _star(self, layer: _Layer) -> None:
        if layer.star:
            self.note(
                layer.line,
                f"{layer.kind}: the arguments in {layer.star} are not known from the code; read without them",
            )
        if layer.extra:
            self.reason(
                layer.line,
                f"{layer.kind}: {layer.extra} positional arguments more than the lab reads; write them as keywords",
            )

    def _embedding(self, layer: _Layer) -> None:
        self._embedding_seen = True
        m = self.m
        for name, attr in (("input_dim", "vocab"), ("output_dim", "emb")):
            value = self.count(layer, name)
            if value is not None:
                setattr(m, attr, value)
                self.set(layer.line, attr, value)
        if self.flag(layer, "mask_zero", False):
            self.reason(
                self.at(layer, "mask_zero"),
                "mask_zero=True: the lab has no padding mask; its LSTM runs over the padding too",
            )
        if "input_length" in layer.args:
            arg = layer.args["input_length"]
            if arg.value is not None:
                self.length(layer, _Arg(arg.node, (arg.value,), arg.text), batch=False)
        self.shape_args(layer, ("input_shape", "batch_input_shape"))

    def _lstm(self, layer: _Layer, last: bool) -> tuple:
        """One LSTM's (units, dropout, recurrent_dropout) and its reasons."""
        units = self.count(layer, "units")
        dropout = self.rate(layer, "dropout")
        recurrent = self.rate(layer, "recurrent_dropout")
        for name in sorted(KERAS1_LSTM & set(layer.args)):
            self.reason(
                self.at(layer, name),
                f"LSTM {name}=...: a Keras 1 argument; write dropout=, recurrent_dropout=, "
                "units=, recurrent_activation= as Keras 2 and 3 do",
            )
        for name, want in (("activation", "tanh"), ("recurrent_activation", "sigmoid")):
            got = self.activation(layer, name)
            if got and got != want:
                self.reason(self.at(layer, name), f"LSTM {name}={layer.args[name].text}: the lab's LSTM uses {want}")
        for name, (default, why) in LSTM_FLAGS.items():
            value = self.flag(layer, name, default)
            if value is not None and value != default:
                self.reason(self.at(layer, name), f"LSTM {name}={layer.args[name].text}: {why}")
        unroll = self.flag(layer, "unroll", False)
        if unroll and self.framework.startswith("tfkeras2"):
            self.reason(
                self.at(layer, "unroll"),
                "LSTM unroll=True: tf.keras 2 then keeps one input mask over the whole "
                "sequence, a path the lab does not model",
            )
        elif unroll:
            self.note(
                layer.line,
                "LSTM unroll=True: Keras 3 draws the same masks unrolled or not; in tf.keras 2 "
                "(TensorFlow 2.15 or older) unroll=True is a path the lab does not model",
            )
            for preset in ("tfkeras2", "tfkeras2-fit"):  # so no tf.keras 2 link is offered
                self.m.not_for[preset] = "unroll=True keeps one input mask over the sequence in tf.keras 2"
        impl = layer.args.get("implementation")
        if self.framework == "keras3" and impl is not None and impl.value == 1 and dropout and not recurrent:
            self.reason(
                self.at(layer, "implementation"),
                "LSTM implementation=1 with dropout and no recurrent_dropout: Keras 3 then draws "
                "four input masks, one per gate; the lab's keras3 preset shares one",
            )
        sequences = self.flag(layer, "return_sequences", False)
        if last and sequences:
            self.reason(
                self.at(layer, "return_sequences"),
                "return_sequences=True on the last LSTM: the lab reads its last h only, and "
                "the layers after it would see every step",
            )
        elif not last and sequences is False:
            self.reason(
                self.at(layer, "return_sequences"),
                "another LSTM follows this one, which returns only its last h "
                "(return_sequences=False): the next LSTM needs every step",
            )
        key = lambda name, value: value if value is not None else layer.args.get(name, _Arg(None, 0, "")).text  # noqa: E731
        return (
            key("units", units),
            key("dropout", dropout),
            key("recurrent_dropout", recurrent),
            units,
            dropout,
            recurrent,
        )

    def _stack(self, lstms: list[_Layer]) -> None:
        if not lstms:
            return
        m = self.m
        first = None
        for n, layer in enumerate(lstms):
            *keys, units, dropout, recurrent = self._lstm(layer, last=n == len(lstms) - 1)
            if first is None:
                first = keys
                m.units, m.dropout, m.recurrent_dropout = units, dropout, recurrent
            else:
                for name, a, b in zip(("units", "dropout", "recurrent_dropout"), first, keys, strict=True):
                    if a != b:
                        self.reason(
                            layer.line,
                            f"stacked LSTMs with different {name} ({_show(a)} and {_show(b)}): "
                            "the lab's layers share one units and one pair of rates",
                        )
            for name, value in (("units", units), ("dropout", dropout), ("recurrent_dropout", recurrent)):
                if value is not None:
                    self.set(layer.line, name, value)
        m.layers = len(lstms)
        if len(lstms) > 1:
            self.set(lstms[-1].line, "layers", len(lstms))

    def _out_dropout(self, layer: _Layer | None, rate: float | None) -> None:
        if layer is None:
            return
        if layer.kind == "SpatialDropout1D":
            self.reason(
                layer.line,
                "a SpatialDropout1D after the last LSTM: the lab's output dropout is a standard Dropout on the last h",
            )
            return
        self.m.out_dropout = rate
        if rate is not None:
            self.set(layer.line, "out_dropout", rate)

    def _dense(self, layer: _Layer, second: bool) -> None:
        units = layer.args.get("units")
        act = self.activation(layer, "activation") or "linear"
        if second:
            self.note(
                layer.line,
                "another Dense: the lab's model ends in one Dense(1, sigmoid); the masks do not depend on it",
            )
        elif not (units is not None and units.value == 1 and act == "sigmoid"):
            self.note(
                layer.line, f"{layer.text}: the lab's model ends in Dense(1, sigmoid); the masks do not depend on it"
            )

    def _unsupported(self, layer: _Layer) -> str:
        kind = layer.kind
        if kind == "CuDNNLSTM":
            return (
                "CuDNNLSTM (Keras 2 and TensorFlow 1): it has no dropout arguments; write LSTM, which has the "
                "dropout arguments the lab shows"
            )
        if kind in OTHER_RNN:
            return f"{kind}: the lab models LSTM layers only"
        if kind == "Bidirectional":
            return "Bidirectional: the lab runs one LSTM forward in time; Bidirectional adds a second one backwards"
        if kind == "TimeDistributed":
            return "TimeDistributed: the lab's model has no layer applied to every step after the LSTM"
        if kind.startswith(("Conv", "Separable", "Depthwise")) or "Pooling" in kind:
            return (
                f"{kind}: the lab feeds the embeddings straight to the LSTM; convolution and pooling layers are "
                "not modelled"
            )
        if kind in NOISE:
            return f"{kind}: the lab draws Bernoulli masks (0 or 1/(1 - rate)) of Dropout and SpatialDropout1D only"
        if kind == "Lambda":
            return "Lambda: a custom function in the chain; the lab cannot tell what it does"
        if kind == "Masking":
            return "Masking: the lab has no padding mask; its LSTM runs over the padding too"
        if kind in ("Input", "InputLayer", "Activation", "Dense", "Embedding"):
            return f"{kind} at this place: not the lab's model"
        return (
            f"{kind}: not a layer of the lab's model (Embedding, Dropout or SpatialDropout1D, LSTM, Dense); "
            "the lab cannot tell what it does"
        )

    def _finish(self) -> ModelRead:
        m, model = self.m, self.model
        lines = sorted(model.lines)
        m.first_line, m.last_line = (lines[0], lines[-1]) if lines else (model.line, model.line)
        m.mapping = [Mapped(line, self.src.line(line), f) for line, f in sorted(self.fields.items())]
        return m


# -- the framework ----------------------------------------------------------------------------------

IMPORT_NOTES = {  # the other readings are offered as links beside (app/yourmodel/state.py, alternatives)
    "": "No import names the Keras version: read as Keras 3.8 or later (preset keras3).",
    "keras": "keras is read as Keras 3.8 or later (preset keras3); Keras 2 code (with TensorFlow 2.15 or older) "
    "is tf.keras 2.",
    "tensorflow": "tensorflow.keras is Keras 3 from TensorFlow 2.16 on and tf.keras 2 up to 2.15: read as Keras "
    "3.8 or later (preset keras3).",
    "tfkeras2": "tf_keras is tf.keras 2, and the code has no .fit(: read as a direct call model(x, training=True) "
    "(preset tfkeras2).",
    "tfkeras2-fit": "tf_keras is tf.keras 2, and the code calls .fit( (line {fit}): read as inside model.fit "
    "(preset tfkeras2-fit).",
}


KERAS2_NOTE = (
    "{code}: {module} exists in Keras 2 only: read as tf.keras 2, {how} (preset {preset}). "
    "The lab's tf.keras 2 is Keras 2.3 to 2.15; older standalone Keras 2.0 to 2.2 is not modelled."
)


def _framework(scan: _Scanner) -> tuple[str, Note, int]:
    """The preset the code's imports say, the Note saying so, and the import line that decided."""
    if "tf_keras" not in scan.imports and scan.keras2 is not None:
        line, module = scan.keras2
        preset = "tfkeras2-fit" if scan.fit_line else "tfkeras2"
        how = (
            f"inside model.fit, as the code calls .fit( (line {scan.fit_line})"
            if scan.fit_line
            else "called directly, model(x, training=True), as the code has no .fit("
        )
        code = scan.src.line(line)
        code = code if len(code) <= MAX_TEXT else code[: MAX_TEXT - 3] + "..."
        return preset, Note(line, KERAS2_NOTE.format(code=code, module=module, how=how, preset=preset)), line
    if "tf_keras" in scan.imports:
        preset = "tfkeras2-fit" if scan.fit_line else "tfkeras2"
        line = scan.imports["tf_keras"]
        return preset, Note(line, IMPORT_NOTES[preset].format(fit=scan.fit_line)), line
    which = min((k for k in ("keras", "tensorflow") if k in scan.imports), key=scan.imports.get, default="")
    line = scan.imports.get(which, 0)
    return "keras3", Note(line, IMPORT_NOTES[which]), line


def _read(tree: ast.Module, lines: list[str]) -> CodeRead:
    src = _Source(lines)
    scan = _Scanner(src)
    scan.run(tree)
    framework, note, import_line = _framework(scan)
    out = CodeRead(reasons=list(scan.reasons), notes=[note])
    models = sorted(scan.models, key=lambda m: (m.line, m.col))
    for extra in models[MAX_MODELS : MAX_MODELS + 1]:
        out.reasons.append(
            Reason(extra.line, src.line(extra.line), "a third model: the lab reads two models at most, to compare them")
        )
    for model in models[:MAX_MODELS]:
        reader = _Reader(model, framework, src)
        reader.m.reasons.extend(model.reasons)
        read = reader.read()
        if import_line:
            read.mapping.insert(0, Mapped(import_line, src.line(import_line), {"preset": framework}))
        out.models.append(read)
    if not models and not scan.reasons:
        out.reasons.append(Reason(0, "", "no Keras model: the code has no Sequential(...) or Model(inputs, outputs)"))
    return out


def read_keras(tree: ast.Module, lines: list[str]) -> CodeRead:
    """The Keras models of the code, as read (see the module's docstring). Never raises: whatever
    the code, the answer is a CodeRead, with a Reason when the reader itself failed."""
    try:
        return _read(tree, lines)
    except (RecursionError, MemoryError) as e:  # pathological nesting: say so rather than fail the page
        return CodeRead(reasons=[Reason(0, "", f"the code is too deeply nested to read ({type(e).__name__})")])
