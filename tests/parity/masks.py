"""The engine's masks, served to a framework's own dropout draws. Pure NumPy: the TF scripts
import it in .venv-tf too (they cannot import the app).

``pack(state, trace)`` lays out the masks of one engine trace as multipliers (keep * scale,
float32) by kind:

    embedding (T, E)          word (vocab, 1)          output (H,)
    input, recurrent          per layer (nT, nG, D): nT = T per step or 1 per sequence,
                              nG = 4 per gate or 1 shared (the engine's compact form)
    candidate, zoneout_c, zoneout_h, between   per layer (T, H)
    weight_drop               per layer (H, 4H) (Keras layout)

A ``MaskServer`` answers each draw a framework makes (its rate and the shape it draws, batch 1)
with the engine's mask, and checks as it goes that the framework draws what the plan says:
a draw is recognised by its rate (the test states give every knob its own rate), and its
shape and the number of draws of its kind tell how the framework draws it:

    (1, T, D)        one draw per layer of a mask for every step, shared: a Dropout layer
    (1, G, D)        G = 1 or 4 masks (shared, per gate), once per layer or at every step
    (1, D)           one mask of the nG (Keras cells draw per gate one at a time), per layer
    (1, H)           candidate / zoneout: at every step; output: once
    (H, 4H)          weight-drop: once per layer;   (vocab, 1) word dropout: once

A draw that the engine's masks cannot answer (another sharing or timing) raises MaskMismatch;
``check_complete`` then fails if a mask the plan has was drawn too few times. ``seen`` records,
per kind and layer, how the framework drew it: {"gates": 1 or 4, "per_step": bool}.
"""

from __future__ import annotations

import numpy as np

F32 = np.float32
PER_LAYER = ("input", "recurrent", "candidate", "zoneout_c", "zoneout_h", "between", "weight_drop")


class MaskMismatch(AssertionError):
    """The framework draws a mask the plan does not have (other sharing, timing or count)."""


def _mult(mask) -> np.ndarray:
    return mask.keep.astype(F32) * F32(mask.scale)


def pack(state, plan, trace) -> tuple[dict[str, list[np.ndarray]], dict[str, float]]:
    """(masks by kind, rate by kind) of an engine trace (app.engine.model.Trace) of ``state``
    with plan ``plan``: only the masks the plan has. Zoneout bits are served as a dropout
    would draw them (0 or 1/(1-z))."""
    masks: dict[str, list[np.ndarray]] = {}
    rates: dict[str, float] = {}
    if state.emb_dropout:
        kind = "word" if state.emb_mode == "word" else "embedding"
        full = _mult(trace.embedding_mask)  # (T, E)
        if kind == "word":
            rows = np.ones((state.vocab, 1), dtype=F32)
            rows[trace.tokens, 0] = full[:, 0]
            full = rows
        masks[kind], rates[kind] = [full], state.emb_dropout
    rate_of = {
        "input": state.dropout,
        "between": state.dropout,
        "recurrent": state.recurrent_dropout,
        "candidate": state.candidate_dropout,
        "zoneout_c": state.zoneout_c,
        "zoneout_h": state.zoneout_h,
        "weight_drop": state.weight_drop,
    }
    for layer in trace.layers:
        for kind in PER_LAYER:
            mask = layer.masks.get(kind)
            if mask is None or (kind in ("input", "recurrent") and getattr(plan.layers[0], kind) is None):
                continue  # the engine records all-kept input and recurrent masks where the plan has none
            m = _mult(mask)
            if kind.startswith("zoneout"):
                m = mask.keep.astype(F32) / F32(1 - rate_of[kind])
            masks.setdefault(kind, []).append(m)
            rates[kind] = rate_of[kind]
    if state.out_dropout:
        masks["output"], rates["output"] = [_mult(trace.output_mask)], state.out_dropout
    return masks, rates


