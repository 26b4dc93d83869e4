"""Every fact a lesson states, with the test that proves it (run in CI with the rest).

A step names the claims its text makes; a claim without a test cannot be named (lessons fail to
load), and tests/lessons/test_lessons.py checks that every test named here exists. Tests against
the frameworks themselves live in tests/parity (Keras 3, tf.keras 2, PyTorch); engine tests check
what our presets draw.
"""

from __future__ import annotations

from dataclasses import dataclass

K3, TF2, PT = "Keras 3.15.1 (torch backend)", "TF 2.15.1 (Keras 2.15)", "PyTorch 2.13.0"
ENGINE = "this app's engine (no framework runs in the test)"


@dataclass(frozen=True)
class Claim:
    statement: str
    test: str  # path::function
    checked: str  # what the test runs against: framework versions, or the engine; wider ranges are "read from source"


LIVE = "tests/parity/test_live.py::"
TF = "tests/parity/test_tfkeras2.py::"
OWN = "tests/lessons/test_claims.py::"
SEMANTICS = "tests/engine/test_semantics.py::"

CLAIMS: dict[str, Claim] = {
    "emb-dropout-on-embedding-output": Claim(
        "Dropout after the Embedding multiplies the embedding output before the LSTM: the LSTM receives e_t * m_t.",
        OWN + "test_embedding_dropout_acts_on_the_embedding_output",
        ENGINE,
    ),
    "lstm-masks-before-gate-weights": Claim(
        "The LSTM's masks multiply x(t) and h(t-1) before each gate's weights: z = (x*m) W + (h*r) U + b gives "
        "Keras 3's numbers with the same masks.",
        LIVE + "test_keras3_matches_every_step",
        K3,
    ),
    "keras-dropout-fresh-per-step": Claim(
        "Keras Dropout after an Embedding draws a fresh mask for every step and feature; SpatialDropout1D keeps "
        "one over time. Kept values are scaled by 1/(1 - rate).",
        LIVE + "test_keras_embedding_dropout_semantics",
        K3,
    ),
    "keras3-masks-once-per-call": Claim(
        "Keras 3's LSTM draws each mask once per call and reuses it at every step; with recurrent_dropout > 0 "
        "its four gate masks differ.",
        LIVE + "test_keras3_draws_masks_once_per_call",
        K3 + "; Keras 3.8 to 3.14 read from source (keras/src/layers/rnn/dropout_rnn_cell.py)",
    ),
    "keras3-four-masks-when-recurrent": Claim(
        "Keras 3.15 uses four per-gate masks exactly when recurrent_dropout > 0, one shared mask otherwise.",
        LIVE + "test_keras3_mask_count_matches_preset",
        K3 + "; 3.8.0 and later read from source (PR #20663)",
    ),
    "compound-keep": Claim(
        "With Dropout(0.25) and dropout=0.5 an embedding element reaches a gate with probability 0.375 and is "
        "then scaled by 2.667.",
        OWN + "test_the_two_dropouts_compound",
        ENGINE,
    ),
    "no-mask-uses-emb-rate": Claim(
        "Every LSTM mask is drawn at the LSTM's own rate: none uses the rate of the Dropout layer.",
        OWN + "test_lstm_masks_use_their_own_rate",
        ENGINE,
    ),
    "keras3-legacy-shared": Claim(
        "Keras 3.0 to 3.7 (preset keras3-legacy) share one input mask and one recurrent mask between the gates, "
        "each the same at every step.",
        SEMANTICS + "test_sharing_timing_absence",
        "read from source: keras/src/layers/rnn/lstm.py in Keras 3.0 to 3.7; " + ENGINE,
    ),
    "tfkeras2-default-path": Claim(
        "tf.keras 2 with recurrent_dropout = 0 multiplies the whole (batch, time, features) input by one mask, "
        "fresh at every step: exactly Dropout before the LSTM.",
        TF + "test_default_path_masks_every_step",
        TF2,
    ),
    "tfkeras2-unroll-one-mask": Claim(
        "tf.keras 2 with unroll=True and recurrent_dropout = 0 draws one (batch, features) input mask for the whole "
        "sequence, in model.fit and in an eager call alike.",
        TF + "test_unroll_true_keeps_one_input_mask_at_recurrent_dropout_0",
        TF2,
    ),
    "tfkeras2-four-masks": Claim(
        "tf.keras 2 with recurrent_dropout > 0 takes implementation 1 and four distinct masks, one per gate.",
        TF + "test_recurrent_dropout_takes_implementation_1_with_four_distinct_masks",
        TF2,
    ),
    "tfkeras2-fit-redraws": Claim(
        "Inside model.fit (TF 2.15.1, unroll=False) tf.keras 2 re-draws those four masks at every step.",
        TF + "test_model_fit_redraws_the_cell_masks_at_every_step",
        TF2,
    ),
    "keras3-inference-masks-unused": Claim(
        "With training=False Keras 3 still draws the LSTM's masks but applies none: the output is that of the same "
        "layer without dropout. (Keras 3.4.0 to 3.8.x applied the input mask at inference on the TensorFlow "
        "backend's GPU fast path, fixed in 3.9.0 by PR #20983: read from source.)",
        LIVE + "test_keras3_draws_masks_at_inference_but_does_not_apply_them",
        K3 + "; 3.4.0 to 3.8.x read from source (keras/src/layers/rnn/lstm.py)",
    ),
    "recurrent-masks-on-h": Claim(
        "recurrent_dropout masks h(t-1), with four different masks in Keras 3 (one per gate).",
        SEMANTICS + "test_keras3_four_masks_really_differ",
        ENGINE,
    ),
    "recurrent-dropout-skips-fused-kernel": Claim(
        "With recurrent_dropout > 0 Keras 3 never calls its fused (cuDNN) LSTM kernel, and refuses use_cudnn=True.",
        OWN + "test_recurrent_dropout_skips_the_fused_kernel",
        K3,
    ),
    "masks-block-gradients": Claim(
        "A dropped element gets exactly zero gradient: a mask blocks the backward pass as it blocks the forward.",
        "tests/web/api/test_grads.py::test_grads_are_the_engines_and_masks_block_the_backward_pass",
        ENGINE,
    ),
    "pytorch-one-layer-nothing": Claim(
        "nn.LSTM(dropout=p) with one layer drops nothing, and PyTorch warns about it.",
        LIVE + "test_pytorch_single_layer_warning_text",
        PT,
    ),
    "pytorch-between-layers": Claim(
        "nn.LSTM(dropout=p) is standard dropout on the output of every layer but the last, fresh per element.",
        LIVE + "test_nn_lstm_dropout_is_dropout_on_each_layer_output_but_the_last",
        PT,
    ),
    "pytorch-no-recurrent-dropout": Claim(
        "nn.LSTM has no recurrent dropout argument.",
        OWN + "test_nn_lstm_has_no_recurrent_dropout",
        PT,
    ),
    "lab-configurations": Claim(
        "The lab's configurations switch exactly the dropouts they name, on the same weights, data and seeds.",
        "tests/link/test_lab_query.py::test_configurations_switch_the_right_dropouts",
        ENGINE,
    ),
    "lab-seeds-paired": Claim(
        "Seed k trains every model of the lab with the same data, initial weights and mask seed (data_seed + k, "
        "init_seed + k, seed + k): the runs of a seed differ only in their dropout.",
        "tests/lab/test_study.py::test_seed_k_moves_all_three_seeds_and_nothing_else",
        ENGINE,
    ),
    "lab-interval": Claim(
        "The lab names a difference only when the 95% paired t interval of the per-seed differences excludes 0.",
        "tests/lab/test_compare.py::test_verdict_follows_the_interval_on_a_grid",
        ENGINE,
    ),
    "recorded-seed-answer": Claim(
        "In the recorded study 'seed' (5 paired seeds), both against the LSTM's dropout only has an interval "
        "that includes 0: no clear difference.",
        "tests/studies/test_recorded.py::test_what_the_lessons_say_of_the_recorded_studies",
        ENGINE,
    ),
    "recorded-context-answer": Claim(
        "In the recorded study 'seed-context', the LSTM's dropout only beats no dropout (interval excludes 0); "
        "embedding dropout only against no dropout has an interval that includes 0.",
        "tests/studies/test_recorded.py::test_what_the_lessons_say_of_the_recorded_studies",
        ENGINE,
    ),
    "recorded-timing-answer": Claim(
        "In the recorded study 'recurrent-timing', the recurrent mask kept for the sequence beats the mask "
        "redrawn at every step (interval excludes 0); per-step against no dropout includes 0.",
        "tests/studies/test_recorded.py::test_what_the_lessons_say_of_the_recorded_studies",
        ENGINE,
    ),
    "defaults-overfit": Claim(
        "With 40 epochs of 1,000 sentences (the lab's defaults before state version 3) the model without dropout "
        "learns its flipped training labels and validates worse; the seed's dropout validates better.",
        "tests/engine/test_train.py::test_defaults_overfit_without_dropout_and_dropout_helps",
        ENGINE,
    ),
    "inference-no-masks": Claim(
        "At inference nothing is dropped: the numbers are those of the same model without dropout.",
        SEMANTICS + "test_inference_equals_no_dropout",
        ENGINE,
    ),
    "mc-dropout-spread": Claim(
        "Monte Carlo dropout runs one input under many mask draws: the output spreads in training mode, and every "
        "draw is the same at inference.",
        OWN + "test_monte_carlo_spreads_only_in_training",
        ENGINE,
    ),
    "gal-per-sequence": Claim(
        "Gal's variational dropout keeps its masks for the whole sequence, on x(t) and h(t-1): one shared (tied) or "
        "one per gate (untied).",
        SEMANTICS + "test_sharing_timing_absence",
        "read from source: arXiv 1512.05287, section 4; " + ENGINE,
    ),
    "zaremba-non-recurrent": Claim(
        "Zaremba et al. drop only the non-recurrent connections (the layer input), fresh at every step.",
        SEMANTICS + "test_sharing_timing_absence",
        "read from source: arXiv 1409.2329; " + ENGINE,
    ),
    "forum-hypothetical-scheme": Claim(
        "The forum answer's picture (preset forum, hypothetical: no framework or paper does it) leaves x(t) "
        "unmasked and multiplies each gate's output i, f, g, o by its own mask at rate dropout / 2, fresh at "
        "every step; on the same weights, sentence and mask seed its output p differs from Keras 3's.",
        OWN + "test_the_forum_scheme_masks_the_gate_outputs",
        ENGINE,
    ),
    "semeniuta-candidate": Claim(
        "Semeniuta et al. drop only the candidate g, fresh at every step; the memory c is never dropped.",
        SEMANTICS + "test_semeniuta_candidate_and_custom_zoneout_weight_drop",
        "read from source: arXiv 1603.05118, section 3; " + ENGINE,
    ),
    "zoneout-keeps-previous": Claim(
        "Zoneout does not zero a unit: it keeps the unit's previous value.",
        OWN + "test_zoneout_keeps_previous_values",
        "read from source: arXiv 1606.01305; " + ENGINE,
    ),
    "awd-weight-drop": Claim(
        "AWD-LSTM's weight-drop zeroes recurrent weights once per pass: the same weights are missing at every step.",
        OWN + "test_weight_drop_is_one_mask_per_pass",
        "read from source: salesforce/awd-lstm-lm weight_drop.py; " + ENGINE,
    ),
    "awd-fused-kernel": Claim(
        "Weight-drop runs in the fused LSTM: torch.nn.LSTM with the masked recurrent weights gives the "
        "weight-dropped numbers.",
        OWN + "test_weight_drop_runs_in_the_fused_lstm",
        PT,
    ),
    "word-dropout-whole-words": Claim(
        "Word dropout drops every occurrence of a word type, as AWD-LSTM's embedded_dropout does.",
        LIVE + "test_word_dropout_matches_awd_embedded_dropout",
        PT + " (salesforce/awd-lstm-lm embedded_dropout, re-implemented in the test)",
    ),
}
