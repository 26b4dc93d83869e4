"""Built models read through their public configuration, never called: a Keras 3 or tf.keras 2
model (``Sequential`` or a functional single chain), or a PyTorch ``nn.Module``.

No framework is imported here: what an object is comes from its classes' modules, and which
Keras it is from ``keras.__version__`` already in ``sys.modules`` (the object's own Keras is
loaded, or the object could not exist). This module imports only the standard library and
read.py, so it also runs in tf.keras 2's environment (TF 2.15, no web dependencies).

Keras: ``model.layers`` (functional: ``model.operations`` where Keras 3 has them, the ops between
layers included), each layer's class name and ``get_config()``, the input length from
``model.input_shape`` where the model is built. The rules are the code reader's
(keras_code.py): one chain Embedding -> (Dropout | SpatialDropout1D) -> LSTM x L -> (Dropout)
-> Dense, anything else a reason.

PyTorch: the module's config (``named_children()`` in order; nn.LSTM's hidden_size,
num_layers, dropout, ...), but which Dropout acts where is decided by ``forward()``, which is
code: its source (``inspect.getsource``, available for classes in files and notebook cells)
goes with the config, written as the ``__init__`` it amounts to, to the PyTorch code reader
(torch_code.py), so objects and pasted code follow one set of rules. Without the source the
children are read in the order declared, with a note.

An object has no lines: every ``Mapped``, ``Note`` and ``Reason`` has line 0 and names the layer.
"""

from __future__ import annotations

import ast
import inspect
import itertools
import keyword
import re
import sys
import textwrap
from collections.abc import Callable

from app.yourmodel.read import CodeRead, Mapped, ModelRead, Note, Reason

