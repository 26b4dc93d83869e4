"""Follow a PyTorch model's ``forward()`` (or its module-level statements) without running it.

Where an ``nn.Dropout`` acts is not in its declaration but in ``forward()``, so ``forward()`` is
followed call by call with symbolic values (``V``: the embedding output, the LSTM's output
sequence, h_n, the last step) that carry the dropouts applied to them (``App``); a value reaching
the LSTM or the Linear says what each dropout was, collected in a ``Flow``. ``self`` methods are
followed inline; a budget bounds what that may cost, so the reader stays linear in the code.
The declarations come from torch_modules.py; torch_code.py turns the Flow into a ModelRead.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

from app.yourmodel.torch_modules import (
    DEPTH,
    DROPOUTS,
    ODD_DROPOUT,
    RECURRENT,
    UNKNOWN,
    WEIGHT_DROP,
    Decl,
    _const,
    _dotted,
    _isnum,
    _Model,
    _src,
)

BUDGET = 20_000  # expressions followed per model: forward() through its self.methods
F_DROPOUTS = {
    "dropout": "Dropout",
    "dropout1d": "Dropout1d",
    "dropout2d": "Dropout2d",
    "dropout3d": "Dropout3d",
    "alpha_dropout": "AlphaDropout",
    "feature_alpha_dropout": "FeatureAlphaDropout",
}
PASS_METHODS = {"contiguous", "clone", "float", "double", "half", "to", "detach", "cpu", "cuda", "type_as"}
PACK = {"pack_padded_sequence", "pack_sequence"}


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

    kind: str  # input, emb, seq, hn, cn, last, tuple, module, other; steps (seq as rows), lastseq (seq[batch -1])
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
            kept, picked = [], []
            for i, name in enumerate(names):
                e = elems[i] if i < len(elems) else ast.Slice()
                if self.full(e):
                    kept.append(name)
                elif name in ("T", "B") and _const(e, {}) == -1 and not isinstance(_const(e, {}), bool):
                    picked.append(name)
                else:
                    return _other(line, text, base.drops)
            if picked == ["T"] and kept == ["B", "H"]:
                return V("last", base.drops, base.lstm)
            if picked == ["B"] and kept == ["T", "H"]:  # out[-1] with batch_first=True: a common slip
                return V("lastseq", base.drops, base.lstm, names=base.names, origin=(line, text))
            if not picked and kept == names:
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
        every = base.kind == "seq" and base.names[-1:] == ("H",) and len(node.args) == 2
        if attr in ("view", "reshape") and every and _const(node.args[0], {}) == -1:  # every step, one row each
            return V("steps", base.drops, base.lstm, origin=(line, text))
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
                if x.kind == "tuple":  # after an nn.LSTM: a reason on the LSTM says why (torch_modules.py)
                    return _other(line, text)
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
        elif x.kind in ("seq", "steps"):
            for app in x.drops:  # said by this reason: not a dropout "where the lab has no mask"
                app.role = app.role or "steps"
            where = f" ({_src(x.origin[1], [])}, line {x.origin[0]})" if x.kind == "steps" else ""
            self.m.reason(line, f"{decl.key} reads the LSTM's output at every step{where}; the lab's Linear reads "
                          "the last h only (out[:, -1] with batch_first=True, or h_n[-1]). Keeping only the last "
                          "step's prediction afterwards is the same model as the Linear (and its dropout) on "
                          "out[:, -1]: write it so.")  # fmt: skip
        elif x.kind == "lastseq":
            bf = x.names[0] == "B"
            shape = "(batch, steps, features)" if bf else "(steps, batch, features)"
            self.m.reason(line, f"{decl.key} reads {_src(x.origin[1], [])} (line {x.origin[0]}): with "
                          f"batch_first={bf} the LSTM's output is {shape}, so this is the last sequence of the "
                          "batch at every step, not the last h of each sequence, which is "
                          f"{'out[:, -1]' if bf else 'out[-1]'} (or h_n[-1]).")  # fmt: skip
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


def _apps_left(m: _Model, tracer: _Tracer) -> None:
    """Dropouts forward() applies where the lab has no mask (after the Linear, on nothing read); said
    only when forward() calls an LSTM (else a reason about the LSTM says more)."""
    for app in tracer.apps if tracer.flow.lstms else ():
        if not app.role:
            m.reason(app.line, "this dropout acts where the lab has no mask: the lab drops the embedding output, "
                     "between LSTM layers and the last h before the Linear.")  # fmt: skip
