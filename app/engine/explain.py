"""The resolved dropout plan in words: per mask its rate, sharing, timing, source and notes.

This is what the pages print beside the pictures, so every sentence here must be true of the
framework it names (shared/docs/semantics.md; tests/parity checks the numbers).
"""

from __future__ import annotations

from app.engine.dropout import MaskSpec
from app.engine.model import RunSpec
from app.engine.semantics import PRESETS, TORCH_SRC, LayerPlan, Plan
from app.engine.verdict import verdict

EMB_SOURCE = {
    "standard": "keras/src/layers/regularization/dropout.py (Dropout)",
    "spatial": "keras/src/layers/regularization/spatial_dropout.py (SpatialDropout1D)",
    "word": "salesforce/awd-lstm-lm embed_regularize.py (embedded_dropout); arXiv 1512.05287",
}
EMB_NOTE = {
    "standard": "Dropout({r}) after the Embedding: a fresh mask for every step and feature.",
    "spatial": "SpatialDropout1D({r}): whole embedding features dropped, the same at every step.",
    "word": "Word dropout: whole word types (rows of the embedding matrix) dropped, so every "
    "occurrence of a dropped word is zero in this pass.",
}
EMB_NONE = "emb_dropout = 0: no dropout layer after the Embedding."
TF_FUNCTION = (
    "This is a direct (eager) call or unroll=True. Observed on TF 2.15.1: model.fit (tf.function, "
    "unroll=False) re-draws these masks at every step instead; the preset tfkeras2-fit shows that."
)


def _num(x: float) -> str:
    return f"{x:.4g}"


def _gate_words(spec: MaskSpec) -> tuple[str, str]:
    return ("gate" if spec.per_gate else "shared", "step" if spec.per_step else "sequence")


# The one place that says a mask's sharing and timing in words (the pages and /api/presets use it).
SHARING = {
    "shared": "one mask shared by the four gates",
    "gate": "one mask per gate",
    "element": "a mask per element",
    "feature": "whole embedding features",
    "word": "whole word types",
    "weight": "a mask per recurrent weight",
}
TIMING = {"sequence": "the same at every step", "step": "fresh at every step", "pass": "once per forward pass"}


def words(sharing: str, timing: str) -> str:
    """A mask in words, from its sharing and timing codes: "one mask per gate, the same at every step"."""
    return "none" if sharing == "none" else f"{SHARING[sharing]}, {TIMING[timing]}"


def spec_words(spec: MaskSpec | None) -> str:
    return "none" if spec is None else words(*_gate_words(spec))


def _entry(active: bool, rate: float, sharing: str, timing: str, source: str, *notes: str) -> dict:
    return {
        "active": active,
        "rate": rate,
        "sharing": sharing,
        "timing": timing,
        "words": words(sharing, timing),
        "source": source,
        "notes": [n for n in notes if n],
    }


def _custom_note(what: str, spec: MaskSpec) -> str:
    share = "one per gate" if spec.per_gate else "shared by the four gates"
    time = "fresh at every step" if spec.per_step else "the same at every step"
    return f"Mask on {what}, {share}, {time}."


def _input_note(preset: str, spec: MaskSpec | None, d: float, rd: float) -> str:
    if preset == "pytorch":
        return "nn.LSTM puts no mask on x_t; its dropout acts between stacked layers."
    if spec is None:
        return "dropout = 0: no mask on x_t."
    return {
        "keras3": (
            "recurrent_dropout > 0 forces implementation 1, which draws four different masks on "
            "x_t, one per gate (Keras >= 3.8, PR #20663), each reused at every step."
            if rd > 0
            else f"Implementation 2: one mask on x_t shared by the four gates, drawn once per call "
            f"and reused at every step, the same distribution as SpatialDropout1D({_num(d)}) "
            "before the LSTM."
        ),
        "keras3-legacy": "One mask on x_t shared by the four gates, reused at every step.",
        "tfkeras2": (
            "Implementation 1: four masks on x_t, one per gate, drawn once per sequence. " + TF_FUNCTION
            if rd > 0
            else "The default layer takes the cuDNN-compatible path (also on CPU) and multiplies "
            "the whole input by one mask of shape (batch, time, features): fresh at every step, "
            f"shared by the gates, exactly Dropout({_num(d)}) before the LSTM."
        ),
        "tfkeras2-fit": (
            "Inside model.fit (tf.function, unroll=False; observed on TF 2.15.1) implementation 1 "
            "creates its four masks on x_t in the loop body: four new masks, one per gate, at "
            "every step."
            if rd > 0
            else "model.fit takes the same cuDNN-compatible path as an eager call: one mask over the "
            "whole (batch, time, features) input, fresh at every step, shared by the gates, exactly "
            f"Dropout({_num(d)}) before the LSTM."
        ),
        "gal-tied": "One mask on x_t shared by the gates, the same at every step (variational).",
        "gal-untied": "Four masks on x_t, one per gate, the same at every step (variational, untied).",
        "zaremba": "One mask on the layer input, fresh at every step, before the joint four-gate map.",
        "semeniuta": "Standard dropout on the layer input, fresh at every step.",
        "awd": "LockedDropout: one mask on each layer's input, the same at every step.",
    }.get(preset, _custom_note("x_t", spec))


