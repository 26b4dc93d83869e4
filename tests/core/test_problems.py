"""A problem quotes at most 80 characters of a value; an error carries every problem at once."""

from __future__ import annotations

from app.core.problems import SHOWN, Problem, StateError, shown


def test_a_value_is_quoted_whole_up_to_80_characters_then_cut():
    assert shown("x" * SHOWN) == "x" * SHOWN
    long = shown("y" * (SHOWN + 1))
    assert len(long) == SHOWN and long.endswith("...")


def test_the_error_lists_every_problem_in_order():
    problems = [Problem("a", "1", "0", "a must be 0."), Problem("b", "2", "0", "b must be 0.", fallback="0")]
    err = StateError(problems)
    assert err.problems == problems and str(err) == "a must be 0.; b must be 0."
    assert problems[1].as_dict() == {
        "field": "b",
        "value": "2",
        "allowed": "0",
        "message": "b must be 0.",
        "fallback": "0",
    }
