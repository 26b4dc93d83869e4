"""Run tf.keras 2 (TF 2.15, Keras 2.15) on given weights with given masks injected.

    .venv-tf/bin/python tests/parity/tf_reference.py IN.npz OUT.npz

Runs in its own virtual environment (TF 2.15 needs numpy < 2), so it imports nothing from the
app. IN holds kernel, recurrent_kernel, bias, x (T, E: the LSTM input), dropout,
recurrent_dropout, input_masks and recurrent_masks (multipliers). OUT gets h (T, H), c_last
(H,), and `requests`: the shape TF asked a mask for, per call (3-D = the whole sequence, one
mask per step; 2-D = one mask per sequence), and the count it asked for.
"""

from __future__ import annotations

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np
import tensorflow as tf
from keras.src.layers.rnn.dropout_rnn_cell_mixin import DropoutRNNCellMixin


def main(src: str, dst: str) -> None:
    a = np.load(src)
    d, rd = float(a["dropout"]), float(a["recurrent_dropout"])
    requests: list[list[int]] = []

    def masks(stack: np.ndarray, shape) -> list:
        requests.append([len(shape), *[int(n) for n in shape]])
        if len(shape) == 3:  # the whole (batch, time, features) input: TF's per-step mask
            return [tf.constant(stack[None])] * 4
        return [tf.constant(m[None]) for m in stack]  # four (batch, features) masks

    def get_dropout_mask_for_cell(self, inputs, training, count=1):
        if self.dropout == 0:
            return None
        return masks(a["input_masks"], inputs.shape)

    def get_recurrent_dropout_mask_for_cell(self, inputs, training, count=1):
        if self.recurrent_dropout == 0:
            return None
        return masks(a["recurrent_masks"], inputs.shape)

    DropoutRNNCellMixin.get_dropout_mask_for_cell = get_dropout_mask_for_cell
    DropoutRNNCellMixin.get_recurrent_dropout_mask_for_cell = get_recurrent_dropout_mask_for_cell

    x = a["x"][None].astype(np.float32)
    units = a["recurrent_kernel"].shape[0]
    layer = tf.keras.layers.LSTM(units, dropout=d, recurrent_dropout=rd, return_sequences=True, return_state=True)
    layer.build(x.shape)
    layer.set_weights([a["kernel"], a["recurrent_kernel"], a["bias"]])
    seq, _, c = layer(x, training=True)
    np.savez(
        dst,
        h=seq.numpy()[0],
        c_last=c.numpy()[0],
        requests=np.array(requests, dtype=np.int64).reshape(len(requests), -1) if requests else np.zeros((0, 0)),
        implementation=np.int64(layer.cell.implementation),
        tf_version=np.array(tf.__version__),
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