def _recurrent_note(preset: str, spec: MaskSpec | None) -> str:
    absent = {
        "pytorch": "PyTorch nn.LSTM has no recurrent dropout; variational recurrent dropout needs a custom cell.",
        "zaremba": "Zaremba et al. never drop the recurrent connection h_{t-1}.",
        "semeniuta": "h_{t-1} is not masked; the candidate g is (see candidate).",
        "awd": "h_{t-1} is not masked; AWD-LSTM drops recurrent weights instead (weight_drop).",
    }
    if preset in absent:
        return absent[preset]
    if spec is None:
        return "recurrent_dropout = 0: no mask on h_{t-1}."
    if preset == "keras3":
        return (
            "Four masks on h_{t-1}, one per gate, reused at every step. recurrent_dropout > 0 also "
            "rules out the cuDNN kernel: Keras falls back to the generic loop without a word."
        )
    if preset == "tfkeras2":
        return "Implementation 1: four masks on h_{t-1}, one per gate, the same at every step. " + TF_FUNCTION
    if preset == "tfkeras2-fit":
        return (
            "Inside model.fit (tf.function, unroll=False; observed on TF 2.15.1): four masks on "
            "h_{t-1}, one per gate, created in the loop body and so re-drawn at every step."
        )
    return _custom_note("h_{t-1}", spec)


PAPER_OUTPUT = {
    "zaremba": "Zaremba et al. drop every non-recurrent connection, the last layer's output "
    "included: 50% in their medium and 65% in their large PTB model (arXiv 1409.2329, section 4.1).",
    "gal-tied": "Gal & Ghahramani drop the outputs too, at the rate of the inputs (0.5 in their "
    "large PTB model; arXiv 1512.05287, section 5.1).",
    "gal-untied": "Gal & Ghahramani drop the outputs too, at the rate of the inputs (0.5 in their "
    "large PTB model; arXiv 1512.05287, section 5.1).",
    "awd": "AWD-LSTM drops the last layer's output with LockedDropout (--dropout, 0.4 by default "
    "in salesforce/awd-lstm-lm main.py).",
}
AWD_WORDS = "AWD-LSTM's own embedding dropout drops whole words (emb_mode=word, --dropoute 0.1 by default); "


def _embedding_entry(spec: RunSpec) -> dict:
    rate, mode = spec.emb_rate, spec.emb_mode
    note = EMB_NOTE[mode].format(r=_num(rate)) if rate > 0 else EMB_NONE
    extra = ""
    if spec.plan.preset == "awd" and mode != "word":
        extra = AWD_WORDS + f"this state uses emb_mode={mode} instead."
    return _entry(
        spec.train and rate > 0,
        rate,
        {"standard": "element", "spatial": "feature", "word": "word"}[mode],
        "step" if mode == "standard" else "sequence",
        EMB_SOURCE[mode],
        note,
        extra,
    )


def _extra_entries(first: LayerPlan, train: bool) -> dict:
    """Candidate dropout, zoneout and weight-drop, where the plan has them."""
    out = {}
    cand = first.candidate
    if cand is not None:
        out["candidate"] = _entry(
            train,
            cand.rate,
            "element",
            "step",
            "arXiv 1603.05118",
            "c_t = f * c_{t-1} + i * d(g_t): a fresh mask on the candidate at every step; the "
            "memory c_{t-1} itself is never dropped. (The paper studies per-step and "
            "per-sequence masks; this draws per step.)",
        )
    for name in ("zoneout_c", "zoneout_h"):
        z = getattr(first, name)
        if z > 0:
            out[name] = _entry(
                True,
                z,
                "element",
                "step",
                "arXiv 1606.01305",
                f"Zoneout: each unit of {name[-1]} keeps its previous value with probability "
                f"{_num(z)}, unscaled. At inference the expectation is used: "
                f"{name[-1]}_t = {_num(z)} {name[-1]}_(t-1) + {_num(1 - z)} {name[-1]}~_t.",
            )
    if first.weight_drop > 0:
        out["weight_drop"] = _entry(
            train,
            first.weight_drop,
            "weight",
            "pass",
            "salesforce/awd-lstm-lm weight_drop.py",
            "DropConnect on the recurrent kernel U (H, 4H): one mask per forward pass, scaled by "
            "1/(1-rate), so the same recurrent weights are missing at every step.",
        )
    return out


def _between_entry(plan: Plan, d: float, train: bool) -> dict:
    between = [n for n, lp in enumerate(plan.layers) if lp.between > 0]
    if len(plan.layers) == 1:
        note = "With one layer this does nothing (PyTorch warns about it: see the notes)." if d > 0 else ""
    else:
        note = "Dropout on the output sequence of every layer but the last, fresh per element and step."
    layers = "Layers: " + ", ".join(map(str, between)) if between else ""
    return _entry(train and bool(between), d, "element", "step", TORCH_SRC, note, layers)


