"""What every layer uses: problems of an input, arrays as JSON, threads for training."""
