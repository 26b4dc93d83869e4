"""The plan of one trace in words: per mask its rate, sharing, timing, source and notes.

This is what the pages print beside the pictures. Every sentence that says what a mask of this
trace does is a template over the trace's facts (app/engine/facts.py), measured on its arrays;
the rest are the preset's sourced statements, true whatever the rates (docs/semantics.md).
``describe`` takes the facts of the phase shown (``now``) and of the same state in training
(``train``), which is what the masks' sharing and timing describe at inference too.
"""

from __future__ import annotations

from app.engine.facts import Facts
from app.engine.model import RunSpec
from app.engine.semantics import FORUM_SRC, PRESETS, TORCH_SRC, LayerPlan
from app.engine.summary import preset_summary
from app.engine.verdict import TIMING, Names, and_list, compound, embedding_unit, num, verdict, words

EMB_SOURCE = {
    "standard": "keras/src/layers/regularization/dropout.py (Dropout)",
    "spatial": "keras/src/layers/regularization/spatial_dropout.py (SpatialDropout1D)",
    "word": "salesforce/awd-lstm-lm embed_regularize.py (embedded_dropout); arXiv 1512.05287",
}
# What the layer named by emb_mode does, sourced (whatever this draw shows).
EMB_LAYER = {
    "standard": ("Dropout({r})", "Keras Dropout draws a bit for every element: every step and feature."),
    "spatial": ("SpatialDropout1D({r})", "SpatialDropout1D draws one bit per feature for the whole sequence."),
    "word": ("Word dropout ({r})", "Word dropout drops rows of the embedding matrix: whole word types, so "
             "every occurrence of a dropped word."),
}  # fmt: skip
EMB_NONE = "emb_dropout = 0: no dropout layer after the Embedding."


def names(spec: RunSpec, d: float, rd: float) -> Names:
    """How the sentences name the user's layers (labels from the state, not claims)."""
    return Names(
        emb_layer=EMB_LAYER[spec.emb_mode][0].format(r=num(spec.emb_rate)),
        dropout=f"dropout={num(d)}",
        recurrent_dropout=f"recurrent_dropout={num(rd)}",
    )


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


def _gate_entry(on_now: bool, on: bool, per_gate: bool, per_step: bool, rate: float, src: str, *notes: str) -> dict:
    sharing = ("gate" if per_gate else "shared") if on else "none"
    return _entry(on_now, rate, sharing, ("step" if per_step else "sequence") if on else "none", src, *notes)


