"""Every sentence is true of the trace it describes: the grid.

The grid walks every preset x each of its rates zero / non-zero (custom: each sharing and timing
choice where its rate is on) x embedding dropout off / standard / spatial / word x output dropout
off / on x phase x 1 to 3 layers, on a small model (T = 5 with repeated words, 6 features, 5
units: small enough that chance coincidences, say two gates drawing the same mask, happen and
the words must follow them). For each state it recomputes the facts from the arrays with its own
code (``observe``: the multipliers as the engine applies them, not facts.py's keep-bits and
scales), checks ``plan.facts`` against them, then reads every sentence the plan carries and
checks each claim it recognises against them (``claims``). A mutant verdict with one condition
dropped must be caught (test_a_template_that_drops_a_condition_is_caught), and each example of
the issue that found the false sentences is a regression test below.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import replace

import numpy as np
import pytest

from app.documents.run import run, without_dropout
from app.documents.trace import plan_json
from app.engine import explain, model
from app.engine import verdict as verdict_mod
from app.engine.semantics import PRESETS
from app.engine.summary import case_facts, cases, preset_summary, sentence
from app.link.state import parse

SMALL = "weights=random&vocab=8&emb=6&units=5&tokens=1,2,3,1,2&seed=3"
EMB = ("emb_dropout=0", "emb_dropout=0.25", "emb_dropout=0.25&emb_mode=spatial", "emb_dropout=0.25&emb_mode=word")
CHOICES = {"dropout": ("in_share", "in_time"), "recurrent_dropout": ("rec_share", "rec_time")}
VALUES = {"in_share": ("shared", "gate"), "rec_share": ("shared", "gate"), "in_time": ("seq", "step")}
VALUES["rec_time"] = VALUES["in_time"]


def _rate_settings(preset: str) -> list[str]:
    """Each rate of the preset off or on; for custom, each choice of a rate that is on."""
    knobs = sorted(PRESETS[preset].knobs)
    out = []
    for on in itertools.product((False, True), repeat=len(knobs)):
        parts = [f"{k}={0.5 if o else 0}" for k, o in zip(knobs, on, strict=True)]
        if "recurrent_dropout" not in knobs:
            parts.append("recurrent_dropout=0")
        choices = [c for k, o in zip(knobs, on, strict=True) if o and preset == "custom" for c in CHOICES.get(k, ())]
        for values in itertools.product(*(VALUES[c] for c in choices)):
            out.append("&".join(parts + [f"{c}={v}" for c, v in zip(choices, values, strict=True)]))
    return out


def grid() -> list[str]:
    out = []
    for preset in sorted(PRESETS):
        outs = ("out_dropout=0",) if preset == "custom" else ("out_dropout=0", "out_dropout=0.3")
        for rates, emb, out_, phase, layers in itertools.product(
            _rate_settings(preset), EMB, outs, ("train", "infer"), (1, 2, 3)
        ):
            out.append(f"{SMALL}&preset={preset}&{rates}&{emb}&{out_}&phase={phase}&layers={layers}")
    return out


# --- the facts, recomputed from the multipliers the engine applies --------------------------------------


def _mult(mask) -> np.ndarray:
    return mask.keep.astype(np.float64) * mask.scale


def _on(m: np.ndarray) -> bool:
    return not np.all(m == 1.0)


def _full(mask, steps: int) -> np.ndarray:
    m = _mult(mask)
    return np.broadcast_to(m, (steps, 4, m.shape[2]))


def observe(s) -> dict:
    tr, ref = run(s), run(without_dropout(s))
    steps = len(tr.tokens)
    first = tr.layers[0].masks
    emb = _mult(tr.embedding_mask)
    inp, rec = _full(first["input"], steps), _full(first["recurrent"], steps)
    other = []
    for kind, names in (
        ("candidate", ["candidate"]),
        ("zoneout", ["zoneout_c", "zoneout_h"]),
        ("weight", ["weight_drop"]),
        ("between_layers", ["between"]),
    ):
        if any(n in lt.masks and _on(_mult(lt.masks[n])) for lt in tr.layers for n in names):
            other.append(kind)
    if _on(_mult(tr.output_mask)):
        other.append("output")
    # the forum answer's masks on the gate activations, (T, 4, H) per layer
    gate_out = [_mult(lt.masks["gate_output"]) for lt in tr.layers if "gate_output" in lt.masks]
    gate_out = [m for m in gate_out if _on(m)]
    if gate_out:
        other.append("gate_output")
    go_gate = any(not np.array_equal(m[:, g], m[:, 0]) for m in gate_out for g in range(4))
    go_step = any(not np.array_equal(m[t], m[0]) for m in gate_out for t in range(steps))
    go_keep = 1 / (gate_out[0].max() or tr.layers[0].masks["gate_output"].scale) if gate_out else 1.0
    emb_on, in_on, rec_on = _on(emb), _on(inp), _on(rec)
    # inverted dropout: a kept value is multiplied by 1 / keep (every element dropped: the mask's scale)
    k_emb = 1 / (emb.max() or tr.embedding_mask.scale) if emb_on else 1.0
    k_in = 1 / (inp.max() or first["input"].scale) if in_on else 1.0
    emb_drop, in_drop = emb_on and bool((emb == 0).any()), in_on and bool((inp == 0).any())
    whole = emb_drop and all(len(set(row)) == 1 for row in emb.tolist())
    emb_step = emb_on and any(not np.array_equal(emb[t], emb[0]) for t in range(steps))
    in_gate = in_on and any(not np.array_equal(inp[:, g], inp[:, 0]) for g in range(4))
    in_step = in_on and any(not np.array_equal(inp[t], inp[0]) for t in range(steps))
    dh = max(np.max(np.abs(a.h.astype(np.float64) - b.h)) for a, b in zip(tr.layers, ref.layers, strict=True))
    return {
        "embedding_masked": emb_on,
        "input_masked": in_on,
        "recurrent_masked": rec_on,
        "other_masks": other,
        "input_per_gate": in_gate,
        "input_per_step": in_step,
        "recurrent_per_gate": rec_on and any(not np.array_equal(rec[:, g], rec[:, 0]) for g in range(4)),
        "recurrent_per_step": rec_on and any(not np.array_equal(rec[t], rec[0]) for t in range(steps)),
        "embedding_per_step": emb_step,
        "differs_from_no_dropout": dh > 0 or tr.probability != ref.probability,
        "keep": k_emb * k_in,
        "scale": 1 / (k_emb * k_in),
        "equivalent_dropout": 1 - k_emb * k_in
        if emb_drop and in_drop and not in_gate and not whole and emb_step == in_step
        else None,
        "embedding_whole_steps": whole,
        "embedding_keep": k_emb,
        "input_keep": k_in,
        "probability": tr.probability,
        "probability_without_dropout": ref.probability,
        "max_abs_dh": float(dh),
        "steps": steps,
        "embedding_dropped": emb_drop,
        "input_dropped": in_drop,
        "recurrent_dropped": rec_on and bool((rec == 0).any()),
        "gate_output_per_gate": go_gate,
        "gate_output_keep": go_keep,
        "gate_output_per_step": go_step,  # not a fact of its own: facts.other_per_step has it
        "any": emb_on or in_on or rec_on or bool(other),
    }


# --- what the sentences say, read back ----------------------------------------------------------------


def num(x: float) -> str:
    return f"{x:.4g}"


def _targets(tail: str) -> set[str]:
    names = {"x(t)": "input", "h(t-1)": "recurrent"}
    for table in (verdict_mod.OTHER_NAMES, verdict_mod.STILL_ACTS):
        names |= {v: k for k, v in table.items()}
    return {kind for word, kind in names.items() if word in tail}


def _lstm_set(f: dict) -> set[str]:
    return {k for k in ("input", "recurrent") if f[f"{k}_masked"]} | set(f["other_masks"])


def gate_clauses(text: str, f: dict, where: str) -> list[str]:
    """Claims of one clause about the masks on x(t) and h(t-1), the embedding mask and timing."""
    bad = []

    def need(ok: bool, what: str) -> None:
        if not ok:
            bad.append(f"{where}: {what!r} in {text!r}")

    for clause in re.split(r"; |\. |: ", text):
        for vec, key in (("x(t)", "input"), ("h(t-1)", "recurrent")):
            both = "masks on x(t) and h(t-1) are" in clause
            if f"masks {vec}" in clause or f"mask on {vec} is" in clause or both:
                need(f[f"{key}_dropped"], f"a mask on {vec} that drops")
                if "different mask per gate" in clause:
                    need(f[f"{key}_per_gate"], "per gate")
                if "the same mask for all four gates" in clause:
                    need(not f[f"{key}_per_gate"], "the same for the four gates")
                if "drawn afresh at every step" in clause:
                    need(f[f"{key}_per_step"] and f["steps"] > 1, "per step")
                if "once per sequence" in clause:
                    need(not f[f"{key}_per_step"] and f["steps"] > 1, "per sequence")
                if "drawn once (one step)" in clause:
                    need(f["steps"] == 1, "one step")
            if f"on {vec} drops nothing in this draw" in clause:
                need(f[f"{key}_masked"] and not f[f"{key}_dropped"], f"a mask on {vec} that drops nothing")
        if "before the LSTM with a fresh mask at every step" in clause:
            need(f["input_per_step"], "x(t) per step")
        if "before the LSTM with one mask for the whole sequence" in clause:
            need(not f["input_per_step"], "x(t) per sequence")
        if "puts no mask on its input x(t)" in clause or "no mask on x(t)" in clause.lower():
            need(not f["input_masked"], "no mask on x(t)")
        if "The LSTM puts no mask on x(t) or h(t-1)" in clause:
            need(not f["input_masked"] and not f["recurrent_masked"], "no mask on x or h")
        if "There is no dropout after the Embedding" in clause or "no dropout after the Embedding" in clause:
            need(not f["embedding_masked"], "no embedding dropout")
        if "zeroes no element" in clause:
            need(f["embedding_masked"] and not f["embedding_dropped"], "an embedding mask that drops nothing")
        if "zeroes single elements" in clause:
            ok = f["embedding_dropped"] and not f["embedding_whole_steps"]
            need(ok and (f["embedding_per_step"] or f["steps"] == 1), "element-wise, per step")
        if "zeroes whole features" in clause:
            need(f["embedding_dropped"] and not f["embedding_per_step"] and f["steps"] > 1, "constant over time")
        if "zeroes whole words" in clause or "drops whole words" in clause:
            need(f["embedding_whole_steps"], "whole steps")
        if "embedding mask is drawn afresh at every step" in clause:
            need(f["embedding_per_step"] and not f["embedding_whole_steps"], "embedding per step")
        if "embedding mask is the same at every step" in clause:
            need(f["embedding_dropped"] and not f["embedding_per_step"], "embedding constant")
        if "With one step every mask is drawn once" in clause:
            need(f["steps"] == 1, "one step")
        if "No mask dropped anything in this draw" in clause:
            dropped = f["embedding_dropped"] or f["input_dropped"] or f["recurrent_dropped"]
            need(f["any"] and not dropped and not f["other_masks"], "masks that drop nothing")
        if "candidate" in clause and "masks the candidate" in clause:
            need("candidate" in f["other_masks"], "candidate mask")
        if "masks multiply the four gate outputs" in clause:
            need("gate_output" in f["other_masks"], "masks on the gate outputs")
            need(("one mask per gate" in clause) == f["gate_output_per_gate"], "gate outputs per gate")
            k = f["gate_output_keep"]
            need(f"each keeping {num(k)} and scaling by {num(1 / k)}" in clause, "gate outputs keep and scale")
        if "masks on the four gate outputs i, f, g and o are drawn afresh at every step" in clause:
            need(f["gate_output_per_step"] and f["steps"] > 1, "gate outputs per step")
        if "masks on the four gate outputs i, f, g and o are drawn once per sequence" in clause:
            need(not f["gate_output_per_step"] and f["steps"] > 1, "gate outputs per sequence")
        if re.search(r"no mask acts(\.|$)", clause):
            need(not f["any"], "no mask at all")
        for vec, key in (("x(t)", "input"), ("h(t-1)", "recurrent")):
            if f"no mask acts on {vec}" in clause:
                need(not f[f"{key}_masked"], f"no mask on {vec}")
    return bad


def check_verdict(plan: dict, now: dict, train: dict) -> list[str]:
    bad = []
    v = plan["verdict"]
    ans = v["answer"]

    def need(ok: bool, what: str) -> None:
        if not ok:
            bad.append(f"answer: {what!r} in {ans!r}")

    core = ans.split("In training, ")[-1]
    if ans.startswith("At inference nothing is dropped"):
        need(not now["any"] and train["any"], "inference drops nothing, training does")
    if ans.startswith("At inference every dropout mask is off"):
        need(now["other_masks"] and not (now["embedding_masked"] or now["input_masked"]), "only others at inference")
        need(_targets(ans.split("In training, ")[0].split("only ")[1]) == set(now["other_masks"]), "what still acts")
    if "nothing is dropped at all" in core:
        need(not train["any"] and not now["any"], "nothing at all")
    if core.lower().startswith("yes, in kind"):
        need(train["equivalent_dropout"] is not None, "same kind")
        need(f"({num(train['equivalent_dropout'])})" in core, "the equivalent rate")
        spatial = "SpatialDropout1D(" in core
        need(spatial == (train["steps"] > 1 and not train["embedding_per_step"]), "the kind named")
        need(("(one step," in core) == (train["steps"] == 1), "one step")
        if "(fresh at every step," in core:
            need(train["input_per_step"] and train["embedding_per_step"], "both per step")
        if "(the same at every step," in core:
            need(not train["input_per_step"] and not train["embedding_per_step"], "both constant")
    if "two different masks on the same vector" in core:
        need(train["embedding_masked"] and train["input_masked"], "both act")
        need(train["equivalent_dropout"] is None, "different kinds")
        m = re.search(r"on the same vector x\(t\) \(([^()]*)\)", core)
        how = m.group(1) if m else ""
        emb_how, _, lstm_how = how.partition("the LSTM's")
        if "drawn afresh at every step" in emb_how:
            need(train["embedding_per_step"] and not train["embedding_whole_steps"], "embedding per step")
        if "the same at every step" in emb_how:
            need(not train["embedding_per_step"] and train["embedding_dropped"], "embedding constant")
        if "drops whole words" in emb_how:  # "the Dropout layer's drops whole words"
            need(train["embedding_whole_steps"], "whole words")
        if "once per sequence" in lstm_how:
            need(not train["input_per_step"] and train["input_dropped"], "input per sequence")
        if "drawn afresh at every step" in lstm_how:
            need(train["input_per_step"], "input per step")
        if "one per gate" in lstm_how:
            need(train["input_per_gate"], "input per gate")
        if how:
            need(train["embedding_dropped"] and train["input_dropped"], "differences read off masks that drop")
    if "only the Dropout layer after the Embedding drops anything" in core:
        need(train["embedding_masked"] and _lstm_set(train) == set(), "only the embedding mask")
    if "the LSTM has no mask" in core:
        need(_lstm_set(train) == set(), "the LSTM has no mask")
    for marker in ("act on ", "act only on ", "the masks that act are on "):
        if marker not in core:
            continue
        tail = core.split(marker)[1]
        need(
            _targets(tail) == _lstm_set(train) - ({"input"} if "puts no mask on its input" in core else set()),
            "targets",
        )
    if "neither drops the input x(t)" in core:
        need(not train["embedding_masked"] and not train["input_masked"], "neither drops x(t)")
    if "no dropout after the Embedding" in core:
        need(not train["embedding_masked"], "no embedding dropout")
    for p in v["points"]:
        bad += gate_clauses(p["text"], train, p["key"])
        if (p["title"].endswith("(in training)")) != (now != train):
            bad.append(f"{p['key']}: '(in training)' only when the trace's masks are not training's")
    bad += compound_claims(v["points"][2]["text"], train, "compound")
    diff = v["difference"]
    if "yes: h moves" in diff:
        if not now["differs_from_no_dropout"]:
            bad.append(f"difference: says it differs: {diff!r}")
        m = re.search(r"by up to ([\d.e+-]+) and p is ([\d.e+-]+) instead of ([\d.e+-]+) without dropout", diff)
        got = m.groups() if m else None
        want = (num(now["max_abs_dh"]), num(now["probability"]), num(now["probability_without_dropout"]))
        if got != want:
            bad.append(f"difference numbers {got} != {want}")
    elif "yes: h is that of the model without dropout, but p is" in diff:
        if not now["differs_from_no_dropout"] or num(now["max_abs_dh"]) != "0":
            bad.append(f"difference: says h is unchanged and p is not: {diff!r}")
        m = re.search(r"but p is ([\d.e+-]+) instead of ([\d.e+-]+) without dropout", diff)
        got = m.groups() if m else None
        want = (num(now["probability"]), num(now["probability_without_dropout"]))
        if got != want:
            bad.append(f"difference numbers {got} != {want}")
    elif "Not to what the model computes" in diff:
        if now["differs_from_no_dropout"]:
            bad.append(f"difference: says nothing differs: {diff!r}")
    else:
        bad.append(f"difference: unread sentence {diff!r}")
    return bad


def compound_claims(text: str, f: dict, where: str) -> list[str]:
    bad = []
    if text.startswith("They compound"):
        if not (f["embedding_masked"] and f["input_masked"]):
            bad.append(f"{where}: compound without both masks: {text!r}")
        want = f"{num(f['embedding_keep'])} x {num(f['input_keep'])} = {num(f['keep'])}"
        if want not in text:
            bad.append(f"{where}: keep {want} not in {text!r}")
        if f"scaled by {num(1 / f['keep'])}" not in text:
            bad.append(f"{where}: scale {num(1 / f['keep'])} not in {text!r}")
        if ("one mask at rate" in text) != (f["equivalent_dropout"] is not None):
            bad.append(f"{where}: one mask at a rate: {text!r}")
    elif text.startswith("Only one mask drops x(t)"):
        if f["embedding_masked"] == f["input_masked"]:
            bad.append(f"{where}: only one: {text!r}")
        if f"probability {num(f['keep'])} " not in text:
            bad.append(f"{where}: keep {num(f['keep'])} not in {text!r}")
    elif text.startswith("No mask drops x(t)") and (f["embedding_masked"] or f["input_masked"]):
        bad.append(f"{where}: no mask on x(t): {text!r}")
    return bad


NOTE = r"(?:Here|In training,) (.*) puts a mask on (x_t|h_\{t-1\}): (one per gate|the same for all four gates)"


def check_plan(plan: dict, now: dict, train: dict) -> list[str]:
    bad = check_verdict(plan, now, train)
    for key, value in plan["facts"].items():
        if key not in now:
            continue
        want = now[key]
        if isinstance(want, float) and value is not None:
            ok = abs(value - want) <= 1e-5 * max(1.0, abs(want))
        elif isinstance(want, list):
            ok = list(value) == want
        else:
            ok = value == want
        if not ok:
            bad.append(f"facts.{key} = {value}, observed {want}")
    masks = plan["masks"]
    for name, key in (("embedding", "embedding_masked"), ("input", "input_masked"), ("recurrent", "recurrent_masked")):
        if masks[name]["active"] != now[key]:
            bad.append(f"masks.{name}.active = {masks[name]['active']}, observed {now[key]}")
        for note in masks[name]["notes"]:
            if note.startswith(("Here", "In training,")):
                bad += gate_clauses(note.replace("x_t", "x(t)").replace("h_{t-1}", "h(t-1)"), train, name)
    for name, kind in (
        ("candidate", "candidate"),
        ("weight_drop", "weight"),
        ("between", "between_layers"),
        ("gate_output", "gate_output"),
    ):
        if name in masks and masks[name]["active"] != (kind in now["other_masks"]):
            bad.append(f"masks.{name}.active = {masks[name]['active']}, observed {now['other_masks']}")
    if masks["output"]["active"] != ("output" in now["other_masks"]):
        bad.append("masks.output.active")
    if "gate_output" in masks:
        note = masks["gate_output"]["notes"][0]
        if "gate activations i, f, g, o is multiplied by" in note:
            k = train["gate_output_keep"]
            ok = "gate_output" in train["other_masks"]
            ok = ok and f"keeping {num(k)} and scaling the kept by {num(1 / k)}" in note
            ok = ok and ("its own mask" in note) == train["gate_output_per_gate"]
            ok = ok and ("fresh at every step" in note) == train["gate_output_per_step"]
            if not ok:
                bad.append(f"masks.gate_output note: {note!r}")
        elif "no mask acts on the gate outputs" in note and "gate_output" in train["other_masks"]:
            bad.append(f"masks.gate_output note: {note!r}")
    for note in masks["input"]["notes"][:1] + masks["recurrent"]["notes"][:1]:
        m = re.match(NOTE, note)
        if m:
            key = "input" if m.group(2) == "x_t" else "recurrent"
            if (m.group(3) == "one per gate") != train[f"{key}_per_gate"]:
                bad.append(f"{key} note sharing: {note!r}")
    eff = plan["effective"]
    if abs(eff["keep"] - now["keep"]) > 1e-6 or abs(eff["train_keep"] - train["keep"]) > 1e-6:
        bad.append(f"effective keep {eff['keep']}/{eff['train_keep']}, observed {now['keep']}/{train['keep']}")
    bad += compound_claims(eff["text"], now if now == train else train, "effective")
    if eff["text"].startswith("At inference no mask drops or rescales x(t)") and (
        now["embedding_masked"] or now["input_masked"]
    ):
        bad.append("effective: inference says no mask on x(t)")
    where, rates, *rest = plan["answer"]
    if where.startswith("The LSTM's masks act on "):
        if _targets(where.split(", before")[0]) != {k for k in ("input", "recurrent") if train[f"{k}_masked"]}:
            bad.append(f"answer: {where!r}")
    elif where.startswith("The LSTM puts no mask on x(t) or h(t-1)") and (
        train["input_masked"] or train["recurrent_masked"]
    ):
        bad.append(f"answer: {where!r}")
    after_gate = {"candidate", "gate_output"} & set(train["other_masks"])
    if ("none acts on the gate outputs" in where) == bool(after_gate):
        bad.append(f"answer, gate outputs: {where!r}")
    if ("masks act on the four gate outputs" in where) != ("gate_output" in train["other_masks"]):
        bad.append(f"answer, masks on the gate outputs: {where!r}")
    if "one per gate:" in where and not train["gate_output_per_gate"]:
        bad.append(f"answer, gate outputs per gate: {where!r}")
    if "split between the four gate outputs" in rates:
        k = train["gate_output_keep"]
        if "gate_output" not in train["other_masks"] or f"each mask keeps {num(k)} (rate {num(1 - k)})" not in rates:
            bad.append(f"answer, gate output rates: {rates!r}")
    if rates.startswith("No mask inside the cell uses") and (
        f"keeps {num(train['input_keep'])} " not in rates or train["embedding_keep"] == train["input_keep"]
    ):
        bad.append(f"answer, rates: {rates!r}")
    if rest and (now["embedding_masked"] or now["input_masked"] or now["recurrent_masked"]):
        bad.append(f"answer: {rest!r} while masks act")
    return bad


def _observed(s) -> tuple[dict, dict]:
    now = observe(s)
    return now, (now if s.train else observe(replace(s, phase="train")))


def run_grid(queries: list[str]) -> list[str]:
    bad = []
    for q in queries:
        s = parse(q)
        now, train = _observed(s)
        problems = check_plan(plan_json(s), now, train)
        bad += [f"{q}: {p}" for p in problems]
    return bad


GRID = grid()


@pytest.mark.parametrize("part", range(8))
def test_every_sentence_is_true_of_its_trace(part):
    """The whole grid, in eight parts (each a few seconds): no sentence claims what the arrays deny."""
    bad = run_grid(GRID[part::8])
    assert not bad, f"{len(bad)} false claims, e.g.:\n" + "\n".join(bad[:10])


def test_the_grid_is_the_whole_grid():
    assert len(GRID) == len(set(GRID)) > 5000
    presets = {re.search(r"preset=([\w-]+)", q).group(1) for q in GRID}
    assert presets == set(PRESETS)
    # every fact takes both values somewhere in the grid (the sentences are exercised both ways)
    seen: dict[str, set] = {}
    for q in GRID[::7]:
        for k, v in plan_json(parse(q))["facts"].items():
            if isinstance(v, bool):
                seen.setdefault(k, set()).add(v)
    assert all(v == {True, False} for v in seen.values()), seen


_WHERE = verdict_mod._where


def _mutant_where(train, names):
    """_where with the per-gate condition dropped: every input mask said to be per gate."""
    return _WHERE(replace(train, input_per_gate=train.input_masked), names)


def test_a_template_that_drops_a_condition_is_caught(monkeypatch):
    sample = [q for q in GRID if "preset=keras3&" in q and "layers=1" in q]
    assert not run_grid(sample)
    monkeypatch.setattr(verdict_mod, "_where", _mutant_where)
    bad = run_grid(sample)
    assert bad and all("per gate" in b for b in bad), bad[:3]


def test_a_verdict_without_the_nothing_acts_case_is_caught(monkeypatch):
    """Item 1 of the issue as a mutant: the answer's first template without its condition."""
    original = verdict_mod.answer

    def mutant(now, train, names):
        return original(now, replace(train, embedding_masked=True), names)

    monkeypatch.setattr(explain, "verdict", verdict_mod.verdict)
    monkeypatch.setattr(verdict_mod, "answer", mutant)
    bad = run_grid([f"{SMALL}&dropout=0&emb_dropout=0&recurrent_dropout=0"])
    assert bad, "a false answer went through"


