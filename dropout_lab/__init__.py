"""The LSTM Dropout Lab in a notebook: ``explain(model)`` shows what the explorer shows, without a server.

    from dropout_lab import explain
    explain(model)                          # a built Keras 3 / tf.keras 2 model or a PyTorch module
    explain('''model = Sequential() ...''')  # the same as code: read, never run
    explain("len=498&vs.emb_dropout=0")      # an explorer link

The result renders in Jupyter and Colab (the verdict, the cell at the last step, the figures) and
holds the state, its link, the verdict, the figures and the cell (explanation.py).
"""

from dropout_lab.explanation import Explanation, explain

__all__ = ["Explanation", "explain"]
