"""The lab's link and the sentence its table supports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from app.core.problems import StateError
from app.link.lab_query import CONFIGS, MAX_COST, parse_lab


def test_canonical_link_sorts_and_omits_defaults():
    lab = parse_lab("seed=3&epochs=10&configs=both,none&lr=0.0100")
    assert lab.configs == ("none", "both") and lab.lr == 0.01
    assert lab.canonical() == "configs=none,both&epochs=10&seed=3&units=32&v=3&weights=random"
    assert parse_lab(lab.canonical()) == lab
    assert parse_lab("").canonical() == "units=32&v=3&weights=random"


def test_v3_defaults_fit_a_lesson_and_older_links_keep_theirs():
    lab = parse_lab("")
    assert (lab.configs, lab.seeds, lab.epochs, lab.batch, lab.lr) == (("cell", "both"), 5, 15, 64, 0.01)
    assert (lab.state.units, lab.state.weights) == (32, "random")
    for v in (1, 2):
        old = parse_lab(f"v={v}")
        assert (old.configs, old.seeds, old.epochs, old.batch, old.lr) == (CONFIGS, 1, 40, 32, 0.003)
        assert old.state.units == 100 and old.canonical() == f"v={v}"
        assert parse_lab(f"v={v}&seeds=5").seeds == 5
    assert parse_lab("units=100&weights=trained").state.units == 100  # the seed's own size, on request


def test_configurations_switch_the_right_dropouts():
    lab = parse_lab("out_dropout=0.2&emb_mode=spatial")
    none, emb, cell, both = (lab.spec_state(c) for c in ("none", "emb", "cell", "both"))
    assert (none.emb_dropout, none.dropout, none.recurrent_dropout, none.out_dropout) == (0, 0, 0, 0)
    assert (emb.emb_dropout, emb.emb_mode, emb.dropout, emb.recurrent_dropout) == (0.25, "spatial", 0, 0)
    assert (cell.emb_dropout, cell.dropout, cell.recurrent_dropout, cell.out_dropout) == (0, 0.5, 0.5, 0)
    assert both == lab.state


@pytest.mark.parametrize(
    "extra", ["text=a%20dull%20film", "tokens=20,30", "len=40", "hide=seed,text", "phase=infer", "v=3"]
)
def test_fields_no_training_reads_do_not_split_runs(extra):
    """The run key leaves out exactly what the trainings do not read: every configuration's spec
    and the training configuration are the same with and without ``extra``."""
    plain, other = parse_lab("configs=none,emb,cell,both"), parse_lab(f"configs=none,emb,cell,both&{extra}")
    assert plain.run_key() == other.run_key()
    for c in CONFIGS:
        assert (
            replace(plain.spec_state(c), phase="train").run_spec()
            == replace(other.spec_state(c), phase="train").run_spec()
        )
    assert plain.train_config() == other.train_config()


def test_every_training_field_splits_runs():
    base = parse_lab("").run_key()
    for change in (
        "seed=1",
        "init_seed=1",
        "units=31",
        "emb=8",
        "layers=2",
        "dropout=0.4",
        "emb_mode=spatial",
        "epochs=14",
        "seeds=4",
        "data_seed=1",
        "lr=0.02",
        "batch=32",
        "configs=none,both",
        "label_noise=0.1",
        "optimizer=rmsprop",
        "train_size=900",
        "recurrent_dropout=0.4",
        "emb_dropout=0.2",
        "vocab=60",
    ):
        assert parse_lab(change).run_key() != base, change
    assert (
        parse_lab("v=2&units=32&weights=random&configs=cell,both&seeds=5&epochs=15&batch=64&lr=0.01").run_key() == base
    )


def test_cost_is_bounded_and_named():
    with pytest.raises(StateError) as err:
        parse_lab("weights=random&units=1&emb=1&batch=4&train_size=5000&epochs=100")
    problem = err.value.problems[0]
    assert problem.field == "epochs" and "seconds of one core" in problem.allowed
    assert "more than one lab run may take (600" in problem.message
    assert parse_lab("").cost() < 60 and parse_lab("v=2").cost() < MAX_COST
    with pytest.raises(StateError):
        parse_lab("epochs=100&train_size=5000&layers=3")
    assert parse_lab("configs=none,emb,cell,both&seeds=20&epochs=30").cost() <= MAX_COST


def test_a_study_link_names_its_run():
    assert parse_lab("study=seed").run_key() == "study=seed"
    with pytest.raises(StateError) as err:
        parse_lab("study=nope")
    assert err.value.problems[0].field == "study"
