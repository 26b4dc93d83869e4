"""The lab's link and the sentence its table supports."""

from __future__ import annotations

import pytest

from app.core.problems import StateError
from app.lab.worker import sentence
from app.link.lab_query import parse_lab


def test_canonical_link_sorts_and_omits_defaults():
    lab = parse_lab("seed=3&epochs=10&configs=both,none&lr=0.0100")
    assert lab.configs == ("none", "both") and lab.lr == 0.01
    assert lab.canonical() == "configs=none,both&epochs=10&lr=0.01&seed=3&v=2"
    assert parse_lab(lab.canonical()) == lab
    assert parse_lab("").canonical() == "v=2"


def test_configurations_switch_the_right_dropouts():
    lab = parse_lab("out_dropout=0.2&emb_mode=spatial")
    none, emb, cell, both = (lab.spec_state(c) for c in ("none", "emb", "cell", "both"))
    assert (none.emb_dropout, none.dropout, none.recurrent_dropout, none.out_dropout) == (0, 0, 0, 0)
    assert (emb.emb_dropout, emb.emb_mode, emb.dropout, emb.recurrent_dropout) == (0.25, "spatial", 0, 0)
    assert (cell.emb_dropout, cell.dropout, cell.recurrent_dropout, cell.out_dropout) == (0, 0.5, 0.5, 0)
    assert both == lab.state


def row(config, best, gap=0.0):
    return {"config": config, "best_val_acc": best, "gap": gap}


def test_the_sentence_says_what_the_numbers_say():
    text = sentence([row("none", 0.90, 0.12), row("emb", 0.905), row("cell", 0.95), row("both", 0.88)], 0.15)
    assert "embedding dropout alone made no clear difference (90.5% against 90.0%)" in text
    assert "the LSTM's own dropout alone raised the best validation accuracy from 90.0% to 95.0% (5.0 points)" in text
    assert "both lowered the best validation accuracy from 90.0% to 88.0% (2.0 points)" in text
    assert "12.0 points better on its training set" in text and "15% of its training labels" in text
    assert "Train the configuration without dropout" in sentence([row("both", 0.9)], 0.1)


def test_work_is_bounded():
    with pytest.raises(StateError) as err:
        parse_lab("epochs=100&train_size=5000&layers=3")
    assert err.value.problems[0].field == "epochs" and "about three minutes" in err.value.problems[0].message
