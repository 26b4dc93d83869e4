"""The shareable state: canonical strings, round trips, and a table of wrong inputs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.core.problems import StateError
from app.link.state import DEFAULT, DEFAULT_TEXT, DEFAULTS, FIELD, FIELDS, parse


def test_defaults_are_the_seed_model():
    s = parse("")
    assert s == DEFAULT
    assert (s.vocab, s.emb, s.units, s.emb_dropout, s.dropout, s.recurrent_dropout) == (64, 64, 100, 0.25, 0.5, 0.5)
    assert (s.preset, s.phase, s.weights, s.layers, s.text) == ("keras3", "train", "trained", 1, DEFAULT_TEXT)
    assert s.v == 3 and s.canonical() == "v=3"


def test_version_1_keeps_its_own_defaults():
    """A v=1 link omitted weights because random was its default: it stays random, stays v=1."""
    old = parse("v=1&seed=3")
    assert old.weights == "random" and old.canonical() == "seed=3&v=1"
    assert parse("v=1&weights=trained").canonical() == "v=1&weights=trained"
    assert parse("v=3&weights=random").canonical() == "v=3&weights=random"
    assert DEFAULTS[1].weights == "random" and DEFAULTS[2].weights == "trained"


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("dropout=0.50", "v=3"),
        ("dropout=.30&seed=07", "dropout=0.3&seed=7&v=3"),
        ("seed=7&dropout=0.3", "dropout=0.3&seed=7&v=3"),
        ("?v=1&recurrent_dropout=0", "recurrent_dropout=0&v=1"),
        ("dropout=3e-1", "dropout=0.3&v=3"),
        ("dropout=0.00001", "dropout=1e-05&v=3"),
        ("text=the%20film%20%20was   great", "text=the%20film%20was%20great&v=3"),
        ("text=the+film", "text=the%20film&v=3"),
        ("tokens=2, 4,20", "tokens=2,4,20&v=3"),
        ("preset=custom&in_share=gate&in_time=seq", "in_share=gate&preset=custom&v=3"),
        ("units=8&weights=random", "units=8&v=3&weights=random"),
        ("v=1&units=8", "units=8&v=1"),
    ],
)
def test_canonical_form(query, canonical):
    s = parse(query)
    assert s.canonical() == canonical
    assert parse(s.canonical()) == s


def test_default_text_given_explicitly_is_omitted():
    assert parse(f"text={DEFAULT_TEXT}").canonical() == "v=3"


rates = st.floats(min_value=0, max_value=0.999, allow_nan=False).map(lambda x: round(x, 6))
states = st.fixed_dictionaries(
    {
        "emb_dropout": rates,
        "dropout": rates,
        "recurrent_dropout": rates,
        "seed": st.integers(0, 2**32 - 1),
        "units": st.integers(1, 256),
        "layers": st.integers(1, 3),
        "v": st.sampled_from((1, 2)),
        "weights": st.just("random"),
        "emb_mode": st.sampled_from(FIELD["emb_mode"].choices),
        "phase": st.sampled_from(("train", "infer")),
        "text": st.text(alphabet="abcdefghij good bad not,.!", min_size=1, max_size=40).filter(
            lambda t: any(c.isalpha() for c in t)
        ),
    }
)


@settings(max_examples=200, deadline=None)
@given(states)
def test_round_trip_is_byte_identical(values):
    s = parse([(k, str(v)) for k, v in values.items()])
    text = s.canonical()
    again = parse(text)
    assert again == s and again.canonical() == text
    shuffled = "&".join(reversed(text.split("&")))
    assert parse(shuffled).canonical() == text


BAD = [
    ("dropout=nan", "dropout"),
    ("dropout=NaN", "dropout"),
    ("dropout=inf", "dropout"),
    ("dropout=-inf", "dropout"),
    ("dropout=1e400", "dropout"),
    ("dropout=-0.1", "dropout"),
    ("dropout=1", "dropout"),
    ("dropout=1.0", "dropout"),
    ("recurrent_dropout=1.5", "recurrent_dropout"),
    ("emb_dropout=abc", "emb_dropout"),
    ("emb_dropout=", "emb_dropout"),
    ("dropout=0x1p-1", "dropout"),
    ("dropout=0_5", "dropout"),
    ("units=0", "units"),
    ("units=257", "units"),
    ("units=1.5", "units"),
    ("units=false", "units"),
    ("layers=4", "layers"),
    ("layers=0", "layers"),
    ("len=1001", "len"),
    ("len=-1", "len"),
    ("len=99999999999999999999999", "len"),
    ("seed=-1", "seed"),
    ("seed=4294967296", "seed"),
    ("vocab=1", "vocab"),
    ("emb=0", "emb"),
    ("preset=tensorflow", "preset"),
    ("preset=KERAS3", "preset"),
    ("phase=test", "phase"),
    ("emb_mode=channel", "emb_mode"),
    ("v=4", "v"),
    ("v=0", "v"),
    ("preset=pytorch", "recurrent_dropout"),
    ("preset=zaremba", "recurrent_dropout"),
    ("candidate_dropout=0.3", "candidate_dropout"),
    ("zoneout_c=0.1", "zoneout_c"),
    ("preset=awd&recurrent_dropout=0&zoneout_h=0.2", "zoneout_h"),
    ("weight_drop=0.5", "weight_drop"),
    ("in_share=gate", "in_share"),
    ("preset=gal-tied&rec_time=step", "rec_time"),
    ("tokens=1,2,64", "tokens"),
    ("tokens=-1", "tokens"),
    ("tokens=1,,2", "tokens"),
    ("tokens=a,b", "tokens"),
    ("tokens=" + ",".join(["2"] * 1001), "tokens"),
    ("text=", "text"),
    ("text=!!! ...", "text"),
    ("text=" + "good " * 2001, "text"),
    ("text=" + "good " * 1500, "len"),
    ("text=good&tokens=1,2", "tokens"),
    ("weights=trained&units=32", "weights"),
    ("emb=32", "weights"),
    ("v=1&weights=trained&vocab=100", "weights"),
    ("init_seed=4", "init_seed"),
    ("weights=pretrained", "weights"),
    ("foo=1", "foo"),
    ("seed=1&seed=2", "seed"),
    ("<script>=1", "<script>"),
]


@pytest.mark.parametrize(("query", "field"), BAD)
def test_bad_states_name_the_field(query, field):
    with pytest.raises(StateError) as err:
        parse(query)
    problem = next(p for p in err.value.problems if p.field == field)
    assert problem.message and problem.allowed
    assert field.strip("<>") in problem.message or "parameter" in problem.message or "text" in problem.message


def test_bad_table_is_large():
    assert len(BAD) >= 30


def test_every_problem_is_reported_at_once():
    with pytest.raises(StateError) as err:
        parse("dropout=2&units=0&preset=nope&foo=bar")
    assert {p.field for p in err.value.problems} == {"dropout", "units", "preset", "foo"}


def test_messages_say_what_is_allowed():
    with pytest.raises(StateError) as err:
        parse("units=999")
    (p,) = err.value.problems
    assert p.value == "999" and p.allowed == "a whole number from 1 to 256"
    assert "units must be a whole number from 1 to 256" in p.message and "999" in p.message


def test_long_values_are_cut_in_messages():
    with pytest.raises(StateError) as err:
        parse("preset=" + "x" * 5000)
    assert len(err.value.problems[0].value) <= 80


def test_truncating_a_long_text_with_len_is_fine():
    s = parse("text=" + "good " * 1500 + "&len=1000")
    assert len(s.sequence()) == 1000


def test_padding_and_unknown_words():
    s = parse("text=the zebra&len=4")
    assert s.sequence().tolist() == [0, 0, 2, 1]


def test_every_field_is_documented_with_bounds():
    for f in FIELDS:
        assert f.doc and f.allowed
        if f.kind.name in ("int", "rate"):
            assert f.lo is not None and f.hi is not None


def test_trained_weights_name_their_shape():
    with pytest.raises(StateError) as err:
        parse("units=32")
    (p,) = err.value.problems
    assert p.field == "weights" and "vocab=64, emb=64, units=100" in p.message and "units=32" in p.message
    assert "default of state version 3" in p.message and "weights=random" in p.message
    assert parse("units=32&weights=random").units == 32
    assert parse("layers=3").weights == "trained"  # 1 to 3 layers are shipped


def test_problems_carry_the_value_a_page_can_fall_back_to():
    with pytest.raises(StateError) as err:
        parse("preset=pytorch&units=8")
    by_field = {p.field: p for p in err.value.problems}
    assert by_field["recurrent_dropout"].fallback == "0" and by_field["weights"].fallback == "random"
    with pytest.raises(StateError) as err:
        parse("dropout=2")
    assert err.value.problems[0].fallback is None


def test_unknown_words_are_named():
    assert parse("text=the zebra and the Zebra were good").unknown_words() == ["zebra", "were"]
    assert parse("tokens=2,3").unknown_words() == []
    assert parse("v=1&vocab=10&text=the good movie&weights=random").unknown_words() == ["good"]


def test_preset_forum_is_a_new_choice_that_changes_no_old_link():
    """The forum answer's preset: a link of its own, round trip, its two rates, no others; adding a
    choice bumps no state version (tests/link/test_golden_links.py keeps every old link's bytes)."""
    s = parse("preset=forum&dropout=0.3&recurrent_dropout=0.2")
    assert s.canonical() == "dropout=0.3&preset=forum&recurrent_dropout=0.2&v=3"
    assert parse(s.canonical()) == s and s.v == DEFAULT.v
    plan = s.plan().layers[0]
    assert plan.gate_output.rate == 0.15 and plan.input is None and plan.recurrent.per_gate
    choice = FIELD["preset"].kind
    assert "forum" in choice.choices
    assert choice.labels[choice.choices.index("forum")] == "The forum answer (hypothetical)"
    with pytest.raises(StateError) as err:
        parse("preset=forum&candidate_dropout=0.2")
    assert "candidate_dropout is not part of preset forum" in err.value.problems[0].message
