"""The plain answer to the seed question for one state, before any detail.

"Does a Dropout layer after the Embedding do the same as the LSTM's dropout argument?" No, in
three ways the page then shows: where each mask lands, how often it is redrawn, and that the two
compound. Every sentence follows the state (preset, rates, embedding mode, phase) and is true of
it (shared/docs/semantics.md; tests/engine/test_verdict.py); the jargon goes to ``details``.
"""

from __future__ import annotations

from app.engine.dropout import MaskSpec
from app.engine.model import RunSpec

EMB_WHERE = {
    "standard": "Dropout({r}) after the Embedding zeroes single elements of the embedding output",
    "spatial": "SpatialDropout1D({r}) after the Embedding zeroes whole features of the embedding output",
    "word": "Word dropout ({r}) zeroes whole words of the embedding output",
}
EMB_TIMING = {
    "standard": "draws a fresh mask for every step and every embedding feature",
    "spatial": "drops whole embedding features, the same ones at every step",
    "word": "drops whole words: every occurrence of a dropped word, the same at every step",
}


def _num(x: float) -> str:
    return f"{x:.4g}"


def _lstm_where(preset: str, inp: MaskSpec | None, rec: MaskSpec | None, d: float, rd: float, layers: int) -> str:
    if preset == "pytorch":
        then = "with one layer it does nothing at all" if layers == 1 else f"here it acts between the {layers} layers"
        return (
            f"PyTorch's nn.LSTM(dropout={_num(d)}) puts no mask inside the cell: it drops each layer's "
            f"output before the next layer, and {then}."
        )
    parts = []
    if inp is not None:
        gates = "a different mask for each of the four gates" if inp.per_gate else "one mask shared by the four gates"
        parts.append(
            f"dropout={_num(d)} masks the LSTM's input x(t) inside the cell, before each gate's weights, with {gates}"
        )
    else:
        parts.append("the LSTM puts no mask on its input x(t) here")
    if rec is not None:
        parts.append(f"recurrent_dropout={_num(rd)} also masks h(t-1), which the Dropout layer never touches")
    return "; ".join(parts) + "."


def _lstm_timing(inp: MaskSpec | None, rec: MaskSpec | None) -> str:
    specs = [s for s in (inp, rec) if s is not None]
    if not specs:
        return ""
    if all(s.per_step for s in specs):
        return "the LSTM's masks are drawn afresh at every step"
    if not any(s.per_step for s in specs):
        return "the LSTM's masks are drawn once per sequence and reused at every step"
    return (
        "the LSTM's mask on x(t) is drawn at every step and its mask on h(t-1) once per sequence"
        if inp and inp.per_step
        else ("the LSTM's mask on x(t) is drawn once per sequence and its mask on h(t-1) at every step")
    )


def verdict(spec: RunSpec, d: float, rd: float) -> dict:
    """{answer, points [{key, title, text}], difference, details} for the page's first panel."""
    plan, emb = spec.plan, spec.emb_rate
    first = plan.layers[0]
    inp, rec = first.input, first.recurrent
    preset = plan.preset
    lstm_masks = inp is not None or rec is not None

    if not spec.train:
        answer = (
            "At inference, neither drops anything: both dropouts are switched off and every input "
            "reaches every gate unscaled. In training they differ, as below."
        )
    elif preset == "pytorch":
        answer = "No. Here they are not even similar: PyTorch's LSTM dropout never acts inside the cell."
    elif emb > 0 and lstm_masks:
        answer = "No: they are two different masks, and with both on, an input is dropped by either."
    elif emb > 0:
        answer = "No. Here only the Dropout layer after the Embedding drops anything: the LSTM has no mask."
    else:
        answer = "No. Here there is no Dropout layer after the Embedding; only the LSTM's own masks act."

    where = (
        EMB_WHERE[spec.emb_mode].format(r=_num(emb)) + ", before the LSTM; "
        if emb > 0
        else "No Dropout layer after the Embedding here; "
    ) + _lstm_where(preset, inp, rec, d, rd, len(plan.layers))
    when_emb = f"the Dropout layer {EMB_TIMING[spec.emb_mode]}" if emb > 0 else ""
    when_lstm = _lstm_timing(inp, rec)
    if preset == "pytorch" and any(lp.between for lp in plan.layers):
        when_lstm = "PyTorch's between-layer masks are fresh at every step and for every element"
    when = "; ".join(p for p in (when_emb, when_lstm) if p)
    keep_in = 1 - (inp.rate if inp else 0.0)
    keep = (1 - emb) * keep_in
    if emb > 0 and inp is not None:
        compound = (
            f"They compound: an embedding element reaches a gate with probability {_num(1 - emb)} x "
            f"{_num(keep_in)} = {_num(keep)}, and is then scaled by {_num(1 / keep)}; no mask in the cell "
            f"uses the Dropout layer's {_num(emb)}."
        )
    else:
        compound = "Only one of the two drops the input here, so nothing compounds."
    later = "" if spec.train else " (in training)"
    points = [
        {"key": "where", "title": "Where the mask lands" + later, "text": where},
        {
            "key": "when",
            "title": "How often it is redrawn" + later,
            "text": (when[0].upper() + when[1:] + ".") if when else "Nothing is redrawn: no mask acts.",
        },
        {"key": "compound", "title": "Together" + later, "text": compound},
    ]
    difference = (
        "Will it make any difference? To what the model computes, yes: compare the gates and h with "
        "the no-dropout view, and see how the output spreads over mask draws (Monte Carlo dropout). "
        "Whether it helps the model generalise is a question of training: the training lab trains the "
        "seed's two models side by side on the toy task and says what the curves show."
        if spec.train
        else "At inference the two models of the question compute exactly the same thing from the same "
        "weights; their difference is only in how they were trained."
    )
    return {"answer": answer, "points": points, "difference": difference, "details": _details(spec, d, rd)}


def _details(spec: RunSpec, d: float, rd: float) -> list[str]:
    preset = spec.plan.preset
    out = []
    if preset == "keras3":
        out.append(
            "Keras 3.8 and later (PR #20663): recurrent_dropout > 0 forces implementation 1, which "
            "draws four masks per gate; with recurrent_dropout = 0 implementation 2 shares one mask."
        )
        out.append("recurrent_dropout > 0 also rules out the cuDNN kernel: Keras falls back to its generic loop.")
        out.append("Keras draws the masks even with training=False, but does not apply them.")
    if preset in ("tfkeras2", "tfkeras2-fit"):
        out.append(
            "tf.keras 2 with recurrent_dropout = 0 bypasses the cell (the cuDNN-compatible path) and "
            "masks the whole (batch, time, features) input: exactly Dropout before the LSTM."
        )
        out.append(
            "Inside model.fit (tf.function, unroll=False) TF 2.15.1 re-draws the cell's masks at every "
            "step; a direct eager call draws them once per call (presets tfkeras2-fit and tfkeras2)."
        )
    if preset == "pytorch" and len(spec.plan.layers) == 1 and d > 0:
        out.append("PyTorch warns about it: dropout with num_layers=1 expects more than one layer.")
    out.append(
        "Every framework uses inverted dropout: a kept value is multiplied by 1/(1 - rate) in "
        "training, so nothing is rescaled at inference (training=False, model.eval())."
    )
    return out
