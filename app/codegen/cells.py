"""The custom layers the generated code defines where a framework's own layers cannot follow the plan.

``MaskedLSTM``: one LSTM layer (Keras weight layout, gate order i, f, g, o) whose masks are drawn
where the plan says: on x_t and on h_{t-1}, shared by the gates or one per gate, once per call
or at every step; with candidate dropout, zoneout and weight-drop where the plan has them, and
the forum answer's hypothetical masks on the four gate outputs (preset forum; no framework has them).
``WordDropout``: an Embedding that drops whole word types (rows of its matrix) once per call.

Every mask is drawn by the framework's own dropout on a tensor of ones (so it holds 0 or
1/(1-rate)); tests/parity injects the engine's masks there and checks the numbers. A template
line ending in ``#+name`` is kept only when the plan uses ``name`` (candidate, zoneout,
weight_drop, gate_output).
"""

from __future__ import annotations

import re

KERAS3_LSTM = '''
class MaskedLSTM(layers.Layer):
    """One LSTM layer whose dropout masks are drawn where the plan says.

    z_k = (x_t * m_k) W_k + (h_(t-1) * r_k) U_k + b_k for the gates k = i, f, g, o;
    c_t = f c_(t-1) + i g, h_t = o tanh(c_t). A mask holds 0 or 1 / (1 - rate); gates=1 shares
    one mask between the four gates, gates=4 gives each its own; per_step draws a fresh mask at
    every step, otherwise one per call, reused at every step.
    gate_dropout > 0 multiplies each gate activation i, f, g, o by its own mask, fresh at every
    step: the forum answer's hypothetical picture (preset forum), which no framework has.
    """

    def __init__(self, units, dropout=0.0, dropout_gates=1, dropout_per_step=False, recurrent_dropout=0.0,
                 recurrent_gates=1, recurrent_per_step=False, candidate_dropout=0.0, zoneout_c=0.0,
                 zoneout_h=0.0, weight_drop=0.0, gate_dropout=0.0, return_sequences=False, seed=None,
                 **kwargs):
        super().__init__(**kwargs)
        self.units, self.return_sequences = units, return_sequences
        self.x_drop = (dropout, dropout_gates, dropout_per_step)  # (rate, gates, per_step)
        self.h_drop = (recurrent_dropout, recurrent_gates, recurrent_per_step)
        self.candidate_dropout = candidate_dropout  #+candidate
        self.zoneout_c, self.zoneout_h = zoneout_c, zoneout_h  #+zoneout
        self.weight_drop = weight_drop  #+weight_drop
        self.gate_dropout = gate_dropout  # the forum answer's masks on i, f, g, o  #+gate_output
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        n, u = input_shape[-1], self.units
        self.kernel = self.add_weight(shape=(n, 4 * u), initializer="glorot_uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(u, 4 * u), initializer="orthogonal", name="recurrent_kernel")
        forget_bias_one = lambda shape, dtype=None: ops.concatenate([ops.zeros(u), ops.ones(u), ops.zeros(2 * u)])
        self.bias = self.add_weight(shape=(4 * u,), initializer=forget_bias_one, name="bias")

    def compute_output_shape(self, input_shape):
        return (*input_shape[:-1 if self.return_sequences else -2], self.units)

    def mask(self, rate, shape, training):
        """0 or 1 / (1 - rate) per element; None when nothing is dropped."""
        if not training or rate == 0:
            return None
        return keras.random.dropout(ops.ones(shape), rate, seed=self.seed_generator)

    def zone(self, rate, shape, training):  #+zoneout
        """Zoneout: 1 where a unit takes its new value, 0 where it keeps the old; 1 - rate at inference."""  #+zoneout
        if not training:  #+zoneout
            return 1.0 - rate  #+zoneout
        return ops.cast(keras.random.dropout(ops.ones(shape), rate, seed=self.seed_generator) > 0, "float32")  #+zoneout

    def call(self, x, training=False):  # x (B, T, n)
        batch, steps, n = ops.shape(x)
        u = self.units
        W = ops.reshape(self.kernel, (n, 4, u))  # W[:, k]: the kernel of gate k
        U = self.recurrent_kernel  # (u, 4u)
        if (m := self.mask(self.weight_drop, (u, 4 * u), training)) is not None:  #+weight_drop
            U = U * m  # DropConnect: one mask per call  #+weight_drop
        U = ops.reshape(U, (u, 4, u))
        b = ops.reshape(self.bias, (4, u))
        h = c = ops.zeros((batch, u))
        hs = []
        for t in range(steps):
            if t == 0 or self.x_drop[2]:  # once per call, or fresh at every step
                mx = self.mask(self.x_drop[0], (batch, self.x_drop[1], n), training)  # (B, gates, n)
            if t == 0 or self.h_drop[2]:
                mh = self.mask(self.h_drop[0], (batch, self.h_drop[1], u), training)  # (B, gates, u)
            xt, ht = x[:, t, None, :], h[:, None, :]  # (B, 1, n), (B, 1, u)
            xt = ops.broadcast_to(xt if mx is None else xt * mx, (batch, 4, n))
            ht = ops.broadcast_to(ht if mh is None else ht * mh, (batch, 4, u))
            z = ops.einsum("bkn,nku->bku", xt, W) + ops.einsum("bkv,vku->bku", ht, U) + b  # (B, 4, u)
            i, f, g, o = ops.sigmoid(z[:, 0]), ops.sigmoid(z[:, 1]), ops.tanh(z[:, 2]), ops.sigmoid(z[:, 3])
            if (q := self.mask(self.gate_dropout, (batch, 4, u), training)) is not None:  #+gate_output
                i, f, g, o = i * q[:, 0], f * q[:, 1], g * q[:, 2], o * q[:, 3]  # k' = k * q_k  #+gate_output
            if (d := self.mask(self.candidate_dropout, (batch, u), training)) is not None:  #+candidate
                g = g * d  # Semeniuta: c_t = f c_(t-1) + i d(g_t)  #+candidate
            c_new = f * c + i * g
            h_new = o * ops.tanh(c_new)
            if self.zoneout_c:  #+zoneout
                c_new = c + self.zone(self.zoneout_c, (batch, u), training) * (c_new - c)  #+zoneout
            if self.zoneout_h:  #+zoneout
                h_new = h + self.zone(self.zoneout_h, (batch, u), training) * (h_new - h)  #+zoneout
            c, h = c_new, h_new
            hs.append(h)
        return ops.stack(hs, axis=1) if self.return_sequences else h
'''

