"""The toy sentiment task: the rule on hand-written sentences, and the generator's promises
(determinism, lengths, gaps, balance, noise on train only, no bag-of-words shortcut)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from app.engine import data, vocab

ROOT = Path(__file__).parents[2]
DEFAULT_TEXT = "the movie was not good but the music was really great"


@pytest.fixture(scope="module")
def train():
    return data.make_split("train", 2000, 0)


def clauses(tokens) -> list[list[int]]:
    out: list[list[int]] = [[]]
    for t in np.asarray(tokens).tolist():
        out.append([]) if t == data.BUT else out[-1].append(t)
    return out


def sentiment(tokens) -> list[int]:
    """Polarity (1 / 0) of each sentiment word, in order."""
    return [int(t in data.POSITIVE) for t in np.asarray(tokens).tolist() if t in data.POSITIVE | data.NEGATIVE]


def negations_and_gap(clause: list[int]) -> tuple[int, int | None]:
    """Negations before the clause's last sentiment word, and the words between the last of them and it."""
    last = max((i for i, t in enumerate(clause) if t in data.POSITIVE | data.NEGATIVE), default=0)
    negs = [i for i, t in enumerate(clause[:last]) if t in data.NEGATIONS]
    return len(negs), (last - negs[-1] - 1 if negs else None)


def test_word_classes_match_the_vocabulary():
    words = lambda ids: {vocab.WORDS[i] for i in ids}  # noqa: E731
    assert data.BUT == 14 and vocab.WORDS[data.BUT] == "but"
    assert {"good", "great", "loved", "liked", "enjoyed", "love", "perfect"} <= words(data.POSITIVE)
    assert {"bad", "boring", "hated", "hate", "mess"} <= words(data.NEGATIVE)
    assert words(data.NEGATIONS) == {"not", "never", "no", "nothing", "didn't"}
    assert words(data.INTENSIFIERS) == {"very", "really", "so", "too", "extremely", "quite", "slightly"}
    assert len(data.POSITIVE) == len(data.NEGATIVE) == 14 and not data.POSITIVE & data.NEGATIVE


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("not good", 0),
        ("never boring", 1),
        (DEFAULT_TEXT, 1),
        ("it was great but the ending was not really good at all", 0),
        ("good", 1),
        ("the plot was terrible", 0),
        ("really very extremely good", 1),  # intensifiers change nothing
        ("not really very extremely good", 0),  # a gap keeps the flip
        ("not not good", 1),  # two negations: parity
        ("nothing was not good", 1),
        ("it was never not boring", 0),
        ("not never no bad", 1),  # three flip
        ("it was not bad but the music was good", 1),  # a negation in the first clause ...
        ("it was not good but the ending was boring", 0),  # ... does not reach the second
        ("good not", 1),  # a negation after the sentiment word changes nothing
        ("it was good not at all", 1),
        ("it was good not bad", 1),  # the last sentiment word counts, and "not" precedes it
        ("good bad", 0),
        ("not good and fun", 0),
        ("not bad really great", 0),  # the rule is mechanical: "not" flips the last word
        ("i loved it", 1),
        ("i didn't love it", 0),
        ("i never hated the ending", 1),
        ("i hated it but it was great", 1),
        ("great but bad but good", 1),
        ("good but the ending", 1),  # the last clause with a sentiment word decides
        ("not good but not", 0),
        ("zebra good", 1),  # unknown words are fillers
        ("", None),
        ("but", None),
        ("the movie was not really", None),
    ],
)
def test_the_rule(text, want):
    assert data.label_text(text) == want
    assert data.label(vocab.encode(text)) == want


def test_the_app_default_sentence_is_positive():
    from app.link.state import DEFAULT_TEXT as app_default

    assert app_default == DEFAULT_TEXT and data.label_text(app_default) == 1


def test_label_takes_lists_arrays_and_front_padding():
    tokens = vocab.encode("it was great but the ending was not really good at all")
    padded = data.pad_batch([tokens], length=30)[0]
    assert data.label(tokens) == data.label(np.array(tokens)) == data.label(padded) == 0


def test_same_arguments_same_data(train):
    again = data.make_split("train", 2000, 0)
    assert again.texts == train.texts and all(map(np.array_equal, again.tokens, train.tokens))
    assert np.array_equal(again.labels, train.labels)
    assert data.make_split("train", 100, 0).texts == train.texts[:100]  # a smaller size is a prefix


def test_splits_and_seeds_differ(train):
    others = [data.make_split(s, 2000, 0).texts for s in ("val", "test")] + [data.make_split("train", 2000, 1).texts]
    for texts in others:
        assert np.mean([a == b for a, b in zip(texts, train.texts, strict=True)]) < 0.02
        assert np.mean([t in set(train.texts) for t in texts]) < 0.1  # only short sentences repeat


def test_same_data_in_another_process():
    def digest(ds):
        h = hashlib.sha256()
        for t in ds.tokens:
            h.update(t.tobytes() + b"|")
        h.update(ds.labels.tobytes())
        return h.hexdigest()

    code = (
        "import hashlib; from app.engine import data; "
        "ds = data.make_split('train', 300, 7, data.TaskConfig(label_noise=0.2)); h = hashlib.sha256()\n"
        "for t in ds.tokens: h.update(t.tobytes() + b'|')\n"
        "h.update(ds.labels.tobytes()); print(h.hexdigest())"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}  # set iteration order must not matter
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == digest(data.make_split("train", 300, 7, data.TaskConfig(label_noise=0.2)))


