"""Read Keras models from pasted code, through Python's ``ast``, never executing it.

``read_keras(tree, lines)`` finds every model the code builds, in the order written: a
``Sequential([...])``, a ``Sequential()`` followed by ``model.add(...)`` lines (any variable name, any
module path: ``keras.Sequential``, ``tf.keras.models.Sequential``...), or a functional chain
``x = Layer(...)(x)`` ... ``Model(inputs, outputs)`` followed by variable names, at module level or
inside a function. It reads each model's layers into a ``ModelRead`` (app/yourmodel/read.py) and
says, line by line, which fields each line set, what it read with a choice (a Note) and what the lab
cannot show (a Reason).

The reading runs in two passes, both linear in the code's size. The scan walks each scope's
statements in order, keeping what every name is bound to at that point: a number (``units = 100``),
a layer (``lstm = LSTM(units)``), a tensor of a functional chain (``x = LSTM(100)(x)``: a ``_Link``
to the tensor it was computed from) or a model being built. A layer's arguments are evaluated when
the layer is written, with the names bound then. The interpretation then walks each model's layers
in order (Input, Embedding, its dropout, the LSTMs, the output dropout, Dense) and maps them.

Which Keras: ``tf_keras`` is tf.keras 2 (preset tfkeras2-fit when the code calls ``.fit(``, else
tfkeras2); any other import, or none, is read as Keras 3.8 or later (keras3) with a Note naming the
other readings (offered as links by state.py), because ``tensorflow.keras`` was Keras 2 up to TensorFlow 2.15.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass, field

from app.yourmodel.read import CodeRead, Mapped, ModelRead, Note, Reason

MAX_MODELS = 2
MAX_BITS = 4096  # arithmetic on bigger ints is "not known": 2**2**2**... stays cheap
MAX_DEPTH = 60  # expression nesting followed by the evaluator and the functional chain
MAX_TEXT = 60  # characters of an expression quoted in a message

UNKNOWN = type("Unknown", (), {"__repr__": lambda self: "UNKNOWN"})()

# The positional parameters of each layer the lab reads (Keras 2 and 3 agree up to these).
SIGNATURES = {
    "Embedding": ("input_dim", "output_dim", "embeddings_initializer", "embeddings_regularizer"),
    "Dropout": ("rate", "noise_shape", "seed"),
    "SpatialDropout1D": ("rate", "seed"),
    "LSTM": (
        "units", "activation", "recurrent_activation", "use_bias", "kernel_initializer", "recurrent_initializer",
        "bias_initializer", "unit_forget_bias", "kernel_regularizer", "recurrent_regularizer", "bias_regularizer",
        "activity_regularizer", "kernel_constraint", "recurrent_constraint", "bias_constraint", "dropout",
        "recurrent_dropout",
    ),
    "Dense": ("units", "activation"),
    "Input": ("shape",),
    "InputLayer": ("shape",),
    "Activation": ("activation",),
}  # fmt: skip
OPEN_POSITIONAL = {"Dense", "Input", "InputLayer", "Activation"}  # later positionals never matter here

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


@dataclass
class _Arg:
    node: ast.expr
    value: object  # a Python value, or UNKNOWN
    text: str  # the expression as written (shortened)
    defaults: tuple[str, ...] = ()  # function parameters whose default values it used


@dataclass
class _Layer:
    """One layer call as written, its arguments evaluated where it was written."""

    kind: str  # the final name of the callee: LSTM for keras.layers.LSTM
    line: int
    args: dict[str, _Arg]
    text: str
    extra: int = 0  # positional arguments beyond those the lab knows the names of
    star: str = ""  # the text of a *args or **kwargs, whose arguments are not known


@dataclass
class _Link:
    """A tensor of a functional chain: the layer that computed it from ``prev`` (None: an Input, or
    a step the lab cannot follow, then ``opaque`` says what)."""

    layer: _Layer | None
    prev: _Link | None
    line: int
    opaque: str = ""


@dataclass
class _Binding:
    value: object = UNKNOWN
    layer: _Layer | None = None
    link: _Link | None = None
    model: _Model | None = None
    default: bool = False  # bound by a function parameter's default value


@dataclass
class _Model:
    line: int
    col: int
    items: list[_Layer | _Link] = field(default_factory=list)  # a _Link here = a step that cannot be read
    lines: set[int] = field(default_factory=set)
    reasons: list[Reason] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    output: _Link | None = None  # functional: the outputs tensor
    inputs: _Link | None = None
    functional: bool = False


class _Scope:
    def __init__(self, parent: _Scope | None = None, name: str = "") -> None:
        self.parent, self.name, self.names = parent, name, {}

    def get(self, name: str) -> _Binding | None:
        scope = self
        while scope is not None:
            if name in scope.names:
                return scope.names[name]
            scope = scope.parent
        return None


KNOWN = ("Input", "InputLayer", "Embedding", "Dropout", "SpatialDropout1D", "LSTM", "Dense", "Activation")


def _final(node: ast.expr) -> str:
    """``LSTM`` for ``LSTM``, ``layers.LSTM`` or ``tf.keras.layers.LSTM``; "" otherwise."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _dotted(node: ast.expr) -> str:
    """``self.model`` for an attribute chain of names, "" for anything else (iteratively)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return ""
    return ".".join([node.id, *reversed(parts)])


class _Source:
    """The pasted lines, and the text of a node (ast's columns count UTF-8 bytes)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.raw: dict[int, bytes] = {}

    def line(self, n: int) -> str:
        return self.lines[n - 1].strip() if 0 < n <= len(self.lines) else ""

    def text(self, node: ast.AST) -> str:
        n, end = getattr(node, "lineno", 0), getattr(node, "end_lineno", 0)
        if not 0 < n <= len(self.lines):
            return "?"
        if n not in self.raw:
            self.raw[n] = self.lines[n - 1].encode("utf-8", "replace")
        raw, start = self.raw[n], node.col_offset
        stop = node.end_col_offset if end == n and node.end_col_offset is not None else len(raw)
        stop = min(stop, start + 4 * MAX_TEXT)  # a long expression is shortened below anyway
        text = raw[start:stop].decode("utf-8", "replace").strip() or "?"
        if end != n:
            text += " ..."
        return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def _show(value: object) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 200:
        return f"a {len(str(value)) if value.bit_length() < 10_000 else 'very'}-digit number"
    text = repr(value)
    return text if len(text) <= MAX_TEXT else text[: MAX_TEXT - 3] + "..."


def _number(x: object) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool)


