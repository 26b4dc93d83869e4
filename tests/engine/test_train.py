"""The training loop: determinism, and defaults where dropout visibly matters."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from dataclasses import replace

import numpy as np

from app.engine import train
from app.link.state import parse

SMALL = replace(train.TrainConfig(), epochs=2, train_size=64, val_size=32, units=12, emb=8)
SPEC = "weights=random&emb=8&units=12"


def digest(w) -> str:
    return hashlib.sha256(b"".join(np.ascontiguousarray(a).tobytes() for a in train.parameters(w))).hexdigest()


def test_same_seeds_same_weights_bit_for_bit_in_two_processes():
    w, logs = train.train(parse(SPEC).run_spec(), SMALL)
    again, _ = train.train(parse(SPEC).run_spec(), SMALL)
    assert digest(w) == digest(again) and len(logs) == 2
    code = (
        "from dataclasses import replace; from app.engine import train; from app.link.state import parse;"
        "from tests.engine.test_train import SMALL, SPEC, digest;"
        "print(digest(train.train(parse(SPEC).run_spec(), SMALL)[0]))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == digest(w)
    other, _ = train.train(parse(SPEC).run_spec(), replace(SMALL, seed=1))  # other masks and order
    assert digest(other) != digest(w)


def test_callbacks_and_stopping():
    seen = []
    _w, logs = train.train(
        parse(SPEC).run_spec(), replace(SMALL, epochs=5), on_batch=lambda *a: seen.append(a), on_epoch=lambda log: True
    )
    assert len(logs) == 1 and len(seen) == 2  # 64 examples in batches of 32; stopped after epoch 1
    assert 0 <= logs[0].train_acc <= 1 and logs[0].val_loss > 0 and logs[0].seconds > 0


def test_defaults_overfit_without_dropout_and_dropout_helps():
    """TrainConfig's defaults: without dropout the 100-unit LSTM memorises the noisy training set
    (train accuracy far above validation); with the seed's dropout it does not, and validates better."""
    cfg = train.TrainConfig()
    none = train.train(parse("weights=random&emb_dropout=0&dropout=0&recurrent_dropout=0").run_spec(), cfg)[1][-1]
    seed = train.train(parse("weights=random").run_spec(), cfg)[1][-1]
    assert none.train_acc > 0.97 and none.train_acc - none.val_acc > 0.08
    assert seed.train_acc < 0.9  # 15% of its labels are flipped: it does not learn them
    assert seed.val_acc > none.val_acc + 0.03
