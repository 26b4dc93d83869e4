"""What a request costs, known from its link before any work is done.

Every computation the server does for a link (a trace, its Monte Carlo draws, its gradients, its
weights, a page with one or two traces) is admitted by its estimated cost in seconds of CPU of
one core of the reference machine (2 cores; the server computes with one BLAS thread). A request
estimated above ``BUDGET`` is refused with a 422 naming the bound and the fields that drive it, so
that no request holds a compute thread for long, whoever sends it. With T steps, L layers and M
multiply-accumulates per step (sum over layers of 4 units x (inputs + units))::

    forward = T x L x STEP_S + T x M x MAC_S                          one pass through the cell
    init    = INIT_S x weight values + QR_S x L x units^3              weights=random (Keras initialisers)
    trace   = BASE_S + TRACE_PASSES x forward + init                  the run, its reference, its facts
    grads   = BASE_S + T x L x GRAD_STEP_S + T x M x GRAD_MAC_S + init   forward and backward, twice
    mc      = BASE_S + T x L x MC_STEP_S + samples x (T x L x DRAW_STEP_S + T x M x MC_MAC_S) + init
    weights = BASE_S + init + WEIGHT_S x weight values
    a page  = the trace of A (+ the trace of B when comparing)

The estimate is a pure function of the link: the same link is always admitted or always refused,
in every process. benchmarks/bench_cost.py measures every route on a grid of shapes (58 of them,
steps 20 to 1,000, units 16 to 256, 1 or 3 layers, emb 64 or 256, random weights) and checks the
coefficients below against it: they are upper bounds of the measured CPU time but for noise.
The lab's training runs have their own bound of the same form in app/link/lab_query.py (they run
in worker processes, not on the compute threads).
"""

from __future__ import annotations

from app.core.problems import Problem, StateError, shown
from app.link.state import State, format_value

BUDGET = 0.5  # seconds of CPU: the most one admitted request may cost
SAMPLES_MAX = 100  # Monte Carlo draws of one request, whatever the state's cost

# Seconds, fitted by benchmarks/bench_cost.py on the reference machine:
BASE_S = 5e-3  # per request: validation, JSON, the fixed cost of a document
STEP_S = 20e-6  # per step and layer of one forward pass (the Python loop)
MAC_S = 0.15e-9  # per multiply-accumulate of one forward pass
TRACE_PASSES = 2.5  # the trace's run, the reference run without dropout, the facts and the JSON
GRAD_STEP_S = 200e-6  # per step and layer of the gradients (two forward and two backward passes)
GRAD_MAC_S = 0.7e-9  # per multiply-accumulate of one step of the gradients
MC_STEP_S = 70e-6  # per step and layer of the batched Monte Carlo pass, whatever the draws
DRAW_STEP_S = 2e-6  # per draw, step and layer (drawing each draw's masks)
MC_MAC_S = 0.2e-9  # per draw and multiply-accumulate of the batched pass
INIT_S = 20e-9  # per weight value drawn by the Keras initialisers
QR_S = 1.3e-9  # per layer and units^3: the orthogonal initialisation of a recurrent kernel
WEIGHT_S = 10e-9  # per weight value written to the weights JSON


def _macs(layers: int, units: int, emb: int) -> int:
    """Multiply-accumulates of one step through every layer: 4 units x (inputs + units) each."""
    return sum(4 * units * ((emb if n == 0 else units) + units) for n in range(layers))


def forward(steps: int, layers: int, units: int, emb: int) -> float:
    """Seconds of one forward pass of ``steps`` steps."""
    return steps * (layers * STEP_S + MAC_S * _macs(layers, units, emb))


def weight_values(vocab: int, emb: int, units: int, layers: int) -> int:
    """Values of every weight: the embedding, each layer's kernels and bias, the dense layer."""
    cells = sum(4 * units * ((emb if n == 0 else units) + units + 1) for n in range(layers))
    return vocab * emb + cells + units + 1


def init(weights: str, vocab: int, emb: int, units: int, layers: int) -> float:
    """Seconds of drawing the weights (0 for the shipped trained weights, loaded at start-up)."""
    if weights != "random":
        return 0.0
    return INIT_S * weight_values(vocab, emb, units, layers) + QR_S * layers * units**3


def cost(s: State, route: str, samples: int = 1, steps: int | None = None) -> float:
    """Estimated seconds of CPU of ``route`` ("trace", "grads", "mc", "weights", "state", "code")
    for state ``s``; ``steps``: its sequence's length, if the caller has it."""
    steps = len(s.sequence()) if steps is None else steps
    macs = steps * _macs(s.layers, s.units, s.emb)
    cells = steps * s.layers
    drawn = init(s.weights, s.vocab, s.emb, s.units, s.layers)
    if route == "grads":
        return BASE_S + cells * GRAD_STEP_S + macs * GRAD_MAC_S + drawn
    if route == "mc":
        return BASE_S + cells * MC_STEP_S + samples * (cells * DRAW_STEP_S + macs * MC_MAC_S) + drawn
    if route == "weights":
        return BASE_S + drawn + WEIGHT_S * weight_values(s.vocab, s.emb, s.units, s.layers)
    if route == "code":
        return BASE_S
    return BASE_S + TRACE_PASSES * forward(steps, s.layers, s.units, s.emb) + drawn  # trace, state, a page's


def most_samples(s: State, budget: float = BUDGET) -> int:
    """The most Monte Carlo draws of ``s`` within the budget (at least 1)."""
    steps = len(s.sequence())
    fixed = cost(s, "mc", 0, steps)
    return max(1, int((budget - fixed) / (cost(s, "mc", 1, steps) - fixed)))


WORK = {
    "trace": "computing this trace",
    "grads": "computing these gradients",
    "mc": "drawing this many Monte Carlo samples",
    "weights": "drawing these weights",
    "state": "computing this state's facts",
}
SHAPE = "len (or the sentence's words), layers, units and emb"
DRIVERS = {"mc": "samples, " + SHAPE, "weights": "vocab, emb, units and layers"}  # any other route: SHAPE


def cost_problem(s: State, route: str, samples: int = 1, field: str = "len") -> Problem | None:
    """The problem of a request over the budget, named on ``field``, or None."""
    estimate = cost(s, route, samples)
    if estimate <= BUDGET:
        return None
    value = str(samples) if field == "samples" else shown(format_value(getattr(s, field)))
    allowed, fallback, more = f"a state whose {route} costs at most {BUDGET} s of CPU", None, "."
    if route == "mc":
        most = most_samples(s)
        allowed = f"at most {most} samples for this state (a request may cost at most {BUDGET} s of CPU)"
        fallback, more = str(most), f", or ask for at most {most} samples."
    return Problem(
        field,
        value,
        allowed,
        f"{WORK.get(route, 'computing this trace')} would cost about {estimate:.2f} s of CPU, more than one "
        f"request may take ({BUDGET} s); the cost grows with {DRIVERS.get(route, SHAPE)}: lower them{more}",
        fallback=fallback,
    )


def check_cost(s: State, route: str, samples: int = 1, field: str = "len") -> None:
    """Raise StateError when the request is over the budget."""
    problem = cost_problem(s, route, samples, field)
    if problem is not None:
        raise StateError([problem])
