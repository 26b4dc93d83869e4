"""to_reading: what was read -> the state, clamped with notes, A = the model with more dropout, the seed's link."""

from __future__ import annotations

from urllib.parse import parse_qsl

from app.link import compare
from app.link.state import MAX_VALUES, parse
from app.yourmodel.read import CodeRead, Mapped, ModelRead, Reason
from app.yourmodel.state import to_reading


def seed_model(emb_dropout: float, first: int) -> ModelRead:
    """One of the seed's two models as a reader gives it."""
    m = ModelRead("keras3", vocab=64, emb=64, length=498, emb_dropout=emb_dropout, dropout=0.5,
                  recurrent_dropout=0.5, units=100, first_line=first, last_line=first + 5)  # fmt: skip
    m.mapping.append(Mapped(first + 1, "model.add(Embedding(...))", {"vocab": 64, "emb": 64, "len": 498}))
    m.mapping.append(Mapped(first + 3, "model.add(LSTM(...))", {"units": 100, "dropout": 0.5}))
    return m


def test_the_seeds_two_models_open_the_seeds_compare_link_with_the_last_as_a():
    reading = to_reading(CodeRead([seed_model(0.0, 1), seed_model(0.25, 8)]))
    assert reading.ok and reading.reasons == [] and reading.notes == []
    assert reading.link == "len=498&v=3&vs.emb_dropout=0"
    assert reading.roles == ["B", "A"]
    a, vs = compare.split(parse_qsl(reading.link))
    assert compare.parse_b(parse(a), vs) == reading.b
    assert reading.as_dict()["models"][0]["role"] == "B"


def test_one_model_opens_its_state():
    reading = to_reading(CodeRead([seed_model(0.25, 1)]))
    assert reading.link == "len=498&v=3" and reading.b is None and reading.roles == ["A"]


def test_sizes_beyond_the_bounds_are_clamped_with_a_note_naming_the_line():
    m = seed_model(0.25, 1)
    m.units, m.vocab, m.layers = 512, 20_000, 3
    m.mapping.append(Mapped(9, "LSTM(512)", {"units": 512}))
    reading = to_reading(CodeRead([m]))
    assert reading.a.units == 256 and reading.a.vocab == 1024 and reading.a.weights == "random"
    says = [(n.line, n.message) for n in reading.notes]
    assert any(line == 4 and "units=512" in m and "at most 256" in m for line, m in says)  # the first line with units
    assert any(line == 2 and "vocab=20000" in m for line, m in says)
    assert any("random weights" in n.message for n in reading.notes)
    assert reading.a.len * 3 * reading.a.units <= MAX_VALUES  # 498 x 3 x 256 > 300,000: shortened, with a note
    assert any("keeps the last" in n.message for n in reading.notes)


def test_sizes_the_code_does_not_state_take_the_defaults_with_a_note():
    m = ModelRead("pytorch", vocab=None, emb=64, units=100, dropout=0.3, layers=2)
    reading = to_reading(CodeRead([m]))
    assert reading.a.vocab == 64 and reading.a.preset == "pytorch" and reading.a.layers == 2
    assert any("vocab=64" in n.message for n in reading.notes)


def test_a_reason_opens_nothing_and_is_kept():
    m = seed_model(0.25, 1)
    m.reasons.append(Reason(4, "model.add(GRU(100))", "GRU: the lab models LSTM layers only."))
    reading = to_reading(CodeRead([seed_model(0.0, 10), m]))
    assert not reading.ok and reading.a is None and reading.reasons[0].line == 4


def test_what_the_state_refuses_becomes_a_reason_on_the_line():
    m = ModelRead("pytorch", vocab=64, emb=64, units=100, recurrent_dropout=0.5)  # nn.LSTM has none
    m.mapping.append(Mapped(3, "custom", {"recurrent_dropout": 0.5}))
    reading = to_reading(CodeRead([m]))
    assert not reading.ok and reading.reasons[0].line == 3 and "recurrent_dropout" in reading.reasons[0].message


def test_a_third_model_and_no_model_are_reasons():
    reading = to_reading(CodeRead([seed_model(0.0, 1), seed_model(0.25, 8), seed_model(0.1, 15)]))
    assert not reading.ok and reading.reasons[-1].line == 15 and "3 models" in reading.reasons[-1].message
    assert "no model found" in to_reading(CodeRead()).reasons[0].message


def test_two_equal_models_open_one():
    reading = to_reading(CodeRead([seed_model(0.25, 1), seed_model(0.25, 8)]))
    assert reading.b is None and reading.link == "len=498&v=3" and "same model" in reading.notes[-1].message


def test_keras_code_offers_the_same_models_under_every_other_keras():
    reading = to_reading(CodeRead([seed_model(0.0, 1), seed_model(0.25, 8)]))
    assert list(reading.alternatives) == ["keras3-legacy", "tfkeras2-fit", "tfkeras2"]
    assert reading.alternatives["tfkeras2-fit"][1] == "len=498&preset=tfkeras2-fit&v=3&vs.emb_dropout=0"
    assert to_reading(CodeRead([ModelRead("pytorch", vocab=64, emb=64, units=100)])).alternatives == {}


def test_no_link_is_offered_for_a_keras_the_model_would_not_read_under():
    m = seed_model(0.25, 1)
    m.not_for["tfkeras2"] = m.not_for["tfkeras2-fit"] = "unroll=True"
    assert list(to_reading(CodeRead([m])).alternatives) == ["keras3-legacy"]


def test_a_is_the_model_with_more_dropout_whatever_the_order():
    reading = to_reading(CodeRead([seed_model(0.25, 1), seed_model(0.0, 8)]))  # the seed's models swapped
    assert reading.roles == ["A", "B"] and reading.link == "len=498&v=3&vs.emb_dropout=0"
    assert reading.as_dict()["models"][0]["role"] == "A"
    with_out = seed_model(0.0, 8)
    with_out.out_dropout = 0.2  # as many dropouts (3 and 3): the last one pasted is A
    assert to_reading(CodeRead([seed_model(0.25, 1), with_out])).roles == ["B", "A"]
