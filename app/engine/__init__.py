"""The pure NumPy engine: no web imports here (tests/engine/test_purity.py checks)."""