class MaskServer:
    """Answers a framework's dropout draws with the engine's masks (see the module docstring)."""

    def __init__(self, masks: dict[str, list[np.ndarray]], rates: dict[str, float], steps: int):
        self.masks, self.rates, self.steps = masks, rates, steps
        self.count: dict[tuple, int] = {}  # (key, kind) -> draws so far
        self.cells: dict[str, set[int]] = {}  # kind -> layers whose whole mask a cell took
        self.per_layer: dict[str, int] = {}  # kind -> draws per layer, from the first draw's shape
        self.seen: dict[str, dict[int, dict]] = {}

    def kind(self, rate: float) -> str:
        """The kind of mask drawn at ``rate``: each needs its own rate (tf.keras 2 cells excepted)."""
        kinds = [k for k, r in self.rates.items() if abs(r - float(rate)) < 1e-9]
        if len(kinds) != 1:
            raise MaskMismatch(f"a draw at rate {rate}: {kinds or 'no mask of the plan'} (rates: {self.rates})")
        return kinds[0]

    def _take(self, kind: str, per_layer: int, key) -> tuple[int, int]:
        """(layer, index within the layer) of this draw of ``kind``; ``key`` separates traces."""
        if self.per_layer.setdefault(kind, per_layer) != per_layer:
            raise MaskMismatch(f"{kind}: draws of another shape than the first ({per_layer} per layer)")
        c = self.count.get((key, kind), 0)
        self.count[(key, kind)] = c + 1
        layer, j = divmod(c, per_layer)
        if layer >= len(self.masks[kind]):
            raise MaskMismatch(
                f"{kind}: draw {c + 1}, more than the plan's {len(self.masks[kind])} layer(s) x {per_layer}"
            )
        return layer, j

    def _see(self, kind: str, layer: int, gates: int, per_step: bool) -> None:
        self.seen.setdefault(kind, {})[layer] = {"gates": gates, "per_step": per_step}

    def draw(self, rate: float, shape, key=None) -> np.ndarray:
        """The engine's multiplier for a draw of ``shape`` (batch first, batch 1) at ``rate``."""
        kind = self.kind(rate)
        shape = tuple(int(d) for d in shape)
        T = self.steps
        if kind in ("embedding", "between"):
            layer, _ = self._take(kind, 1, key)
            m = self.masks[kind][layer]  # (T, D)
            if shape[1] == 1:  # one mask per sequence (SpatialDropout1D, Dropout1d)
                if not (m == m[0]).all():
                    raise MaskMismatch(
                        f"{kind}: the framework draws one mask per sequence; the plan's changes per step"
                    )
                return m[:1][None]
            return m[None]
        if kind in ("word", "output"):
            self._take(kind, 1, key)
            m = self.masks[kind][0]
            return m if kind == "word" else m[None]
        if kind == "weight_drop":
            layer, _ = self._take(kind, 1, key)
            self._see(kind, layer, 1, False)
            return self.masks[kind][layer]
        if kind in ("candidate", "zoneout_c", "zoneout_h"):
            layer, t = self._take(kind, T, key)
            self._see(kind, layer, 1, True)
            return self.masks[kind][layer][t][None]
        return self._gate_draw(kind, shape, key)

    def _gate_draw(self, kind: str, shape: tuple[int, ...], key) -> np.ndarray:
        """input / recurrent: the three ways a framework draws them (see the module docstring)."""
        T = self.steps
        nT, nG, _ = self.masks[kind][0].shape
        if len(shape) == 3 and shape[1] == T and T not in (1, 4):  # a whole sequence: per step, shared
            layer, _ = self._take(kind, 1, key)
            self._require(kind, nT == T and nG == 1, "one mask per step shared by the gates", nT, nG)
            self._see(kind, layer, 1, True)
            return self.masks[kind][layer][:, 0][None]
        # Below, the timing recorded is the plan's: check_complete fails if the framework drew
        # another number of times than the plan's timing needs.
        if len(shape) == 3:  # (1, G, D): G masks, drawn nT times per layer
            gates = shape[1]
            layer, t = self._take(kind, nT, key)
            self._require(kind, gates == nG, f"{gates} mask(s) per draw", nT, nG)
            self._see(kind, layer, gates, nT == T)
            return self.masks[kind][layer][t][None]
        layer, j = self._take(kind, nT * nG, key)  # (1, D): one gate's mask at a time
        self._see(kind, layer, nG, nT == T)
        return self.masks[kind][layer][j // nG, j % nG][None]

    def cell(self, kind: str, layer: int, gates: int, per_step: bool) -> np.ndarray:
        """The whole (nT, nG, D) mask of a layer for a cell that draws ``gates`` masks
        ``per_step`` or once per call (tf.keras 2 cells: the caller picks the step)."""
        nT, nG, _ = self.masks[kind][layer].shape
        how = f"{gates} mask(s) " + ("at every step" if per_step else "once per call")
        self._require(kind, gates == nG and per_step == (nT > 1), how, nT, nG)
        self.cells.setdefault(kind, set()).add(layer)
        self._see(kind, layer, gates, per_step)
        return self.masks[kind][layer]

    def _require(self, kind: str, ok: bool, framework: str, nT: int, nG: int) -> None:
        if not ok:
            plan = f"{'four masks, one per gate' if nG == 4 else 'one mask shared by the gates'}, " + (
                "fresh at every step" if nT > 1 else "once per sequence"
            )
            raise MaskMismatch(f"{kind}: the framework draws {framework}; the plan has {plan}")

    def check_complete(self) -> None:
        """Every mask of the plan was drawn, as many times as the plan has it (in every trace)."""
        for kind, layers in self.masks.items():
            if kind in self.cells:
                if self.cells[kind] != set(range(len(layers))):
                    raise MaskMismatch(f"{kind}: a cell took layers {sorted(self.cells[kind])} of {len(layers)}")
                continue
            counts = [c for (_key, k), c in self.count.items() if k == kind]
            if not counts:
                raise MaskMismatch(f"{kind}: never drawn; the plan has it in {len(layers)} layer(s)")
            want = len(layers) * self.per_layer[kind]
            if any(c != want for c in counts):
                raise MaskMismatch(f"{kind}: drawn {counts} times; the plan needs {want} draws")
