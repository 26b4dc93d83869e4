"""LSTM Dropout Lab: what dropout does inside an LSTM, exactly as the frameworks do it."""

__version__ = "0.1.0"
