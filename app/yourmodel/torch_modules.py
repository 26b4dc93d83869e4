"""What a PyTorch model declares, read without running it: the ``nn.*`` modules built in ``__init__``
(or at module level) as ``Decl``s with their sizes and rates, and the numbers they are built from.

``_Model`` holds one model's declarations, numbers, reasons, notes and mapping; ``_collect`` walks
the statements that declare modules and bind numbers; ``_Names`` says what the code's names mean
(``nn`` -> torch.nn, ``F`` -> torch.nn.functional). Following ``forward()`` is torch_forward.py;
assembling the ModelRead is torch_code.py.

Numbers are literals, simple arithmetic of literals, names bound to them (module level, in
``__init__``, ``__init__``'s defaults or the arguments of ``Model(...)`` at module level); any
other expression leaves the size None with a note.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from app.yourmodel.read import ModelRead, Note, Reason

UNKNOWN = object()  # a value not known from the code
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

    def key_name(self) -> str:
        """How a message names it: ``nn.Linear``, or the callable as written for a module of the code."""
        return f"nn.{self.kind}" if self.kind not in ("custom", "Embedding.from_pretrained") else self.name

    def leaves(self) -> list[Decl]:
        """The modules this one runs, in order: an nn.Sequential's children (nested ones opened), else itself."""
        return [leaf for c in self.children for leaf in c.leaves()] if self.kind == "Sequential" else [self]


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
        self.loose_embeddings: list[int] = []  # lines of nn.Embedding(...) built inside other expressions

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
            for arg in _sequential_args(call):
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
        return [leaf for leaf in self.leaves() if leaf.kind == "LSTM"]

    def leaves(self) -> list[Decl]:
        """Every module declared, an nn.Sequential's children in its place (each once)."""
        out: list[Decl] = []
        for d in self.decls.values():
            out += [leaf for leaf in d.leaves() if leaf not in out]
        return out


def _sequential_args(call: ast.Call) -> list[ast.AST]:
    """The modules an ``nn.Sequential(...)`` call lists: its arguments, or the values of
    ``OrderedDict([("name", module), ...])``, the other form nn.Sequential takes."""
    if len(call.args) == 1 and isinstance(od := call.args[0], ast.Call) and len(od.args) == 1:
        pairs = od.args[0]
        named = (_dotted(od.func) or "").rsplit(".", 1)[-1] == "OrderedDict"
        listed = isinstance(pairs, (ast.List, ast.Tuple))
        if named and listed and all(isinstance(p, ast.Tuple) and len(p.elts) == 2 for p in pairs.elts):
            return [p.elts[1] for p in pairs.elts]
    return list(call.args)


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


def _after_lstm(nxt: Decl) -> str:
    """Why an nn.LSTM followed by another module in an nn.Sequential cannot be read."""
    head = (f"nn.LSTM inside nn.Sequential returns a tuple (output, (h_n, c_n)) and {nxt.key_name()} "
            f"(line {nxt.line}) after it gets that tuple")  # fmt: skip
    fix = "write an nn.Module whose forward() gives the LSTM's last step (out[:, -1]) to the Linear."
    if nxt.kind in ("custom", "Identity", "Sequential"):
        return f"{head}; what it does with it is not known from the code: {fix}"
    return f"{head}: PyTorch raises an error; {fix}"


def _loose_recurrent(m: _Model, nodes: list[ast.AST]) -> None:
    """An nn.LSTM (or GRU, ...) built anywhere but ``self.x = nn.LSTM(...)`` or an nn.Sequential's
    last module: in a ModuleList, a loop, a wrapper, or before another module in an nn.Sequential
    (which then gets the LSTM's tuple): a reason naming it. An nn.Embedding built so is kept in
    ``m.loose_embeddings`` for the model's "no nn.Embedding" reason to name it."""
    declared = set(m.by_call)  # every self.x = nn.X(...), also when self.x is re-bound later
    for d in m.decls.values():
        run = d.leaves()
        declared |= {id(leaf.call) for leaf in run}
        for leaf, nxt in zip(run, run[1:], strict=False):  # noqa: RUF007 - no itertools for two lines
            if leaf.kind == "LSTM":
                m.reason(leaf.line, _after_lstm(nxt))
    for root in nodes:
        for node in ast.walk(root):
            if not isinstance(node, ast.Call) or id(node) in declared:
                continue
            kind = m.names.nn_class(node.func)
            if kind == "LSTM":
                m.reason(node.lineno, "an nn.LSTM built inside another expression (nn.ModuleList, a list, "
                         "a loop, a wrapper): the lab reads nn.LSTM assigned to a name or listed last in "
                         "nn.Sequential, one module per stack (num_layers) or one per layer.")  # fmt: skip
            elif kind in RECURRENT:
                m.reason(node.lineno, RECURRENT[kind])
            elif kind in ("Embedding", "Embedding.from_pretrained") and node.lineno not in m.loose_embeddings:
                m.loose_embeddings.append(node.lineno)