INPUT_SOURCE = {
    "keras3": "Keras 3.8 and later (PR #20663): with recurrent_dropout > 0 implementation 1 draws four masks "
    "on x_t, one per gate; with recurrent_dropout = 0 implementation 2 draws one mask shared by the gates "
    "(the same distribution as SpatialDropout1D before the LSTM). Either is drawn once per call.",
    "keras3-legacy": "Keras 3.0 to 3.7: one mask on x_t shared by the four gates, drawn once per call, "
    "whatever recurrent_dropout.",
    "tfkeras2": "tf.keras 2, a direct call: with recurrent_dropout = 0 the default (cuDNN-compatible) path, "
    "also on CPU, multiplies the whole (batch, time, features) input by one mask, fresh at every step: "
    "exactly Dropout before the LSTM. With recurrent_dropout > 0 implementation 1 draws four masks on x_t, "
    "one per gate, once per call; model.fit re-draws them at every step (preset tfkeras2-fit).",
    "tfkeras2-fit": "Inside model.fit (tf.function, unroll=False; observed on TF 2.15.1): with "
    "recurrent_dropout > 0 the four masks on x_t are created in the loop body, so drawn again at every step; "
    "with recurrent_dropout = 0 the same one (batch, time, features) mask as a direct call.",
    "pytorch": "nn.LSTM puts no mask on x_t; its dropout acts between stacked layers.",
    "gal-tied": "Variational dropout: one mask on x_t for the whole sequence, tied across the gates.",
    "gal-untied": "Variational dropout, untied: each gate its own mask on x_t for the whole sequence.",
    "zaremba": "Standard dropout on the layer input before the joint four-gate map, fresh at every step.",
    "semeniuta": "Optional standard dropout on the layer input, fresh at every step.",
    "awd": "LockedDropout: one mask on each layer's input for the whole sequence.",
    "forum": "The forum answer's picture puts no mask on x_t: its dropout acts after the four gate activations "
    "(see gate_output). A hypothetical scheme: no framework does this.",
    "custom": "Chosen by hand: in_share and in_time set the sharing and timing.",
}
RECURRENT_SOURCE = {
    "keras3": "Keras 3.8 and later: four masks on h_{t-1}, one per gate, drawn once per call. recurrent_dropout "
    "> 0 also rules out the cuDNN kernel: Keras falls back to its generic loop without a word.",
    "keras3-legacy": "Keras 3.0 to 3.7: one mask on h_{t-1} shared by the four gates, drawn once per call.",
    "tfkeras2": "Implementation 1: four masks on h_{t-1}, one per gate, drawn once per call (eager, or "
    "unroll=True); model.fit re-draws them at every step (preset tfkeras2-fit).",
    "tfkeras2-fit": "Inside model.fit (tf.function, unroll=False; observed on TF 2.15.1): four masks on "
    "h_{t-1}, one per gate, created in the loop body and so drawn again at every step.",
    "pytorch": "PyTorch nn.LSTM has no recurrent dropout; variational recurrent dropout needs a custom cell.",
    "gal-tied": "Variational dropout: one mask on h_{t-1} for the whole sequence, tied across the gates.",
    "gal-untied": "Variational dropout, untied: each gate its own mask on h_{t-1} for the whole sequence.",
    "zaremba": "Zaremba et al. never drop the recurrent connection h_{t-1}.",
    "semeniuta": "h_{t-1} is not masked; the candidate g is (see candidate).",
    "awd": "h_{t-1} is not masked; AWD-LSTM drops recurrent weights instead (weight_drop).",
    "forum": "recurrent_dropout as Keras 3.8 and later: four masks on h_{t-1}, one per gate, drawn once per call.",
    "custom": "Chosen by hand: rec_share and rec_time set the sharing and timing.",
}


def _measured(here: str, what: str, on: bool, dropped: bool, per_gate: bool, per_step: bool, label: str) -> str:
    """One gate mask of this trace in words, from its facts."""
    if not on:
        return f"{here} no mask acts on {what}."
    if not dropped:
        return f"{here} the mask of {label} on {what} drops nothing in this draw (it only scales)."
    share = "one per gate (the four differ)" if per_gate else "the same for all four gates"
    time = "fresh at every step" if per_step else "the same at every step"
    return f"{here} {label} puts a mask on {what}: {share}, {time}."


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


NOMINAL = {"standard": ("element", "step"), "spatial": ("feature", "sequence"), "word": ("word", "pass")}


def _here(now: Facts, train: Facts) -> str:
    """How a sentence about the training masks starts: 'Here' in training, 'In training,' at inference."""
    return "Here" if now == train else "In training,"


def _embedding_entry(spec: RunSpec, now: Facts, train: Facts, n: Names) -> dict:
    mode = spec.emb_mode
    if not train.embedding_masked:
        return _entry(False, spec.emb_rate, "none", "none", EMB_SOURCE[mode], EMB_NONE)
    if not train.embedding_dropped:  # nothing to measure: what the layer named by emb_mode does (sourced)
        sharing, timing = NOMINAL[mode]
    elif train.embedding_whole_steps:
        sharing, timing = "word", "pass"
    else:
        sharing, timing = ("element", "step") if train.embedding_per_step else ("feature", "sequence")
    measured = f"{_here(now, train)} {n.emb_layer} zeroes {embedding_unit(train)}."
    extra = ""
    if spec.plan.preset == "awd" and mode != "word":
        extra = AWD_WORDS + f"this state uses emb_mode={mode} instead."
    return _entry(now.embedding_masked, spec.emb_rate, sharing, timing, EMB_SOURCE[mode], measured,
                  EMB_LAYER[mode][1], extra)  # fmt: skip


