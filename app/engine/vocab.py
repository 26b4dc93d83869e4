"""The fixed 64-word vocabulary of the toy sentiment task, tokenisation and padding.

Index 0 is padding and 1 is ``<unk>``, as with a Keras ``Tokenizer(oov_token=...)``.
The words are chosen so that short sentences carry sentiment from day one: positive and
negative words, negations, intensifiers and fillers.

Tokenisation follows Keras ``text_to_word_sequence``: lowercase, the punctuation
``!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~`` becomes a space, split on whitespace. Padding and
truncation follow ``pad_sequences`` with its defaults: both at the front (``"pre"``).
"""

from __future__ import annotations

import numpy as np

PAD, UNK = 0, 1

WORDS: tuple[str, ...] = (
    "<pad>", "<unk>",
    # fillers (2-19)
    "the", "a", "movie", "film", "story", "acting", "plot", "was", "is", "it",
    "this", "and", "but", "i", "of", "to", "ending", "music",
    # positive (20-33)
    "good", "great", "excellent", "wonderful", "fun", "loved", "love", "liked",
    "best", "beautiful", "brilliant", "funny", "enjoyed", "perfect",
    # negative (34-47)
    "bad", "terrible", "awful", "boring", "worst", "hated", "hate", "dull",
    "poor", "waste", "stupid", "disappointing", "weak", "mess",
    # negations (48-52)
    "not", "never", "no", "nothing", "didn't",
    # intensifiers and diminishers (53-59)
    "very", "really", "so", "too", "extremely", "quite", "slightly",
    # more fillers (60-63)
    "at", "all", "time", "watch",
)  # fmt: skip

assert len(WORDS) == 64 and len(set(WORDS)) == 64

INDEX: dict[str, int] = {w: i for i, w in enumerate(WORDS)}
FILTERS = '!"#$%&()*+,-./:;<=>?@[\\]^_`{|}~\t\n'
_TABLE = str.maketrans(FILTERS, " " * len(FILTERS))


def split_words(text: str) -> list[str]:
    """Keras ``text_to_word_sequence``: lowercase, punctuation to spaces, split."""
    return text.lower().translate(_TABLE).split()


def encode(text: str, vocab: int = len(WORDS)) -> list[int]:
    """Word ids of ``text``; unknown words, and words whose id is >= ``vocab``, are ``<unk>``."""
    ids = (INDEX.get(w, UNK) for w in split_words(text))
    return [i if i < vocab else UNK for i in ids]


def unknown(text: str, vocab: int = len(WORDS)) -> list[str]:
    """The words of ``text`` that ``encode`` turns into ``<unk>``, each once, in order."""
    out: list[str] = []
    for w in split_words(text):
        if INDEX.get(w, vocab) >= vocab and w not in out:
            out.append(w)
    return out


def word(token: int) -> str:
    """The word of a token id; ids beyond the 64 named words have no word of their own."""
    return WORDS[token] if token < len(WORDS) else f"<{token}>"


def pad(tokens: list[int], length: int) -> np.ndarray:
    """Keras ``pad_sequences([tokens], maxlen=length)[0]``: pad and truncate at the front.

    ``length == 0`` keeps the sequence as it is. Returns int64 of shape (T,).
    """
    seq = np.asarray(tokens, dtype=np.int64)
    if length == 0 or length == len(seq):
        return seq
    if len(seq) > length:
        return seq[len(seq) - length :]
    return np.concatenate([np.full(length - len(seq), PAD, dtype=np.int64), seq])
