"""PyTorch code for a state's model: Embedding -> embedding dropout -> LSTM layers -> output
dropout -> Linear -> sigmoid. nn.LSTM where its recipe (recipes.py) follows the plan: the
fused stack with PyTorch's own between-layer dropout, or one nn.LSTM per layer behind a dropout
on its input; else MaskedLSTM (cells.py) behind a comment saying why.
"""

from __future__ import annotations

from app.codegen import cells, recipes
from app.codegen.parts import Fidelity, call, comment, features, masked_kwargs, num
from app.engine.semantics import Plan, pytorch_warning
from app.link.state import State


def _lstm(s: State, plan: Plan, recipe: recipes.Recipe) -> tuple[list[str], list[str]]:
    """(__init__ lines, forward lines) of the LSTM layers; forward maps x (B, T, in) -> (B, T, H)."""
    n_layers = len(plan.layers)
    n_in = f"{s.emb} if n == 0 else {s.units}"
    if recipe.cannot:
        args = [n_in, str(s.units), *(f"{k}={v}" for k, v in masked_kwargs(plan.layers[0]).items())]
        init = comment(f"PyTorch cannot express this plan with nn.LSTM: {recipe.cannot}.")
        init += comment("MaskedLSTM (above) draws the masks where the plan says.")
        init += call("self.lstms = nn.ModuleList(MaskedLSTM", args, f" for n in range({n_layers}))")
        return init, ["for lstm in self.lstms:", "    x = lstm(x)"]
    if recipe.before:
        rate = num(plan.layers[0].input.rate)
        if recipe.before == "Dropout":
            drop, apply = f"nn.Dropout({rate})  # a fresh mask per step and feature", "lstm(self.in_drop(x))"
        else:
            drop = f"nn.Dropout1d({rate})  # on (B, F, T): whole features, the same at every step"
            apply = "lstm(self.in_drop(x.transpose(1, 2)).transpose(1, 2))"
        init = [f"self.in_drop = {drop}"]
        init += call(
            "self.lstms = nn.ModuleList(nn.LSTM",
            [n_in, str(s.units), "batch_first=True"],
            f" for n in range({n_layers}))",
        )
        return init, ["for lstm in self.lstms:", f"    x, _ = {apply}"]
    init, drop = [], []
    if s.preset == "pytorch" and s.dropout:
        drop = [f"dropout={num(s.dropout)}"]
        if n_layers == 1:
            init += comment(
                f"PyTorch warns (with one layer this dropout does nothing): {pytorch_warning(s.dropout, 1)}"
            )
        else:
            init += comment("dropout: on the output of every layer but the last, fresh per element and step")
    init += call("self.lstm = nn.LSTM", [str(s.emb), str(s.units), f"num_layers={n_layers}", "batch_first=True", *drop])
    return init, ["x, _ = self.lstm(x)"]


def pytorch(s: State, plan: Plan) -> tuple[str, Fidelity]:
    """The model's PyTorch code and its fidelity to the plan."""
    recipe = recipes.pytorch(plan.layers[0])
    words = s.emb_dropout > 0 and s.emb_mode == "word"
    r = num(s.emb_dropout)
    init = [f"self.embedding = nn.Embedding({s.vocab}, {s.emb})"]
    if words:
        fwd = [
            "# no built-in module drops whole word types: embedded_dropout (above) does",
            f"x = embedded_dropout(self.embedding, tokens, {r}) if self.training else self.embedding(tokens)",
        ]
    else:
        fwd = ["x = self.embedding(tokens)  # (B, T, E)"]
    if s.emb_dropout and s.emb_mode == "standard":
        init.append(f"self.emb_drop = nn.Dropout({r})  # a fresh mask per step and feature")
        fwd.append("x = self.emb_drop(x)")
    elif s.emb_dropout and s.emb_mode == "spatial":
        init.append(f"self.emb_drop = nn.Dropout1d({r})  # on (B, E, T): whole features, the same at every step")
        fwd.append("x = self.emb_drop(x.transpose(1, 2)).transpose(1, 2)")
    lstm_init, lstm_fwd = _lstm(s, plan, recipe)
    init += lstm_init
    fwd += [*lstm_fwd, "h = x[:, -1]  # (B, H): the last step"]
    if s.out_dropout:
        init.append(f"self.out_drop = nn.Dropout({num(s.out_dropout)})  # on the last h, before the Linear")
        fwd.append("h = self.out_drop(h)")
    init.append(f"self.dense = nn.Linear({s.units}, 1)")
    fwd.append("return torch.sigmoid(self.dense(h))")

    custom = tuple(c for c, used in (("embedded_dropout", words), ("MaskedLSTM", recipe.cannot)) if used)
    lines = [
        "import torch",
        "from torch import nn",
        *(["from torch.nn import functional as F"] if custom else []),
        "",
        "",
    ]
    if words:
        lines += cells.render(cells.TORCH_WORDS, set())
    if recipe.cannot:
        lines += cells.render(cells.TORCH_LSTM, features(plan.layers[0]))
    lines += ["class Model(nn.Module):", "    def __init__(self):", "        super().__init__()"]
    lines += ["        " + line for line in init]
    lines += ["", "    def forward(self, tokens):  # (B, T) int64"]
    lines += ["        " + line for line in fwd]
    lines += ["", "", "model = Model()"]
    if s.phase == "infer":
        zoneout = " (zoneout keeps its expectation)" if "zoneout" in features(plan.layers[0]) else ""
        lines.append(f"model.eval()  # phase=infer: drops nothing{zoneout}")
    else:
        lines.append("model.train()  # dropout on")

    how = f"MaskedLSTM, because {recipe.cannot}" if recipe.cannot else "built-in modules"
    if words:
        how += "; embedded_dropout, because no built-in module drops whole word types"
    return "\n".join(lines) + "\n", Fidelity(not custom, custom, how)