TFKERAS2_LSTM = '''
class MaskedLSTM(tf.keras.layers.Layer):
    """One LSTM layer whose dropout masks are drawn where the plan says.

    z_k = (x_t * m_k) W_k + (h_(t-1) * r_k) U_k + b_k for the gates k = i, f, g, o;
    c_t = f c_(t-1) + i g, h_t = o tanh(c_t). A mask holds 0 or 1 / (1 - rate); gates=1 shares
    one mask between the four gates, gates=4 gives each its own; per_step draws a fresh mask at
    every step, otherwise one per call, reused at every step. The steps are a Python loop (the
    Input fixes their number): model.fit's tf.function unrolls it, so a mask drawn before the
    loop is drawn once per call there too.
    gate_dropout > 0 multiplies each gate activation i, f, g, o by its own mask, fresh at every
    step: the forum answer's hypothetical picture (preset forum), which no framework has.
    """

    def __init__(self, units, dropout=0.0, dropout_gates=1, dropout_per_step=False, recurrent_dropout=0.0,
                 recurrent_gates=1, recurrent_per_step=False, candidate_dropout=0.0, zoneout_c=0.0,
                 zoneout_h=0.0, weight_drop=0.0, gate_dropout=0.0, return_sequences=False, **kwargs):
        super().__init__(**kwargs)
        self.units, self.return_sequences = units, return_sequences
        self.x_drop = (dropout, dropout_gates, dropout_per_step)  # (rate, gates, per_step)
        self.h_drop = (recurrent_dropout, recurrent_gates, recurrent_per_step)
        self.candidate_dropout = candidate_dropout  #+candidate
        self.zoneout_c, self.zoneout_h = zoneout_c, zoneout_h  #+zoneout
        self.weight_drop = weight_drop  #+weight_drop
        self.gate_dropout = gate_dropout  # the forum answer's masks on i, f, g, o  #+gate_output

    def build(self, input_shape):
        n, u = input_shape[-1], self.units
        self.kernel = self.add_weight(name="kernel", shape=(n, 4 * u), initializer="glorot_uniform")
        self.recurrent_kernel = self.add_weight(name="recurrent_kernel", shape=(u, 4 * u), initializer="orthogonal")
        forget_bias_one = lambda shape, dtype=None: tf.concat([tf.zeros(u), tf.ones(u), tf.zeros(2 * u)], 0)
        self.bias = self.add_weight(name="bias", shape=(4 * u,), initializer=forget_bias_one)

    def mask(self, rate, shape, training):
        """0 or 1 / (1 - rate) per element; None when nothing is dropped."""
        if not training or rate == 0:
            return None
        return tf.nn.dropout(tf.ones(shape), rate)

    def zone(self, rate, shape, training):  #+zoneout
        """Zoneout: 1 where a unit takes its new value, 0 where it keeps the old; 1 - rate at inference."""  #+zoneout
        if not training:  #+zoneout
            return 1.0 - rate  #+zoneout
        return tf.cast(tf.nn.dropout(tf.ones(shape), rate) > 0, tf.float32)  #+zoneout

    def call(self, x, training=None):  # x (B, T, n)
        batch, steps, n = tf.shape(x)[0], x.shape[1], x.shape[2]
        u = self.units
        W = tf.reshape(self.kernel, (n, 4, u))  # W[:, k]: the kernel of gate k
        U = self.recurrent_kernel  # (u, 4u)
        if (m := self.mask(self.weight_drop, (u, 4 * u), training)) is not None:  #+weight_drop
            U = U * m  # DropConnect: one mask per call  #+weight_drop
        U = tf.reshape(U, (u, 4, u))
        b = tf.reshape(self.bias, (4, u))
        h = c = tf.zeros((batch, u))
        hs = []
        for t in range(steps):
            if t == 0 or self.x_drop[2]:  # once per call, or fresh at every step
                mx = self.mask(self.x_drop[0], (batch, self.x_drop[1], n), training)  # (B, gates, n)
            if t == 0 or self.h_drop[2]:
                mh = self.mask(self.h_drop[0], (batch, self.h_drop[1], u), training)  # (B, gates, u)
            xt, ht = x[:, t, None, :], h[:, None, :]  # (B, 1, n), (B, 1, u)
            xt = tf.broadcast_to(xt if mx is None else xt * mx, (batch, 4, n))
            ht = tf.broadcast_to(ht if mh is None else ht * mh, (batch, 4, u))
            z = tf.einsum("bkn,nku->bku", xt, W) + tf.einsum("bkv,vku->bku", ht, U) + b  # (B, 4, u)
            i, f, g, o = tf.sigmoid(z[:, 0]), tf.sigmoid(z[:, 1]), tf.tanh(z[:, 2]), tf.sigmoid(z[:, 3])
            if (q := self.mask(self.gate_dropout, (batch, 4, u), training)) is not None:  #+gate_output
                i, f, g, o = i * q[:, 0], f * q[:, 1], g * q[:, 2], o * q[:, 3]  # k' = k * q_k  #+gate_output
            if (d := self.mask(self.candidate_dropout, (batch, u), training)) is not None:  #+candidate
                g = g * d  # Semeniuta: c_t = f c_(t-1) + i d(g_t)  #+candidate
            c_new = f * c + i * g
            h_new = o * tf.tanh(c_new)
            if self.zoneout_c:  #+zoneout
                c_new = c + self.zone(self.zoneout_c, (batch, u), training) * (c_new - c)  #+zoneout
            if self.zoneout_h:  #+zoneout
                h_new = h + self.zone(self.zoneout_h, (batch, u), training) * (h_new - h)  #+zoneout
            c, h = c_new, h_new
            hs.append(h)
        return tf.stack(hs, axis=1) if self.return_sequences else h
'''

