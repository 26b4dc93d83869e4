"""Response models: what the OpenAPI schema promises (tests/api fuzzes against it). Large
responses are built as JSON directly (app/documents/trace.py); these models document them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ProblemModel(BaseModel):
    field: str = Field(description="The query parameter at fault.")
    value: str = Field(description="The value given (cut to 80 characters).")
    allowed: str = Field(description="What the field accepts.")
    message: str = Field(description="A sentence a student understands.")
    fallback: str | None = Field(None, description="A value that makes the rest of the link work (null: the default).")


class ErrorBody(BaseModel):
    detail: str = Field(description="The problems' sentences, the first 20 of them (at most 16 KB in all).")
    problems: list[ProblemModel] = Field(description="The first problems (at most 20), each naming its field.")
    more: int = Field(0, ge=0, description="How many more problems the request has beyond those listed.")


class TypedArray(BaseModel):
    """A Plotly typed array, as plotly.py writes numpy arrays; plotly.js reads it directly."""

    dtype: Literal["f4", "u1", "i4"]
    bdata: str = Field(description="base64 of the little-endian bytes")
    shape: str | None = Field(None, description='"T, H" for arrays of two or more dimensions')


class MaskPlan(BaseModel):
    active: bool
    rate: float
    sharing: str = Field(description="shared, gate, element, feature, word, weight or none")
    timing: str = Field(description="sequence, step, pass or none")
    words: str = Field(description="Sharing and timing in words, e.g. 'one mask per gate, the same at every step'.")
    source: str
    notes: list[str]


class Effective(BaseModel):
    keep: float = Field(description="Probability that an embedding element reaches a gate (1 at inference).")
    scale: float
    train_keep: float = Field(description="The same probability in training, whatever the phase.")
    text: str


class VerdictPoint(BaseModel):
    key: str = Field(description="where, when or compound")
    title: str
    text: str


class Verdict(BaseModel):
    answer: str = Field(description="The plain answer to the seed question for this state.")
    points: list[VerdictPoint]
    difference: str = Field(description="What the page shows about 'will it make any difference?'.")
    details: list[str] = Field(description="The framework details behind the answer (jargon).")


class Facts(BaseModel):
    """What the trace's own arrays show (app/engine/facts.py); every sentence of the plan is a template
    over these. A fact whose mask is off in this phase is false."""

    embedding_masked: bool = Field(description="The mask on the embedding output acts (drops or scales).")
    input_masked: bool = Field(description="The first layer's mask on x(t) acts.")
    recurrent_masked: bool = Field(description="The first layer's mask on h(t-1) acts.")
    other_masks: list[Literal["candidate", "zoneout", "weight", "between_layers", "output", "gate_output"]] = Field(
        description="The other mask kinds that act, in any layer."
    )
    input_per_gate: bool = Field(description="The four gates' input masks are not all the same.")
    input_per_step: bool = Field(description="The input mask changes over time.")
    recurrent_per_gate: bool
    recurrent_per_step: bool
    embedding_per_step: bool = Field(description="The embedding mask changes over time.")
    differs_from_no_dropout: bool = Field(description="The output or some h differs from every rate 0.")
    keep: float = Field(description="Probability that an embedding element reaches gate i at step 0.")
    scale: float = Field(description="Its multiplier when it does.")
    equivalent_dropout: float | None = Field(
        description="The rate of the one mask the embedding and input masks act as, when they are of one kind."
    )
    embedding_whole_steps: bool = Field(description="Every step of e(t) is kept or dropped whole.")
    embedding_keep: float
    input_keep: float
    other_per_step: list[str] = Field(description="The other masks that change over time.")
    gate_output_per_gate: bool = Field(description="The masks on the gate outputs differ between the four gates.")
    gate_output_keep: float = Field(description="Keep probability of a mask on a gate output (1 when none acts).")
    probability: float
    probability_without_dropout: float
    max_abs_dh: float = Field(description="Largest |h - h without dropout| over layers, steps and units.")


class Plan(BaseModel):
    preset: str
    title: str
    versions: str
    source: str
    summary: str
    facts: Facts
    facts_in_training: Facts = Field(description="The facts of the same state in training.")
    masks: dict[str, MaskPlan]
    effective: Effective
    answer: list[str] = Field(description="Where the LSTM's masks act and at which rates, for this state, in words.")
    verdict: Verdict
    notes: list[str]


class Token(BaseModel):
    id: int
    word: str


class EmbeddingTrace(BaseModel):
    x: TypedArray
    mask: TypedArray
    mask_scale: float


class Gates(BaseModel):
    i: TypedArray
    f: TypedArray
    g: TypedArray
    o: TypedArray


class LayerTrace(BaseModel):
    x: TypedArray
    masks: dict[str, TypedArray | float] = Field(description="NAME: keep-bits, NAME_scale: multiplier of kept")
    gates: Gates
    c: TypedArray
    h: TypedArray


class Output(BaseModel):
    logit: float
    probability: float
    mask: TypedArray = Field(description="Keep-bits (H,) of the dropout on the last h before Dense (all 1 when off).")
    mask_scale: float


class TraceModel(BaseModel):
    version: Literal[1]
    state: str = Field(description="The canonical query string.")
    config: dict[str, Any]
    plan: Plan
    tokens: list[Token]
    embedding: EmbeddingTrace
    layers: list[LayerTrace]
    output: Output
    unknown_words: list[str] = Field(description="Words of the text that are not in the vocabulary (<unk>).")


class LayerWeights(BaseModel):
    kernel: TypedArray
    recurrent_kernel: TypedArray
    bias: TypedArray


class WeightsModel(BaseModel):
    version: Literal[1]
    state: str
    embedding: TypedArray
    layers: list[LayerWeights]
    dense_kernel: TypedArray
    dense_bias: TypedArray


class StateModel(BaseModel):
    version: Literal[1]
    state: str
    link: str = Field(description="The explorer path of this state.")
    config: dict[str, Any]
    plan: Plan
    tokens: list[Token]
    unknown_words: list[str]


class Spread(BaseModel):
    mean: TypedArray
    std: TypedArray


class MCLayer(BaseModel):
    h: Spread
    gates: dict[str, Spread]


class MCModel(BaseModel):
    version: Literal[1]
    state: str
    samples: int
    seeds: list[int]
    probability: list[float]
    probability_mean: float
    probability_std: float
    layers: list[MCLayer]
    notes: list[str]


class BusyBody(BaseModel):
    detail: str
    retry_after: int = Field(
        description="Seconds until a lab worker or compute thread is likely to be free (also the Retry-After header)."
    )


class UnavailableBody(BaseModel):
    detail: str = Field(description="Why the lab cannot train now, and what keeps working.")


class LayerGradsThroughTime(BaseModel):
    dh_norm: TypedArray = Field(description="(T,) the norm over units of dL/dh_t.")
    dc_norm: TypedArray = Field(description="(T,) the norm over units of dL/dc_t.")


class EmbeddingGrads(BaseModel):
    grad: TypedArray = Field(description="(T, E) dL/de_t of the embedding output; 0 where dropped.")
    norm: TypedArray = Field(description="(T,) its norm at each step.")


class ThroughTime(BaseModel):
    loss: float
    probability: float
    layers: list[LayerGradsThroughTime]
    embedding: EmbeddingGrads


class GradsModel(ThroughTime):
    version: Literal[1]
    state: str
    label: int
    rule_label: int = Field(description="The toy task's label of the sentence (1 without a sentiment word).")
    without_dropout: ThroughTime = Field(description="The same sequence, weights and label with every rate at 0.")
    notes: list[str]


class CodeFidelity(BaseModel):
    exact: bool = Field(description="The framework's built-in layers alone do exactly what the plan says.")
    custom: list[str] = Field(
        description="The custom layers the code defines instead (MaskedLSTM, WordDropout, embedded_dropout); "
        "empty when exact."
    )
    how: str = Field(description="Which of the two, and why, in one sentence.")


class CodeFidelities(BaseModel):
    keras3: CodeFidelity
    tfkeras2: CodeFidelity
    pytorch: CodeFidelity


class CodeModel(BaseModel):
    state: str
    keras3: str
    tfkeras2: str
    pytorch: str
    notes: list[str]
    fidelity: CodeFidelities = Field(description="Per framework: built-in layers, or the custom layers given.")


class PresetMasks(BaseModel):
    when: str
    masks: dict[str, str]


class PresetModel(BaseModel):
    name: str
    title: str
    versions: str
    source: str
    summary: str
    knobs: list[str]
    resolves: list[PresetMasks]


class PresetsModel(BaseModel):
    presets: list[PresetModel]


class Health(BaseModel):
    status: Literal["ok"]
    version: str
    code: str = Field(description="The code version (app/code_version.py), also at the start of every ETag.")


class CodeNote(BaseModel):
    line: int = Field(ge=0, description="The line of the pasted code (1-based); 0: the code or the model as a whole.")
    message: str = Field(description="What was mapped with a choice or a change (a clamp, a default) to see.")


class CodeReason(BaseModel):
    line: int = Field(ge=0, description="The line of the pasted code (1-based); 0: the code as a whole.")
    code: str = Field(description="That line's text (empty for the code as a whole).")
    message: str = Field(description="Why the lab cannot show it, in a sentence a student understands.")


class CodeMapped(BaseModel):
    line: int = Field(ge=0, description="A line of the pasted code that set fields of the model.")
    code: str = Field(description="That line's text.")
    fields: dict[str, Any] = Field(description='What it set, e.g. {"vocab": 64, "emb": 64}.')


class ModelReadModel(BaseModel):
    role: Literal["A", "B"] = Field(description="A: the page's model; B: the one compared (of two, the first written).")
    framework: str = Field(description="The preset it is read as (app/engine/semantics.py).")
    # as read (before the state's clamps): null where the code does not state a number the lab reads
    vocab: int | None
    emb: int | None
    length: int | None
    emb_dropout: float | None
    emb_mode: str | None
    dropout: float | None
    recurrent_dropout: float | None
    layers: int | None
    units: int | None
    out_dropout: float | None
    first_line: int
    last_line: int
    mapping: list[CodeMapped]
    notes: list[CodeNote]
    reasons: list[CodeReason]


class CodeAlternative(BaseModel):
    preset: str = Field(description="Another version of the framework the code may be written for.")
    title: str
    link: str = Field(description="The same models read as that version: the canonical link to open.")


class FromCodeModel(BaseModel):
    ok: bool = Field(description="Whether the code opens a state (link is set) or not (reasons say why).")
    link: str | None = Field(description="The canonical link to open (a compare link with two models), else null.")
    a: str | None = Field(description="Model A's canonical state.")
    b: str | None = Field(description="Model B's canonical state (two models that differ), else null.")
    models: list[ModelReadModel] = Field(description="The models read, in the order written, each with its role.")
    notes: list[CodeNote]
    reasons: list[CodeReason] = Field(description="Why no state opens, line by line (empty when ok).")
    alternatives: list[CodeAlternative] = Field(
        [], description="Keras code that names no version: the links of the other Keras versions' readings."
    )