def _output_entry(spec: RunSpec) -> dict:
    rate = spec.out_rate
    note = (
        f"Dropout({_num(rate)}) on the last h before Dense: one mask on the {len(spec.plan.layers)}-layer "
        "LSTM's final output vector."
        if rate > 0
        else "out_dropout = 0: nothing dropped between the LSTM and Dense."
    )
    return _entry(
        spec.train and rate > 0,
        rate,
        "element",
        "pass",
        "keras/src/layers/regularization/dropout.py (Dropout)",
        note,
        PAPER_OUTPUT.get(spec.plan.preset, ""),
    )


def _effective(spec: RunSpec, inp: MaskSpec | None) -> dict:
    """What reaches a gate of an embedding element: both dropouts compound."""
    keep_in = 1 - (inp.rate if inp else 0.0)
    keep = (1 - spec.emb_rate) * keep_in
    if not spec.train:
        text = (
            "At inference (phase=infer) nothing is dropped and nothing is rescaled: every "
            "embedding element reaches every gate as it is. In training it would reach a gate with "
            f"probability {_num(1 - spec.emb_rate)} x {_num(keep_in)} = {_num(keep)}."
        )
        return {"keep": 1.0, "scale": 1.0, "train_keep": keep, "text": text}
    text = (
        f"An embedding element reaches a gate with probability {_num(1 - spec.emb_rate)} x "
        f"{_num(keep_in)} = {_num(keep)}; when it does it is scaled by {_num(1 / keep)}."
    )
    return {"keep": keep, "scale": 1 / keep, "train_keep": keep, "text": text}


def _answer(spec: RunSpec, d: float, rd: float) -> list[str]:
    """The popular answer's two errors (shared/docs/semantics.md, last section), for this state."""
    preset = spec.plan.preset
    if preset == "pytorch":
        where = (
            "PyTorch's nn.LSTM puts no mask inside the cell at all: its dropout acts on each layer's "
            "output, between stacked layers, never on the gates."
        )
    else:
        where = (
            "The LSTM's dropout masks act on its input x(t), and recurrent_dropout's on h(t-1), "
            "before each gate's weights: they are not applied to the gate outputs (the 'yellow "
            "boxes' of the popular answer)."
        )
    rates = (
        f"No mask inside the cell uses the {_num(spec.emb_rate)} of the Dropout layer: each LSTM mask is "
        f"drawn at its own rate (dropout={_num(d)} keeps {_num(1 - d)} and scales by {_num(1 / (1 - d))})."
        if spec.emb_rate > 0 and preset != "pytorch"
        else "Each mask is drawn at its own rate; no rate is split between the gates."
    )
    out = [where, rates]
    if not spec.train:
        out.append("At inference (phase=infer) none of these masks is applied.")
    return out


def describe(spec: RunSpec, d: float, rd: float) -> dict:
    """The plan as the trace and /api/state carry it; ``d``, ``rd`` are the state's rates."""
    plan, train = spec.plan, spec.train
    preset = PRESETS[plan.preset]
    first = plan.layers[0]
    src = preset.source
    inp, rec = first.input, first.recurrent
    masks = {
        "embedding": _embedding_entry(spec),
        "input": _entry(
            train and inp is not None,
            inp.rate if inp else 0.0,
            *(_gate_words(inp) if inp else ("none", "none")),
            src,
            _input_note(plan.preset, inp, d, rd),
        ),
        "recurrent": _entry(
            train and rec is not None,
            rec.rate if rec else 0.0,
            *(_gate_words(rec) if rec else ("none", "none")),
            src,
            _recurrent_note(plan.preset, rec),
        ),
        **_extra_entries(first, train),
    }
    if plan.preset == "pytorch":
        masks["between"] = _between_entry(plan, d, train)
    masks["output"] = _output_entry(spec)

    notes = list(plan.notes)
    if not train:
        notes.append(
            "Inference (phase=infer): every mask keeps everything and nothing is rescaled, as in "
            "every framework (inverted dropout scaled the kept values during training)."
        )
    if plan.preset in ("keras3", "keras3-legacy"):
        notes.append("Keras 3 draws the masks even with training=False, but does not apply them.")
    if plan.preset == "pytorch":
        notes.append(
            "Weights follow Keras initialisation for every preset, so presets compare on the same "
            "weights; PyTorch's own default is U(-1/sqrt(H), 1/sqrt(H)) without the forget-bias 1."
        )
    return {
        "preset": plan.preset,
        "title": preset.title,
        "versions": preset.versions,
        "source": src,
        "summary": preset.summary,
        "masks": masks,
        "effective": _effective(spec, inp),
        "answer": _answer(spec, d, rd),
        "verdict": verdict(spec, d, rd),
        "notes": notes,
    }
