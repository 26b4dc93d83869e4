"""What each framework's own layers can do with one LSTM layer's plan, and what they cannot.

A ``Recipe`` says how a framework builds one layer of a plan (app.engine.semantics.LayerPlan)
with its built-in layers: a dropout layer on the LSTM's input sequence and the LSTM's own
arguments; or, when the built-ins cannot draw what the plan says, why not (the code then uses
MaskedLSTM from cells.py). The facts are those of docs/semantics.md, checked live by
tests/parity (test_codegen_live.py, test_codegen_tfkeras2.py):

- Keras 3.8+ (3.15.1): implementation 2 (recurrent_dropout = 0) draws one input mask shared by
  the gates; implementation 1 four input and four recurrent masks; all once per call.
  implementation=1 with recurrent_dropout = 0 needs use_cudnn=False (the fast path breaks).
- tf.keras 2 (TF 2.15.1): recurrent_dropout = 0 without unroll takes the cuDNN-compatible path
  whatever `implementation` says: one input mask per step, shared by the gates. The cell path
  draws four masks, one per gate (implementation 1): once per call with unroll=True or in an eager
  call, but at every step inside model.fit (tf.function) with unroll=False.
- PyTorch: nn.LSTM has no mask inside the cell; a dropout on each layer's input is nn.Dropout
  (per step) or nn.Dropout1d on (B, F, T) (whole features, per sequence).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.engine.semantics import LayerPlan


@dataclass(frozen=True)
class Recipe:
    """One framework's way to build one layer of the plan."""

    before: str = ""  # dropout layer on the LSTM's input sequence: Dropout, SpatialDropout1D, Dropout1d
    kwargs: dict[str, str] = field(default_factory=dict)  # arguments of the built-in LSTM
    cannot: str = ""  # why the built-in LSTM cannot follow the plan ("" = it can)
    comment: str = ""  # what the built-in code does that a reader would not guess
    fit_only: bool = False  # tf.keras 2: the plan holds inside model.fit, not in an eager call


def _num(x: float) -> str:
    return repr(float(x))


FORUM = (
    "no framework drops the four gate outputs: this is the forum answer's hypothetical scheme "
    '("Dropout(0.25) four times, once after each of the 4 yellow blocks"), computed only to compare it'
)


def _extras(lp: LayerPlan, lstm: str) -> str:
    if lp.gate_output:  # the forum answer's picture: no framework has it, whatever else the plan holds
        return FORUM
    what = [
        name
        for name, on in (
            ("candidate dropout", lp.candidate),
            ("zoneout", lp.zoneout_c or lp.zoneout_h),
            ("weight-drop on the recurrent kernel", lp.weight_drop),
        )
        if on
    ]
    if not what:
        return ""
    return f"{lstm} has no {', '.join(what[:-1])} or {what[-1]}" if len(what) > 1 else f"{lstm} has no {what[0]}"


def keras3(lp: LayerPlan) -> Recipe:
    inp, rec = lp.input, lp.recurrent
    if why := _extras(lp, "keras.layers.LSTM"):
        return Recipe(cannot=why)
    if rec and not rec.per_gate:
        return Recipe(cannot="Keras 3.8+ draws four recurrent masks, one per gate (one shared mask was Keras 3.0-3.7)")
    if rec and rec.per_step:
        return Recipe(cannot="Keras draws its recurrent masks once per call, never afresh at every step")
    if inp and inp.per_gate and inp.per_step:
        return Recipe(cannot="Keras draws its input masks once per call, never afresh at every step")
    kw = {"recurrent_dropout": _num(rec.rate)} if rec else {}
    before = comment = ""
    if inp and inp.per_step:
        before = "Dropout"
    elif inp and not inp.per_gate and rec:
        before = "SpatialDropout1D"
    elif inp:
        kw["dropout"] = _num(inp.rate)
        if inp.per_gate and not rec:  # four input masks: implementation 1, off the fast path
            kw |= {"implementation": "1", "use_cudnn": "False"}
            comment = (
                "implementation=1: four input masks, one per gate; use_cudnn=False because Keras 3.15's "
                "fast path cannot apply four masks"
            )
    return Recipe(before, kw, comment=comment)


def tfkeras2(lp: LayerPlan) -> Recipe:
    inp, rec = lp.input, lp.recurrent
    if why := _extras(lp, "tf.keras.layers.LSTM"):
        return Recipe(cannot=why)
    if rec and not rec.per_gate:
        return Recipe(cannot="tf.keras 2's recurrent_dropout draws four recurrent masks, one per gate")
    in_cell = inp is not None and inp.per_gate  # four input masks: only the cell (implementation 1) draws them
    timing = {s.per_step for s in (rec, inp if in_cell else None) if s}
    if len(timing) > 1:
        return Recipe(cannot="the cell draws its input and recurrent masks with the same timing (unroll decides both)")
    if in_cell and inp.per_step and not rec:
        return Recipe(
            cannot="with recurrent_dropout = 0 the layer takes the cell path only with unroll=True, "
            "which draws the four input masks once per call, not at every step"
        )
    kw = {"recurrent_dropout": _num(rec.rate)} if rec else {}
    before = comment = ""
    if in_cell:
        kw["dropout"] = _num(inp.rate)
        if not rec:
            kw["implementation"] = "1"
    elif inp and inp.per_step and not rec:  # the default path: one mask per step, shared
        kw["dropout"] = _num(inp.rate)
        comment = "the default (cuDNN-compatible) path: one mask over (batch, time, features), fresh at every step"
    elif inp:
        before = "Dropout" if inp.per_step else "SpatialDropout1D"
    if not timing:
        return Recipe(before, kw, comment=comment)
    if timing == {False}:
        kw["unroll"] = "True"
        comment = (
            "unroll=True: TF 2.15 then draws these masks once per call, in model.fit too; with "
            "unroll=False model.fit would re-draw them at every step (preset tfkeras2-fit). It builds "
            "one graph step per timestep: slow to compile for long sequences"
        )
        return Recipe(before, kw, comment=comment)
    comment = (
        "model.fit (tf.function, unroll=False) re-draws these masks at every step (observed on TF 2.15.1); "
        "a direct eager call model(x, training=True) draws them once per call instead"
    )
    return Recipe(before, kw, comment=comment, fit_only=True)


def pytorch(lp: LayerPlan) -> Recipe:
    inp, rec = lp.input, lp.recurrent
    if lp.gate_output:
        return Recipe(cannot=FORUM)
    if rec:
        return Recipe(cannot="nn.LSTM has no recurrent dropout")
    if inp and inp.per_gate:
        return Recipe(cannot="nn.LSTM applies one input to the four gates: it has no mask per gate")
    if why := _extras(lp, "nn.LSTM"):
        return Recipe(cannot=why)
    if inp is None:
        return Recipe()
    return Recipe("Dropout" if inp.per_step else "Dropout1d")
