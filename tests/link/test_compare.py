"""Compare mode's link: B is A with the vs. fields changed, validated like a state."""

from __future__ import annotations

import pytest

from app.core.problems import StateError
from app.link import compare
from app.link.state import parse


def test_b_is_a_with_the_vs_fields_changed():
    a = parse("seed=3&dropout=0.3")
    b = compare.parse_b(a, [("emb_dropout", "0")])
    assert (b.emb_dropout, b.dropout, b.seed) == (0.0, 0.3, 3)
    assert compare.canonical(a, b) == "dropout=0.3&seed=3&v=3&vs.emb_dropout=0"
    assert compare.parse_b(a, []) is None and compare.canonical(a, None) == a.canonical()


def test_fields_equal_to_a_leave_the_link():
    a = parse("seed=3")
    assert compare.canonical(a, compare.parse_b(a, [("seed", "3"), ("dropout", "0.50")])) == "seed=3&v=3"


def test_a_preset_switch_takes_what_the_preset_needs():
    a = parse("")
    with pytest.raises(StateError) as err:
        compare.parse_b(a, [("preset", "pytorch")])
    (p,) = err.value.problems
    assert p.field == "vs.recurrent_dropout" and p.message.startswith("In the compared model:")
    b = compare.parse_b(a, [("preset", "pytorch"), ("recurrent_dropout", "0")])
    assert compare.canonical(a, b) == "v=3&vs.preset=pytorch&vs.recurrent_dropout=0"


def test_every_problem_is_named_with_its_prefix():
    with pytest.raises(StateError) as err:
        compare.parse_b(parse(""), [("dropout", "2"), ("nope", "1"), ("v", "1")])
    assert {p.field for p in err.value.problems} == {"vs.dropout", "vs.nope", "vs.v"}


def test_text_and_tokens_swap_cleanly():
    a = parse("tokens=2,3,20")
    b = compare.parse_b(a, [("text", "not good")])
    assert b.tokens is None and b.text == "not good"
