"""The shipped trained weights (trained.py) and their files."""
