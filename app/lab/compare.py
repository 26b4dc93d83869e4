"""Two models compared over seeds: the paired difference, its 95% interval, and the verdict.

A comparison pairs the runs of two arms seed by seed (the same data, initial weights and mask
seed, app/lab/study.py), so what varies between seeds cancels out of each difference:

    d_k = metric(b, seed k) - metric(a, seed k)              k = 1..n
    difference = mean(d)
    interval   = difference -/+ t(0.975, n - 1) * sd(d) / sqrt(n)      (paired t, 95%)
    verdict    = "b better" if lo > 0, "a better" if hi < 0, else "no clear difference"

A t interval rather than a bootstrap: with 5 seeds a percentile bootstrap has only 126 distinct
resamples and covers less than its nominal 95%; the t interval is exact when the differences are
normal and is what a reader checking our numbers with a calculator gets. A difference is named
only when its interval excludes 0 (``verdict``); every sentence about it is built from these
dicts (``words``), never from the configuration names.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from app.core.encoding import f32

LEVEL = 0.95
VERDICTS = ("a better", "b better", "no clear difference")


def t_two_sided(t: float, df: int) -> float:
    """P(|T| <= t) for Student's t with ``df`` (a positive integer) degrees of freedom, exactly
    (Abramowitz & Stegun 26.7.3 and 26.7.4: a finite series in cos(theta), theta = atan(t/sqrt(df)))."""
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    if df % 2 == 1:
        series, term = 1.0, 1.0
        for k in range(1, (df - 1) // 2):  # 1 + 2/3 c2 + (2*4)/(3*5) c2^2 + ...
            term *= (2 * k) / (2 * k + 1) * c2
            series += term
        tail = math.sin(theta) * math.cos(theta) * series if df > 1 else 0.0
        return 2 / math.pi * (theta + tail)
    series, term = 1.0, 1.0
    for k in range(1, df // 2):  # 1 + 1/2 c2 + (1*3)/(2*4) c2^2 + ...
        term *= (2 * k - 1) / (2 * k) * c2
        series += term
    return math.sin(theta) * series


def t_quantile(level: float, df: int) -> float:
    """The t with P(|T| <= t) = ``level`` (bisection to 1e-12; t(0.95, 4) = 2.7764...)."""
    lo, hi = 0.0, 1e6
    while hi - lo > 1e-12 * max(1.0, hi):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if t_two_sided(mid, df) < level else (lo, mid)
    return (lo + hi) / 2


def compare(a: str, b: str, values_a: Sequence[float], values_b: Sequence[float], metric: str) -> dict:
    """{a, b, metric, difference, interval, seeds, verdict, differences}: b's metric minus a's,
    paired by seed. Values are float32 numbers in their shortest form, as every lab number."""
    if len(values_a) != len(values_b) or len(values_a) < 2:
        raise ValueError(
            f"a paired comparison needs the same number (>= 2) of seeds on both sides, not "
            f"{len(values_a)} and {len(values_b)}"
        )
    d = [float(vb) - float(va) for va, vb in zip(values_a, values_b, strict=True)]
    n = len(d)
    mean = sum(d) / n
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / (n - 1))
    half = t_quantile(LEVEL, n - 1) * sd / math.sqrt(n)
    lo, hi = mean - half, mean + half
    verdict = "b better" if lo > 0 else "a better" if hi < 0 else "no clear difference"
    return {
        "a": a,
        "b": b,
        "metric": metric,
        "difference": f32(mean),
        "interval": [f32(lo), f32(hi)],
        "seeds": n,
        "verdict": verdict,
        "differences": [f32(x) for x in d],
    }


def points(x: float) -> str:
    """An accuracy difference in percentage points, signed: '+1.2 points'."""
    return f"{100 * x:+.1f} points"


def words(c: dict, titles: dict[str, str]) -> str:
    """One comparison as a sentence: what changed, by how much, the interval, the verdict.
    Everything in it is read off ``c`` (and the arms' titles)."""
    lo, hi = c["interval"]
    a, b = titles[c["a"]], titles[c["b"]]
    measured = (
        f"{b[:1].upper()}{b[1:]} against {a}: {points(c['difference'])} "
        f"(95% interval {points(lo)} to {points(hi)}, {c['seeds']} paired seeds)."
    )
    if c["verdict"] == "no clear difference":
        return f"{measured} The interval includes 0: no clear difference on this data."
    better, worse = (b, a) if c["verdict"] == "b better" else (a, b)
    return f"{measured} The interval excludes 0: {better} did better than {worse}."
