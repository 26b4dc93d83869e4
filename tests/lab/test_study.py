"""A study: arms over paired seeds, the table, the comparisons and the sentence built from them."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from app.lab import study as st
from app.lab.study import Arm, Study, of_lab, pairs_of, run, seed_config, summary
from app.link.lab_query import parse_lab

SMALL = "units=8&weights=random&batch=25&train_size=50&epochs=2&seeds=2&configs=none,cell,both"


def test_pairs_put_the_seed_question_first():
    assert pairs_of(("cell", "both")) == (("cell", "both"),)
    assert pairs_of(("none", "emb", "cell", "both")) == (
        ("cell", "both"),
        ("none", "emb"),
        ("none", "cell"),
        ("none", "both"),
    )
    assert pairs_of(("none", "emb")) == (("none", "emb"),)
    assert pairs_of(("emb",)) == ()


def test_seed_k_moves_all_three_seeds_and_nothing_else():
    cfg = parse_lab("data_seed=3&seed=4&init_seed=5").train_config()
    two = seed_config(cfg, 2)
    assert (two.data_seed, two.seed, two.init_seed) == (5, 6, 7)
    assert replace(two, data_seed=3, seed=4, init_seed=5) == cfg


def rows_for(s: Study, finals: dict[str, list[float]]) -> dict:
    """Epoch rows whose last validation accuracy per (arm, seed) is ``finals``."""
    out = {}
    for arm in s.arms:
        for k, acc in enumerate(finals[arm.name]):
            out[(arm.name, k)] = [
                {
                    "config": arm.name,
                    "seed": k,
                    "epoch": e,
                    "train_loss": 0.5,
                    "train_acc": 0.9,
                    "val_loss": 0.5,
                    "val_acc": acc if e == s.train.epochs else acc - 0.1,
                }
                for e in range(1, s.train.epochs + 1)
            ]
    return out


def test_table_and_comparisons_are_read_off_the_rows():
    s = of_lab(parse_lab("configs=none,cell,both&seeds=3"))
    rows = rows_for(s, {"none": [0.8, 0.7, 0.9], "cell": [0.9, 0.8, 1.0], "both": [0.9, 0.82, 0.97]})
    done = summary(s, rows)
    by = {r["config"]: r for r in done["table"]}
    assert by["none"]["values"] == [0.8, 0.7, 0.9] and by["none"]["mean"] == pytest.approx(0.8)
    assert by["none"]["sd"] == pytest.approx(0.1) and (by["none"]["min"], by["none"]["max"]) == (0.7, 0.9)
    assert by["cell"]["gap"] == pytest.approx(0.0) and by["none"]["gap"] == pytest.approx(0.1)
    assert by["none"]["best_epochs"] == [s.train.epochs] * 3
    heads = [(c["a"], c["b"]) for c in done["comparisons"]]
    assert heads == [("cell", "both"), ("none", "cell"), ("none", "both")]
    cell_vs_none = done["comparisons"][1]
    assert cell_vs_none["differences"] == pytest.approx([0.1, 0.1, 0.1]) and cell_vs_none["verdict"] == "b better"
    assert done["comparisons"][0]["verdict"] == "no clear difference"
    text = done["sentence"]
    assert text.startswith(f"Validation accuracy after {s.train.epochs} epochs, mean over 3 paired seeds: ")
    assert "The LSTM's dropout only against no dropout: +10.0 points" in text
    assert "the LSTM's dropout only did better than no dropout" in text
    assert "No dropout ends 10.0 points higher on its training set" in text


@pytest.mark.parametrize("verdicts", list(itertools.product(("up", "flat", "down"), repeat=2)))
def test_every_sentence_says_what_its_comparisons_say(verdicts):
    """A grid over the verdicts of two comparisons: the words never claim a difference the
    interval does not support, and always name the one it does."""
    s = of_lab(parse_lab("configs=none,cell,both&seeds=4"))
    base = [0.80, 0.85, 0.75, 0.9]
    moved = {"up": [0.05, 0.06, 0.05, 0.04], "flat": [0.03, -0.03, 0.01, -0.01], "down": [-0.05, -0.04, -0.06, -0.05]}
    cell = [b + d for b, d in zip(base, moved[verdicts[0]], strict=True)]
    both = [c + d for c, d in zip(cell, moved[verdicts[1]], strict=True)]
    done = summary(s, rows_for(s, {"none": base, "cell": cell, "both": both}))
    text = done["sentence"]
    titles = {"none": "no dropout", "cell": "the LSTM's dropout only", "both": "both"}
    quiet = 0
    for n, c in enumerate(done["comparisons"]):
        head = f"{titles[c['b']]} against {titles[c['a']]}:"
        said = head[0].upper() + head[1:]
        if n > 0 and c["verdict"] == "no clear difference":  # only counted: the page lists it
            assert said not in text
            quiet += 1
            continue
        after = text.split(said, 1)[1][:150]
        if c["verdict"] == "no clear difference":
            assert "includes 0: no clear difference" in after
        else:
            better = titles[c["b"] if c["verdict"] == "b better" else c["a"]]
            assert f"excludes 0: {better} did better" in after
    if quiet:
        assert f"{quiet} more comparison" in text
    else:
        assert "more comparison" not in text


def test_one_seed_names_no_difference():
    s = of_lab(parse_lab("v=2&configs=none,both"))
    done = summary(s, rows_for(s, {"none": [0.6], "both": [0.9]}))
    assert done["comparisons"] == [] and "cannot tell a difference from luck" in done["sentence"]
    assert "better" not in done["sentence"]


def test_a_run_gives_the_same_numbers_in_one_process_or_two():
    s = of_lab(parse_lab(SMALL))
    got = {}
    for processes in (1, 2):
        events = []
        run(s, lambda n, d, events=events: events.append((n, d)), processes)
        got[processes] = events
    for events in got.values():
        names = [n for n, _ in events]
        assert names[0] == "start" and names[-1] == "done" and names.count("epoch") == s.total == 3 * 2 * 2
        assert names.count("progress") == s.total
        progress = [d for n, d in events if n == "progress"]
        assert [p["done"] for p in progress] == list(range(1, s.total + 1))
        assert all(p["total"] == s.total and p["elapsed"] >= 0 for p in progress)
    one, two = ({(d["config"], d["seed"], d["epoch"]): d for n, d in got[p] if n == "epoch"} for p in (1, 2))
    assert one == two
    done1, done2 = (dict(got[p][-1][1]) for p in (1, 2))
    done1.pop("seconds"), done2.pop("seconds")
    assert done1 == done2


def test_seed_zero_of_a_v2_link_trains_what_the_one_seed_lab_trained():
    """Golden: the epochs of a v=2 lab link, as the lab before seeds (e4c8e74) streamed them."""
    s = of_lab(parse_lab("v=2&units=8&weights=random&batch=25&train_size=50&epochs=2&configs=none,both"))
    assert s.seeds == 1
    events = []
    run(s, lambda n, d: events.append((n, d)), 1)
    got = [
        (d["config"], d["epoch"], d["train_loss"], d["train_acc"], d["val_loss"], d["val_acc"])
        for n, d in events
        if n == "epoch"
    ]
    assert sorted(got) == sorted(
        [
            ("none", 1, 0.6943698, 0.44, 0.693181, 0.498),
            ("both", 1, 0.6946828, 0.38, 0.6930576, 0.491),
            ("none", 2, 0.68715215, 0.64, 0.6932351, 0.497),
            ("both", 2, 0.69111466, 0.46, 0.6930948, 0.51),
        ]
    )


def test_a_study_arm_trains_its_own_dropout():
    lab = parse_lab(SMALL)
    arm = Arm("x", "x", parse_lab("units=8&weights=random&dropout=0&recurrent_dropout=0.3").state)
    s = replace(of_lab(lab), arms=(arm,), pairs=())
    seen = []
    st.train_job(s, 0, 0, seen.append)
    assert len(seen) == lab.epochs


def test_the_clock_knows_the_schedule():
    """Trainings of known speeds on 2 processes (arm 0: 1 s an epoch, arm 1: 3 s): once each arm has
    trained an epoch, the time left is exact at every epoch, the uneven tail included (where
    elapsed x (total - done) / done is far off)."""
    import heapq

    s = replace(of_lab(parse_lab("configs=cell,both&seeds=3&epochs=4")), pairs=())
    tau = {0: 1.0, 1: 3.0}
    events, free, queue = [], [(0.0, 0), (0.0, 1)], list(s.jobs)
    while queue:  # the true schedule: each job to the process that frees first
        at, p = heapq.heappop(free)
        arm, k = queue.pop(0)
        events.append((at, "begin", arm, k))
        events += [(at + tau[arm] * (e + 1), "epoch", arm, k) for e in range(s.train.epochs)]
        heapq.heappush(free, (at + tau[arm] * s.train.epochs, p))
    end = max(at for at, *_ in events)
    clock = st.Clock(s, 2)
    seen_arms, naive_worst = set(), 0.0
    done = 0
    ordered = sorted(events, key=lambda e: (e[0], e[1] == "begin"))  # a process frees, then takes a job
    for n, (at, kind, arm, k) in enumerate(ordered):
        if kind == "begin":
            clock.begin(at, arm, k)
            continue
        clock.epoch(at, arm, k)
        done += 1
        seen_arms.add(arm)
        last_at_this_time = n + 1 == len(ordered) or ordered[n + 1][0] > at
        if seen_arms == {0, 1} and at < end and last_at_this_time:
            assert clock.left(at) == pytest.approx(end - at, abs=1e-9)
            naive = at * (s.total - done) / done
            naive_worst = max(naive_worst, abs(naive - (end - at)) / (end - at))
    assert naive_worst > 0.25  # what the plain estimate would have said