KERAS_ROOTS = ("keras", "tf_keras", "tensorflow")
KERAS_MODELS = ("Model", "Sequential", "Functional")
CHAIN = "Embedding -> Dropout -> LSTM -> Dropout -> Dense"
# Layers the lab cannot show, with the reason a student reads.
KERAS_REASONS = {
    **{
        name: f"{name}: the lab models LSTM layers only."
        for name in ("GRU", "SimpleRNN", "RNN", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D", "CuDNNLSTM", "CuDNNGRU")
    },
    "Bidirectional": "Bidirectional: the lab models one LSTM read forwards, not a second one read backwards.",
    **{
        name: f"{name}: the lab's dropout is Dropout or SpatialDropout1D; {name} draws other noise."
        for name in ("GaussianDropout", "AlphaDropout", "GaussianNoise", "SpatialDropout2D", "SpatialDropout3D")
    },
}
RECURRENT = ("GRU", "SimpleRNN", "RNN", "CuDNNLSTM", "CuDNNGRU", "Bidirectional")
EMB_DROPS = {"Dropout": "standard", "SpatialDropout1D": "spatial"}
LSTM_FLAGS = {  # config key -> (value the lab models, why another value cannot be shown)
    "activation": ("tanh", "the lab's cell uses tanh"),
    "recurrent_activation": ("sigmoid", "the lab's gates use sigmoid"),
    "use_bias": (True, "the lab's cell has biases"),
    "go_backwards": (False, "the lab reads the sentence forwards"),
    "stateful": (False, "the lab starts every sentence from zero states"),
    "unroll": (False, "the unrolled path (tf.keras 2 keeps other masks there) is not modelled"),
    "time_major": (False, "the lab's inputs are batch-major"),
}


def read_object(obj: object) -> CodeRead:
    """The reading of a built model, or of a list of two (A and B chosen as for pasted code: app/yourmodel/state.py)."""
    if isinstance(obj, list | tuple):
        out = CodeRead()
        for one in obj:
            part = read_object(one)
            out.models += part.models
            out.reasons += part.reasons
            out.notes += part.notes
        return out
    keras_module = _keras_model_module(type(obj))
    if keras_module is not None:
        return CodeRead(models=[_read_keras(obj, keras_module)])
    if _is_torch_module(type(obj)):
        return _read_torch(obj)
    name = type(obj).__name__
    why = f"this is a {name}, not a Keras model or a PyTorch nn.Module: the lab reads those."
    return CodeRead(reasons=[Reason(0, name, why)])


# --- Keras -----------------------------------------------------------------------------------


def _keras_model_module(cls: type) -> str | None:
    """The module of the Keras model class ``cls`` is (or derives from), None when it is no Keras model."""
    for k in cls.__mro__:
        module = getattr(k, "__module__", "") or ""
        root = module.split(".")[0]
        if k.__name__ in KERAS_MODELS and root in KERAS_ROOTS and (root != "tensorflow" or ".keras" in module):
            return module
    return None


def _version(root: str) -> str | None:
    module = sys.modules.get(root)
    version = getattr(module, "__version__", None)
    return version if isinstance(version, str) else None


def _keras_framework(module: str) -> tuple[str, str, list[Note]]:
    """(preset, what was found, notes) from the model class's module and its Keras's version."""
    root = module.split(".")[0]
    version = _version(root)
    if root == "tensorflow" or root == "tf_keras" or ".engine." in module or (version or "").startswith("2."):
        names = {"tf_keras": "tf_keras", "tensorflow": "tf.keras of TensorFlow"}
        label = f"{names.get(root, 'Keras')} {version or '2'} (tf.keras 2)"
        return (
            "tfkeras2-fit",
            label,
            [
                Note(
                    0,
                    f"{label}: read as model.fit runs it (preset tfkeras2-fit); called directly, "
                    "model(x, training=True), it runs as preset tfkeras2.",
                )
            ],
        )
    found = re.match(r"(\d+)\.(\d+)", version or "")
    if found is None or int(found.group(1)) != 3:
        return (
            "keras3",
            f"Keras {version or '3'}",
            [
                Note(
                    0,
                    f"the Keras version ({version or 'unknown'}) is not one the lab knows: read as Keras 3.8 or "
                    "later (preset keras3); Keras 3.0 to 3.7 is preset keras3-legacy.",
                )
            ],
        )
    preset = "keras3" if int(found.group(2)) >= 8 else "keras3-legacy"
    return preset, f"Keras {version}", []


def _keras_length(model: object, configs: list[tuple[str, str, dict]]) -> tuple[int | None, str]:
    """The sequence length and where it came from: the built model's input shape, else the
    config (Keras 2's Embedding input_length, an InputLayer's shape)."""
    try:
        shape = model.input_shape  # raises when the model is not built
    except Exception:  # any framework's "not built" error
        shape = None
    if isinstance(shape, tuple) and len(shape) == 2 and _is_int(shape[1]):
        return int(shape[1]), "input shape"
    for name, cls, config in configs:
        if cls == "InputLayer":
            shape = config.get("batch_shape") or config.get("batch_input_shape")
            if isinstance(shape, list | tuple) and len(shape) == 2 and _is_int(shape[1]):
                return int(shape[1]), name
        if cls == "Embedding" and _is_int(config.get("input_length")):
            return int(config["input_length"]), name
    return None, ""


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _rate(value: object) -> float | None:
    """A rate as a float, None when it is no number in [0, 1)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if 0 <= value < 1 else None


def _keras_chain(model: object, functional: bool) -> tuple[list[object], list[Reason]]:
    """The model's layers in order; for a functional model, its operations, checked to be one chain."""
    if not functional:
        return list(model.layers), []  # a Sequential is a chain
    ops = list(getattr(model, "operations", None) or model.layers)
    reasons = []
    for prev, op in itertools.pairwise(ops):
        try:
            chained = op.input is prev.output
        except Exception:  # a layer used twice, or several inputs
            chained = False
        if not chained:
            reasons.append(
                Reason(
                    0,
                    op.name,
                    f"{op.name} does not take the output of {prev.name}: the lab reads one chain of layers "
                    f"({CHAIN}), not branches.",
                )
            )
            break
    return ops, reasons


def _read_keras(model: object, module: str) -> ModelRead:
    framework, label, notes = _keras_framework(module)
    m = ModelRead(framework=framework, notes=notes)
    m.mapping.append(Mapped(0, label, {"preset": framework}))
    kind = type(model).__name__
    if kind not in ("Sequential", "Functional") or type(model).__module__ != module:
        m.reasons.append(
            Reason(
                0,
                kind,
                f"{kind} is a subclassed Model: its call() is code, which a built model does not show; build it "
                "as a Sequential or a functional model, or paste its code.",
            )
        )
        return m
    ops, m.reasons = _keras_chain(model, kind != "Sequential")
    if m.reasons:
        return m  # not one chain: what each layer would mean is not known
    configs = [(op.name, type(op).__name__, _config(op)) for op in ops]
    length, source = _keras_length(model, configs)
    if length is not None:
        m.length = length
        m.mapping.append(Mapped(0, source, {"len": length}))
    _KerasChain(m).read([c for c in configs if c[1] != "InputLayer"])
    if length is None and not m.reasons:
        m.notes.append(Note(0, _no_length(model, framework)))
    return m


def _no_length(model: object, framework: str) -> str:
    """Why the length is not known, and what the lab does instead."""
    if getattr(model, "built", False):
        return "the model's input has no fixed length: the lab reads the whole sentence (len=0)."
    ignored = " (Keras 3 ignores input_length)" if framework.startswith("keras3") else ""
    return (
        f"the model is not built, so its sequence length is not known{ignored}: the lab reads the whole sentence "
        "(len=0). Build it, model.build((None, T)), to read T."
    )


def _config(layer: object) -> dict:
    try:
        config = layer.get_config()
    except Exception:  # an op or a custom layer without a config
        return {}
    return config if isinstance(config, dict) else {}


class _KerasChain:
    """The walk along the chain: where each layer stands decides what its rate means."""

    def __init__(self, m: ModelRead):
        self.m = m
        self.stage = "start"  # start, emb, emb_drop, lstm, out_drop, dense
        self.lstms: list[tuple[str, dict]] = []
        self.pending: tuple[str, float] | None = None  # a Dropout after an LSTM: output, or between LSTMs

    def reason(self, name: str, message: str) -> None:
        self.m.reasons.append(Reason(0, name, message))

    def read(self, configs: list[tuple[str, str, dict]]) -> None:
        for name, cls, config in configs:
            if cls in KERAS_REASONS:
                self.reason(name, KERAS_REASONS[cls])
                if cls in RECURRENT and self.stage in ("emb", "emb_drop", "lstm", "out_drop"):
                    self.stage = "lstm"  # what follows is read as after a recurrent layer: one reason, not a cascade
            elif cls == "Embedding":
                self.embedding(name, config)
            elif cls in EMB_DROPS:
                self.dropout(name, cls, config)
            elif cls == "LSTM":
                self.lstm(name, config)
            elif cls == "Dense":
                self.dense(name, config)
            elif cls == "Activation" and self.stage == "dense":
                continue  # after the output layer: the masks do not depend on it
            else:
                self.reason(name, f"{cls}: a layer the lab does not model (the lab's model is {CHAIN}).")
        self.finish()

    def embedding(self, name: str, config: dict) -> None:
        if self.stage != "start":
            self.reason(name, f"a second Embedding ({name}): the lab's model has one, first ({CHAIN}).")
            return
        self.stage = "emb"
        if config.get("mask_zero"):
            self.reason(name, "mask_zero=True: the lab has no padding mask (its padding is words it reads).")
        fields = {}
        for key, field in (("input_dim", "vocab"), ("output_dim", "emb")):
            if _is_int(config.get(key)):
                fields[field] = config[key]
                setattr(self.m, field, config[key])
        self.m.mapping.append(Mapped(0, name, fields))

    def dropout(self, name: str, cls: str, config: dict) -> None:
        rate = _rate(config.get("rate"))
        if rate is None:
            self.reason(name, f"{cls} rate {config.get('rate')!r}: a rate is a number from 0 to below 1.")
            return
        if config.get("noise_shape") is not None:
            self.reason(name, f"{cls} with noise_shape: the lab's dropout drops single values, not shapes of them.")
            return
        if self.stage == "start":
            self.reason(name, f"{cls} before the Embedding: the lab's dropout acts on the embedding's output.")
        elif self.stage == "emb":
            self.stage = "emb_drop"
            self.m.emb_dropout, self.m.emb_mode = rate, EMB_DROPS[cls]
            self.m.mapping.append(Mapped(0, name, {"emb_dropout": rate, "emb_mode": EMB_DROPS[cls]}))
        elif self.stage == "lstm" and cls == "Dropout":
            self.stage = "out_drop"
            self.pending = (name, rate)
        elif self.stage in ("emb_drop", "out_drop"):
            self.reason(name, f"two dropout layers in a row ({name}): the lab has one mask there.")
        else:
            self.reason(name, f"{cls} after {self.stage_words()}: the lab has no mask there ({CHAIN}).")

    def stage_words(self) -> str:
        return {"lstm": "the LSTM", "dense": "the Dense"}.get(self.stage, "the LSTM")

    def lstm(self, name: str, config: dict) -> None:
        if self.stage in ("start", "dense"):
            where = "before the Embedding" if self.stage == "start" else "after the Dense"
            self.reason(name, f"an LSTM {where}: the lab's model is {CHAIN}.")
            return
        if self.stage == "out_drop" and self.pending is not None:
            self.reason(
                self.pending[0],
                "a Dropout between stacked LSTMs: Keras has no mask there in the lab's model; use the next "
                "LSTM's dropout argument.",
            )
            self.pending = None
        for key, (value, why) in LSTM_FLAGS.items():
            if key in config and config[key] != value:
                self.reason(name, f"{key}={config[key]!r}: {why}.")
        rates = {}
        for key in ("dropout", "recurrent_dropout"):
            rate = _rate(config.get(key, 0.0))
            if rate is None:
                self.reason(name, f"{key}={config.get(key)!r}: a rate is a number from 0 to below 1.")
            rates[key] = rate or 0.0
        self.lstms.append((name, {"units": config.get("units"), **rates, "seq": bool(config.get("return_sequences"))}))
        self.stage = "lstm"

    def dense(self, name: str, config: dict) -> None:
        if self.stage in ("start", "emb", "emb_drop"):
            self.reason(name, f"a Dense before the LSTM: the lab's model is {CHAIN}.")
            return
        if self.stage == "dense":
            self.m.notes.append(Note(0, f"{name}: a further Dense after the first; the masks do not depend on it."))
            return
        units, activation = config.get("units"), config.get("activation")
        if units != 1 or activation != "sigmoid":
            self.m.notes.append(
                Note(
                    0,
                    f"{name}: Dense({units}, {activation}); the lab's model ends in Dense(1, sigmoid); the masks "
                    "do not depend on it.",
                )
            )
        self.stage = "dense"

    def finish(self) -> None:
        m = self.m
        if self.stage == "start" and not m.reasons:
            self.reason("", f"no Embedding layer: the lab's model starts with one ({CHAIN}).")
        if not self.lstms:
            if not m.reasons:
                self.reason("", "no LSTM layer: the lab shows the dropout inside an LSTM.")
            return
        if self.stage != "dense" and not m.reasons:
            m.notes.append(Note(0, "no Dense after the LSTM: the lab's model ends in Dense(1, sigmoid)."))
        *inner, (last, top) = self.lstms
        for name, c in inner:
            if not c["seq"]:
                self.reason(name, "return_sequences=False below another LSTM: the next LSTM needs every step.")
        if top["seq"]:
            self.reason(
                last,
                "return_sequences=True on the last LSTM: the lab's model reads the last step's h into the Dense.",
            )
        first = self.lstms[0][1]
        keys = ("units", "dropout", "recurrent_dropout")
        for name, c in self.lstms[1:]:
            if any(c[k] != first[k] for k in keys):
                differ = ", ".join(f"{k} {first[k]} and {c[k]}" for k in keys if c[k] != first[k])
                self.reason(name, f"stacked LSTMs with different {differ}: the lab's layers share them.")
        if _is_int(first["units"]):
            m.units = first["units"]
        m.dropout, m.recurrent_dropout, m.layers = first["dropout"], first["recurrent_dropout"], len(self.lstms)
        for n, (name, c) in enumerate(self.lstms):
            fields = {"units": c["units"], "dropout": c["dropout"], "recurrent_dropout": c["recurrent_dropout"]}
            if n == len(self.lstms) - 1:
                fields["layers"] = len(self.lstms)
            m.mapping.append(Mapped(0, name, fields))
        if self.pending is not None:  # a Dropout on the last LSTM's output (before the Dense, if any)
            m.out_dropout = self.pending[1]
            m.mapping.append(Mapped(0, self.pending[0], {"out_dropout": self.pending[1]}))


# --- PyTorch ---------------------------------------------------------------------------------

TORCH_NN = "torch.nn.modules."
DROPOUTS = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout")
CONTAINERS = ("Sequential", "ModuleList")
NO_SOURCE = "the source of forward() is not available: the layers are read in the order declared."
NO_FORWARD_NOTE = re.compile(r"forward", re.IGNORECASE)


def _is_torch_module(cls: type) -> bool:
    return any(k.__name__ == "Module" and k.__module__ == "torch.nn.modules.module" for k in cls.__mro__)


def _is_builtin(module: object) -> bool:
    return type(module).__module__.startswith(TORCH_NN)


def _identifier(name: str) -> bool:
    return name.isidentifier() and not keyword.iskeyword(name)


def _num(value: object) -> str:
    return repr(value) if isinstance(value, int | float) and not isinstance(value, bool) else "None"


def _declaration(module: object) -> str:
    """The constructor call a torch module's config amounts to, with literal numbers."""
    cls = type(module).__name__
    if not _is_builtin(module):
        return f"{cls}()" if _identifier(cls) else "Module()"
    get = lambda name: getattr(module, name, None)  # noqa: E731
    if cls == "Embedding":
        pad = get("padding_idx")
        extra = f", padding_idx={_num(pad)}" if pad is not None else ""
        return f"nn.Embedding({_num(get('num_embeddings'))}, {_num(get('embedding_dim'))}{extra})"
    if cls in DROPOUTS:
        return f"nn.{cls}({_num(get('p'))})"
    if cls in ("LSTM", "GRU", "RNN"):
        args = [_num(get("input_size")), _num(get("hidden_size")), f"num_layers={_num(get('num_layers'))}"]
        if get("bias") is False:
            args.append("bias=False")
        if get("batch_first"):
            args.append("batch_first=True")
        args.append(f"dropout={_num(get('dropout'))}")
        if get("bidirectional"):
            args.append("bidirectional=True")
        if get("proj_size"):
            args.append(f"proj_size={_num(get('proj_size'))}")
        return f"nn.{cls}({', '.join(args)})"
    if cls in ("LSTMCell", "GRUCell", "RNNCell"):
        return f"nn.{cls}({_num(get('input_size'))}, {_num(get('hidden_size'))})"
    if cls == "Linear":
        bias = ", bias=False" if get("bias") is None else ""
        return f"nn.Linear({_num(get('in_features'))}, {_num(get('out_features'))}{bias})"
    if cls in CONTAINERS:
        return f"nn.{cls}([{', '.join(_declaration(c) for _, c in module.named_children())}])".replace(
            "Sequential([", "Sequential(*["
        )
    return f"nn.{cls}()"


def _forward_source(obj: object) -> tuple[str | None, str]:
    """The source of the class's own forward(), and why there is none ("" when there is)."""
    forward = getattr(type(obj), "forward", None)
    if forward is None or getattr(forward, "__module__", "").startswith("torch."):
        return None, "builtin"
    try:
        return textwrap.dedent(inspect.getsource(forward)), ""
    except (OSError, TypeError):
        return None, "no source"


def _read_torch(obj: object) -> CodeRead:
    """The module's config written as its __init__, with its forward(), read by torch_code.py."""
    from app.yourmodel.torch_code import read_torch  # the code reader: ast only, no framework

    leaf = _is_builtin(obj) and type(obj).__name__ not in CONTAINERS  # an nn.LSTM itself, say
    children = [(type(obj).__name__.lower(), obj)] if leaf else list(obj.named_children())
    lines = ["import torch", "from torch import nn", "", "", "class Model(nn.Module):", "    def __init__(self):"]
    lines.append("        super().__init__()")
    labels = dict.fromkeys(range(1, len(lines) + 1), type(obj).__name__)  # the module as a whole
    reasons: list[Reason] = []
    for name, child in children:
        labels[len(lines) + 1] = name
        lines.append(f"        self.{name if _identifier(name) else f'layer_{len(lines)}'} = {_declaration(child)}")
        reasons += _torch_reasons(name, child)
    notes: list[Note] = []
    forward, missing = _forward_source(obj)
    tree = None
    if forward is not None:
        body = [textwrap.indent(line, "    ") if line.strip() else line for line in forward.split("\n")]
        try:
            tree = ast.parse("\n".join(lines + body))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            forward, missing = None, "no source"
        else:
            labels |= {len(lines) + 1 + k: "forward(): " + line.strip() for k, line in enumerate(forward.split("\n"))}
            lines += body
    if forward is None:
        tree = ast.parse("\n".join(lines))
        if missing == "no source":
            notes.append(Note(0, NO_SOURCE))
    return _relabelled(read_torch(tree, lines), labels, notes, reasons, with_forward=forward is not None)


def _torch_reasons(name: str, child: object) -> list[Reason]:
    """What the written __init__ cannot say: a module of the user's own, a parametrization."""
    if not _is_builtin(child):
        return [
            Reason(
                0,
                name,
                f"{name} is a {type(child).__name__}, a module of your own: the lab reads torch.nn's Embedding, "
                "Dropout, LSTM and Linear, and cannot see what yours does.",
            )
        ]
    if hasattr(child, "parametrizations"):
        return [
            Reason(
                0,
                name,
                f"{name} has a parametrization (weight norm or weight drop): AWD's weight drop is preset awd, "
                "not nn.LSTM.",
            )
        ]
    return []


def _relabelled(
    read: CodeRead, labels: dict[int, str], notes: list[Note], reasons: list[Reason], with_forward: bool
) -> CodeRead:
    """The code reader's reading with line numbers of the written code turned into layer names.
    Without a forward() the reader's note about it goes: nn.Sequential's forward is the order
    declared, and a missing source has this module's own note."""
    label: Callable[[int], str] = lambda line: labels.get(line, "")  # noqa: E731

    def note(n: Note) -> Note | None:
        if not with_forward and NO_FORWARD_NOTE.search(n.message):
            return None
        where = label(n.line)
        return Note(0, f"{where}: {n.message}" if where else n.message)

    def reason(r: Reason) -> Reason:
        return Reason(0, label(r.line) or r.code, r.message)

    out = CodeRead(reasons=[reason(r) for r in read.reasons], notes=[n for n in map(note, read.notes) if n])
    for m in read.models:
        m.mapping = [Mapped(0, label(x.line) or x.code, x.fields) for x in m.mapping]
        m.notes = notes + [n for n in map(note, m.notes) if n]
        m.reasons = reasons + [reason(r) for r in m.reasons]
        m.first_line = m.last_line = 0
        out.models.append(m)
    if not out.models and reasons:
        out.reasons = reasons + out.reasons
    return out
