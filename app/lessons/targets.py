"""What a lesson step may bring forward (focus: an element id of its page) and highlight.

The pages own these elements; tests/browser check that every target of every lesson exists on
the page that draws it, so a renamed element fails a test instead of a lesson.
"""

from __future__ import annotations

FOCUS = {
    "explorer": (
        "verdict",
        "cell",
        "reach",
        "fig-embedding-mask",
        "fig-input-mask",
        "fig-recurrent-mask",
        "fig-extra-mask",
        "fig-weight-mask",
        "fig-gate-i",
        "fig-gate-f",
        "fig-gate-g",
        "fig-gate-o",
        "fig-c",
        "fig-h",
        "fig-diff",
        "fig-output",
        "fig-grads",
        "plan",
        "code-box",
        "strip-b",
    ),
    "lab": ("lab-curves", "lab-table", "lab-sentence"),
}

HIGHLIGHT = {
    "gate": ("i", "f", "g", "o"),
    "mask": (
        "embedding",
        "input",
        "recurrent",
        "candidate",
        "zoneout_c",
        "zoneout_h",
        "weight_drop",
        "between",
        "output",
    ),
    "curve": ("none", "emb", "cell", "both"),
    "strip": ("emb_dropout", "dropout", "recurrent_dropout", "out_dropout"),
}
# Which highlight kinds each view can show.
VIEW_HIGHLIGHTS = {"explorer": ("gate", "mask", "strip"), "lab": ("curve",)}
