"""The parity cases: states whose traces are compared with the real frameworks.

Small dimensions keep the golden fixtures small; the live tests also run the seed's sizes.
"""

from __future__ import annotations

SMALL = "weights=random&emb=8&units=6&text=the movie was not good but the music was really great"

KERAS_CASES = {
    # (a) no dropout: plain LSTM numbers
    "keras_none": f"{SMALL}&phase=infer",
    # (b) Keras 3.8+: dropout and recurrent_dropout -> four input and four recurrent masks
    "keras_both": f"{SMALL}&seed=3",
    # implementation 2: one shared input mask, SpatialDropout1D on the embedding
    "keras_input_only": f"{SMALL}&recurrent_dropout=0&dropout=0.3&emb_mode=spatial&emb_dropout=0.2&seed=5",
    # stacked
    "keras_two_layers": f"{SMALL}&layers=2&dropout=0.25&recurrent_dropout=0.4&seed=11",
}

TORCH_CASES = {
    "torch_none": f"{SMALL}&preset=pytorch&recurrent_dropout=0&dropout=0&emb_dropout=0",
    # (d) stacked nn.LSTM with inter-layer dropout, word dropout on the embedding
    "torch_between": f"{SMALL}&preset=pytorch&recurrent_dropout=0&dropout=0.4&layers=3&emb_mode=word&seed=2",
}

TF_CASES = {
    # tf.keras 2 default path: one mask over the whole input, fresh at every step
    "tfkeras2_default_path": f"{SMALL}&preset=tfkeras2&recurrent_dropout=0&dropout=0.4&seed=4",
    # recurrent_dropout > 0: implementation 1, four input and four recurrent masks
    "tfkeras2_implementation_1": f"{SMALL}&preset=tfkeras2&dropout=0.3&recurrent_dropout=0.5&seed=5",
}

SEED_SIZE = "len=498&seed=1"  # the seed's second model at its real size, T = 498


def state(query: str):
    """A case's state. The cases above are version-1 links (weights=random was the default)."""
    from app.link.state import parse

    return parse(f"v=1&{query}")


# The generated code (app/codegen) of these states runs in every framework (test_codegen_live.py,
# test_codegen_tfkeras2.py). Every knob has its own rate, so that masks.MaskServer knows each draw
# by its rate; T = 5 tells a mask drawn at every step from one per gate.
CODE_BASE = "weights=random&emb=4&units=3&text=the movie was not good&emb_dropout=0.15&dropout=0.3&seed=3"
RD, NO_RD = "recurrent_dropout=0.45", "recurrent_dropout=0"
EXTRAS = "candidate_dropout=0.35&zoneout_c=0.1&zoneout_h=0.05&weight_drop=0.4"


def _custom(in_share: str, in_time: str, rec_share: str, rec_time: str) -> str:
    return f"preset=custom&in_share={in_share}&in_time={in_time}&rec_share={rec_share}&rec_time={rec_time}"


CODE_CASES = {
    **{f"{p}": f"preset={p}&{RD}" for p in ("keras3", "keras3-legacy", "tfkeras2", "tfkeras2-fit", "gal-tied")},
    **{f"{p}-rd0": f"preset={p}&{NO_RD}" for p in ("keras3", "keras3-legacy", "tfkeras2", "tfkeras2-fit", "gal-tied")},
    "gal-untied": f"preset=gal-untied&{RD}",
    "gal-untied-rd0": f"preset=gal-untied&{NO_RD}",  # the tf.keras 2 bug of issue 8
    "pytorch": f"preset=pytorch&{NO_RD}",
    "pytorch-2-layers": f"preset=pytorch&{NO_RD}&layers=2",
    "zaremba": f"preset=zaremba&{NO_RD}",
    "semeniuta": f"preset=semeniuta&{NO_RD}&candidate_dropout=0.35",
    "awd": f"preset=awd&{NO_RD}&weight_drop=0.4",
    **{
        f"custom-{a}-{b}-{c}-{d}": f"{_custom(a, b, c, d)}&{RD}"
        for a in ("shared", "gate")
        for b in ("seq", "step")
        for c in ("shared", "gate")
        for d in ("seq", "step")
    },
    **{
        f"custom-{a}-{b}-rd0": f"{_custom(a, b, 'shared', 'seq')}&{NO_RD}"
        for a in ("shared", "gate")
        for b in ("seq", "step")
    },
    **{
        f"custom-rec-{c}-{d}": f"{_custom('shared', 'seq', c, d)}&dropout=0&{RD}"
        for c in ("shared", "gate")
        for d in ("seq", "step")
    },
    **{f"custom-{k.split('=')[0]}": f"preset=custom&{NO_RD}&{k}" for k in EXTRAS.split("&")},
    "custom-everything": f"{_custom('gate', 'step', 'gate', 'step')}&{RD}&{EXTRAS}&out_dropout=0.2&layers=2",
    "keras3-spatial": f"preset=keras3&{NO_RD}&emb_mode=spatial",
    "keras3-word": f"preset=keras3&{RD}&emb_mode=word",
    "pytorch-word-2-layers": f"preset=pytorch&{NO_RD}&emb_mode=word&layers=2&out_dropout=0.2",
    "awd-word": f"preset=awd&{NO_RD}&weight_drop=0.4&emb_mode=word&out_dropout=0.2",
    "keras3-2-layers-out": f"preset=keras3&{RD}&layers=2&out_dropout=0.2",
    "tfkeras2-rd0-2-layers": f"preset=tfkeras2&{NO_RD}&layers=2",
    "tfkeras2-fit-2-layers-out": f"preset=tfkeras2-fit&{RD}&layers=2&out_dropout=0.2&emb_mode=spatial",
    "zaremba-2-layers-out": f"preset=zaremba&{NO_RD}&layers=2&out_dropout=0.2",
    "keras3-infer": f"preset=keras3&{RD}&phase=infer&out_dropout=0.2",
    "tfkeras2-fit-infer": f"preset=tfkeras2-fit&{RD}&phase=infer",
    "custom-zoneout-infer": f"preset=custom&{NO_RD}&zoneout_c=0.1&zoneout_h=0.05&phase=infer",
}


def code_state(name: str):
    """The state of a code case: CODE_BASE with the case's fields over it."""
    from urllib.parse import parse_qsl, urlencode

    from app.link.state import parse

    return parse(urlencode(dict(parse_qsl(CODE_BASE)) | dict(parse_qsl(CODE_CASES[name]))))