# --- the preset summaries (/api/presets) are measured too --------------------------------------------------


@pytest.mark.parametrize("preset", sorted(PRESETS))
def test_preset_summaries_are_the_measured_sentences(preset):
    summary = preset_summary(preset)
    assert summary["summary"].startswith(PRESETS[preset].lead)
    for (when, rates, layers), resolved in zip(cases(preset), summary["resolves"], strict=True):
        f = case_facts(preset, rates, layers)
        assert sentence(when, f) in summary["summary"]
        assert (resolved["masks"]["input"] == "none") == (not f.input_masked)
        assert (resolved["masks"]["recurrent"] == "none") == (not f.recurrent_masked)
        if f.input_masked:
            assert ("one mask per gate" in resolved["masks"]["input"]) == f.input_per_gate
            assert ("fresh at every step" in resolved["masks"]["input"]) == f.input_per_step
        assert set(resolved["masks"]) - {"input", "recurrent"} == set(f.other_masks)


# --- the examples, each a regression test (default model: trained weights, the default sentence) --


def plan(query: str) -> dict:
    return plan_json(parse(query))


def all_text(p: dict) -> str:
    v = p["verdict"]
    parts = [v["answer"], *(x["text"] for x in v["points"]), v["difference"], p["effective"]["text"], *p["answer"]]
    parts += [p["summary"], *p["notes"], *v["details"]]
    for entry in p["masks"].values():
        parts += entry["notes"]
    return " ".join(parts)


