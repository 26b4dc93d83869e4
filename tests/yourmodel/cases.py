"""Models as their users write them, with the state link each one opens.

Every case is code a person could paste (read by app.yourmodel.read_code, never run) and also
code that builds the real model (run by the live tests only: test_objects_live.py, tf_read.py),
read back through its config by app.yourmodel.read_model. Both readings must give ``link``.

The links are written by hand from the rules of the readers (app/yourmodel/state.py):
what the model does not have is 0 (no Dropout after the Embedding: emb_dropout=0; no
recurrent_dropout: recurrent_dropout=0), what it does not say is the state's default (len 0,
vocab 64, emb 64, units 100), a shape other than the trained one (vocab 64, emb 64, units 100)
opens with weights=random, and with two models A is the one with more dropout (with as many,
the last one), B the other (``vs.``).

tf.keras 2 cases import ``tf_keras`` (the Keras 2 package beside TF 2.16+); they call
``model.fit`` inside a function that is never called, so that the code reads as model.fit runs
it (preset tfkeras2-fit), as a built tf.keras 2 model is read. tf_read.py builds them in TF 2.15,
where tf.keras is that same Keras 2.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Case:
    name: str
    framework: str  # "keras3" | "tfkeras2" | "pytorch": where the live test builds it
    code: str
    link: str
    # Keras 3 ignores input_length (it warns "deprecated"), so a built Keras 3 model knows the
    # length only once built: the live test builds it with this length, as model.fit on such
    # data would. None: the code gives the length some other way, or not at all.
    keras3_length: int | None = None

    @property
    def models(self) -> int:
        return 2 if "vs." in self.link else 1


# The seed's two models (/work/shared/seed/question.txt), exactly as pasted: no imports.
SEED_FIRST = """model = Sequential()
model.add(Embedding(input_dim=64,output_dim=64, input_length=498))
model.add(LSTM(units=100,dropout=0.5, recurrent_dropout=0.5))
model.add(Dense(units=1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
"""
SEED_SECOND = """model = Sequential()
model.add(Embedding(input_dim=64,output_dim=64, input_length=498))
model.add(Dropout(0.25))
model.add(LSTM(units=100,dropout=0.5, recurrent_dropout=0.5))
model.add(Dense(units=1, activation='sigmoid'))
model.compile(loss='binary_crossentropy', optimizer='rmsprop', metrics=['accuracy'])
"""
SEED = SEED_FIRST + "\n" + SEED_SECOND

KERAS3 = [
    Case("seed", "keras3", SEED, "len=498&v=3&vs.emb_dropout=0", keras3_length=498),
    Case("seed_first", "keras3", SEED_FIRST, "emb_dropout=0&len=498&v=3", keras3_length=498),
    Case("seed_second", "keras3", SEED_SECOND, "len=498&v=3", keras3_length=498),
    Case(
        "list_form",
        "keras3",
        """import keras
from keras import layers

model = keras.Sequential([
    keras.Input(shape=(40,)),
    layers.Embedding(64, 64),
    layers.Dropout(0.3),
    layers.LSTM(100, dropout=0.2, recurrent_dropout=0.1),
    layers.Dense(1, activation="sigmoid"),
])
""",
        "dropout=0.2&emb_dropout=0.3&len=40&recurrent_dropout=0.1&v=3",
    ),
    Case(
        "functional",
        "keras3",
        """import keras
from keras import layers

tokens = keras.Input(shape=(120,), dtype="int32")
x = layers.Embedding(input_dim=500, output_dim=32)(tokens)
x = layers.Dropout(0.2)(x)
h = layers.LSTM(48, dropout=0.25)(x)
out = layers.Dense(1, activation="sigmoid")(h)
model = keras.Model(tokens, out)
model.compile(loss="binary_crossentropy", optimizer="adam")
""",
        "dropout=0.25&emb=32&emb_dropout=0.2&len=120&recurrent_dropout=0&units=48&v=3&vocab=500&weights=random",
    ),
    Case(
        "stacked_2",
        "keras3",
        """from keras.models import Sequential
from keras.layers import Embedding, Dropout, LSTM, Dense

model = Sequential()
model.add(Embedding(64, 64))
model.add(Dropout(0.25))
model.add(LSTM(100, dropout=0.4, recurrent_dropout=0.3, return_sequences=True))
model.add(LSTM(100, dropout=0.4, recurrent_dropout=0.3))
model.add(Dense(1, activation="sigmoid"))
""",
        "dropout=0.4&layers=2&recurrent_dropout=0.3&v=3",
    ),
    Case(
        "stacked_3",
        "keras3",
        """import keras

units = 64
model = keras.Sequential([
    keras.Input(shape=(80,)),
    keras.layers.Embedding(1000, 100),
    keras.layers.LSTM(units, dropout=0.2, recurrent_dropout=0.2, return_sequences=True),
    keras.layers.LSTM(units, dropout=0.2, recurrent_dropout=0.2, return_sequences=True),
    keras.layers.LSTM(units, dropout=0.2, recurrent_dropout=0.2),
    keras.layers.Dense(1, activation="sigmoid"),
])
""",
        "dropout=0.2&emb=100&emb_dropout=0&layers=3&len=80&recurrent_dropout=0.2&units=64&v=3&vocab=1000&weights=random",
    ),
    Case(
        "spatial",
        "keras3",
        """from keras import Sequential
from keras.layers import Dense, Embedding, LSTM, SpatialDropout1D

model = Sequential()
model.add(Embedding(64, 64))
model.add(SpatialDropout1D(0.4))
model.add(LSTM(100, dropout=0.5, recurrent_dropout=0.5))
model.add(Dense(1, activation="sigmoid"))
""",
        "emb_dropout=0.4&emb_mode=spatial&v=3",
    ),
    Case(
        "output_dropout",
        "keras3",
        """import keras

model = keras.Sequential()
model.add(keras.layers.Embedding(64, 64))
model.add(keras.layers.LSTM(100, dropout=0.3, recurrent_dropout=0.3))
model.add(keras.layers.Dropout(0.5))
model.add(keras.layers.Dense(1, activation="sigmoid"))
""",
        "dropout=0.3&emb_dropout=0&out_dropout=0.5&recurrent_dropout=0.3&v=3",
    ),
    Case(
        "no_recurrent_dropout",
        "keras3",
        """from keras.models import Sequential
from keras.layers import Embedding, Dropout, LSTM, Dense

model = Sequential([
    Embedding(64, 64),
    Dropout(0.25),
    LSTM(100, dropout=0.5),
    Dense(1, activation="sigmoid"),
])
""",
        "recurrent_dropout=0&v=3",
    ),
]


def _torch(init: str, forward: str) -> str:
    """A classifier module as people write it: its layers in __init__, how they are used in forward."""
    return f"""import torch
from torch import nn


class SentimentLSTM(nn.Module):
    def __init__(self):
        super().__init__()
{init}
    def forward(self, x):
{forward}

model = SentimentLSTM()
"""


PLAIN_FORWARD = """        e = self.embedding(x)
        out, (h, c) = self.lstm(e)
        return torch.sigmoid(self.fc(h[-1]))
"""

PYTORCH = [
    Case(
        "torch_1_layer",
        "pytorch",
        _torch(
            """        self.embedding = nn.Embedding(64, 64)
        self.lstm = nn.LSTM(64, 100, batch_first=True)
        self.fc = nn.Linear(100, 1)
""",
            PLAIN_FORWARD,
        ),
        "dropout=0&emb_dropout=0&preset=pytorch&recurrent_dropout=0&v=3",
    ),
    Case(
        "torch_1_layer_dropout",  # PyTorch warns: dropout acts between layers, and there is one
        "pytorch",
        _torch(
            """        self.embedding = nn.Embedding(64, 64)
        self.lstm = nn.LSTM(64, 100, batch_first=True, dropout=0.3)
        self.fc = nn.Linear(100, 1)
""",
            PLAIN_FORWARD,
        ),
        "dropout=0.3&emb_dropout=0&preset=pytorch&recurrent_dropout=0&v=3",
    ),
    Case(
        "torch_2_layers",
        "pytorch",
        _torch(
            """        self.embedding = nn.Embedding(64, 64)
        self.lstm = nn.LSTM(input_size=64, hidden_size=100, num_layers=2, dropout=0.4, batch_first=True)
        self.fc = nn.Linear(100, 1)
""",
            PLAIN_FORWARD,
        ),
        "dropout=0.4&emb_dropout=0&layers=2&preset=pytorch&recurrent_dropout=0&v=3",
    ),
    Case(
        "torch_2_layers_no_dropout",
        "pytorch",
        _torch(
            """        self.embedding = nn.Embedding(64, 64)
        self.lstm = nn.LSTM(64, 100, num_layers=2, batch_first=True)
        self.fc = nn.Linear(100, 1)
""",
            PLAIN_FORWARD,
        ),
        "dropout=0&emb_dropout=0&layers=2&preset=pytorch&recurrent_dropout=0&v=3",
    ),
    Case(
        "torch_embedding_dropout",
        "pytorch",
        _torch(
            """        self.embedding = nn.Embedding(64, 64)
        self.drop = nn.Dropout(0.25)
        self.lstm = nn.LSTM(64, 100, num_layers=2, dropout=0.5, batch_first=True)
        self.fc = nn.Linear(100, 1)
""",
            """        e = self.drop(self.embedding(x))
        out, (h, c) = self.lstm(e)
        return torch.sigmoid(self.fc(h[-1]))
""",
        ),
        "layers=2&preset=pytorch&recurrent_dropout=0&v=3",
    ),
    Case(
        "torch_embedding_and_output_dropout",
        "pytorch",
        _torch(
            """        self.embedding = nn.Embedding(1000, 32)
        self.emb_drop = nn.Dropout(0.3)
        self.lstm = nn.LSTM(32, 50, batch_first=True)
        self.out_drop = nn.Dropout(0.2)
        self.fc = nn.Linear(50, 1)
""",
            """        e = self.emb_drop(self.embedding(x))
        out, (h, c) = self.lstm(e)
        return torch.sigmoid(self.fc(self.out_drop(h[-1])))
""",
        ),
        "dropout=0&emb=32&emb_dropout=0.3&out_dropout=0.2&preset=pytorch&recurrent_dropout=0&units=50&v=3"
        "&vocab=1000&weights=random",
    ),
]

FIT = '''

def train(model, x, y):
    """Called with the data; never by the tests."""
    model.fit(x, y, epochs=10, batch_size=64)
'''

TFKERAS2 = [
    Case(
        "tf_seed_second",
        "tfkeras2",
        """from tf_keras.models import Sequential
from tf_keras.layers import Embedding, Dropout, LSTM, Dense

"""
        + SEED_SECOND
        + FIT,
        "len=498&preset=tfkeras2-fit&v=3",
    ),
    Case(
        "tf_functional_no_recurrent_dropout",
        "tfkeras2",
        """import tf_keras as keras

tokens = keras.Input(shape=(50,), dtype="int32")
x = keras.layers.Embedding(64, 64)(tokens)
h = keras.layers.LSTM(100, dropout=0.4)(x)
p = keras.layers.Dense(1, activation="sigmoid")(h)
model = keras.Model(tokens, p)
model.compile(loss="binary_crossentropy", optimizer="rmsprop")
"""
        + FIT,
        "dropout=0.4&emb_dropout=0&len=50&preset=tfkeras2-fit&recurrent_dropout=0&v=3",
    ),
    Case(
        "tf_stacked_spatial_output",
        "tfkeras2",
        """from tf_keras import Sequential, layers

model = Sequential([
    layers.Embedding(64, 64, input_length=30),
    layers.SpatialDropout1D(0.1),
    layers.LSTM(100, dropout=0.5, recurrent_dropout=0.5, return_sequences=True),
    layers.LSTM(100, dropout=0.5, recurrent_dropout=0.5),
    layers.Dropout(0.2),
    layers.Dense(1, activation="sigmoid"),
])
"""
        + FIT,
        "emb_dropout=0.1&emb_mode=spatial&layers=2&len=30&out_dropout=0.2&preset=tfkeras2-fit&v=3",
    ),
]

CASES = KERAS3 + PYTORCH + TFKERAS2
BY_NAME = {case.name: case for case in CASES}
