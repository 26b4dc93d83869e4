"""The toy sentiment task: seeded, labelled sentences over the 64 words of ``vocab.py``.

The rule (``label``; it applies to ANY token sequence, generated or not):

1. A sentence is one or more clauses separated by the word "but".
2. A clause's polarity is that of its LAST sentiment word (positive = 1, negative = 0), flipped
   once for every negation word that comes earlier in the same clause than that sentiment word:
   one negation flips, two flip back (parity). A negation after the last sentiment word, and
   intensifiers, fillers, padding and unknown words, change nothing.
3. The label of the sentence is the polarity of the last clause that has a sentiment word. A
   sentence with no sentiment word at all has no label (``None``; the generator never makes one).

So "not good" -> 0, "never boring" -> 1, "nothing was not good" -> 1, "it was good not bad" -> 1,
"good not" -> 1, "the movie was not good but the music was really great" -> 1 (the app's default),
"it was great but the ending was not really good at all" -> 0.

Word classes (ids of vocab.py): fillers 2-19 and 60-63, among them "but" (14); positive 20-33;
negative 34-47; negations 48-52; intensifiers 53-59.

Generation draws the label y first, in pairs (one 0 and one 1, in random order, so a split is
balanced to one example), then 1 to ``max_clauses`` clauses (one more with probability ``p_but``
each time). The last clause has polarity y, an earlier one the opposite with probability
``p_contrast``. A clause is negated with probability ``p_negation`` (twice with
``p_double_negation`` of those), and its sentiment word gets polarity = clause polarity XOR parity,
so the label is independent of "but" and of negations. Between the last negation and the sentiment
word sit 0 to ``max_gap`` words: intensifiers, "at all", the verb after "nothing", an article, or a
sentiment word of the same polarity and "and" ("not good and fun"). A sentence outside
[min_words, max_words] is redrawn with the same y and number of clauses.

Splits: ``make_split`` draws sentences from ``default_rng([seed, SPLIT_INDEX[split], 0])`` and
label noise from ``default_rng([seed, SPLIT_INDEX[split], 1])``, so train, val and test come from
disjoint streams, a smaller size gives a prefix, and the noise never changes the sentences. Label
noise applies to the train split only: validation and test labels are clean, so accuracy there
measures the rule.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass

import numpy as np

from app.engine import vocab

BUT = vocab.INDEX["but"]
POSITIVE = frozenset(range(20, 34))  # good ... perfect
NEGATIVE = frozenset(range(34, 48))  # bad ... mess
NEGATIONS = frozenset(range(48, 53))  # not never no nothing didn't
INTENSIFIERS = frozenset(range(53, 60))  # very ... slightly
SPLIT_INDEX = {"train": 0, "val": 1, "test": 2}


@dataclass(frozen=True)
class TaskConfig:
    """How sentences are drawn. Lengths in words; ``max_gap`` (>= 2) counts the words between the
    last negation of a clause and its sentiment word; ``label_noise`` flips train labels only."""

    min_words: int = 4
    max_words: int = 20
    p_but: float = 0.5  # chance of one more clause, up to max_clauses
    max_clauses: int = 3
    p_contrast: float = 0.6  # chance that an earlier clause has the opposite polarity of the last
    p_negation: float = 0.5  # per clause
    p_double_negation: float = 0.1  # of the negated clauses: "it was never not fun"
    max_gap: int = 3
    label_noise: float = 0.0

    def __post_init__(self):
        probs = (self.p_but, self.p_contrast, self.p_negation, self.p_double_negation, self.label_noise)
        if not all(0.0 <= p <= 1.0 for p in probs):
            raise ValueError("probabilities must lie in [0, 1]")
        if not (1 <= self.min_words <= self.max_words and self.max_clauses >= 1 and self.max_gap >= 2):
            raise ValueError("need 1 <= min_words <= max_words, max_clauses >= 1, max_gap >= 2")


DEFAULT = TaskConfig()


@dataclass(frozen=True, eq=False)
class Dataset:
    """N sentences. ``tokens[i]`` int64 (T_i,), no padding; ``labels`` float32 (N,) 0/1 as trained
    on (after noise); ``clean`` float32 (N,) the rule's labels; ``flipped`` bool (N,) where noise
    flipped the label; ``texts`` the sentences. Arrays are read-only."""

    tokens: tuple[np.ndarray, ...]
    labels: np.ndarray
    clean: np.ndarray
    flipped: np.ndarray
    texts: tuple[str, ...]

    def __len__(self) -> int:
        return len(self.texts)


def label(tokens: typing.Sequence[int] | np.ndarray) -> int | None:
    """The rule of the module docstring on any token ids: 1, 0, or None without a sentiment word."""
    sentence = clause = None  # polarity of the last finished clause with a sentiment word / of this one
    negations = 0  # in this clause so far
    for t in np.asarray(tokens, dtype=np.int64).tolist():
        if t == BUT:
            sentence = sentence if clause is None else clause
            clause, negations = None, 0
        elif t in NEGATIONS:
            negations += 1
        elif t in POSITIVE or t in NEGATIVE:
            clause = int(t in POSITIVE) ^ (negations % 2)
    return sentence if clause is None else clause


def label_text(text: str) -> int | None:
    """``label`` of a text, tokenised by ``vocab.encode``."""
    return label(vocab.encode(text))


# Clause templates. Sentiment words by polarity; the article goes between negation and word.
SUBJECTS = ("the movie", "this film", "the acting", "the plot", "the music", "the story", "the ending", "it")
OBJECTS = SUBJECTS  # "i loved the music"
ADJECTIVES = {
    1: ("good", "great", "excellent", "wonderful", "fun", "best", "beautiful", "brilliant", "funny", "perfect"),
    0: ("bad", "terrible", "awful", "boring", "worst", "dull", "poor", "waste", "stupid", "disappointing",
        "weak", "mess"),
}  # fmt: skip
PAIRED = {1: ("good", "fun", "funny", "beautiful"), 0: ("boring", "dull", "stupid", "weak")}  # "boring and dull"
ARTICLES = {"best": "the", "worst": "the", "waste": "a", "mess": "a"}
AFTER_NO = {1: ("good", "fun"), 0: ("waste", "mess")}  # "it was no fun"
VERBS = {  # the verb of an "i" clause is its sentiment word: after no negation, "never", "didn't"
    1: {"": ("loved", "liked", "enjoyed", "love"), "never": ("loved", "liked", "enjoyed"), "didn't": ("love",)},
    0: {"": ("hated", "hate"), "never": ("hated",), "didn't": ("hate",)},
}
INTENSIFIER_WORDS = ("really", "very", "so", "too", "extremely", "quite", "slightly")
MILD = ("really", "quite")  # before a verb or an article: "i never really liked it", "not quite the best"
REPEATABLE = ("really", "very", "so")  # "very very good"; others take "really": "really really too good"
TRAILERS = ("to watch", "", "", "", "this time", "at the time")  # and "at all" after a negation
KINDS = {0: ("be", "i"), 1: ("be", "i", "nothing", "no"), 2: ("be", "nothing")}  # by number of negations
KIND_P = {0: (0.7, 0.3), 1: (0.55, 0.25, 0.12, 0.08), 2: (0.7, 0.3)}


def _pick(rng: np.random.Generator, options: tuple[str, ...]) -> str:
    return options[int(rng.integers(len(options)))]


def _intensify(rng: np.random.Generator, m: int, options: tuple[str, ...]) -> list[str]:
    """``m`` intensifier words: "very", "very very", "really extremely", "really really quite"."""
    w = _pick(rng, options)
    return ([w] * m if w in REPEATABLE else ["really"] * (m - 1) + [w]) if m else []


def _clause(rng: np.random.Generator, cfg: TaskConfig, polarity: int, n_neg: int) -> list[str]:
    """Words of one clause whose polarity under the rule is ``polarity``, with ``n_neg`` negations."""
    p = polarity ^ (n_neg % 2)  # polarity of the sentiment word
    kind = KINDS[n_neg][int(rng.choice(len(KINDS[n_neg]), p=KIND_P[n_neg]))]
    gap = int(rng.integers(cfg.max_gap + 1))  # words wanted between the last negation and the sentiment word
    tail = _pick(rng, (*TRAILERS[kind == "i" :], *["at all"] * (n_neg > 0))).split()  # no "i liked it to watch"
    if kind == "i":  # "i never really liked the plot"
        neg = _pick(rng, ("never", "didn't")) if n_neg else ""
        between = _intensify(rng, min(gap, 2), MILD)
        return ["i", *neg.split(), *between, _pick(rng, VERBS[p][neg]), *_pick(rng, OBJECTS).split(), *tail]
    verb = _pick(rng, ("was", "is"))
    if kind == "no":  # "the ending was no fun"
        return [*_pick(rng, SUBJECTS).split(), verb, "no", _pick(rng, AFTER_NO[p]), *tail]
    word = _pick(rng, ADJECTIVES[p])
    article = [ARTICLES[word]] if word in ARTICLES else []
    if kind == "nothing":  # "nothing was really the best", "nothing is not boring"
        head = ["nothing", verb, *["not"] * (n_neg - 1)]
    else:  # "the plot was not at all very good", "it is never not fun"
        negs = ["never", "not"] if n_neg == 2 else [_pick(rng, ("not", "never"))] if n_neg else []
        head = [*_pick(rng, SUBJECTS).split(), verb, *negs]
    k = max(0, gap - len(article) - (kind == "nothing" and n_neg == 1))  # the verb sits in the gap
    between = ["at", "all"] if kind == "be" and n_neg and k >= 2 and rng.random() < 0.3 else []
    if kind == "be" and not article and k - len(between) >= 2 and rng.random() < 0.2:  # "not good and fun"
        between += [
            *_intensify(rng, k - len(between) - 2, INTENSIFIER_WORDS),
            _pick(rng, tuple(w for w in PAIRED[p] if w != word)),
            "and",
        ]
    between += _intensify(rng, k - len(between), MILD if article else INTENSIFIER_WORDS)
    return [*head, *between, *article, word, *(["of", "time"] if word == "waste" else tail)]


def _sentence(rng: np.random.Generator, cfg: TaskConfig, y: int) -> list[str]:
    """Words of a sentence with label ``y`` within the length bounds: clauses are redrawn until they
    fit, keeping their number (else three clauses would rarely fit in 20 words)."""
    for _ in range(20):
        n_clauses = 1
        while n_clauses < cfg.max_clauses and rng.random() < cfg.p_but:
            n_clauses += 1
        for _ in range(50):
            words: list[str] = []
            for c in range(n_clauses):
                polarity = y if c == n_clauses - 1 else y ^ int(rng.random() < cfg.p_contrast)
                n_neg = 0 if rng.random() >= cfg.p_negation else 2 if rng.random() < cfg.p_double_negation else 1
                words += (["but"] if c else []) + _clause(rng, cfg, polarity, n_neg)
            if cfg.min_words <= len(words) <= cfg.max_words:
                return words
    raise ValueError(f"no sentence of {cfg.min_words}-{cfg.max_words} words after 1000 draws")


def make_split(split: str, size: int, seed: int, config: TaskConfig = DEFAULT) -> Dataset:
    """``size`` examples of ``split`` ("train", "val" or "test"); the same arguments give the same data."""
    if split not in SPLIT_INDEX or size < 0 or seed < 0:
        raise ValueError(f"need split in {tuple(SPLIT_INDEX)}, size >= 0, seed >= 0")
    rng = np.random.default_rng([seed, SPLIT_INDEX[split], 0])
    ys: list[int] = []
    texts: list[str] = []
    for i in range(size):  # labels in pairs, one 0 and one 1 in random order
        ys.append(int(rng.integers(2)) if i % 2 == 0 else 1 - ys[-1])
        texts.append(" ".join(_sentence(rng, config, ys[-1])))
    tokens = tuple(np.asarray(vocab.encode(t), dtype=np.int64) for t in texts)
    clean = np.array([label(t) for t in tokens], dtype=np.float32)
    assert np.array_equal(clean, ys), "a generated sentence disagrees with the rule"
    flipped = np.zeros(size, dtype=bool)
    if split == "train" and config.label_noise > 0:
        flipped = np.random.default_rng([seed, SPLIT_INDEX[split], 1]).random(size) < config.label_noise
    labels = np.where(flipped, 1 - clean, clean).astype(np.float32)
    for a in (*tokens, labels, clean, flipped):
        a.flags.writeable = False
    return Dataset(tokens, labels, clean, flipped, tuple(texts))


def batches(ds: Dataset, batch_size: int, rng: np.random.Generator) -> typing.Iterator[np.ndarray]:
    """One shuffled pass over ``ds``: int64 index arrays of ``batch_size`` (the last may be shorter)."""
    if batch_size < 1:
        raise ValueError("batch_size must be >= 1")
    order = rng.permutation(len(ds))  # drawn now, not when the iterator is first read
    return (order[s : s + batch_size] for s in range(0, len(order), batch_size))


def pad_batch(token_list: typing.Sequence[np.ndarray | list[int]], length: int | None = None) -> np.ndarray:
    """int64 (B, T): each sequence padded (and truncated) at the FRONT with 0, like Keras
    ``pad_sequences(padding="pre")``; T is ``length``, or the longest sequence when None."""
    if length is None:
        length = max((len(t) for t in token_list), default=0)
    if length == 0 or len(token_list) == 0:
        return np.zeros((len(token_list), length), dtype=np.int64)
    return np.stack([vocab.pad(t, length) for t in token_list])
