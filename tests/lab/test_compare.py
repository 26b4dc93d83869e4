"""Paired comparisons over seeds: the t quantile, the interval, the verdict and its words."""

from __future__ import annotations

import numpy as np
import pytest

from app.lab.compare import compare, t_quantile, t_two_sided, words


@pytest.mark.parametrize(
    ("df", "t"), [(1, 12.706204736), (2, 4.302652730), (4, 2.776445105), (9, 2.262157163), (19, 2.093024054)]
)
def test_t_quantile_matches_the_tables(df, t):
    assert t_quantile(0.95, df) == pytest.approx(t, abs=1e-8)
    assert t_two_sided(t, df) == pytest.approx(0.95, abs=1e-9)


def test_t_tends_to_the_normal():
    assert t_quantile(0.95, 2000) == pytest.approx(1.9612, abs=1e-3)


def test_a_seeded_real_difference_is_named_and_none_is_not():
    rng = np.random.default_rng(0)
    a = 0.85 + 0.05 * rng.standard_normal(5)  # what varies between seeds: shared by both arms
    real = compare("a", "b", a, a + 0.03 + 0.005 * rng.standard_normal(5), "acc")
    assert real["verdict"] == "b better" and real["interval"][0] > 0
    worse = compare("a", "b", a, a - 0.03 + 0.005 * rng.standard_normal(5), "acc")
    assert worse["verdict"] == "a better" and worse["interval"][1] < 0
    none = compare("a", "b", a, a + 0.02 * rng.standard_normal(5), "acc")
    assert none["verdict"] == "no clear difference" and none["interval"][0] < 0 < none["interval"][1]


def test_the_interval_covers_a_zero_difference_95_percent_of_the_time():
    rng = np.random.default_rng(1)
    named = sum(
        compare("a", "b", x, x + 0.01 * rng.standard_normal(5), "acc")["verdict"] != "no clear difference"
        for x in rng.random((4000, 5))
    )
    assert 0.04 < named / 4000 < 0.06  # the t interval's 5% false alarms, no more


def test_verdict_follows_the_interval_on_a_grid():
    rng = np.random.default_rng(2)
    for n in (2, 3, 5, 10):
        for shift in (-0.1, -0.01, 0.0, 0.01, 0.1):
            a = rng.random(n)
            c = compare("a", "b", a, a + shift + 0.02 * rng.standard_normal(n), "acc")
            lo, hi = c["interval"]
            assert lo <= c["difference"] <= hi and c["seeds"] == n
            expected = "b better" if lo > 0 else "a better" if hi < 0 else "no clear difference"
            assert c["verdict"] == expected
            d = np.asarray(c["differences"])
            assert c["difference"] == pytest.approx(d.mean(), abs=1e-6)


def test_words_read_back_the_comparison():
    titles = {"a": "model A", "b": "model B"}
    c = {"a": "a", "b": "b", "difference": 0.0312, "interval": [0.011, 0.0514], "seeds": 5, "verdict": "b better"}
    text = words(c, titles)
    assert text.startswith("Model B against model A: +3.1 points (95% interval +1.1 points to +5.1 points, 5 paired")
    assert "excludes 0: model B did better than model A." in text
    flat = {**c, "difference": 0.004, "interval": [-0.01, 0.018], "verdict": "no clear difference"}
    assert "includes 0: no clear difference" in words(flat, titles) and "better" not in words(flat, titles)
    worse = {**c, "difference": -0.03, "interval": [-0.05, -0.01], "verdict": "a better"}
    assert "model A did better than model B" in words(worse, titles)


def test_a_comparison_needs_paired_seeds():
    with pytest.raises(ValueError):
        compare("a", "b", [0.5], [0.6], "acc")
    with pytest.raises(ValueError):
        compare("a", "b", [0.5, 0.6], [0.6], "acc")