def _extra_entries(first: LayerPlan, now: Facts, train: Facts) -> dict:
    """Candidate dropout, zoneout and weight-drop, where the plan has them."""
    out = {}
    if first.candidate is not None:
        step = "candidate" in train.other_per_step
        out["candidate"] = _entry(
            "candidate" in now.other_masks,
            first.candidate.rate,
            "element",
            "step" if step else "sequence",
            "arXiv 1603.05118",
            f"Here the mask on the candidate g is {TIMING['step' if step else 'sequence']}; it acts on g only, "
            "never on i, f, o or the memory c_{t-1}: c_t = f * c_{t-1} + i * d(g_t).",
            "The paper studies per-step and per-sequence masks; this preset draws per step.",
        )
    for name in ("zoneout_c", "zoneout_h"):
        z = getattr(first, name)
        if z > 0:
            v = name[-1]
            out[name] = _entry(
                "zoneout" in now.other_masks,
                z,
                "element",
                "step" if "zoneout" in train.other_per_step else "sequence",
                "arXiv 1606.01305",
                f"Zoneout: in training each unit of {v} keeps its previous value with probability {num(z)}, "
                f"unscaled. At inference its expectation is used, {v}_t = {num(z)} {v}_(t-1) + {num(1 - z)} "
                f"{v}~_t, so zoneout changes the output at inference too.",
            )
    if first.gate_output is not None:
        on = "gate_output" in train.other_masks
        step = "gate_output" in train.other_per_step
        measured = (
            f"{_here(now, train)} each of the four gate activations i, f, g, o is multiplied by "
            f"{'its own mask' if train.gate_output_per_gate else 'one mask shared by the gates'}, "
            f"{TIMING['step' if step else 'sequence']}, keeping {num(train.gate_output_keep)} and scaling the kept "
            f"by {num(1 / train.gate_output_keep)}: c_t = (f q_f) c_(t-1) + (i q_i)(g q_g), h_t = (o q_o) tanh(c_t)."
            if on
            else f"{_here(now, train)} no mask acts on the gate outputs."
        )
        out["gate_output"] = _entry(
            "gate_output" in now.other_masks,
            first.gate_output.rate,
            ("gate" if train.gate_output_per_gate else "shared") if on else "none",
            ("step" if step else "sequence") if on else "none",
            FORUM_SRC,
            measured,
            "Hypothetical: the popular forum answer's \"Dropout(0.25) four times, once after each of the 4 yellow "
            'blocks" for dropout=0.5, computed so its numbers can be compared. No framework or paper does this; '
            "Semeniuta et al. 2016 (preset semeniuta) mask the candidate g only.",
        )
    if first.weight_drop > 0:
        out["weight_drop"] = _entry(
            "weight" in now.other_masks,
            first.weight_drop,
            "weight",
            "pass",
            "salesforce/awd-lstm-lm weight_drop.py",
            "DropConnect on the recurrent kernel U (H, 4H): one mask per forward pass, scaled by "
            "1/(1-rate), so the same recurrent weights are missing at every step.",
        )
    return out


def _between_entry(d: float, now: Facts, train: Facts) -> dict:
    on = "between_layers" in train.other_masks
    measured = (
        "Here a mask acts on the output of every layer but the last, "
        + ("fresh per element and step." if "between_layers" in train.other_per_step else "per element.")
        if on
        else "Here it does nothing: no mask acts between layers."
    )
    sourced = (
        "nn.LSTM(dropout) drops the output of every layer but the last; with one layer there is nothing to "
        "drop, and PyTorch warns when dropout > 0."
    )
    return _entry("between_layers" in now.other_masks, d, "element" if on else "none", "step" if on else "none",
                  TORCH_SRC, measured, sourced)  # fmt: skip


def _output_entry(spec: RunSpec, now: Facts, train: Facts) -> dict:
    on = "output" in train.other_masks
    note = (
        f"Dropout({num(spec.out_rate)}) on the last h before Dense: one mask on the LSTM's final output vector."
        if on
        else "out_dropout = 0: nothing dropped between the LSTM and Dense."
    )
    return _entry(
        "output" in now.other_masks,
        spec.out_rate,
        "element" if on else "none",
        "pass" if on else "none",
        "keras/src/layers/regularization/dropout.py (Dropout)",
        note,
        PAPER_OUTPUT.get(spec.plan.preset, ""),
    )