def test_1_no_mask_at_all():
    p = plan("dropout=0&emb_dropout=0&recurrent_dropout=0")
    assert p["verdict"]["answer"] == "Here nothing is dropped at all: no mask acts, in training or at inference."
    assert "Only one" not in all_text(p) and "masks that act" not in all_text(p)
    assert not p["facts"]["differs_from_no_dropout"]


def test_2_recurrent_only_drops_no_input():
    p = plan("dropout=0&emb_dropout=0")
    assert "neither drops the input x(t)" in p["verdict"]["answer"] and "h(t-1)" in p["verdict"]["answer"]
    assert p["verdict"]["points"][2]["text"].startswith("No mask drops x(t)")
    assert "Only one" not in all_text(p)


@pytest.mark.parametrize(
    ("query", "names"),
    [
        ("preset=awd&recurrent_dropout=0&dropout=0&emb_dropout=0&weight_drop=0.5", "the recurrent weights"),
        ("preset=semeniuta&recurrent_dropout=0&dropout=0&emb_dropout=0&candidate_dropout=0.5", "the candidate g"),
        ("preset=custom&recurrent_dropout=0&dropout=0&emb_dropout=0&zoneout_h=0.5", "c or h (zoneout)"),
    ],
)
def test_3_other_masks_are_named_and_change_p(query, names):
    p = plan(query)
    assert names in p["verdict"]["answer"] and "the LSTM has no mask" not in p["verdict"]["answer"]
    assert "Nothing is redrawn" not in p["verdict"]["points"][1]["text"]
    assert p["facts"]["differs_from_no_dropout"]
    assert p["facts"]["probability"] != p["facts"]["probability_without_dropout"]


