"""The cost model (app/link/cost.py): every request admitted by its estimated CPU seconds."""

from __future__ import annotations

import itertools

import pytest

from app.core.problems import StateError
from app.link import cost
from app.link.state import MAX_STEPS, MAX_VALUES, State, parse


def test_the_default_and_the_seed_question_are_cheap():
    for s in (State(), parse("len=498")):
        for route in ("trace", "grads", "weights", "state", "code"):
            assert cost.cost(s, route) < cost.BUDGET / 2, (s.canonical(), route)
        assert cost.cost(s, "mc", cost.most_samples(s)) <= cost.BUDGET


def test_cost_grows_with_every_driver():
    base = State(weights="random", len=100, units=64)
    for change in ({"len": 200}, {"units": 128}, {"layers": 2}, {"emb": 128}):
        bigger = State(**{**base.__dict__, **change})
        for route in ("trace", "grads", "mc"):
            assert cost.cost(bigger, route, 10) > cost.cost(base, route, 10), (change, route)
    assert cost.cost(base, "mc", 20) > cost.cost(base, "mc", 10)
    # new random weights cost their initialisation; the shipped weights do not
    assert cost.init("random", 1024, 256, 256, 3) > 0.05 and cost.init("trained", 64, 64, 100, 3) == 0


def test_most_samples_is_the_boundary():
    s = State(weights="random", len=400, layers=3, units=128)
    most = cost.most_samples(s)
    assert cost.cost(s, "mc", most) <= cost.BUDGET < cost.cost(s, "mc", most + 1)
    problem = cost.cost_problem(s, "mc", most + 1, field="samples")
    assert problem.field == "samples" and problem.fallback == str(most) and f"at most {most}" in problem.message
    assert cost.cost_problem(s, "mc", most, field="samples") is None


def test_every_valid_state_has_a_trace_within_the_budget():
    """The state's own bounds (MAX_VALUES, MAX_STEPS, units, emb, vocab) keep every trace within the
    budget, so no valid link is refused for its trace: the worst corners of the state space."""
    worst = 0.0
    for steps, layers, units, emb in itertools.product((MAX_STEPS, 390, 300), (1, 2, 3), (100, 128, 256), (256,)):
        if steps * layers * units <= MAX_VALUES:
            s = State(len=steps, layers=layers, units=units, emb=emb, vocab=1024, weights="random")
            worst = max(worst, cost.cost(s, "trace"), cost.cost(s, "weights"))
    assert 0.3 < worst <= cost.BUDGET


def test_gradients_of_the_longest_links_are_refused():
    s = parse("len=1000&layers=3")
    with pytest.raises(StateError) as err:
        cost.check_cost(s, "grads")
    assert err.value.problems[0].field == "len"
    cost.check_cost(parse("len=498"), "grads")
