"""A state in, the exact JSON served out: trace, weights, gradients, Monte Carlo, presets, code."""
