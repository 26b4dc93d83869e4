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

The reader is three modules: torch_modules.py (what ``__init__`` declares, the numbers),
torch_forward.py (following ``forward()``) and this one (the model assembled from both, the
notes and reasons that need the whole model, ``read_torch``).
"""

from __future__ import annotations

import ast

from app.yourmodel.read import CodeRead, Mapped, ModelRead, Reason
from app.yourmodel.torch_forward import INPUT, App, Flow, _apps_left, _Tracer
from app.yourmodel.torch_modules import (
    DROPOUTS,
    ODD_DROPOUT,
    RECURRENT,
    UNKNOWN,
    _collect,
    _const,
    _dotted,
    _loose_recurrent,
    _Model,
    _Names,
    _show,
    _src,
)

MODELS_MAX = 2


# ----------------------------------------------------------------------------------------- model


def _by_order(m: _Model) -> Flow:
    """Without forward(): the modules in the order declared (nn.Sequential's in its order)."""
    flow = Flow()
    place, pending = "before", []
    seen: set[int] = set()
    order = []
    for d in sorted(m.decls.values(), key=lambda d: d.line):
        order += d.leaves()
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
        emb_decls = [d for d in m.leaves() if d.kind.startswith("Embedding")]
        flow.emb = emb_decls[0] if emb_decls and not has_forward else None
        if emb_decls and has_forward:
            m.reason(emb_decls[0].line, f"{emb_decls[0].key} is declared but forward() does not call it in a way "
                     "the lab can follow.")  # fmt: skip
        elif flow.emb is None and m.loose_embeddings:
            m.reason(m.loose_embeddings[0], "an nn.Embedding built inside another expression (a list, "
                     "nn.ModuleList, a loop, a wrapper): the lab reads an nn.Embedding assigned to a name or "
                     "listed in nn.Sequential.")  # fmt: skip
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
        if [d.kind for d in m.decls.values()] != ["Sequential"]:  # one nn.Sequential: its order is its forward()
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
