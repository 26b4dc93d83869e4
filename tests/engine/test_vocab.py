"""The toy vocabulary, Keras-style tokenisation and pad_sequences padding."""

from __future__ import annotations

import numpy as np
import pytest

from app.engine import vocab


def test_vocabulary_layout():
    assert len(vocab.WORDS) == 64 and vocab.WORDS[0] == "<pad>" and vocab.WORDS[1] == "<unk>"
    for w in ("good", "bad", "not", "never", "very", "the"):
        assert w in vocab.INDEX


def test_tokenise_like_keras():
    assert vocab.split_words("The movie, was NOT good!") == ["the", "movie", "was", "not", "good"]
    assert vocab.encode("the zebra was good") == [2, 1, 9, 20]
    assert vocab.encode("didn't like it") == [vocab.INDEX["didn't"], 1, vocab.INDEX["it"]]


def test_small_vocab_maps_high_ids_to_unk():
    assert vocab.encode("the good", vocab=10) == [2, 1]


def test_word_names_beyond_the_list():
    assert vocab.word(4) == "movie" and vocab.word(100) == "<100>"


@pytest.mark.parametrize(
    ("tokens", "length", "want"),
    [([5, 6, 7], 0, [5, 6, 7]), ([5, 6, 7], 5, [0, 0, 5, 6, 7]), ([5, 6, 7], 2, [6, 7]), ([5], 1, [5])],
)
def test_pad_like_pad_sequences(tokens, length, want):
    assert vocab.pad(tokens, length).tolist() == want
    assert vocab.pad(tokens, length).dtype == np.int64
