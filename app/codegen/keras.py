"""Keras 3 and tf.keras 2 code for a state's model:

    Input -> Embedding -> embedding dropout -> [input dropout -> LSTM -> between dropout] x L
          -> output dropout -> Dense(1, sigmoid)

with the built-in LSTM where its recipe (recipes.py) follows the plan, else MaskedLSTM (cells.py)
behind a comment saying why.
"""

from __future__ import annotations

from app.codegen import cells, recipes
from app.codegen.parts import Fidelity, call, comment, features, masked_kwargs, num
from app.engine.semantics import Plan
from app.link.state import State

LSTM_ORDER = ("dropout", "recurrent_dropout", "implementation", "use_cudnn", "unroll", "return_sequences")
BEFORE = {
    "Dropout": "a fresh input mask at every step, shared by the gates",
    "SpatialDropout1D": "one input mask per sequence, shared by the gates",
}


def _embedding(s: State) -> list[str]:
    r = num(s.emb_dropout)
    if s.emb_dropout and s.emb_mode == "word":
        return [
            "# no built-in layer drops whole word types: WordDropout (above) does",
            f"WordDropout({s.vocab}, {s.emb}, rate={r}),",
        ]
    lines = [f"layers.Embedding({s.vocab}, {s.emb}),"]
    if s.emb_dropout and s.emb_mode == "standard":
        lines.append(f"layers.Dropout({r}),  # a fresh mask per step and feature")
    elif s.emb_dropout:
        lines.append(f"layers.SpatialDropout1D({r}),  # whole features, the same at every step")
    return lines


def _lstm_stack(s: State, plan: Plan, recipe: recipes.Recipe, name: str) -> list[str]:
    """The layers from the embedding's output to the LSTM stack's last h."""
    if recipe.cannot:
        body = comment(f"{name} cannot express this plan with its LSTM: {recipe.cannot}.")
        body += comment("MaskedLSTM (above) draws the masks where the plan says.")
    else:
        body = comment(recipe.comment) if recipe.comment else []
    for n, lp in enumerate(plan.layers):
        more = [] if n == len(plan.layers) - 1 else ["return_sequences=True"]
        if recipe.cannot:
            body += call("MaskedLSTM", [str(s.units), *(f"{k}={v}" for k, v in masked_kwargs(lp).items()), *more], ",")
        else:
            if recipe.before:
                body.append(f"layers.{recipe.before}({num(lp.input.rate)}),  # {BEFORE[recipe.before]}")
            kw = recipe.kwargs
            body += call("layers.LSTM", [str(s.units), *(f"{k}={kw[k]}" for k in LSTM_ORDER if k in kw), *more], ",")
        if lp.between:
            body.append(f"layers.Dropout({num(lp.between)}),  # between layers, as nn.LSTM(dropout=...)")
    return body


def keras(s: State, plan: Plan, v3: bool) -> tuple[str, Fidelity]:
    """The model's code in Keras 3 (``v3``) or tf.keras 2, and its fidelity to the plan."""
    name = "Keras 3" if v3 else "tf.keras 2"
    recipe = (recipes.keras3 if v3 else recipes.tfkeras2)(plan.layers[0])
    words = s.emb_dropout > 0 and s.emb_mode == "word"
    custom = tuple(c for c, used in (("WordDropout", words), ("MaskedLSTM", recipe.cannot)) if used)
    if v3:
        lines = ["import keras", "from keras import layers" + (", ops" if custom else ""), "", ""]
        seq, inp, lstm_cell, word_layer = "keras.Sequential", "keras.Input", cells.KERAS3_LSTM, cells.KERAS3_WORDS
    else:
        lines = ["import tensorflow as tf  # TF 2.x, Keras 2", "from tensorflow.keras import layers", "", ""]
        seq, inp, lstm_cell, word_layer = (
            "tf.keras.Sequential",
            "tf.keras.Input",
            cells.TFKERAS2_LSTM,
            cells.TFKERAS2_WORDS,
        )
    if words:
        lines += cells.render(word_layer, set())
    if recipe.cannot:
        lines += cells.render(lstm_cell, features(plan.layers[0]))
    body = [f'{inp}(shape=({len(s.sequence())},), dtype="int32"),', *_embedding(s)]
    body += _lstm_stack(s, plan, recipe, name)
    if s.out_dropout:
        body.append(f"layers.Dropout({num(s.out_dropout)}),  # on the last h, before Dense")
    body.append('layers.Dense(1, activation="sigmoid"),')
    lines += [f"model = {seq}([", *("    " + b for b in body), "])"]
    lines.append('model.compile(loss="binary_crossentropy", optimizer="rmsprop", metrics=["accuracy"])')
    if s.phase == "infer":
        zoneout = " (zoneout keeps its expectation)" if "zoneout" in features(plan.layers[0]) else ""
        lines.append(f"# phase=infer: model.predict(x) (training=False) drops nothing{zoneout}")

    how = f"MaskedLSTM, because {recipe.cannot}" if recipe.cannot else "built-in layers"
    if recipe.comment:
        how += f"; {recipe.comment}"
    if words:
        how += "; WordDropout, because no built-in layer drops whole word types"
    return "\n".join(lines) + "\n", Fidelity(not custom, custom, how)