def test_dataset_shapes_and_types(train):
    n = len(train)
    assert n == len(train.tokens) == len(train.texts) == 2000
    assert train.labels.shape == train.clean.shape == train.flipped.shape == (n,)
    assert train.labels.dtype == train.clean.dtype == np.float32 and train.flipped.dtype == bool
    assert all(t.dtype == np.int64 and t.ndim == 1 for t in train.tokens)
    assert not train.labels.flags.writeable and not train.tokens[0].flags.writeable
    with pytest.raises(dataclasses.FrozenInstanceError):
        train.labels = None


def test_every_example_follows_the_rule(train):
    for tokens, text, clean in zip(train.tokens, train.texts, train.clean, strict=True):
        assert data.label(tokens) == clean
        assert vocab.encode(text) == tokens.tolist()
        assert tokens.min() >= 2  # no padding, no unknown word


@pytest.mark.parametrize("config", [data.DEFAULT, data.TaskConfig(min_words=8, max_words=12, max_gap=5)])
def test_lengths_and_gaps_within_bounds(config):
    ds = data.make_split("val", 1000, 3, config)
    lengths = np.array([len(t) for t in ds.tokens])
    assert lengths.min() >= config.min_words and lengths.max() <= config.max_words
    gaps = [negations_and_gap(c)[1] for t in ds.tokens for c in clauses(t)]
    gaps = np.array([g for g in gaps if g is not None])
    assert gaps.max() <= config.max_gap and np.mean(gaps >= 1) > 0.6  # the task needs memory


def test_but_negation_and_contrast_are_common(train):
    parts = [clauses(t) for t in train.tokens]
    but = np.array([len(p) > 1 for p in parts])
    negs = [[negations_and_gap(c)[0] for c in p] for p in parts]
    assert 0.35 < but.mean() < 0.65 and any(len(p) == 3 for p in parts)
    assert 0.4 < np.mean([n[-1] > 0 for n in negs]) < 0.6
    assert any(2 in n for n in negs)  # double negations occur
    first_vs_last = [data.label(p[0]) != data.label(p[-1]) for p in parts if len(p) > 1]
    assert 0.5 < np.mean(first_vs_last) < 0.7  # p_contrast = 0.6


def test_labels_balanced_overall_and_within_cases(train):
    y = train.clean
    assert y.mean() == 0.5
    parts = [clauses(t) for t in train.tokens]
    cases = {
        "but": np.array([len(p) > 1 for p in parts]),
        "last clause negated": np.array([negations_and_gap(p[-1])[0] % 2 == 1 for p in parts]),
        "any negation": np.array([any(t in data.NEGATIONS for t in p) for p in train.tokens]),
    }
    for name, case in cases.items():
        for subset in (case, ~case):
            assert abs(y[subset].mean() - 0.5) < 0.06, name


def test_no_bag_of_words_shortcut(train):
    def majority(tokens):  # the majority polarity of the sentiment words, ties to the last one
        s = sentiment(tokens)
        return int(2 * sum(s) > len(s)) if 2 * sum(s) != len(s) else s[-1]

    baselines = {
        "majority": majority,
        "last sentiment word": lambda t: sentiment(t)[-1],
        "ignoring but": lambda t: data.label(np.where(t == data.BUT, 2, t)),
    }
    examples = list(zip(train.tokens, train.clean, strict=True))
    accuracy = {name: np.mean([guess(t) == y for t, y in examples]) for name, guess in baselines.items()}
    assert max(accuracy.values()) < 0.9 and accuracy["majority"] < 0.7, accuracy
    assert all(data.label(t) == y for t, y in examples)


def test_label_noise_only_on_train(train):
    noisy = data.make_split("train", 2000, 0, data.TaskConfig(label_noise=0.2))
    assert noisy.texts == train.texts and np.array_equal(noisy.clean, train.clean)  # noise moves no sentence
    assert abs(noisy.flipped.mean() - 0.2) < 0.03
    assert np.array_equal(noisy.labels, np.where(noisy.flipped, 1 - noisy.clean, noisy.clean))
    assert not train.flipped.any() and np.array_equal(train.labels, train.clean)  # default: no noise
    for split in ("val", "test"):
        ds = data.make_split(split, 500, 0, data.TaskConfig(label_noise=0.2))
        assert not ds.flipped.any() and np.array_equal(ds.labels, ds.clean)


def test_pad_batch_pads_at_the_front():
    seqs = [np.array([5, 6, 7]), [8]]
    got = data.pad_batch(seqs)
    assert got.dtype == np.int64 and got.tolist() == [[5, 6, 7], [0, 0, 8]]
    assert data.pad_batch(seqs, length=5).tolist() == [[0, 0, 5, 6, 7], [0, 0, 0, 0, 8]]
    assert data.pad_batch(seqs, length=2).tolist() == [[6, 7], [0, 8]]  # truncated at the front too
    assert data.pad_batch([]).shape == (0, 0)


def test_batches_cover_the_split_once():
    ds = data.make_split("val", 103, 0)
    got = list(data.batches(ds, 10, np.random.default_rng(1)))
    assert [len(b) for b in got] == [10] * 10 + [3]
    assert sorted(np.concatenate(got).tolist()) == list(range(103))
    again = list(data.batches(ds, 10, np.random.default_rng(1)))
    other = list(data.batches(ds, 10, np.random.default_rng(2)))
    assert all(map(np.array_equal, got, again)) and not np.array_equal(got[0], other[0])
    batch = data.pad_batch([ds.tokens[i] for i in got[0]])
    assert batch.shape == (10, max(len(ds.tokens[i]) for i in got[0]))


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError):
        data.TaskConfig(p_but=1.5)
    with pytest.raises(ValueError):
        data.TaskConfig(min_words=10, max_words=5)
    with pytest.raises(ValueError):
        data.make_split("dev", 10, 0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        data.DEFAULT.max_words = 30
