"""Read PyTorch code (never run it): the ``nn.Module`` classes with an ``nn.LSTM``, or bare
statements outside a class, into ``ModelRead``s with preset ``pytorch``.

Where an ``nn.Dropout`` acts is not in its declaration but in ``forward()``: ``self.drop`` may
sit on the embedding output (emb_dropout), on the LSTM's last output before the Linear
(out_dropout), between two LSTM modules, or anywhere else. So ``forward()`` is followed call by
call with symbolic values (the embedding output, the LSTM's output sequence, h_n, the last step)
that carry the dropouts applied to them; a value reaching the LSTM or the Linear says what each
dropout was. Without ``forward()`` the modules are read in the order declared, with a note.

Choices made here, each said to the user:

- Two ``nn.LSTM`` modules called in sequence are read as ``num_layers=2``: an ``nn.Dropout(p)``
  between them is exactly what ``nn.LSTM(num_layers=2, dropout=p)`` draws (a fresh mask per
  element and step on the lower layer's output sequence), so the pair reads as
  ``layers=2, dropout=p``; rates that differ from gap to gap cannot be one state: a reason.
- ``nn.Dropout1d`` on the embedding output is spatial dropout only when it sees (batch,
  features, steps), after ``transpose(1, 2)``; on (batch, steps, features) it zeroes whole steps.
- ``padding_idx`` is a note: PyTorch keeps word 0's vector at zero, the lab's row 0 (``<pad>``)
  is not zero, and no mask depends on it. ``bias=False`` is a reason: the lab's LSTM has biases.
- ``F.dropout(x, p, training=self.training)`` reads as ``nn.Dropout(p)``; without the training
  flag F.dropout drops at inference too, a reason.

Numbers are literals, simple arithmetic of literals, names bound to them (module level, in
``__init__``, ``__init__``'s defaults or the arguments of ``Model(...)`` at module level); any
other expression leaves the size None with a note. The reader costs time linear in the code
(a budget bounds what following ``forward()`` through ``self`` methods may cost).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from app.yourmodel.read import CodeRead, Mapped, ModelRead, Note, Reason

UNKNOWN = object()  # a value not known from the code
MODELS_MAX = 2
BUDGET = 20_000  # expressions followed per model: forward() through its self.methods
DEPTH = 150  # nesting followed in one expression
NN_DEFAULTS = {"torch": "torch", "nn": "torch.nn", "F": "torch.nn.functional"}
RECURRENT = {
    "GRU": "nn.GRU: the lab models LSTM layers only.",
    "RNN": "nn.RNN: the lab models LSTM layers only.",
    "GRUCell": "nn.GRUCell: the lab models LSTM layers only.",
    "RNNCell": "nn.RNNCell: the lab models LSTM layers only.",
    "LSTMCell": "nn.LSTMCell: a loop over steps written by hand; the lab reads nn.LSTM, whose arguments say "
    "where its dropout acts.",
}
DROPOUTS = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout")
F_DROPOUTS = {
    "dropout": "Dropout",
    "dropout1d": "Dropout1d",
    "dropout2d": "Dropout2d",
    "dropout3d": "Dropout3d",
    "alpha_dropout": "AlphaDropout",
    "feature_alpha_dropout": "FeatureAlphaDropout",
}
ODD_DROPOUT = {
    "Dropout2d": "nn.Dropout2d zeroes whole channels of 4-D input (a 3-D embedding output is read as one "
    "unbatched image, or with a warning); the lab has Dropout and SpatialDropout1D (Dropout1d after transpose).",
    "Dropout3d": "nn.Dropout3d zeroes whole channels of 5-D input; the lab has no such mask.",
    "AlphaDropout": "nn.AlphaDropout (for SELU networks) sets dropped values to a negative constant and "
    "rescales; the lab's dropout zeroes and scales by 1/(1-p).",
    "FeatureAlphaDropout": "nn.FeatureAlphaDropout (for SELU networks) sets whole channels to a negative "
    "constant; the lab's dropout zeroes and scales by 1/(1-p).",
}
LSTM_ARGS = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional", "proj_size")
EMB_ARGS = ("num_embeddings", "embedding_dim", "padding_idx", "max_norm", "norm_type", "scale_grad_by_freq", "sparse")
LINEAR_ARGS = ("in_features", "out_features", "bias")
IGNORED_KW = {"device", "dtype", "inplace", "_weight", "_freeze"}
WEIGHT_DROP = re.compile(r"weight_?drop|weight_norm|spectral_norm|parametriz|drop_?connect", re.IGNORECASE)
REPARAMETRISED = re.compile(r"weight_norm|spectral_norm|parametriz", re.IGNORECASE)


def _weights_wrapped(name: str) -> str:
    """Why a wrapper of the LSTM's weights cannot be read: weight drop (AWD-LSTM) or a reparametrisation."""
    if REPARAMETRISED.search(name):
        return (f"{name}: the LSTM's weights are reparametrised (weight or spectral normalisation), which drops "
                "nothing but changes every gate; the lab's LSTM has plain weights.")  # fmt: skip
    return (f"{name}: weight drop on the LSTM's weights (AWD-LSTM) is preset awd, which nn.LSTM does not have: "
            "the lab cannot read it from this code.")  # fmt: skip


WORD_DROP = re.compile(r"embed\w*_?drop|word_?drop|drop_?word", re.IGNORECASE)
PASS_METHODS = {"contiguous", "clone", "float", "double", "half", "to", "detach", "cpu", "cuda", "type_as"}
PACK = {"pack_padded_sequence", "pack_sequence"}


# ----------------------------------------------------------------------------------------- numbers