def _effective(now: Facts, train: Facts, n: Names) -> dict:
    """What reaches a gate of an embedding element: both dropouts compound."""
    if now == train:
        text = compound(train, n)
    elif now.keep == 1.0 and now.scale == 1.0:
        text = "At inference no mask drops or rescales x(t): every embedding element reaches every gate as it is. " + (
            f"In training it would reach gate i with probability {num(train.keep)}."
            if train.keep != 1.0
            else "Neither would any mask drop or rescale it in training."
        )
    else:
        text = compound(now, n)
    return {"keep": now.keep, "scale": now.scale, "train_keep": train.keep, "text": text}


def _answer(now: Facts, train: Facts, n: Names) -> list[str]:
    """The popular answer's two errors (docs/semantics.md, last section), for this trace."""
    cand = "candidate" in train.other_masks
    if "gate_output" in train.other_masks:
        after = (
            "masks act on the four gate outputs (the 'yellow boxes' of the popular answer), "
            + ("one per gate" if train.gate_output_per_gate else "the same for the four gates")
            + ": this preset computes the answer's own picture, which no framework draws"
        )
    elif cand:
        after = "the one mask after a gate is candidate dropout, on g only, never on i, f or o"
    else:
        after = "none acts on the gate outputs (the 'yellow boxes' of the popular answer)"
    lstm = (["x(t)"] if train.input_masked else []) + (["h(t-1)"] if train.recurrent_masked else [])
    if lstm:
        where = f"The LSTM's masks act on {and_list(lstm)}, before the gates' weights; {after}."
    else:
        where = f"The LSTM puts no mask on x(t) or h(t-1) here; {after}."
    out = [where]
    if "gate_output" in train.other_masks:
        k = train.gate_output_keep
        out.append(
            f"In this hypothetical scheme {n.dropout} is split between the four gate outputs: each mask keeps "
            f"{num(k)} (rate {num(1 - k)}) and scales by {num(1 / k)}, as the answer's \"Dropout(0.25) four "
            'times" for dropout=0.5. The frameworks split no rate: each of their masks is drawn at its own rate.'
        )
    elif train.embedding_masked and train.input_masked and train.embedding_keep != train.input_keep:
        out.append(
            f"No mask inside the cell uses the Dropout layer's rate: the LSTM's {n.dropout} keeps "
            f"{num(train.input_keep)} and scales by {num(1 / train.input_keep)}, and no rate is split between "
            "the gates."
        )
    else:
        out.append("Each mask is drawn at its own rate; no rate is split between the gates.")
    if not (now.embedding_masked or now.input_masked or now.recurrent_masked) and train != now:
        out.append("At inference none of these dropout masks is applied.")
    return out


def _inference_note(now: Facts) -> str:
    if now.other_masks:
        return (
            "Inference: every dropout mask keeps everything and nothing is rescaled; "
            f"{and_list(now.other_masks)} still acts (its expectation), so p is {num(now.probability)} against "
            f"{num(now.probability_without_dropout)} without it (max |dh| = {num(now.max_abs_dh)})."
        )
    return (
        "Inference: every mask keeps everything and nothing is rescaled (inverted dropout scaled the kept "
        "values during training)."
    )


def _details(preset: str) -> list[str]:
    """The framework details behind the answer: sourced statements of the preset, whatever the rates."""
    out = []
    if preset in ("keras3", "keras3-legacy"):
        out.append(
            "Keras 3.8 and later (PR #20663): recurrent_dropout > 0 forces implementation 1, which draws four "
            "input masks and four recurrent masks, one per gate; with recurrent_dropout = 0 implementation 2 "
            "shares one input mask between the gates. Keras 3.0 to 3.7 share one of each."
        )
        out.append("recurrent_dropout > 0 also rules out the cuDNN kernel: Keras falls back to its generic loop.")
        out.append(TRAINING_FALSE)
    if preset in ("tfkeras2", "tfkeras2-fit"):
        out.append(
            "tf.keras 2 with recurrent_dropout = 0 bypasses the cell (the cuDNN-compatible path) and masks the "
            "whole (batch, time, features) input: exactly Dropout before the LSTM, so with Dropout(a) after the "
            "Embedding the two act as one Dropout(1 - (1 - a)(1 - dropout))."
        )
        out.append(
            "Inside model.fit (tf.function, unroll=False) TF 2.15.1 re-draws the cell's masks at every step; a "
            "direct eager call draws them once per call (presets tfkeras2-fit and tfkeras2). With unroll=True "
            "an LSTM keeps one mask over time, also at recurrent_dropout = 0."
        )
    if preset == "pytorch":
        out.append("PyTorch warns when dropout > 0 with num_layers=1: its dropout expects more than one layer.")
    if preset == "forum":
        out.append(
            "The forum answer's picture is hypothetical: Keras 3, tf.keras 2 and PyTorch never put a mask after "
            "a gate activation; Keras masks x(t) and h(t-1) before the gates' weights (preset keras3). Its "
            "published relative is Semeniuta et al. 2016 (arXiv 1603.05118, preset semeniuta): one mask on the "
            "candidate g only, so the memory c(t-1) is never dropped."
        )
    out.append(
        "Every framework uses inverted dropout: a kept value is multiplied by 1/(1 - rate) in training, so "
        "nothing is rescaled at inference (training=False, model.eval())."
    )
    return out