class _Evaluator:
    """Numbers (and strings, tuples, True/False/None) from literals, arithmetic and bound names."""

    def __init__(self, scope: _Scope) -> None:
        self.scope = scope
        self.defaults: list[str] = []

    def __call__(self, node: ast.expr, depth: int = 0) -> object:
        if depth > MAX_DEPTH:
            return UNKNOWN
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.Name):
            b = self.scope.get(node.id)
            if b is None:
                return UNKNOWN
            if b.default and b.value is not UNKNOWN:
                self.defaults.append(node.id)
            return b.value
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            v = self(node.operand, depth + 1)
            return (-v if isinstance(node.op, ast.USub) else v) if _number(v) else UNKNOWN
        if isinstance(node, ast.BinOp):
            return _arith(node.op, self(node.left, depth + 1), self(node.right, depth + 1))
        if isinstance(node, ast.Tuple | ast.List) and len(node.elts) <= 8:
            if any(isinstance(e, ast.Starred) for e in node.elts):
                return UNKNOWN
            return tuple(self(e, depth + 1) for e in node.elts)
        return UNKNOWN


def _arith(op: ast.operator, a: object, b: object) -> object:
    if not (_number(a) and _number(b)):
        return UNKNOWN
    big = isinstance(a, int) and isinstance(b, int)
    try:
        if isinstance(op, ast.Add):
            out = a + b
        elif isinstance(op, ast.Sub):
            out = a - b
        elif isinstance(op, ast.Mult):
            if big and a.bit_length() + b.bit_length() > MAX_BITS:
                return UNKNOWN
            out = a * b
        elif isinstance(op, ast.Div):
            out = a / b
        elif isinstance(op, ast.FloorDiv):
            out = a // b
        elif isinstance(op, ast.Mod):
            out = a % b
        elif isinstance(op, ast.Pow):
            if big and b > 0 and a.bit_length() * b > MAX_BITS:
                return UNKNOWN
            if isinstance(b, int) and abs(b) > 10_000:  # float powers: cheap, but keep them small
                return UNKNOWN
            out = a**b
        else:
            return UNKNOWN
    except (ArithmeticError, ValueError):
        return UNKNOWN
    if isinstance(out, int) and out.bit_length() > MAX_BITS:
        return UNKNOWN
    return out if _number(out) else UNKNOWN


