"""The training lab: train the seed's models side by side and stream the curves (issue 10)."""