# Sourced statements a point of the verdict ends with, per preset: true whatever the rates.
CAVEATS = {
    "forum": {
        "where": "(A hypothetical scheme, the forum answer's picture computed: no framework masks the gate outputs.)"
    },
    "tfkeras2": {
        "when": "(This is a direct call: inside model.fit, with recurrent_dropout > 0, tf.keras 2 draws the "
        "cell's masks afresh at every step; preset tfkeras2-fit.)"
    },
    "pytorch": {
        "where": "(nn.LSTM's dropout is an ordinary Dropout on each layer's output but the last: were there a "
        "single layer, it would drop nothing, and PyTorch warns when it is set then.)"
    },
}
TRAINING_FALSE = (
    "training=False: Keras 3.9 and later draw the masks but do not apply them (checked on 3.15.1; 3.9 to 3.14 read "
    "from source). Keras 3.4.0 "
    "to 3.8.x applied the input mask at inference too on their fast path (TensorFlow backend on a GPU, "
    "recurrent_dropout = 0), fixed in 3.9.0 by PR #20983 (read from source, not run here: it needs a GPU)."
)


def describe(spec: RunSpec, d: float, rd: float, now: Facts, train: Facts, trained: str = "") -> dict:
    """The plan as the trace and /api/state carry it; ``d``, ``rd`` are the state's rates, ``now`` and
    ``train`` the facts of the trace and of the same state in training; ``trained``: what the
    recorded lab study says (the verdict's "difference" ends with it)."""
    plan = spec.plan
    preset = PRESETS[plan.preset]
    first = plan.layers[0]
    src = preset.source
    n = names(spec, d, rd)
    masks = {
        "embedding": _embedding_entry(spec, now, train, n),
        "input": _gate_entry(
            now.input_masked, train.input_masked, train.input_per_gate, train.input_per_step,
            first.input.rate if first.input else 0.0, src,
            _measured(_here(now, train), "x_t", train.input_masked, train.input_dropped, train.input_per_gate,
                      train.input_per_step, n.dropout),
            INPUT_SOURCE[plan.preset],
        ),
        "recurrent": _gate_entry(
            now.recurrent_masked, train.recurrent_masked, train.recurrent_per_gate, train.recurrent_per_step,
            first.recurrent.rate if first.recurrent else 0.0, src,
            _measured(_here(now, train), "h_{t-1}", train.recurrent_masked, train.recurrent_dropped,
                      train.recurrent_per_gate, train.recurrent_per_step, n.recurrent_dropout),
            RECURRENT_SOURCE[plan.preset],
        ),
        **_extra_entries(first, now, train),
    }  # fmt: skip
    if plan.preset == "pytorch":
        masks["between"] = _between_entry(d, now, train)
    masks["output"] = _output_entry(spec, now, train)

    notes = list(plan.notes)
    if now != train:
        notes.append(_inference_note(now))
    if plan.preset in ("keras3", "keras3-legacy"):
        notes.append(TRAINING_FALSE)
    return {
        "preset": plan.preset,
        "title": preset.title,
        "versions": preset.versions,
        "source": src,
        "summary": preset_summary(plan.preset)["summary"],
        "facts": now.as_dict(),
        "facts_in_training": train.as_dict(),
        "masks": masks,
        "effective": _effective(now, train, n),
        "answer": _answer(now, train, n),
        "verdict": verdict(now, train, n, _details(plan.preset), CAVEATS.get(plan.preset, {}), trained),
        "notes": notes,
    }
