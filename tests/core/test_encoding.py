"""Arrays as JSON: Plotly's typed arrays, shortest float32 numbers, no NaN, nothing but JSON."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _plotly_utils.utils import to_typed_array_spec

from app.core.encoding import decode, dumps, f32, finite, typed_array


@pytest.mark.parametrize(
    "a",
    [
        np.arange(12, dtype=np.float32).reshape(3, 4),
        np.ones((2, 4, 3), dtype=np.uint8),
        np.array([1.5, -2.0], dtype=np.float32),
    ],
)
def test_encoding_is_what_plotly_writes(a):
    assert typed_array(a) == to_typed_array_spec(a)
    np.testing.assert_array_equal(decode(typed_array(a)), a)


def test_f32_is_the_shortest_decimal_that_round_trips_in_float32():
    for x in (0.1, 1 / 3, 0.8, 123456.789, -2.5e-7):
        y = f32(x)
        assert np.float32(y) == np.float32(x) and len(repr(y)) <= len(repr(float(np.float32(x))))
    assert f32(np.float32(0.8)) == 0.8


def test_json_has_no_nan_and_no_numpy_objects():
    with pytest.raises(ValueError, match="not finite"):
        finite(math.nan)
    with pytest.raises(ValueError, match="not finite"):
        f32(np.float32(np.inf))
    with pytest.raises(TypeError):
        dumps({"x": np.float32(1.0)})
    assert dumps({"b": [1, 2.5], "a": None}) == '{"b":[1,2.5],"a":null}'