def _flat(body: list[ast.stmt]):
    """The statements of one scope in source order, through if/for/with/try blocks but not into
    nested functions and classes (iterative: nesting depth costs no stack)."""
    stack = [iter(body)]
    while stack:
        stmt = next(stack[-1], None)
        if stmt is None:
            stack.pop()
            continue
        yield stmt
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            continue
        children: list[ast.stmt] = []
        for _, value in ast.iter_fields(stmt):
            if isinstance(value, list):
                for v in value:
                    if isinstance(v, ast.stmt):
                        children.append(v)
                    elif isinstance(v, ast.ExceptHandler | ast.match_case):
                        children.extend(v.body)
        if children:
            stack.append(iter(children))


def _own_nodes(stmt: ast.stmt):
    """The expression nodes of a statement itself, not those of the statements it contains."""
    if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return
    stack = [c for c in ast.iter_child_nodes(stmt) if not isinstance(c, ast.stmt | ast.excepthandler)]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.match_case):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


class _Scanner:
    def __init__(self, src: _Source) -> None:
        self.src = src
        self.models: list[_Model] = []
        self.reasons: list[Reason] = []
        self.imports: dict[str, int] = {}  # tf_keras | keras | tensorflow -> first line
        self.fit_line = 0
        self.own: set[str] = set()

    # -- scopes ---------------------------------------------------------------------------------

    def run(self, tree: ast.Module) -> None:
        # A class of the code's own named Model or Sequential (a PyTorch "class Model(nn.Module)") is not Keras's.
        self.own = {n.name for n in ast.walk(tree) if isinstance(n, ast.ClassDef)}
        queue = deque([(tree.body, _Scope(), None)])
        while queue:
            body, scope, params = queue.popleft()
            if params is not None:
                self._bind_params(params, scope)
            for stmt in _flat(body):
                if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef):
                    scope.names[stmt.name] = _Binding()
                    queue.append((stmt.body, _Scope(scope, stmt.name), stmt.args))
                elif isinstance(stmt, ast.ClassDef):
                    scope.names[stmt.name] = _Binding()
                    self._class(stmt)
                    queue.append((stmt.body, _Scope(scope.parent or scope, stmt.name), None))
                else:
                    self._statement(stmt, scope)

    def _bind_params(self, args: ast.arguments, scope: _Scope) -> None:
        ev = _Evaluator(scope.parent or scope)
        positional = [*args.posonlyargs, *args.args]
        defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        pairs = [*zip(positional, defaults, strict=True), *zip(args.kwonlyargs, args.kw_defaults, strict=True)]
        for arg, default in pairs:
            value = UNKNOWN if default is None else ev(default)
            scope.names[arg.arg] = _Binding(value=value, default=value is not UNKNOWN)
        for arg in (args.vararg, args.kwarg):
            if arg is not None:
                scope.names[arg.arg] = _Binding()

    def _class(self, stmt: ast.ClassDef) -> None:
        if any(_final(b) in ("Model", "Sequential") for b in stmt.bases):
            self.reasons.append(
                Reason(
                    stmt.lineno,
                    self.src.line(stmt.lineno),
                    f"class {stmt.name}: a subclassed Keras Model is not read (its call() could do anything); "
                    "write the layers as keras.Sequential([...]) or a functional chain",
                )
            )

    # -- one statement ----------------------------------------------------------------------------

    def _statement(self, stmt: ast.stmt, scope: _Scope) -> None:
        calls, stores = [], []
        for node in _own_nodes(stmt):
            if isinstance(node, ast.Call):
                calls.append(node)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
                stores.append(node.id)
            elif isinstance(node, ast.alias):
                if isinstance(stmt, ast.Import):
                    self._import(node.name, stmt)
                stores.append((node.asname or node.name).split(".")[0])
        if isinstance(stmt, ast.ImportFrom) and stmt.module:
            self._import(stmt.module, stmt)
        made: dict[int, _Model] = {}
        for call in sorted(calls, key=lambda c: (c.lineno, c.col_offset)):
            made_model = self._call(call, scope)
            if made_model is not None:
                made[id(call)] = made_model
        bound: list[tuple[str, _Binding]] = []  # the right-hand side sees the names as bound before
        if isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                self._assign(target, stmt.value, scope, made, bound)
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            self._assign(stmt.target, stmt.value, scope, made, bound)
        elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
            b = scope.get(stmt.target.id)
            old = b.value if b is not None else UNKNOWN
            bound.append((stmt.target.id, _Binding(_arith(stmt.op, old, _Evaluator(scope)(stmt.value)))))
        for name in stores:  # whatever else the statement binds is not known
            scope.names[name] = _Binding()
        for name, b in bound:
            scope.names[name] = b

    def _import(self, module: str, stmt: ast.stmt) -> None:
        top = module.split(".")[0]
        if top in ("tf_keras", "keras", "tensorflow"):
            self.imports.setdefault(top, stmt.lineno)

    def _assign(self, target: ast.expr, value: ast.expr, scope: _Scope, made: dict[int, _Model], bound: list) -> None:
        if isinstance(target, ast.Tuple | ast.List):
            values = value.elts if isinstance(value, ast.Tuple | ast.List) else None
            for n, t in enumerate(target.elts):
                if values is not None and len(values) == len(target.elts) and not isinstance(t, ast.Starred):
                    self._assign(t, values[n], scope, made, bound)
            return
        name = _dotted(target)
        if not name:
            return
        ev = _Evaluator(scope)
        b = _Binding(value=ev(value), default=bool(ev.defaults))
        if isinstance(value, ast.Call):
            b.model = made.get(id(value))
            b.layer = self._layer(value, scope) if b.model is None else None
            b.link = self._link(value, scope) if b.model is None else None
        elif isinstance(value, ast.Name | ast.Attribute) and (old := scope.get(_dotted(value))) is not None:
            b = old  # another name for the same layer, tensor or model
        bound.append((name, b))

    def _call(self, call: ast.Call, scope: _Scope) -> _Model | None:
        """A call that starts a model, adds to one, or fits one; the new model if it starts one."""
        name = _final(call.func)
        if isinstance(call.func, ast.Name) and name in self.own:
            return None
        if name == "Sequential":
            return self._sequential(call, scope)
        if name in ("Model", "Functional") and (call.args or call.keywords):
            return self._functional(call, scope)
        if isinstance(call.func, ast.Attribute) and call.func.attr == "fit":
            self.fit_line = self.fit_line or call.lineno
        if isinstance(call.func, ast.Attribute) and call.func.attr in ("add", "pop"):
            b = scope.get(_dotted(call.func.value))
            model = b.model if b is not None else None
            if model is None or model.functional:
                return None
            model.lines.add(call.lineno)
            if call.func.attr == "pop":
                model.reasons.append(
                    Reason(
                        call.lineno, self.src.line(call.lineno), "model.pop() is not followed: write the layers kept"
                    )
                )
            elif len(call.args) == 1 and not call.keywords:
                model.items.append(self._item(call.args[0], scope))
            else:
                model.items.append(self._opaque(call))
        return None

    def _sequential(self, call: ast.Call, scope: _Scope) -> _Model:
        model = _Model(call.lineno, call.col_offset, lines={call.lineno})
        self.models.append(model)
        given = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "layers"), None)
        if given is None or (isinstance(given, ast.Constant) and given.value is None):
            return model
        if not isinstance(given, ast.List | ast.Tuple):
            model.items.append(self._opaque(given, "the list of layers is not known from the code"))
            return model
        for element in given.elts:
            model.items.append(self._item(element, scope))
        return model

    def _functional(self, call: ast.Call, scope: _Scope) -> _Model:
        model = _Model(call.lineno, call.col_offset, lines={call.lineno}, functional=True)
        self.models.append(model)
        kw = {k.arg: k.value for k in call.keywords}
        inputs = call.args[0] if call.args else kw.get("inputs")
        outputs = call.args[1] if len(call.args) > 1 else kw.get("outputs")
        for role, node in (("inputs", inputs), ("outputs", outputs)):
            if node is None:
                model.items.append(_Link(None, None, call.lineno, f"Model(...) without {role}"))
                return model
            if isinstance(node, ast.Dict):
                model.items.append(_Link(None, None, call.lineno, f"{role} as a dict: the lab reads one chain"))
                return model
            if isinstance(node, ast.List | ast.Tuple) and len(node.elts) != 1:
                model.items.append(_Link(None, None, call.lineno, f"several {role}: the lab reads one chain"))
                return model
        unwrap = lambda n: n.elts[0] if isinstance(n, ast.List | ast.Tuple) else n  # noqa: E731
        model.inputs = self._link(unwrap(inputs), scope)
        model.output = self._link(unwrap(outputs), scope)
        return model

    # -- layers and chains --------------------------------------------------------------------------

    def _layer(self, call: ast.Call, scope: _Scope) -> _Layer:
        kind = _final(call.func) or self.src.text(call.func)
        names = SIGNATURES.get(kind, ())
        ev = _Evaluator(scope)
        layer = _Layer(kind, call.lineno, {}, self.src.text(call))
        positional = True
        for n, a in enumerate(call.args):
            if isinstance(a, ast.Starred):
                layer.star, positional = layer.star or self.src.text(a), False
            elif not positional:
                continue
            elif n < len(names):
                layer.args[names[n]] = self._arg(a, ev)
            elif kind not in OPEN_POSITIONAL:
                layer.extra += 1
        for k in call.keywords:
            if k.arg is None:
                layer.star = layer.star or "**" + self.src.text(k.value)
            else:
                layer.args[k.arg] = self._arg(k.value, ev)
        return layer

    def _arg(self, node: ast.expr, ev: _Evaluator) -> _Arg:
        ev.defaults = []
        value = ev(node)
        return _Arg(node, value, self.src.text(node), tuple(dict.fromkeys(ev.defaults)))

    def _opaque(self, node: ast.AST, why: str = "") -> _Link:
        text = self.src.text(node)
        return _Link(None, None, getattr(node, "lineno", 0), why or f"{text}: the lab cannot tell what it does")

    def _item(self, node: ast.expr, scope: _Scope) -> _Layer | _Link:
        """One element of a Sequential's layers: a layer call, or a name bound to one."""
        if isinstance(node, ast.Call):
            return self._layer(node, scope)
        b = scope.get(_dotted(node)) if isinstance(node, ast.Name | ast.Attribute) else None
        if b is not None and b.layer is not None:
            return b.layer
        if isinstance(node, ast.Starred):
            return self._opaque(node, f"{self.src.text(node)}: the layers in it are not known from the code")
        if isinstance(node, ast.Lambda):
            return self._opaque(node, "a lambda in the layers: the lab cannot tell what it does")
        return self._opaque(node, f"{self.src.text(node)}: not a layer the lab can read from the code")

    def _link(self, node: ast.expr, scope: _Scope, depth: int = 0) -> _Link:
        """The functional tensor ``node`` is: built at once from the names bound now."""
        if depth > MAX_DEPTH:
            return self._opaque(node, "the chain is nested too deeply to follow")
        if isinstance(node, ast.Name | ast.Attribute) and (b := scope.get(_dotted(node))) is not None:
            if b.link is not None:
                return b.link
            return self._opaque(node, f"{self.src.text(node)}: not a tensor of a chain of layers the lab can follow")
        if not isinstance(node, ast.Call):
            return self._opaque(node, f"{self.src.text(node)}: the lab cannot follow the model through it")
        if _final(node.func) in ("Input", "InputLayer") and not isinstance(node.func, ast.Call):
            return _Link(self._layer(node, scope), None, node.lineno)
        if isinstance(node.func, ast.Call):
            layer = self._layer(node.func, scope)
        elif (b := scope.get(_dotted(node.func))) is not None and b.layer is not None:
            layer = b.layer
        else:
            return self._opaque(node, f"{self.src.text(node)}: the lab cannot follow the model through it")
        given = node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "inputs"), None)
        if given is None or isinstance(given, ast.List | ast.Tuple | ast.Starred) or len(node.args) > 1:
            return self._opaque(node, f"{self.src.text(node)}: the lab reads one chain of layers, one input each")
        return _Link(layer, self._link(given, scope, depth + 1), node.lineno)