TORCH_LSTM = '''
class MaskedLSTM(nn.Module):
    """One LSTM layer whose dropout masks are drawn where the plan says.

    z_k = (x_t * m_k) W_k + (h_(t-1) * r_k) U_k + b_k for the gates k = i, f, g, o;
    c_t = f c_(t-1) + i g, h_t = o tanh(c_t). A mask holds 0 or 1 / (1 - rate); gates=1 shares
    one mask between the four gates, gates=4 gives each its own; per_step draws a fresh mask at
    every step, otherwise one per forward call, reused at every step.
    gate_dropout > 0 multiplies each gate activation i, f, g, o by its own mask, fresh at every
    step: the forum answer's hypothetical picture (preset forum), which no framework has.
    """

    def __init__(self, n_in, units, dropout=0.0, dropout_gates=1, dropout_per_step=False, recurrent_dropout=0.0,
                 recurrent_gates=1, recurrent_per_step=False, candidate_dropout=0.0, zoneout_c=0.0,
                 zoneout_h=0.0, weight_drop=0.0, gate_dropout=0.0):
        super().__init__()
        self.units = units
        self.W = nn.Linear(n_in, 4 * units)  # weight (4u, n): rows of i, f, g, o
        self.U = nn.Linear(units, 4 * units, bias=False)
        self.x_drop = (dropout, dropout_gates, dropout_per_step)  # (rate, gates, per_step)
        self.h_drop = (recurrent_dropout, recurrent_gates, recurrent_per_step)
        self.candidate_dropout = candidate_dropout  #+candidate
        self.zoneout_c, self.zoneout_h = zoneout_c, zoneout_h  #+zoneout
        self.weight_drop = weight_drop  #+weight_drop
        self.gate_dropout = gate_dropout  # the forum answer's masks on i, f, g, o  #+gate_output

    def mask(self, rate, shape):
        """0 or 1 / (1 - rate) per element; None when nothing is dropped."""
        if not self.training or rate == 0:
            return None
        return F.dropout(torch.ones(shape), rate)

    def zone(self, rate, shape):  #+zoneout
        """Zoneout: 1 where a unit takes its new value, 0 where it keeps the old; 1 - rate at inference."""  #+zoneout
        if not self.training:  #+zoneout
            return 1.0 - rate  #+zoneout
        return (F.dropout(torch.ones(shape), rate) > 0).float()  #+zoneout

    def forward(self, x):  # x (B, T, n) -> (B, T, u)
        batch, steps, n = x.shape
        u = self.units
        W = self.W.weight.view(4, u, n)  # W[k]: the weights of gate k
        U = self.U.weight  # (4u, u)
        if (m := self.mask(self.weight_drop, U.shape)) is not None:  #+weight_drop
            U = U * m  # DropConnect: one mask per forward call  #+weight_drop
        U = U.view(4, u, u)
        b = self.W.bias.view(4, u)
        h = c = x.new_zeros(batch, u)
        hs = []
        for t in range(steps):
            if t == 0 or self.x_drop[2]:  # once per call, or fresh at every step
                mx = self.mask(self.x_drop[0], (batch, self.x_drop[1], n))  # (B, gates, n)
            if t == 0 or self.h_drop[2]:
                mh = self.mask(self.h_drop[0], (batch, self.h_drop[1], u))  # (B, gates, u)
            xt, ht = x[:, t, None, :], h[:, None, :]  # (B, 1, n), (B, 1, u)
            xt = (xt if mx is None else xt * mx).expand(batch, 4, n)
            ht = (ht if mh is None else ht * mh).expand(batch, 4, u)
            z = torch.einsum("bkn,kun->bku", xt, W) + torch.einsum("bkv,kuv->bku", ht, U) + b  # (B, 4, u)
            i, f, g, o = torch.sigmoid(z[:, 0]), torch.sigmoid(z[:, 1]), torch.tanh(z[:, 2]), torch.sigmoid(z[:, 3])
            if (q := self.mask(self.gate_dropout, (batch, 4, u))) is not None:  #+gate_output
                i, f, g, o = i * q[:, 0], f * q[:, 1], g * q[:, 2], o * q[:, 3]  # k' = k * q_k  #+gate_output
            if (d := self.mask(self.candidate_dropout, (batch, u))) is not None:  #+candidate
                g = g * d  # Semeniuta: c_t = f c_(t-1) + i d(g_t)  #+candidate
            c_new = f * c + i * g
            h_new = o * torch.tanh(c_new)
            if self.zoneout_c:  #+zoneout
                c_new = c + self.zone(self.zoneout_c, (batch, u)) * (c_new - c)  #+zoneout
            if self.zoneout_h:  #+zoneout
                h_new = h + self.zone(self.zoneout_h, (batch, u)) * (h_new - h)  #+zoneout
            c, h = c_new, h_new
            hs.append(h)
        return torch.stack(hs, 1)
'''