def _isnum(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _show(v: object) -> str:
    """A value for a message: huge ints by their size (str() of a 5000-digit int raises)."""
    if isinstance(v, int) and not isinstance(v, bool) and v.bit_length() > 200:
        return f"a number of about {int(v.bit_length() * 0.30103)} digits"
    if isinstance(v, str):
        return repr(v[:40] + ("..." if len(v) > 40 else ""))
    return repr(v)


def _arith(op: ast.operator, a: float, b: float) -> object:
    big = isinstance(a, int) and isinstance(b, int)
    if isinstance(op, ast.Pow):
        if big and b > 0 and abs(a) > 1 and b * a.bit_length() > 20_000:
            return UNKNOWN
        if not big and abs(b) > 1e4:
            return UNKNOWN
    if isinstance(op, ast.Mult) and big and a.bit_length() + b.bit_length() > 100_000:
        return UNKNOWN
    ops = {
        ast.Add: lambda: a + b,
        ast.Sub: lambda: a - b,
        ast.Mult: lambda: a * b,
        ast.Div: lambda: a / b,
        ast.FloorDiv: lambda: a // b,
        ast.Mod: lambda: a % b,
        ast.Pow: lambda: a**b,
    }
    fn = ops.get(type(op))
    if fn is None:
        return UNKNOWN
    try:
        out = fn()
    except (ArithmeticError, ValueError):
        return UNKNOWN
    return out if _isnum(out) else UNKNOWN  # a negative base to a fractional power is complex


def _const(node: ast.AST | None, env: dict[str, object], depth: int = 0) -> object:
    """The value of a literal expression: a number, a bool, a string, None; UNKNOWN otherwise."""
    if node is None or depth > DEPTH:
        return UNKNOWN
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return env.get(node.id, UNKNOWN)
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
        return env.get("self." + node.attr, UNKNOWN)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        v = _const(node.operand, env, depth + 1)
        if _isnum(v):
            return -v if isinstance(node.op, ast.USub) else v
        return UNKNOWN
    if isinstance(node, ast.BinOp):
        a = _const(node.left, env, depth + 1)
        b = _const(node.right, env, depth + 1)
        return _arith(node.op, a, b) if _isnum(a) and _isnum(b) else UNKNOWN
    return UNKNOWN


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` for a chain of names and attributes, None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _src(node: ast.AST | str, lines: list[str]) -> str:
    """The source of an expression, cut to one readable line (unparsed only for a message)."""
    if isinstance(node, str):
        return node
    try:
        text = ast.unparse(node)
    except Exception:  # ast.unparse of any tree: a message must not fail
        text = "?"
    return text if len(text) <= 60 else text[:57] + "..."


# ----------------------------------------------------------------------------------------- names


class _Names:
    """What the code's names mean: ``nn`` -> torch.nn, ``F`` -> torch.nn.functional, ``LSTM``
    -> torch.nn.LSTM after ``from torch.nn import LSTM`` (from its imports, anywhere)."""

    def __init__(self, tree: ast.Module):
        self.aliases = dict(NN_DEFAULTS)
        self.origins: dict[str, str] = {}  # a module-level name not known -> "name = expr on line N"
        self.star_nn = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for a in node.names:
                    if a.asname:
                        self.aliases[a.asname] = a.name
                    else:
                        head = a.name.split(".")[0]
                        self.aliases[head] = head
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    if a.name == "*":
                        self.star_nn |= node.module == "torch.nn"
                    else:
                        self.aliases[a.asname or a.name] = f"{node.module}.{a.name}"

    def qual(self, node: ast.AST) -> str | None:
        d = _dotted(node)
        if d is None:
            return None
        head, dot, rest = d.partition(".")
        full = self.aliases.get(head)
        if full is None:
            if self.star_nn and not dot:
                return "torch.nn." + head
            return d
        return full + dot + rest

    def nn_class(self, node: ast.AST) -> str | None:
        """``LSTM`` for nn.LSTM / torch.nn.LSTM / an imported LSTM; None for anything else."""
        q = self.qual(node)
        if q and q.startswith("torch.nn.") and q.count(".") == 2:
            return q[len("torch.nn.") :]
        if q == "torch.nn.Embedding.from_pretrained":
            return "Embedding.from_pretrained"
        return None

    def functional(self, node: ast.AST) -> str | None:
        q = self.qual(node)
        if q and q.startswith("torch.nn.functional.") and q.count(".") == 3:
            return q.rsplit(".", 1)[1]
        if q in ("torch.dropout", "torch.alpha_dropout", "torch.feature_alpha_dropout"):
            return "torch." + q.rsplit(".", 1)[1]
        return None


# ----------------------------------------------------------------------------------------- modules


@dataclass(eq=False)
class Lstm:
    """One nn.LSTM as declared: sizes as read (None = not known), the line that declares it."""

    line: int
    input_size: object = None
    units: object = None  # hidden_size
    layers: object = 1
    dropout: object = 0.0  # UNKNOWN when not known or wrong (a reason says so)
    batch_first: object = False


@dataclass(eq=False)
class Decl:
    """A module the code builds: ``self.lstm = nn.LSTM(...)`` (key ``self.lstm``)."""

    key: str
    kind: str  # nn class name, "Embedding.from_pretrained", or "custom"
    name: str  # the callable as written
    line: int
    call: ast.Call
    lstm: Lstm | None = None
    rate: object = None  # dropout rate; UNKNOWN when not known
    sizes: tuple = (None, None)  # Embedding (vocab, emb), Linear (in, out)
    children: list[Decl] = field(default_factory=list)  # nn.Sequential
    used: bool = False


@dataclass(eq=False)
class App:
    """One dropout applied in forward() (a module's call or F.dropout): its kind, rate and where."""

    line: int
    kind: str  # Dropout, Dropout1d, ...
    rate: object
    source_line: int  # the line that says the rate (the module's declaration, or the F.dropout call)
    perm: tuple = (0, 1, 2)  # the embedding's axes as the dropout saw them
    role: str = ""  # emb, between:k, out


@dataclass(frozen=True)
class V:
    """A symbolic value in forward(): what a tensor is, and the dropouts applied to it."""

    kind: str  # input, emb, seq, hn, cn, last, tuple, module, other
    drops: tuple = ()
    lstm: Decl | None = None  # seq/hn/cn/last: the LSTM it comes from
    perm: tuple = (0, 1, 2)  # emb: the axes after transposes
    names: tuple = ()  # seq: the axes (B, T, H) or (T, B, H) after transposes
    items: tuple = ()  # tuple
    decl: Decl | None = None  # module
    origin: tuple = (0, "")  # other: where it was made (line, node or text), for a message

    def with_drop(self, app: App) -> V:
        return V(self.kind, (*self.drops, app), self.lstm, self.perm, self.names, self.items, self.decl, self.origin)


INPUT = V("input")


def _other(line: int, text: ast.AST | str, drops: tuple = ()) -> V:
    return V("other", drops, origin=(line, text))


# ----------------------------------------------------------------------------------------- reading


class _Model:
    """One model: its modules, numbers, what forward() does with them, and the ModelRead."""

    def __init__(self, names: _Names, lines: list[str], env: dict[str, object], first: int, last: int):
        self.names, self.lines, self.env = names, lines, env
        self.first, self.last = first, last
        self.decls: dict[str, Decl] = {}
        self.reasons: list[Reason] = []
        self.notes: list[Note] = []
        self.mapped: dict[int, dict[str, object]] = {}
        self.methods: dict[str, ast.FunctionDef] = {}
        self.by_call: dict[int, Decl] = {}  # id(call node) -> its declaration
        self.read: ModelRead | None = None
        self.origins: dict[str, str] = {}  # a parameter -> the expression given for it, when not known

    # -- messages
    def code(self, line: int) -> str:
        return self.lines[line - 1].strip() if 0 < line <= len(self.lines) else ""

    def reason(self, line: int, message: str) -> None:
        if not any(r.line == line and r.message == message for r in self.reasons):
            self.reasons.append(Reason(line, self.code(line), message))

    def note(self, line: int, message: str) -> None:
        if not any(n.line == line and n.message == message for n in self.notes):
            self.notes.append(Note(line, message))

    def map(self, line: int, **fields: object) -> None:
        self.mapped.setdefault(line, {}).update(fields)

    # -- numbers
    def bind_numbers(self, target: ast.AST, value: ast.AST | None, conditional: bool) -> None:
        """``units = 100`` / ``self.units = units`` in order; names bound in a branch or a loop, or to
        something not known, are not known afterwards."""
        key = _dotted(target) if isinstance(target, (ast.Name, ast.Attribute)) else None
        if key is None or (isinstance(target, ast.Attribute) and not key.startswith("self.")) or key.count(".") > 1:
            for t in ast.walk(target) if isinstance(target, (ast.Tuple, ast.List)) else ():
                if isinstance(t, (ast.Name, ast.Attribute)) and (k := _dotted(t)):
                    self.env[k] = UNKNOWN
            return
        v = _const(value, self.env)
        self.env[key] = UNKNOWN if conditional else v

    def size(self, node: ast.AST | None, what: str, call: ast.Call, default: object = None, uses: str = "") -> object:
        """An integer argument: its value, None when not known (with a note), UNKNOWN when wrong (a reason)."""
        line = call.lineno
        if node is None:
            return default
        v = _const(node, self.env)
        text = _src(node, self.lines)
        if v is UNKNOWN:
            given = self.origins.get(_dotted(node) or "") or self.names.origins.get(_dotted(node) or "")
            text += f" (given as {given})" if given else ""
            self.note(line, f"{what} = {text} is not known from the code: the lab uses {uses or 'its default'}.")
            return None
        if not isinstance(v, int) or isinstance(v, bool):
            self.reason(line, f"{what} = {text} is not an integer ({_show(v)}): PyTorch would raise an error.")
            return UNKNOWN
        return v

    def rate(self, node: ast.AST | None, what: str, line: int, default: float) -> object:
        """A dropout rate: its value, UNKNOWN (with a reason) when not known or outside [0, 1)."""
        if node is None:
            return float(default)
        v = _const(node, self.env)
        text = _src(node, self.lines)
        if v is UNKNOWN:
            self.reason(line, f"{what} = {text} is not known from the code: write the rate as a number.")
            return UNKNOWN
        if not _isnum(v):
            self.reason(line, f"{what} = {text} is not a number ({_show(v)}).")
            return UNKNOWN
        if not 0 <= v < 1:
            self.reason(line, f"{what} = {_show(v)}: a dropout rate must be at least 0 and below 1.")
            return UNKNOWN
        return float(v)

    def flag(self, node: ast.AST | None, default: bool) -> object:
        if node is None:
            return default
        v = _const(node, self.env)
        return v if isinstance(v, (bool, int)) and v is not UNKNOWN else UNKNOWN

    def bind(self, call: ast.Call, params: tuple[str, ...], what: str) -> dict[str, ast.AST] | None:
        """The call's arguments by parameter name; None (with a reason) when *args or **kw hide them."""
        if any(isinstance(a, ast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            return None
        out: dict[str, ast.AST] = {}
        for name, arg in zip(params, call.args, strict=False):
            out[name] = arg
        if len(call.args) > len(params):
            self.reason(call.lineno, f"{what} has more positional arguments than PyTorch takes.")
        for k in call.keywords:
            if k.arg in params or k.arg in IGNORED_KW:
                out[k.arg] = k.value
            elif k.arg == "recurrent_dropout":
                self.reason(call.lineno, f"{what} has no recurrent_dropout argument (that is Keras): PyTorch "
                            "raises TypeError, and nn.LSTM has no recurrent dropout at all.")  # fmt: skip
            else:
                self.reason(call.lineno, f"{what} has no argument {k.arg!r}: PyTorch raises TypeError.")
        return out

    # -- declarations
    def declare(self, key: str, call: ast.Call) -> Decl:
        kind = self.names.nn_class(call.func)
        name = _src(call.func, self.lines)
        decl = Decl(key, kind or "custom", name, call.lineno, call)
        line = call.lineno
        if kind == "LSTM":
            decl.lstm = self.read_lstm(call)
        elif kind in RECURRENT:
            self.reason(line, RECURRENT[kind])
        elif kind in DROPOUTS:
            args = self.bind(call, ("p", "inplace"), f"nn.{kind}")
            if args is None:
                self.reason(line, f"the rate of nn.{kind}(...) is in *args or **kwargs, not known from the code.")
                decl.rate = UNKNOWN
            else:
                decl.rate = self.rate(args.get("p"), f"nn.{kind}'s p", line, 0.5)
        elif kind == "Embedding":
            args = self.bind(call, EMB_ARGS, "nn.Embedding")
            if args is None:
                self.note(line, "nn.Embedding's arguments are in *args or **kwargs: its sizes are not known "
                          "from the code.")  # fmt: skip
                args = {}
            vocab = self.size(args.get("num_embeddings"), "num_embeddings", call)
            dim = self.size(args.get("embedding_dim"), "embedding_dim", call)
            for v, what in ((vocab, "num_embeddings"), (dim, "embedding_dim")):
                if isinstance(v, int) and v < 1:
                    self.reason(line, f"nn.Embedding's {what} = {_show(v)}: it must be at least 1.")
            decl.sizes = tuple(v if isinstance(v, int) and v >= 1 else None for v in (vocab, dim))
            pad = args.get("padding_idx")
            if pad is not None and not (isinstance(pad, ast.Constant) and pad.value is None):
                self.note(line, f"padding_idx = {_src(pad, self.lines)}: PyTorch keeps that word's vector at zero; "
                          "the lab's embedding has no such row (its <pad>, word 0, has a vector), so padded steps "
                          "show other numbers. No mask depends on it.")  # fmt: skip
            mx = args.get("max_norm")
            if mx is not None and not (isinstance(mx, ast.Constant) and mx.value is None):
                self.note(line, "max_norm renormalises the embedding vectors it looks up; the lab's embedding "
                          "does not, so the numbers differ. No mask depends on it.")  # fmt: skip
        elif kind == "Embedding.from_pretrained":
            self.note(line, "nn.Embedding.from_pretrained: the sizes are those of the pretrained matrix, "
                      "not known from the code; the lab uses its own embedding.")  # fmt: skip
        elif kind == "Linear":
            args = self.bind(call, LINEAR_ARGS, "nn.Linear") or {}
            n_in = self.size(args.get("in_features"), "in_features", call)
            n_out = self.size(args.get("out_features"), "out_features", call)
            decl.sizes = (n_in, n_out)
        elif kind == "Sequential":
            for arg in call.args:
                if isinstance(arg, ast.Call):
                    decl.children.append(self.declare(key, arg))
                elif (k := _dotted(arg)) in self.decls:
                    decl.children.append(self.decls[k])
                else:
                    decl.children.append(Decl(key, "custom", _src(arg, self.lines), line, call))
        elif kind is None and WEIGHT_DROP.search(name):
            self.reason(line, _weights_wrapped(name))
        return decl

    def read_lstm(self, call: ast.Call) -> Lstm:
        line = call.lineno
        spec = Lstm(line)
        args = self.bind(call, LSTM_ARGS, "nn.LSTM")
        if args is None:
            self.reason(line, "nn.LSTM's arguments are in *args or **kwargs: whether it is bidirectional, "
                        "its dropout and its sizes are not known from the code.")  # fmt: skip
            return spec
        spec.input_size = self.size(args.get("input_size"), "input_size", call)
        spec.units = self.size(args.get("hidden_size"), "hidden_size", call)
        for name in ("input_size", "hidden_size"):
            if name not in args:
                self.reason(line, f"nn.LSTM without {name}: PyTorch raises an error.")
        layers = self.size(args.get("num_layers"), "num_layers", call, 1, uses="1 layer")
        spec.layers = 1 if layers is None else layers
        for v, what in ((spec.units, "hidden_size"), (layers, "num_layers"), (spec.input_size, "input_size")):
            if isinstance(v, int) and not isinstance(v, bool) and v < 1:
                self.reason(line, f"nn.LSTM's {what} = {_show(v)}: it must be at least 1.")
        spec.dropout = self.rate(args.get("dropout"), "nn.LSTM's dropout", line, 0.0)
        spec.batch_first = self.flag(args.get("batch_first"), False)
        bidi = self.flag(args.get("bidirectional"), False)
        if bidi is UNKNOWN:
            self.reason(line, "bidirectional is not known from the code; the lab models one direction.")
        elif bidi:
            self.reason(line, "bidirectional=True: the lab models an LSTM that reads one direction.")
        bias = self.flag(args.get("bias"), True)
        if bias is UNKNOWN:
            self.reason(line, "bias is not known from the code; the lab's LSTM has biases.")
        elif not bias:
            self.reason(line, "bias=False: the lab's LSTM has biases (its gates would show other numbers).")
        if "proj_size" in args:
            proj = _const(args["proj_size"], self.env)
            if not (_isnum(proj) and proj == 0):
                self.reason(line, f"proj_size = {_src(args['proj_size'], self.lines)}: an LSTM with a projection "
                            "of h is not the lab's LSTM.")  # fmt: skip
        return spec

    def passed(self, decl: Decl, node: ast.Call) -> None:
        name = _src(node.func, self.lines)
        line = node.lineno
        if WEIGHT_DROP.search(name):
            self.reason(line, _weights_wrapped(name))
        elif WORD_DROP.search(name) or (decl.kind.startswith("Embedding") and "drop" in name.lower()):
            self.reason(line, f"{name}(): dropping whole word types (rows of the embedding) is embedding "
                          "dropout mode word (Gal, AWD-LSTM), which no built-in PyTorch module does and this "
                          "reader cannot follow; the lab shows it with emb_mode=word.")  # fmt: skip
        else:
            self.reason(line, f"{decl.key or decl.name} is passed to {name}(), which the lab cannot follow.")

    def lstm_decls(self) -> list[Decl]:
        return [d for d in self.decls.values() if d.kind == "LSTM"]


@dataclass
class Flow:
    """What forward() (or the declaration order) says: the LSTMs in the order called, the dropouts
    on the embedding, in each gap between LSTMs, and on the last output before the Linear."""

    emb: Decl | None = None
    lstms: list[Decl] = field(default_factory=list)
    emb_apps: list[App] = field(default_factory=list)
    gaps: list[list[App]] = field(default_factory=list)
    out_apps: list[App] = field(default_factory=list)
    head: Decl | None = None


class _Tracer:
    """Follows forward() statement by statement with symbolic values (``V``)."""

    def __init__(self, model: _Model, scope: str):
        self.m = model
        self.scope = scope  # "self." for a class, "" for module-level statements
        self.vars: dict[str, V] = {}
        self.apps: list[App] = []
        self.flow = Flow()
        self.budget = BUDGET
        self.stack: list[str] = []
        self.training = 0  # inside `if self.training:`
        self.returned: V | None = None
        self.over = False
        self.level = 0

    # -- statements
    def run(self, body: list[ast.stmt]) -> None:
        for stmt in body:
            if self.over:
                return
            self.stmt(stmt)

    def stmt(self, s: ast.stmt) -> None:
        if isinstance(s, ast.Assign):
            v = self.eval(s.value)
            for t in s.targets:
                self.assign(t, v)
        elif isinstance(s, ast.AnnAssign) and s.value is not None:
            self.assign(s.target, self.eval(s.value))
        elif isinstance(s, ast.AugAssign):
            self.eval(s.value)
            self.assign(s.target, _other(s.lineno, s))
        elif isinstance(s, ast.Expr):
            self.eval(s.value)
        elif isinstance(s, ast.Return) and s.value is not None:
            self.returned = self.eval(s.value)
        elif isinstance(s, ast.If):
            flag = isinstance(s.test, ast.Attribute) and _dotted(s.test) == "self.training"
            self.eval(s.test)
            self.training += flag
            self.run(s.body)
            self.training -= flag
            self.run(s.orelse)
        elif isinstance(s, (ast.For, ast.AsyncFor)):
            self.eval(s.iter)
            self.assign(s.target, _other(s.lineno, "a loop variable"))
            self.run(s.body)
            self.run(s.orelse)
        elif isinstance(s, ast.While):
            self.run(s.body)
            self.run(s.orelse)
        elif isinstance(s, (ast.With, ast.AsyncWith)):
            self.run(s.body)
        elif isinstance(s, ast.Try):
            self.run(s.body)
            for h in s.handlers:
                self.run(h.body)
            self.run(s.orelse)
            self.run(s.finalbody)

    def assign(self, target: ast.AST, v: V) -> None:
        if isinstance(target, (ast.Tuple, ast.List)):
            items = v.items if v.kind == "tuple" and len(v.items) == len(target.elts) else None
            for i, t in enumerate(target.elts):
                self.assign(t, items[i] if items else _other(target.lineno, target))
        elif isinstance(target, ast.Starred):
            self.assign(target.value, _other(target.lineno, "a starred target"))
        elif (key := _dotted(target)) is not None:
            self.vars[key] = v

    # -- expressions
    def lookup(self, key: str) -> V:
        if key in self.vars:
            return self.vars[key]
        if key in self.m.decls:
            return V("module", decl=self.m.decls[key])
        return INPUT if "." not in key else _other(0, key)

    def eval(self, node: ast.AST, depth: int = 0) -> V:
        """The value of an expression; ``depth`` its nesting, ``self.level`` that of every call being
        followed (methods inlined included), so Python's own recursion limit is never reached."""
        self.level += 1
        try:
            return self._eval(node, depth)
        finally:
            self.level -= 1

    def _eval(self, node: ast.AST, depth: int) -> V:
        self.budget -= 1
        if self.budget < 0 or depth > DEPTH or self.level > DEPTH:
            if not self.over:
                self.over = True
                self.m.reason(getattr(node, "lineno", 0), "forward() is too long or too deeply nested to follow.")
            return _other(0, "?")
        line = getattr(node, "lineno", 0)
        if isinstance(node, (ast.Name, ast.Attribute)) and (key := _dotted(node)) is not None:
            if isinstance(node, ast.Attribute) and key not in self.vars and key not in self.m.decls:
                return _other(line, node)
            return self.lookup(key)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Subscript):
            return self.subscript(node, depth)
        if isinstance(node, (ast.Tuple, ast.List)):
            return V("tuple", items=tuple(self.eval(e, depth + 1) for e in node.elts))
        if isinstance(node, ast.IfExp):
            self.eval(node.test, depth + 1)
            a = self.eval(node.body, depth + 1)
            b = self.eval(node.orelse, depth + 1)
            return a if a.kind != "other" or b.kind == "other" else b
        if isinstance(node, ast.NamedExpr):
            v = self.eval(node.value, depth + 1)
            self.assign(node.target, v)
            return v
        for child in ast.iter_child_nodes(node):  # calls inside other expressions still happen
            if isinstance(child, ast.expr) and not isinstance(child, (ast.Lambda, ast.Constant)):
                self.eval(child, depth + 1)
        return _other(line, node)

    def subscript(self, node: ast.Subscript, depth: int) -> V:
        base = self.eval(node.value, depth + 1)
        line, text = node.lineno, node
        index = node.slice
        if base.kind == "tuple":
            k = _const(index, {})
            if isinstance(k, int) and not isinstance(k, bool) and -len(base.items) <= k < len(base.items):
                return base.items[k]
            return _other(line, text)
        elems = list(index.elts) if isinstance(index, ast.Tuple) else [index]
        if base.kind == "cn":
            return V("cn", base.drops, base.lstm)
        if base.kind == "hn":
            first = _const(elems[0], {})
            rest_full = all(self.full(e) for e in elems[1:])
            layers = self.total_layers(base.lstm)
            if rest_full and _isnum(first) and (first == -1 or (first == 0 and layers == 1)):
                return V("last", base.drops, base.lstm)
            return _other(line, text, base.drops)
        if base.kind == "seq":
            if base.names == ():
                self.m.reason(line, f"{_src(text, [])}: batch_first is not known from the code, so which axis "
                              "is the steps is not known.")  # fmt: skip
                return _other(line, text, base.drops)
            names = list(base.names)
            if any(isinstance(e, ast.Constant) and e.value is Ellipsis for e in elems):
                at = next(i for i, e in enumerate(elems) if isinstance(e, ast.Constant) and e.value is Ellipsis)
                elems = elems[:at] + [ast.Slice()] * (len(names) - len(elems) + 1) + elems[at + 1 :]
            if len(elems) > len(names):
                return _other(line, text, base.drops)
            kept, last = [], False
            for i, name in enumerate(names):
                e = elems[i] if i < len(elems) else ast.Slice()
                if self.full(e):
                    kept.append(name)
                elif name == "T" and _const(e, {}) == -1 and not isinstance(_const(e, {}), bool):
                    last = True
                else:
                    return _other(line, text, base.drops)
            if last and kept == ["B", "H"]:
                return V("last", base.drops, base.lstm)
            if not last and kept == names:
                return base
            return _other(line, text, base.drops)
        if base.kind in ("emb", "input", "module"):
            return base if all(self.full(e) for e in elems) else _other(line, text, base.drops)
        return _other(line, text, base.drops)

    @staticmethod
    def full(e: ast.AST) -> bool:
        return isinstance(e, ast.Slice) and e.lower is None and e.upper is None and e.step is None

    def total_layers(self, decl: Decl | None) -> object:
        return decl.lstm.layers if decl is not None and decl.lstm is not None else None

    def call(self, node: ast.Call, depth: int) -> V:
        line, text = node.lineno, node
        if id(node) in self.m.by_call:  # the declaration itself, met again in module-level statements
            return V("module", decl=self.m.by_call[id(node)])
        f = node.func
        fn = self.m.names.functional(f)
        if fn is not None and (fn in F_DROPOUTS or fn.startswith("torch.")):
            return self.f_dropout(node, fn, depth)
        q = self.m.names.qual(f) or ""
        last_name = q.rsplit(".", 1)[-1]
        if last_name in PACK and node.args:
            v = self.eval(node.args[0], depth + 1)
            self.m.note(line, f"{last_name}: h_n holds each sequence's last real step; the lab pads at the front "
                        "(like pad_sequences), so its last step is the last word.")  # fmt: skip
            return v
        if last_name == "pad_packed_sequence" and node.args:
            v = self.eval(node.args[0], depth + 1)
            bf = self.m.flag(next((k.value for k in node.keywords if k.arg == "batch_first"), None), False)
            if v.kind == "seq":
                names = () if bf is UNKNOWN else (("B", "T", "H") if bf else ("T", "B", "H"))
                v = V("seq", v.drops, v.lstm, names=names)
            return V("tuple", items=(v, _other(line, "the lengths")))
        if q == "torch.transpose" and len(node.args) == 3:
            x = self.eval(node.args[0], depth + 1)
            return self.method(x, "transpose", ast.Call(f, node.args[1:], []), depth)
        key = _dotted(f)
        if isinstance(f, ast.Attribute) and key not in self.m.decls:
            own = self.scope and key is not None and key.count(".") == 1 and key.startswith("self.")
            if own and key[5:] in self.m.methods:
                return self.inline(key[5:], node, depth)
            head = key.split(".")[0] if key else None
            if head is None or head in self.vars or head not in self.m.names.aliases:
                return self.method(self.eval(f.value, depth + 1), f.attr, node, depth)
        if isinstance(f, ast.Call) and self.m.names.nn_class(f.func) is not None:
            callee = V("module", decl=self.m.declare("", f))  # nn.Dropout(0.5)(x)
        else:
            callee = self.eval(f, depth + 1)
        args = [self.eval(a.value if isinstance(a, ast.Starred) else a, depth + 1) for a in node.args]
        kws = [self.eval(k.value, depth + 1) for k in node.keywords]
        if callee.kind == "module" and callee.decl is not None:
            return self.apply(callee.decl, args, node)
        for a in (*args, *kws):
            if a.kind == "module" and a.decl is not None:
                self.m.passed(a.decl, node)
        return _other(line, text, tuple(d for a in args for d in a.drops))

    def inline(self, method: str, node: ast.Call, depth: int) -> V:
        fn = self.m.methods[method]
        if method in self.stack or len(self.stack) > 8:
            return _other(node.lineno, node)
        saved_vars, saved_ret = self.vars, self.returned
        local = {k: v for k, v in saved_vars.items() if k.startswith("self.")}
        params = [a.arg for a in fn.args.args[1:]]
        for p, a in zip(params, node.args, strict=False):
            local[p] = self.eval(a, depth + 1)
        for k in node.keywords:
            if k.arg:
                local[k.arg] = self.eval(k.value, depth + 1)
        self.stack.append(method)
        self.vars, self.returned = local, None
        self.run(fn.body)
        out = self.returned or _other(node.lineno, node)
        self.stack.pop()
        self.vars, self.returned = saved_vars, saved_ret
        for k, v in local.items():
            if k.startswith("self."):
                self.vars[k] = v
        return out

    def method(self, base: V, attr: str, node: ast.Call, depth: int) -> V:
        line, text = node.lineno, node
        for a in node.args:
            self.eval(a, depth + 1)
        if attr in PASS_METHODS:
            return base
        if attr in ("transpose", "permute", "swapaxes"):
            if any(isinstance(a, ast.Starred) for a in node.args):
                return _other(line, text, base.drops)
            axes = [_const(a, {}) for a in node.args]
            if attr == "permute" and len(axes) == 1 and isinstance(node.args[0], (ast.Tuple, ast.List)):
                axes = [_const(a, {}) for a in node.args[0].elts]
            if not all(isinstance(a, int) and not isinstance(a, bool) and -3 <= a < 3 for a in axes):
                return _other(line, text, base.drops)
            axes = [a % 3 for a in axes]
            if attr == "permute":
                if sorted(axes) != [0, 1, 2]:
                    return _other(line, text, base.drops)
                order = axes
            else:
                if len(axes) != 2:
                    return _other(line, text, base.drops)
                order = [0, 1, 2]
                order[axes[0]], order[axes[1]] = order[axes[1]], order[axes[0]]
            if base.kind == "emb":
                return V("emb", base.drops, perm=tuple(base.perm[i] for i in order))
            if base.kind == "seq" and base.names:
                return V("seq", base.drops, base.lstm, names=tuple(base.names[i] for i in order))
            return _other(line, text, base.drops)
        if attr == "squeeze" and base.kind == "hn":
            dim = _const(node.args[0], {}) if node.args else None
            if dim in (0, None) and self.total_layers(base.lstm) == 1:
                return V("last", base.drops, base.lstm)
        return _other(line, text, base.drops)

    def f_dropout(self, node: ast.Call, fn: str, depth: int) -> V:
        line = node.lineno
        name = _src(node.func, self.m.lines)
        x = self.eval(node.args[0], depth + 1) if node.args else _other(line, name)
        if fn.startswith("torch."):
            self.m.reason(line, f"{name}: write nn.Dropout or F.dropout(x, p, training=self.training); the lab "
                          "does not read torch's internal dropout functions.")  # fmt: skip
            return x
        kind = F_DROPOUTS[fn]
        if any(isinstance(a, ast.Starred) for a in node.args) or any(k.arg is None for k in node.keywords):
            self.m.reason(line, f"{name}(...): its arguments are in *args or **kwargs, not known from the code.")
            return x
        args = dict(zip(("input", "p", "training", "inplace"), node.args, strict=False))
        args |= {k.arg: k.value for k in node.keywords}
        training = args.get("training")
        flagged = training is not None and _dotted(training) == "self.training"
        if not flagged and not (training is None and self.training):
            said = "without training=self.training" if training is None else f"with training={_src(training, [])}"
            self.m.reason(line, f"{name} {said} drops at inference too (F.dropout's training defaults to True): "
                          "write F.dropout(x, p, training=self.training) or nn.Dropout(p).")  # fmt: skip
            return x
        rate = self.m.rate(args.get("p"), f"{name}'s p", line, 0.5)
        return self.drop(x, App(line, kind, rate, line), line)

    def drop(self, x: V, app: App, line: int) -> V:
        if app.kind in ODD_DROPOUT:
            self.m.reason(line, ODD_DROPOUT[app.kind])
        if x.kind == "emb":
            app.perm = x.perm
        self.apps.append(app)
        return x.with_drop(app) if x.kind != "tuple" else x

    def apply(self, decl: Decl, args: list[V], node: ast.Call) -> V:
        line, text = node.lineno, node
        decl.used = True
        x = args[0] if args else _other(line, text)
        if decl.kind == "Sequential":
            for child in decl.children:
                x = self.apply(child, [x], node)
            return x
        if decl.kind in DROPOUTS:
            return self.drop(x, App(line, decl.kind, decl.rate, decl.line), line)
        if decl.kind in ("Embedding", "Embedding.from_pretrained"):
            if self.flow.emb is not None and self.flow.emb is not decl:
                self.m.reason(line, "a second nn.Embedding: the lab's model has one.")
            self.flow.emb = decl
            if x.kind in ("input", "other"):
                return V("emb", x.drops)
            return _other(line, text, x.drops)
        if decl.kind == "LSTM":
            return self.lstm(decl, x, args[1:], node)
        if decl.kind == "Linear":
            return self.linear(decl, x, node)
        if decl.kind in RECURRENT:
            return _other(line, text)
        if decl.kind == "custom" and "drop" in decl.name.lower() and not WEIGHT_DROP.search(decl.name):
            self.m.reason(line, f"{decl.name} is a dropout written in the code, not nn.Dropout: the lab cannot "
                          "read its masks (a mask locked over the steps is the presets gal or awd, or "
                          "SpatialDropout1D).")  # fmt: skip
        return _other(line, f"{decl.key or decl.name} ({decl.name})", x.drops)

    def lstm(self, decl: Decl, x: V, extra: list[V], node: ast.Call) -> V:
        line = node.lineno
        spec = decl.lstm
        flow = self.flow
        if decl in flow.lstms:
            self.m.reason(line, f"{decl.key} is called twice: the lab's LSTM layers are called once each.")
            return _other(line, decl.key)
        if extra:
            self.m.note(line, "an initial state (h_0, c_0) is passed to the LSTM; the lab starts from zeros.")
        bf = spec.batch_first
        expect = None if bf is UNKNOWN else (("B", "T", "E") if bf else ("T", "B", "E"))
        if not flow.lstms:
            if x.kind == "emb":
                if expect is None:
                    self.m.reason(line, "batch_first is not known from the code: which axis is the steps is not "
                                  "known.")  # fmt: skip
                elif x.perm[2] != 2:
                    self.m.reason(line, "the LSTM's input does not have the embedding's features last.")
                else:
                    meaning = {orig: expect[x.perm.index(orig)] for orig in range(3)}
                    for app in x.drops:
                        app.role = "emb"
                        if app.kind == "Dropout1d":
                            seen = tuple(meaning[a] for a in app.perm)
                            app.role = "emb-spatial" if seen == ("B", "E", "T") else "emb-steps"
                    flow.emb_apps = list(x.drops)
            elif x.kind == "input" and not any(d.kind.startswith("Embedding") for d in self.m.decls.values()):
                pass  # "no nn.Embedding" is said for the whole model
            else:
                where = f" ({_src(x.origin[1], [])}, line {x.origin[0]})" if x.kind == "other" and x.origin[0] else ""
                self.m.reason(line, f"the LSTM's input{where} is not the Embedding's output (with dropout): the "
                              "lab's LSTM reads the embedding directly.")  # fmt: skip
        else:
            prev = flow.lstms[-1]
            if x.kind == "seq" and x.lstm is prev and expect is not None and x.names:
                if tuple(n if n != "H" else "E" for n in x.names) != expect:
                    self.m.reason(line, f"{decl.key} reads {prev.key}'s output with its axes in another order "
                                  "(batch_first differs).")  # fmt: skip
                for app in x.drops:
                    app.role = f"between:{len(flow.lstms)}"
                flow.gaps.append(list(x.drops))
            else:
                self.m.reason(line, f"{decl.key} does not read {prev.key}'s output sequence: the lab stacks LSTM "
                              "layers one on the other.")  # fmt: skip
                flow.gaps.append([])
        flow.lstms.append(decl)
        names = () if bf is UNKNOWN else (("B", "T", "H") if bf else ("T", "B", "H"))
        state = V("tuple", items=(V("hn", lstm=decl), V("cn", lstm=decl)))
        return V("tuple", items=(V("seq", lstm=decl, names=names), state))

    def linear(self, decl: Decl, x: V, node: ast.Call) -> V:
        line = node.lineno
        flow = self.flow
        if not flow.lstms:
            return _other(line, f"{decl.key} ({decl.name})", x.drops)
        if flow.head is not None:
            self.m.note(line, f"{decl.key}: a further layer after the first Linear; the lab's model ends in "
                        "Linear(units, 1) and a sigmoid. The masks do not depend on it.")  # fmt: skip
            return _other(line, f"{decl.key} ({decl.name})")
        flow.head = decl
        last = flow.lstms[-1]
        one = x.kind == "hn" and self.total_layers(last) == 1 and len(flow.lstms) == 1  # h_n (1, B, H)
        if x.lstm is last and (x.kind == "last" or one):
            for app in x.drops:
                app.role = "out"
            flow.out_apps = list(x.drops)
        elif x.kind == "seq":
            self.m.reason(line, f"{decl.key} reads the LSTM's output at every step; the lab's Linear reads the "
                          "last h only (out[:, -1] with batch_first=True, or h_n[-1]).")  # fmt: skip
        elif x.kind == "cn":
            self.m.reason(line, f"{decl.key} reads the cell state c_n; the lab's Linear reads the last h.")
        else:
            what = (
                f"{_src(x.origin[1], [])} (line {x.origin[0]})"
                if x.kind == "other" and x.origin[0]
                else f"the {x.kind}"
            )
            self.m.reason(line, f"{decl.key} reads {what}, not the last LSTM's last h: the lab's Linear reads "
                          "the last h (out[:, -1] with batch_first=True, or h_n[-1]).")  # fmt: skip
        return _other(line, f"{decl.key} ({decl.name})")


# ----------------------------------------------------------------------------------------- model


def _by_order(m: _Model) -> Flow:
    """Without forward(): the modules in the order declared (nn.Sequential's in its order)."""
    flow = Flow()
    place, pending = "before", []
    seen: set[int] = set()
    order = []
    for d in sorted(m.decls.values(), key=lambda d: d.line):
        order += d.children if d.kind == "Sequential" else [d]
    for d in order:
        if id(d) in seen:
            continue
        seen.add(id(d))
        if d.kind.startswith("Embedding") and flow.emb is None:
            flow.emb, place = d, "emb"
        elif d.kind == "LSTM":
            if flow.lstms:
                flow.gaps.append(pending)
            place, pending = "lstm", []
            flow.lstms.append(d)
        elif d.kind in DROPOUTS:
            app = App(d.line, d.kind, d.rate, d.line)
            if d.kind in ODD_DROPOUT:
                m.reason(d.line, ODD_DROPOUT[d.kind])
            elif d.kind == "Dropout1d":
                m.reason(d.line, "nn.Dropout1d without forward(): whether it sees (batch, features, steps) "
                         "is not known; paste forward().")  # fmt: skip
            elif place == "before":
                m.reason(d.line, "without forward() the place of this dropout (declared before the Embedding) "
                         "is not known; paste forward().")  # fmt: skip
            else:
                app.role = "emb" if place == "emb" else "placed"
                (flow.emb_apps if place == "emb" else pending).append(app)
        elif d.kind == "Linear" and flow.lstms and flow.head is None:
            flow.head = d
    flow.out_apps = pending if flow.lstms else []
    for app in flow.out_apps:
        app.role = "out"
    return flow


def _one(apps: list[App], m: _Model, what: str) -> App | None:
    if len(apps) > 1:
        lines = ", ".join(str(a.line) for a in apps)
        m.reason(apps[1].line, f"{len(apps)} dropouts {what} (lines {lines}): the lab has one there.")
        return None
    return apps[0] if apps else None


def _finish(m: _Model, flow: Flow, has_forward: bool) -> ModelRead:
    out = ModelRead(framework="pytorch", first_line=m.first, last_line=m.last)
    if flow.emb is None:
        emb_decls = [d for d in m.decls.values() if d.kind.startswith("Embedding")]
        flow.emb = emb_decls[0] if emb_decls and not has_forward else None
        if emb_decls and has_forward:
            m.reason(emb_decls[0].line, f"{emb_decls[0].key} is declared but forward() does not call it in a way "
                     "the lab can follow.")  # fmt: skip
        elif flow.emb is None:
            m.reason(m.first, "no nn.Embedding: the lab's model starts with an Embedding of word ids.")
    if flow.emb is not None and flow.emb.kind == "Embedding":
        out.vocab, out.emb = flow.emb.sizes
        m.map(flow.emb.line, **{k: v for k, v in (("vocab", out.vocab), ("emb", out.emb)) if v is not None})
    lstms = flow.lstms
    for d in m.lstm_decls():
        if d not in lstms:
            m.reason(d.line, f"{d.key} is declared but forward() does not call it in a way the lab can follow.")
    if not lstms:
        return out
    first = lstms[0].lstm
    if isinstance(first.input_size, int) and out.emb is not None and first.input_size != out.emb:
        m.reason(first.line, f"nn.LSTM's input_size = {_show(first.input_size)} but the Embedding gives "
                 f"{_show(out.emb)} features: PyTorch raises an error.")  # fmt: skip
    units = [d.lstm.units for d in lstms]
    known = [u for u in units if isinstance(u, int)]
    out.units = known[0] if known and len(known) == len(units) else None
    if len(set(known)) > 1:
        m.reason(lstms[1].line, "LSTM modules of different sizes: the lab's layers all have the same units.")
    for prev, nxt in zip(lstms, lstms[1:], strict=False):  # noqa: RUF007 - no itertools for two lines
        sizes = (nxt.lstm.input_size, prev.lstm.units)
        if all(isinstance(v, int) for v in sizes) and sizes[0] != sizes[1]:
            m.reason(nxt.line, f"{nxt.key}'s input_size = {_show(sizes[0])} but {prev.key} gives "
                     f"{_show(sizes[1])} features.")  # fmt: skip
    layers = [d.lstm.layers if isinstance(d.lstm.layers, int) else 1 for d in lstms]
    out.layers = sum(layers)
    m.map(lstms[0].line, preset="pytorch", layers=out.layers)
    if out.units is not None:
        m.map(lstms[0].line, units=out.units)
    for d in lstms[1:]:
        m.map(d.line, **({"units": d.lstm.units} if isinstance(d.lstm.units, int) else {}))
    if len(lstms) == 1:
        if isinstance(first.dropout, float):
            out.dropout = first.dropout
            m.map(first.line, dropout=out.dropout)
    else:
        gaps: list[tuple[float, int]] = []  # (rate, line that says it)
        for d, n in zip(lstms, layers, strict=True):
            if d.lstm.dropout is UNKNOWN:
                continue
            gaps += [(d.lstm.dropout, d.line)] * (n - 1)
            if n == 1 and d.lstm.dropout > 0:
                m.note(d.line, f"dropout={d.lstm.dropout} with num_layers=1 does nothing (PyTorch warns): "
                       "this module has no layer after it inside.")  # fmt: skip
        for k, apps in enumerate(flow.gaps, start=1):
            app = _one(apps, m, f"between {lstms[k - 1].key} and {lstms[k].key}")
            if app is not None and app.kind != "Dropout":
                m.reason(app.line, f"nn.{app.kind} between LSTM layers: the lab drops between layers as "
                         "nn.LSTM(dropout=p) does, per element and step (nn.Dropout).")  # fmt: skip
            rate = app.rate if app is not None else 0.0
            if rate is UNKNOWN:
                continue
            gaps.insert(sum(layers[:k]) - 1, (rate, app.source_line if app is not None else lstms[k].line))
        rates = {r for r, _ in gaps}
        if len(rates) > 1:
            m.reason(lstms[1].line, "the dropout between LSTM layers differs from gap to gap ("
                     + ", ".join(f"{r:g}" for r, _ in gaps) + "): the lab has one rate between layers.")  # fmt: skip
        out.dropout = gaps[0][0] if gaps else 0.0
        for r, source in gaps:
            m.map(source, dropout=r)
        m.note(lstms[0].line, f"{len(lstms)} nn.LSTM modules in sequence read as one nn.LSTM with "
               f"num_layers={out.layers} and dropout={out.dropout:g}: a Dropout between two LSTM modules is what "
               "nn.LSTM's dropout does between its layers.")  # fmt: skip
    emb = _one(flow.emb_apps, m, "on the embedding output")
    if emb is not None and emb.rate is not UNKNOWN:
        if emb.role in ("emb", "emb-spatial") and emb.kind in ("Dropout", "Dropout1d"):
            out.emb_dropout = emb.rate
            out.emb_mode = "spatial" if emb.role == "emb-spatial" else "standard"
            m.map(emb.source_line, emb_dropout=emb.rate)
            if emb.role == "emb-spatial":
                m.map(emb.source_line, emb_mode="spatial")
        elif emb.role == "emb-steps":
            m.reason(emb.line, "nn.Dropout1d on (batch, steps, features) with batch_first zeroes whole steps "
                     "(every feature of a word), not features: transpose to (batch, features, steps) first for "
                     "spatial dropout, as SpatialDropout1D does.")  # fmt: skip
        elif emb.kind == "Dropout1d":
            m.reason(emb.line, "nn.Dropout1d here does not see (batch, features, steps): it zeroes whole steps, "
                     "not features.")  # fmt: skip
    outd = _one(flow.out_apps, m, "on the LSTM's last output")
    if outd is not None and outd.rate is not UNKNOWN:
        if outd.kind == "Dropout":
            out.out_dropout = outd.rate
            m.map(outd.source_line, out_dropout=outd.rate)
        elif outd.kind == "Dropout1d":
            m.reason(outd.line, "nn.Dropout1d on the last h: the lab's output dropout is nn.Dropout.")
    if flow.head is None:
        m.note(m.first, "no nn.Linear after the LSTM: the lab's model ends in Linear(units, 1) and a sigmoid.")
    else:
        n_in, n_out = flow.head.sizes
        if isinstance(n_in, int) and isinstance(out.units, int) and n_in != out.units and not m.reasons:
            # (after a reason, e.g. bidirectional=True, the LSTM's width is not what the lab read)
            m.reason(flow.head.line, f"nn.Linear's in_features = {_show(n_in)} but the LSTM gives {_show(out.units)}: "
                     "PyTorch raises an error.")  # fmt: skip
        if isinstance(n_out, int) and n_out != 1:
            m.note(flow.head.line, f"nn.Linear(..., {_show(n_out)}): the lab's model ends in Linear(units, 1) and a "
                   "sigmoid; the masks do not depend on it.")  # fmt: skip
    return out


def _apps_left(m: _Model, tracer: _Tracer) -> None:
    """Dropouts forward() applies where the lab has no mask (after the Linear, on nothing read); said
    only when forward() calls an LSTM (else a reason about the LSTM says more)."""
    for app in tracer.apps if tracer.flow.lstms else ():
        if not app.role:
            m.reason(app.line, "this dropout acts where the lab has no mask: the lab drops the embedding output, "
                     "between LSTM layers and the last h before the Linear.")  # fmt: skip


def _collect(m: _Model, body: list[ast.stmt], scope: str, conditional: bool = False) -> None:
    """Declarations and numbers, in order: ``self.x = nn.X(...)`` (scope ``self.``) or ``x = nn.X(...)``."""
    for s in body:
        if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.value is not None:
            targets = s.targets if isinstance(s, ast.Assign) else [s.target]
            values = [s.value] * len(targets)
            pair = len(targets) == 1 and isinstance(targets[0], ast.Tuple) and isinstance(s.value, ast.Tuple)
            if pair and len(targets[0].elts) == len(s.value.elts):
                targets, values = targets[0].elts, s.value.elts
            for t, v in zip(targets, values, strict=True):
                key = _dotted(t)
                mine = key is not None and key.startswith(scope) and key.count(".") == scope.count(".")
                if mine and _builds_module(m, v):
                    m.decls[key] = m.declare(key, v)
                    m.by_call[id(v)] = m.decls[key]
                    for arg in (*v.args, *(k.value for k in v.keywords)):
                        if (a := _dotted(arg)) in m.decls and m.decls[key].kind not in ("Sequential", "ModuleList"):
                            m.passed(m.decls[a], v)
                else:
                    if key in m.decls and (d := _dotted(v)) != key:
                        if d in m.decls:
                            m.decls[key] = m.decls[d]
                        else:
                            del m.decls[key]
                    m.bind_numbers(t, v, conditional)
        elif isinstance(s, ast.AugAssign):
            m.bind_numbers(s.target, None, True)
        elif isinstance(s, (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.AsyncFor, ast.AsyncWith)):
            for name in ("body", "orelse", "finalbody"):
                _collect(m, getattr(s, name, []), scope, True)
            for h in getattr(s, "handlers", []):
                _collect(m, h.body, scope, True)


def _builds_module(m: _Model, v: ast.AST) -> bool:
    """``nn.X(...)``, ``SomeClass(...)`` or a weight-drop wrapper: a module, not a number."""
    if not isinstance(v, ast.Call):
        return False
    name = (_dotted(v.func) or "").rsplit(".", 1)[-1]
    return m.names.nn_class(v.func) is not None or name[:1].isupper() or bool(WEIGHT_DROP.search(name))


def _loose_recurrent(m: _Model, nodes: list[ast.AST]) -> None:
    """An nn.LSTM (or GRU, ...) built anywhere but ``self.x = nn.LSTM(...)``: in a ModuleList, a loop,
    a Sequential, a WeightDrop wrapper: a reason naming it."""
    declared = set(m.by_call)  # every self.x = nn.X(...), also when self.x is re-bound later
    declared |= {id(c.call) for d in m.decls.values() for c in d.children if c.kind != "LSTM"}
    for root in nodes:
        for node in ast.walk(root):
            if not isinstance(node, ast.Call) or id(node) in declared:
                continue
            kind = m.names.nn_class(node.func)
            if kind == "LSTM":
                m.reason(node.lineno, "an nn.LSTM built inside another expression (nn.ModuleList, nn.Sequential, "
                         "a loop, a wrapper): the lab reads nn.LSTM assigned to a name, one module per stack "
                         "(num_layers) or one per layer.")  # fmt: skip
            elif kind in RECURRENT:
                m.reason(node.lineno, RECURRENT[kind])


def _is_model_call(names: _Names, node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and names.nn_class(node.func) in ("LSTM", *RECURRENT)


def _class_model(cls: ast.ClassDef, names: _Names, lines: list[str], env: dict, calls: dict) -> _Model:
    m = _Model(names, lines, dict(env), cls.lineno, cls.end_lineno or cls.lineno)
    funcs = [s for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))]
    m.methods = {f.name: f for f in funcs}
    init = m.methods.get("__init__")
    if init is not None:
        params = init.args.args[1:]
        defaults = [None] * (len(params) - len(init.args.defaults)) + list(init.args.defaults)
        for p, d in zip(params, defaults, strict=True):
            m.env[p.arg] = _const(d, env) if d is not None else UNKNOWN
        for p, d in zip(init.args.kwonlyargs, init.args.kw_defaults, strict=True):
            m.env[p.arg] = _const(d, env) if d is not None else UNKNOWN
        made = calls.get(cls.name)
        if made is not None:
            if any(isinstance(a, ast.Starred) for a in made.args) or any(k.arg is None for k in made.keywords):
                for p in params:
                    m.env[p.arg] = UNKNOWN
            given = [(p.arg, a) for p, a in zip(params, made.args, strict=False)]
            given += [(k.arg, k.value) for k in made.keywords if k.arg]
            for name, a in given:
                m.env[name] = _const(a, env)
                if m.env[name] is UNKNOWN:
                    m.origins[name] = names.origins.get(_dotted(a) or "") or f"{_src(a, lines)} on line {made.lineno}"
    for f in funcs:
        if f.name != "forward":
            _collect(m, f.body, "self.")
    _loose_recurrent(m, [f for f in funcs if f.name != "forward"])
    forward = m.methods.get("forward")
    if forward is None:
        m.note(cls.lineno, "no forward(): read in the order declared; paste forward() to be sure.")
        flow = _by_order(m)
        return _done(m, flow, False)
    tracer = _Tracer(m, "self.")
    for a in forward.args.args[1:]:
        tracer.vars[a.arg] = INPUT
    tracer.stack.append("forward")
    tracer.run(forward.body)
    _loose_recurrent(m, [forward])
    _apps_left(m, tracer)
    return _done(m, tracer.flow, True)


def _done(m: _Model, flow: Flow, has_forward: bool) -> _Model:
    m.read = _finish(m, flow, has_forward)
    if has_forward:
        for d in m.decls.values():
            if d.kind in DROPOUTS and not d.used:
                m.note(d.line, f"{d.key} is declared but forward() does not use it.")
    return m


def _module_model(tree: ast.Module, names: _Names, lines: list[str], env: dict) -> _Model | None:
    body = [s for s in tree.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    if not any(_is_model_call(names, n) for s in body for n in ast.walk(s)):
        return None
    body = [s for s in body if not isinstance(s, (ast.Import, ast.ImportFrom))]
    spans = [s.lineno for s in body] + [s.end_lineno or s.lineno for s in body]
    m = _Model(names, lines, dict(env), min(spans), max(spans))
    _collect(m, body, "")
    _loose_recurrent(m, body)
    tracer = _Tracer(m, "")
    tracer.run(body)
    if not tracer.flow.lstms and not tracer.apps:
        m.note(m.first, "no forward(): read in the order declared; paste forward() to be sure.")
        return _done(m, _by_order(m), False)
    _apps_left(m, tracer)
    return _done(m, tracer.flow, True)


def _module_env(tree: ast.Module, names: _Names) -> tuple[dict[str, object], dict[str, ast.Call]]:
    """Module-level numbers (``units = 100``) and the first ``Model(...)`` call of each name; what a
    name not known was bound to goes to ``names.origins`` for the notes."""
    env: dict[str, object] = {}
    calls: dict[str, ast.Call] = {}

    def walk(body: list[ast.stmt], conditional: bool) -> None:
        for s in body:
            if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for node in ast.walk(s):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id not in calls:
                    calls[node.func.id] = node
            if isinstance(s, (ast.Assign, ast.AnnAssign)) and s.value is not None:
                for t in s.targets if isinstance(s, ast.Assign) else [s.target]:
                    if isinstance(t, ast.Name):
                        env[t.id] = UNKNOWN if conditional else _const(s.value, env)
                        if env[t.id] is UNKNOWN:
                            names.origins[t.id] = f"{t.id} = {_src(s.value, [])} on line {s.lineno}"
                    else:
                        for n in ast.walk(t):
                            if isinstance(n, ast.Name):
                                env[n.id] = UNKNOWN
            elif isinstance(s, ast.AugAssign) and isinstance(s.target, ast.Name):
                env[s.target.id] = UNKNOWN
            elif isinstance(s, (ast.If, ast.For, ast.While, ast.With, ast.Try, ast.AsyncFor, ast.AsyncWith)):
                for name in ("body", "orelse", "finalbody"):
                    walk(getattr(s, name, []), True)
                for h in getattr(s, "handlers", []):
                    walk(h.body, True)

    walk(tree.body, False)
    return env, calls


def _read(tree: ast.Module, lines: list[str]) -> CodeRead:
    names = _Names(tree)
    env, calls = _module_env(tree, names)
    found: list[_Model] = []
    classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef)]
    for cls in classes:
        if any(_is_model_call(names, n) for n in ast.walk(cls)):
            found.append(_class_model(cls, names, lines, env, calls))
    module = _module_model(tree, names, lines, env)
    if module is not None:
        found.append(module)
    found.sort(key=lambda m: m.first)
    out = CodeRead()
    model_names = {c.name for c in classes if any(_is_model_call(names, n) for n in ast.walk(c))}
    for cls in classes:  # a model built from another class holding the LSTM
        if cls.name in model_names:
            continue
        for node in ast.walk(cls):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in model_names:
                lines_of = {c.lineno for c in classes if c.name == node.func.id}
                inner = next((m for m in found if m.first in lines_of), None)
                if inner is None:
                    continue
                inner.reason(node.lineno, f"class {cls.name} builds {node.func.id}: the lab reads a model written "
                             "in one class (Embedding, LSTM, Linear).")  # fmt: skip
                break
    for m in found[MODELS_MAX:]:
        out.reasons.append(Reason(m.first, m.code(m.first), "a third model: the lab compares two models at most."))
    for m in found[:MODELS_MAX]:
        read = m.read
        read.mapping = [Mapped(line, m.code(line), dict(f)) for line, f in sorted(m.mapped.items()) if f]
        read.notes = sorted(m.notes, key=lambda n: n.line)
        read.reasons = sorted(m.reasons, key=lambda r: r.line)
        out.models.append(read)
    if not found:
        custom = [c for c in classes if "lstm" in c.name.lower()]
        hidden = [n for n in ast.walk(tree) if _is_model_call(names, n)]
        if hidden:
            line = hidden[0].lineno
            code = lines[line - 1].strip() if 0 < line <= len(lines) else ""
            out.reasons.append(Reason(line, code, "this nn.LSTM is inside a function: the lab reads an nn.Module "
                                      "class or statements at module level."))  # fmt: skip
        elif custom:
            c = custom[0]
            code = lines[c.lineno - 1].strip() if 0 < c.lineno <= len(lines) else ""
            out.reasons.append(Reason(c.lineno, code, f"{c.name} is an LSTM written in the code, not torch.nn.LSTM: "
                                      "the lab reads nn.LSTM's arguments only."))  # fmt: skip
        else:
            out.reasons.append(Reason(0, "", "no nn.LSTM in this code: the lab models an Embedding, nn.LSTM layers "
                                      "and a Linear."))  # fmt: skip
    return out


def read_torch(tree: ast.Module, lines: list[str]) -> CodeRead:
    """Every PyTorch model in ``tree`` (the parsed ``lines``), in the order written; never runs it."""
    try:
        return _read(tree, lines)
    except RecursionError:
        return CodeRead(reasons=[Reason(0, "", "this code is nested too deeply to read.")])
