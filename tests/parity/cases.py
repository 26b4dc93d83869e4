"""The parity cases: states whose traces are compared with the real frameworks.

Small dimensions keep the golden fixtures small; the live tests also run the seed's sizes.
"""

from __future__ import annotations

SMALL = "emb=8&units=6&text=the movie was not good but the music was really great"

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