# -- interpretation -------------------------------------------------------------------------------


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
        self.note(layer.line, f"{layer.kind} {name} = {arg.text} is not known from the code; the lab uses its default")

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
            self.reason(layer.line, f"{layer.kind} {name} = {arg.text}: must be a whole number of at least 1")
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
            self.reason(layer.line, f"{layer.kind} {name} = {arg.text}: a rate must be a number")
            return None
        if not 0 <= arg.value < 1:
            self.reason(layer.line, f"{layer.kind} {name} = {_show(arg.value)}: a rate must be at least 0 and below 1")
            return None
        self._defaults(layer, arg)
        return float(arg.value)

    def flag(self, layer: _Layer, name: str, default: bool) -> bool | None:
        """True/False as written, the default when absent; None (with a Reason) when not known."""
        arg = layer.args.get(name)
        if arg is None:
            return default
        if arg.value is UNKNOWN or not isinstance(arg.value, bool | int | type(None)):
            self.reason(layer.line, f"{layer.kind} {name} = {arg.text}: not known from the code to be True or False")
            return None
        return bool(arg.value)

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
                layer.line,
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
            self.reason(layer.line, f"{layer.kind} shape {shape.text}: the length must be a whole number of at least 1")
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
                if kind == "Dropout" and (ns := item.args.get("noise_shape")) and ns.value is not None:
                    self.reason(
                        item.line,
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
                    m.emb_dropout, m.emb_mode = rate, "spatial" if kind == "SpatialDropout1D" else "standard"
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
            self.reason(layer.line, "mask_zero=True: the lab has no padding mask; its LSTM runs over the padding too")
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
                layer.line,
                f"LSTM {name}=...: a Keras 1 argument; write dropout=, recurrent_dropout=, "
                "units=, recurrent_activation= as Keras 2 and 3 do",
            )
        for name, want in (("activation", "tanh"), ("recurrent_activation", "sigmoid")):
            got = self.activation(layer, name)
            if got and got != want:
                self.reason(layer.line, f"LSTM {name}={layer.args[name].text}: the lab's LSTM uses {want}")
        for name, (default, why) in LSTM_FLAGS.items():
            value = self.flag(layer, name, default)
            if value is not None and value != default:
                self.reason(layer.line, f"LSTM {name}={layer.args[name].text}: {why}")
        unroll = self.flag(layer, "unroll", False)
        if unroll and self.framework.startswith("tfkeras2"):
            self.reason(
                layer.line,
                "LSTM unroll=True: tf.keras 2 then keeps one input mask over the whole "
                "sequence, a path the lab does not model",
            )
        elif unroll:
            self.note(
                layer.line,
                "LSTM unroll=True: Keras 3 draws the same masks unrolled or not; in tf.keras 2 "
                "(TensorFlow 2.15 or older) unroll=True is a path the lab does not model",
            )
        impl = layer.args.get("implementation")
        if self.framework == "keras3" and impl is not None and impl.value == 1 and dropout and not recurrent:
            self.reason(
                layer.line,
                "LSTM implementation=1 with dropout and no recurrent_dropout: Keras 3 then draws "
                "four input masks, one per gate; the lab's keras3 preset shares one",
            )
        sequences = self.flag(layer, "return_sequences", False)
        if last and sequences:
            self.reason(
                layer.line,
                "return_sequences=True on the last LSTM: the lab reads its last h only, and "
                "the layers after it would see every step",
            )
        elif not last and sequences is False:
            self.reason(
                layer.line,
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
            return "CuDNNLSTM (TensorFlow 1): not read; write LSTM, which has the dropout arguments the lab shows"
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


def _framework(scan: _Scanner) -> tuple[str, Note, int]:
    """The preset the code's imports say, the Note saying so, and the import line that decided."""
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
