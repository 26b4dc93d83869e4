"""Response models: what the OpenAPI schema promises (tests/api fuzzes against it). Large
responses are built as JSON directly (app/trace.py); these models document them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ProblemModel(BaseModel):
    field: str = Field(description="The query parameter at fault.")
    value: str = Field(description="The value given (cut to 80 characters).")
    allowed: str = Field(description="What the field accepts.")
    message: str = Field(description="A sentence a student understands.")


class ErrorBody(BaseModel):
    detail: str
    problems: list[ProblemModel]


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
    source: str
    notes: list[str]


class Effective(BaseModel):
    keep: float = Field(description="Probability that an embedding element reaches a gate.")
    scale: float
    text: str


class Plan(BaseModel):
    preset: str
    title: str
    versions: str
    source: str
    summary: str
    masks: dict[str, MaskPlan]
    effective: Effective
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


class TraceModel(BaseModel):
    version: Literal[1]
    state: str = Field(description="The canonical query string.")
    config: dict[str, Any]
    plan: Plan
    tokens: list[Token]
    embedding: EmbeddingTrace
    layers: list[LayerTrace]
    output: Output


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


class CodeModel(BaseModel):
    state: str
    keras3: str
    tfkeras2: str
    pytorch: str
    notes: list[str]


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