def test_4_no_difference_when_the_trace_is_the_same():
    p = plan("preset=pytorch&recurrent_dropout=0&emb_dropout=0")
    assert p["facts"]["max_abs_dh"] == 0 and not p["facts"]["differs_from_no_dropout"]
    assert p["verdict"]["difference"].startswith("Will it make any difference? Not to what the model computes")


def test_5_tfkeras2_without_recurrent_dropout_is_one_dropout():
    p = plan("preset=tfkeras2&recurrent_dropout=0")
    assert p["facts"]["equivalent_dropout"] == 0.625
    assert p["verdict"]["answer"].startswith("Yes, in kind") and "Dropout(0.625)" in p["verdict"]["answer"]
    assert "0.75 x 0.5 = 0.375" in p["verdict"]["points"][2]["text"] and "2.667" in p["verdict"]["points"][2]["text"]
    assert "inside the cell" not in p["verdict"]["points"][0]["text"]


def test_6_four_input_and_four_recurrent_masks_not_four_per_gate():
    text = all_text(plan(""))
    assert "four masks per gate" not in text
    assert "four input masks and four recurrent masks, one per gate" in text


def test_8_tfkeras2_unroll_is_not_said_fresh():
    summary = plan("preset=tfkeras2&recurrent_dropout=0")["summary"]
    assert "unroll=True TF 2.15.1 keeps one input mask over time" in summary
    assert not re.search(r"unroll=True\)?[^.]*fresh", summary)