KERAS3_WORDS = '''
class WordDropout(layers.Layer):
    """An Embedding that drops whole word types, rows of its matrix, once per call
    (AWD-LSTM's embedded_dropout): every occurrence of a dropped word is zero."""

    def __init__(self, input_dim, output_dim, rate, seed=None, **kwargs):
        super().__init__(**kwargs)
        self.input_dim, self.output_dim, self.rate = input_dim, output_dim, rate
        self.seed_generator = keras.random.SeedGenerator(seed)

    def build(self, input_shape):
        self.embeddings = self.add_weight(shape=(self.input_dim, self.output_dim), initializer="uniform")

    def compute_output_shape(self, input_shape):
        return (*input_shape, self.output_dim)

    def call(self, tokens, training=False):
        rows = self.embeddings  # (vocab, emb)
        if training and self.rate:
            rows = rows * keras.random.dropout(ops.ones((self.input_dim, 1)), self.rate, seed=self.seed_generator)
        return ops.take(rows, ops.cast(tokens, "int32"), axis=0)
'''

TFKERAS2_WORDS = '''
class WordDropout(tf.keras.layers.Layer):
    """An Embedding that drops whole word types, rows of its matrix, once per call
    (AWD-LSTM's embedded_dropout): every occurrence of a dropped word is zero."""

    def __init__(self, input_dim, output_dim, rate, **kwargs):
        super().__init__(**kwargs)
        self.input_dim, self.output_dim, self.rate = input_dim, output_dim, rate

    def build(self, input_shape):
        shape = (self.input_dim, self.output_dim)
        self.embeddings = self.add_weight(name="embeddings", shape=shape, initializer="uniform")

    def call(self, tokens, training=None):
        rows = self.embeddings  # (vocab, emb)
        if training and self.rate:
            rows = rows * tf.nn.dropout(tf.ones((self.input_dim, 1)), self.rate)
        return tf.gather(rows, tf.cast(tokens, tf.int32))
'''

TORCH_WORDS = '''
def embedded_dropout(embed, tokens, p):
    """Drop whole word types, rows of the embedding matrix (AWD-LSTM embed_regularize.py)."""
    mask = F.dropout(embed.weight.new_ones(embed.weight.size(0), 1), p)  # (vocab, 1): 0 or 1/(1-p)
    return F.embedding(tokens, embed.weight * mask)
'''

_MARK = re.compile(r"  #\+(\w+)$")


def render(template: str, used: set[str]) -> list[str]:
    """The template's lines, keeping a ``#+name`` line only if ``name`` is used."""
    out = []
    for line in template.strip("\n").splitlines():
        mark = _MARK.search(line)
        if mark:
            if mark[1] not in used:
                continue
            line = line[: mark.start()]
        if line or (out and out[-1]):  # a removed block leaves one blank line, not two
            out.append(line)
    return [*out, "", ""]
