"""The first pass of reading Keras code (keras_code.py holds the second): the scan, through Python's
``ast``, never executing the code.

``_Scanner.run(tree)`` walks each scope's statements in order (module level, then every function and
class body), keeping what every name is bound to at that point: a number (``units = 100``), a layer
(``lstm = LSTM(units)``), a tensor of a functional chain (``x = LSTM(100)(x)``: a ``_Link`` to the
tensor it was computed from) or a model being built. A layer's arguments are evaluated when the layer
is written, with the names bound then (``_Evaluator``: literals, arithmetic, bound names). The calls
that make models are recorded in the order written: a ``Sequential([...])``, a ``Sequential()``
followed by ``model.add(...)`` lines, or a functional ``Model(inputs, outputs)`` with the tensors
its inputs and outputs are (keras_code.py follows the chain back from the outputs). The scan also
notes the Keras imports and the first ``.fit(`` line, which decide the framework. It decides nothing
about what the lab can show: keras_code.py reads each ``_Model`` it found. Linear in the code's size,
and iterative where nesting could be deep.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import dataclass, field

from app.yourmodel.read import Note, Reason

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
# Modules and names only Keras 2 has (Keras 3 flattened them away): importing one says the code is Keras 2.
KERAS2_ONLY = (
    "keras.layers.recurrent", "keras.layers.embeddings", "keras.layers.core", "keras.layers.cudnn_recurrent",
    "keras.layers.CuDNNLSTM", "keras.layers.CuDNNGRU", "keras.engine", "keras.wrappers",
)  # fmt: skip


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
        self.keras2: tuple[int, str] | None = None  # the first Keras-2-only import: its line and what it names
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
            if not stmt.level:
                for alias in stmt.names:
                    self._keras2(f"{stmt.module}.{alias.name}", stmt)
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
        self._keras2(module, stmt)

    def _keras2(self, name: str, stmt: ast.stmt) -> None:
        """Record the first import of a module or name only Keras 2 has (keras.layers.recurrent...)."""
        if self.keras2 is None and not getattr(stmt, "level", 0):
            hit = next((p for p in KERAS2_ONLY if name == p or name.startswith(p + ".")), None)
            if hit is not None:
                self.keras2 = (stmt.lineno, hit)

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
        if _dotted(call.func).split(".")[-2:-1] == ["nn"]:  # torch.nn.Sequential: PyTorch's (torch_code.py)
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