def test_9_semeniutas_candidate_mask_acts_on_g_only():
    presets = {p: preset_summary(p) for p in ("semeniuta",)}
    (case,) = presets["semeniuta"]["resolves"]
    assert case["masks"]["candidate"].startswith("a mask on the candidate g only")
    assert "shared by the four gates" not in case["masks"]["candidate"]


def test_10_training_false_is_a_version_split():
    text = " ".join(plan("")["notes"])
    assert "Keras 3.9 and later draw the masks but do not apply them (checked on 3.15.1;" in text
    assert "Keras 3.4.0 to 3.8.x applied the input mask at inference" in text and "PR #20983" in text


def test_11_zoneout_acts_at_inference():
    p = plan("preset=custom&zoneout_c=0.3&zoneout_h=0.3&phase=infer")
    assert list(p["facts"]["other_masks"]) == ["zoneout"] and p["facts"]["differs_from_no_dropout"]
    assert "every mask keeps everything" not in all_text(p)
    assert "zoneout still acts" in " ".join(p["notes"])
    assert p["verdict"]["answer"].startswith(
        "At inference every dropout mask is off; only zoneout (on c or h) still acts"
    )


def test_the_mask_notes_are_read_back():
    """The grid's reader of the mask notes matches what the notes say (else it would check nothing)."""
    for query in ("", "phase=infer", "recurrent_dropout=0"):
        p = plan(query)
        assert re.match(NOTE, p["masks"]["input"]["notes"][0]), p["masks"]["input"]["notes"][0]


def test_facts_are_the_contracts_names():
    assert set(plan("")["facts"]) >= {
        "embedding_masked",
        "input_masked",
        "recurrent_masked",
        "other_masks",
        "input_per_gate",
        "input_per_step",
        "recurrent_per_gate",
        "recurrent_per_step",
        "embedding_per_step",
        "differs_from_no_dropout",
        "keep",
        "scale",
        "equivalent_dropout",
    }


def test_a_fact_whose_mask_is_off_in_this_phase_is_false():
    f = plan("phase=infer")["facts"]
    assert not any(f[k] for k in ("embedding_masked", "input_masked", "recurrent_masked", "input_per_gate"))
    assert f["keep"] == 1.0 and f["scale"] == 1.0 and f["equivalent_dropout"] is None
    assert plan("phase=infer")["facts_in_training"]["input_per_gate"]


def test_facts_follow_the_arrays_not_the_fields():
    """One step: no mask can change over time, whatever the preset says about timing."""
    f = plan("preset=tfkeras2&recurrent_dropout=0&tokens=5")["facts"]
    assert f["input_masked"] and not f["input_per_step"] and not f["embedding_per_step"]
    assert model.RunSpec  # the engine is what the facts were read from
