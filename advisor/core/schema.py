"""The shape of the knowledge YAML files, as frozen pydantic models.

Every model forbids unknown keys, so a misspelt key is an error with a
"did you mean" rather than a silently ignored value. ``None`` means unknown:
an unknown price is never $0, an unknown speed is never assumed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Slug = str


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


# --------------------------------------------------------------------------- ratings

RatingLevel = Literal["best", "excellent", "good", "moderate", "limited", "none", "unrated"]

#: numeric value of each rating level; ``unrated`` has none on purpose.
RATING_VALUE: dict[str, int] = {
    "best": 5,
    "excellent": 4,
    "good": 3,
    "moderate": 2,
    "limited": 1,
    "none": 0,
}
RATING_MAX = 5

DIMENSIONS: tuple[str, ...] = (
    "instruction_following",
    "structured_output",
    "long_context",
    "fine_tunability",
    "self_hosting",
    "cost_at_volume",
    "agentic_tool_use",
    "hallucination_calibration",
    "coding",
)

DIMENSION_LABELS: dict[str, str] = {
    "instruction_following": "Instruction following",
    "structured_output": "Structured output",
    "long_context": "Long-context faithfulness",
    "fine_tunability": "Fine-tunability",
    "self_hosting": "Self-hosting",
    "cost_at_volume": "Cost at volume",
    "agentic_tool_use": "Agentic tool use",
    "hallucination_calibration": "Hallucination calibration",
    "coding": "Code editing",
}


class Ratings(Frozen):
    """Capability-matrix ratings. ``unrated`` where no source rates the model."""

    instruction_following: RatingLevel = "unrated"
    structured_output: RatingLevel = "unrated"
    long_context: RatingLevel = "unrated"
    fine_tunability: RatingLevel = "unrated"
    self_hosting: RatingLevel = "unrated"
    cost_at_volume: RatingLevel = "unrated"
    agentic_tool_use: RatingLevel = "unrated"
    hallucination_calibration: RatingLevel = "unrated"
    coding: RatingLevel = "unrated"
    source: str | None = None

    def level(self, dimension: str) -> str:
        return getattr(self, dimension)

    def rated(self) -> dict[str, str]:
        return {d: self.level(d) for d in DIMENSIONS if self.level(d) != "unrated"}


class EvidenceClaim(Frozen):
    """One source's claim about one model on one capability-matrix dimension.

    A rating is only as good as its source: every claim names where it comes
    from, its date, the raw figure behind it and what that figure measures
    (Vectara's HHEM measures unsupported claims in summaries of a given
    document, not calibration in general). Claims live in
    ``knowledge/evidence/*.yaml`` (written by ``tools/import_evidence.py``),
    in a user's kept bake-off evidence, and the guides' capability matrix
    (``ModelSpec.ratings``) is read as one more source.
    """

    model: Slug
    dimension: str
    level: Literal["best", "excellent", "good", "moderate", "limited", "none"]  # "none": cannot (matrix: self-hosting a closed model)
    source: str  # short citation: "Vectara HHEM leaderboard", "seed-000 capability matrix"
    as_of: date | None = None  # None: the source gives no date (said so wherever shown)
    metric: str | None = None  # what the figure is: "grounded hallucination rate (HHEM-2.3)"
    value: Decimal | None = None  # the raw figure, in ``unit``
    unit: str | None = None  # "%", "tokens"
    measures: str | None = None  # what the benchmark measures, in a sentence
    url: str | None = None
    kind: Literal["matrix", "benchmark", "bake_off"] = "benchmark"
    # the run's setting where a source has several for one model ("32k thinking",
    # "reasoning effort: low", "snapshot 2024-08-06"): each setting is its own claim
    setting: str | None = None
    # how the figure is named where shown ("grounded hallucination"); None: the dimension's label
    label: str | None = None
    # set only by advisor (never in an evidence file): this claim is about the model's
    # predecessor in the same line, carried to a successor that has no claim of its own
    # on a dimension where successors have not been worse (knowledge/scoring.yaml lineage)
    inherited_from: Slug | None = None

    @field_validator("dimension")
    @classmethod
    def _known_dimension(cls, value: str) -> str:
        if value not in DIMENSIONS:
            raise ValueError(f"unknown dimension '{value}'; known: {', '.join(DIMENSIONS)}")
        return value


EVIDENCE_KINDS: tuple[str, ...] = ("bake_off", "benchmark", "matrix")


class EvidenceDefaults(Frozen):
    """What the claims of one evidence file share, written once."""

    source: str | None = None
    as_of: date | None = None
    metric: str | None = None
    value: Decimal | None = None
    unit: str | None = None
    measures: str | None = None
    url: str | None = None
    kind: Literal["matrix", "benchmark", "bake_off"] | None = None
    setting: str | None = None
    label: str | None = None


class EvidenceFile(Frozen):
    """One ``knowledge/evidence/*.yaml`` file: claims from one source.

    ``defaults`` fill every claim and ``by_dimension`` the claims on that
    dimension, unless a claim gives the field itself: a generated file states
    the source, its URL and what each figure measures once, and each claim is
    one short line (half the YAML to parse at every start)."""

    defaults: EvidenceDefaults = Field(default_factory=EvidenceDefaults)
    by_dimension: dict[str, EvidenceDefaults] = {}
    claims: tuple[EvidenceClaim, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _fill_claims(cls, data: Any) -> Any:
        if not isinstance(data, dict) or not isinstance(data.get("claims"), list):
            return data
        shared = data.get("defaults") or {}
        by_dim = data.get("by_dimension") or {}
        if not isinstance(shared, dict) or not isinstance(by_dim, dict) or not (shared or by_dim):
            return data
        known = EvidenceDefaults.model_fields

        def fill(claim: Any) -> Any:
            if not isinstance(claim, dict):
                return claim
            extra = by_dim.get(claim.get("dimension")) or {}
            merged = {k: v for k, v in shared.items() if k in known}
            if isinstance(extra, dict):
                merged.update({k: v for k, v in extra.items() if k in known})
            merged.update(claim)
            return merged

        return {**data, "claims": [fill(c) for c in data["claims"]]}

    @field_validator("by_dimension")
    @classmethod
    def _known_dimensions(cls, value: dict[str, EvidenceDefaults]) -> dict[str, EvidenceDefaults]:
        for key in value:
            if key not in DIMENSIONS:
                raise ValueError(f"unknown dimension '{key}'; known: {', '.join(DIMENSIONS)}")
        return value


# --------------------------------------------------------------------------- prices

#: the highest price per 1M tokens any file may give: far above any real model,
#: low enough that a slip (a per-token price read as per-million, 1e400) is refused
MAX_USD_PER_M = Decimal(1_000_000)

class PriceClaim(Frozen):
    """What another source says a price is, kept when it disagrees with ours."""

    input: Decimal | None = None
    output: Decimal | None = None
    context_window: int | None = None
    source: str
    as_of: date


class PriceTier(Frozen):
    """Prices that apply to the whole request once its prompt is longer than
    ``above_input_tokens`` (Gemini's >200K, GPT-5.x's >272K): the provider bills
    every input and output token of such a request at these rates."""

    above_input_tokens: int = Field(gt=0)
    input: Decimal = Field(ge=0, le=MAX_USD_PER_M)
    output: Decimal = Field(ge=0, le=MAX_USD_PER_M)
    cached_input: Decimal | None = Field(default=None, ge=0, le=MAX_USD_PER_M)
    cache_write: Decimal | None = Field(default=None, ge=0, le=MAX_USD_PER_M)


class Price(Frozen):
    """USD per 1M tokens. ``None`` means the price is unknown, never free.

    ``cached_input`` is what a cache hit costs per input token, ``cache_write``
    what writing the cache costs (Anthropic bills 1.25x input); ``tiers`` apply
    to long prompts (see :class:`PriceTier`)."""

    input: Decimal | None = Field(default=None, ge=0, le=MAX_USD_PER_M)
    output: Decimal | None = Field(default=None, ge=0, le=MAX_USD_PER_M)
    cached_input: Decimal | None = Field(default=None, ge=0, le=MAX_USD_PER_M)
    cache_write: Decimal | None = Field(default=None, ge=0, le=MAX_USD_PER_M)
    batch_input: Decimal | None = Field(default=None, ge=0, le=MAX_USD_PER_M)
    batch_output: Decimal | None = Field(default=None, ge=0, le=MAX_USD_PER_M)
    as_of: date
    source: str
    note: str | None = None
    tiers: tuple[PriceTier, ...] = ()
    conflicts: tuple[PriceClaim, ...] = ()

    @property
    def known(self) -> bool:
        return self.input is not None and self.output is not None

    @field_validator("tiers")
    @classmethod
    def _ascending(cls, value: tuple[PriceTier, ...]) -> tuple[PriceTier, ...]:
        bounds = [t.above_input_tokens for t in value]
        if bounds != sorted(set(bounds)):
            raise ValueError("tiers must have distinct above_input_tokens in ascending order")
        return value


class Measure(Frozen):
    """A typical figure (TTFT in ms, output tokens/s) with where it came from."""

    value: int = Field(gt=0)
    source: str


# --------------------------------------------------------------------------- providers

ApiStyle = Literal["openai", "anthropic", "gemini"]


class Compliance(Frozen):
    """What a provider offers. ``None`` means our sources do not say."""

    soc2: bool | None = None
    hipaa_baa: bool | None = None
    eu_residency: bool | None = None
    zero_retention: bool | None = None
    source: str | None = None


def http_base_url(value: str) -> str:
    """``value`` when it is an http(s) URL with a host; a ValueError that says why otherwise.

    Checked when a file is loaded, so a typo is one located line rather than
    three failed attempts per case stored as errors."""
    from urllib.parse import urlsplit

    text = value.strip()
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise ValueError(f"not a URL: {value!r}") from None
    if parts.scheme not in ("http", "https"):
        shown = f"{parts.scheme}://" if parts.scheme else "no scheme"
        raise ValueError(f"must be an http:// or https:// URL; got {shown} in {value!r}")
    if not parts.hostname or any(ch.isspace() for ch in text):
        raise ValueError(f"not a URL with a host name: {value!r}")
    return text


class Provider(Frozen):
    id: Slug
    name: str
    api: ApiStyle
    base_url: str
    key_env: str | None = None  # None: no key needed (a local server)
    headquarters: str | None = None
    compliance: Compliance = Field(default_factory=Compliance)
    notes: str | None = None

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return http_base_url(value)


# --------------------------------------------------------------------------- models

Tier = Literal["frontier", "mid", "small"]
StructuredMode = Literal["schema", "json_mode", "prompt"]
STRUCTURED_RANK = {"prompt": 0, "json_mode": 1, "schema": 2}


Effort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]
EFFORT_ORDER: tuple[str, ...] = ("none", "minimal", "low", "medium", "high", "xhigh", "max")


class ReasoningMode(Frozen):
    """One way to run a model that can think: what to send and what it costs in time.

    ``request`` is the fragment the bake-off deep-merges into the request body
    for this mode, in the endpoint's own wire format (OpenAI
    ``{reasoning_effort: low}``, Anthropic ``{thinking: {type: disabled}}``,
    Gemini ``{generationConfig: {thinkingConfig: {thinkingBudget: 0}}}``, Qwen
    ``{enable_thinking: false}``). An empty fragment means "send nothing": the
    API's default behaviour.
    """

    id: Slug
    label: str  # how the advice names it: "thinking off", "effort: low"
    thinks: bool
    effort: Effort  # how much thinking; "none" when thinks is false
    request: dict[str, Any] = {}
    thinking_tokens: int | None = Field(default=None, ge=0)  # typical thinking tokens a request (billed as output)

    @model_validator(mode="after")
    def _consistent(self) -> "ReasoningMode":
        if self.thinks == (self.effort == "none"):
            raise ValueError("effort is 'none' exactly when thinks is false")
        return self


class Reasoning(Frozen):
    """Whether and how a model thinks before answering, as modes.

    ``default`` is the mode the API runs when the request says nothing about
    reasoning; ``control`` names the request field that chooses a mode.
    """

    default: Slug
    # True when no source states the default and knowledge assumes it (said wherever shown)
    default_assumed: bool = False
    control: str | None = None  # "reasoning_effort", "thinking", "thinkingConfig.thinkingLevel", "enable_thinking"
    modes: tuple[ReasoningMode, ...]
    source: str
    as_of: date | None = None

    @model_validator(mode="after")
    def _default_is_a_mode(self) -> "Reasoning":
        if not self.modes:
            raise ValueError("give at least one mode")
        ids = [m.id for m in self.modes]
        if len(ids) != len(set(ids)):
            raise ValueError("reasoning modes need distinct ids")
        if self.default not in ids:
            raise ValueError(f"default '{self.default}' is not one of the modes ({', '.join(ids)})")
        if len(self.modes) > 1 and self.control is None:
            raise ValueError("a model with several reasoning modes needs the 'control' that chooses one")
        return self

    @property
    def default_mode(self) -> ReasoningMode:
        return next(m for m in self.modes if m.id == self.default)

    @property
    def thinks_by_default(self) -> bool:
        return self.default_mode.thinks

    def lightest(self) -> ReasoningMode:
        """The mode that thinks least (ties: the default, then the first listed)."""
        return min(
            self.modes,
            key=lambda m: (EFFORT_ORDER.index(m.effort), m.id != self.default),
        )


def _reasoning_from_bool(value: Any) -> Any:
    """``reasoning: true`` (the 0.1 format and catalogue imports) means a model that
    always thinks, with no known way to turn it down; ``false`` means it never thinks."""
    if value is True:
        return {
            "default": "default",
            "modes": [{"id": "default", "label": "thinks (no known control)", "thinks": True, "effort": "medium"}],
            "source": "reasoning: true (no modes given)",
        }
    if value is False:
        return None
    return value


class Endpoint(Frozen):
    """One place that serves the model over an API."""

    provider: Slug
    model_id: str
    pinned: bool = True  # False: an alias the provider may move (e.g. "-latest")
    price: Price
    context_window: int | None = Field(default=None, gt=0)
    structured_output: StructuredMode | None = None
    ttft_ms: Measure | None = None
    tokens_per_s: Measure | None = None
    deprecated: date | None = None
    # False: a catalogue marked it deprecated without a date, so ``deprecated``
    # is only the catalogue's own date ("deprecated by then"), not a retirement date
    deprecated_date_known: bool = True
    deprecation_source: str | None = None
    successor: str | None = None  # the model id (knowledge) the provider points to
    reasoning: Reasoning | None = None  # overrides the model's where this host differs
    notes: str | None = None

    @field_validator("reasoning", mode="before")
    @classmethod
    def _reasoning_bool(cls, value: Any) -> Any:
        return _reasoning_from_bool(value)


class ModelSpec(Frozen):
    id: Slug
    name: str
    family: str
    vendor: str
    tier: Tier
    released: date | None = None
    # released after this date (not in a catalogue of that date, listed in a later one)
    released_after: date | None = None
    deprecated: date | None = None
    open_weights: bool = False
    license: str | None = None
    # may the weights serve production traffic under that licence? None: not known
    license_allows_production: bool | None = None
    license_source: str | None = None
    successor: Slug | None = None  # what the vendor points to when it retires this model
    deprecation_source: str | None = None
    context_window: int = Field(gt=0)
    max_output: int | None = Field(default=None, gt=0)
    params_b: Decimal | None = Field(default=None, gt=0)  # total parameters (all experts of a MoE)
    active_params_b: Decimal | None = Field(default=None, gt=0)  # per token, for a mixture of experts
    vram_4bit_gb: Decimal | None = Field(default=None, gt=0)
    structured_output: StructuredMode = "prompt"
    tool_calling: bool = False
    vision: bool = False
    fine_tuning: bool = False
    reasoning: Reasoning | None = None  # None: the model never thinks before answering
    tags: tuple[str, ...] = ()
    tokenizer: Literal["o200k_base", "cl100k_base"] | None = None
    ttft_ms: Measure | None = None
    tokens_per_s: Measure | None = None
    ratings: Ratings = Field(default_factory=Ratings)
    endpoints: tuple[Endpoint, ...] = ()
    notes: str | None = None

    @field_validator("reasoning", mode="before")
    @classmethod
    def _reasoning_bool(cls, value: Any) -> Any:
        return _reasoning_from_bool(value)

    @property
    def thinks(self) -> bool:
        """Whether the model can think at all (in any mode)."""
        return self.reasoning is not None and any(m.thinks for m in self.reasoning.modes)

    @model_validator(mode="after")
    def _checks(self) -> "ModelSpec":
        if self.active_params_b is not None and self.params_b is not None and self.active_params_b > self.params_b:
            raise ValueError("active_params_b cannot exceed params_b (total parameters)")
        if not self.open_weights and not self.endpoints:
            raise ValueError("a closed-weights model needs at least one endpoint")
        if self.vram_4bit_gb is not None and not self.open_weights:
            raise ValueError("vram_4bit_gb only applies to open-weights models")
        return self


# --------------------------------------------------------------------------- decision tree

class Condition(Frozen):
    """A test over answers. Exactly one form: a comparison on ``answer``, or all/any/not."""

    answer: str | None = None
    eq: Any = None
    in_: tuple[Any, ...] | None = Field(default=None, alias="in")
    gt: Decimal | None = None
    ge: Decimal | None = None
    lt: Decimal | None = None
    le: Decimal | None = None
    contains: Any = None
    all: tuple["Condition", ...] | None = None
    any: tuple["Condition", ...] | None = None
    not_: "Condition | None" = Field(default=None, alias="not")

    @model_validator(mode="after")
    def _one_form(self) -> "Condition":
        combos = [x for x in (self.all, self.any, self.not_) if x is not None]
        tests = [
            x
            for x in (self.eq, self.in_, self.gt, self.ge, self.lt, self.le, self.contains)
            if x is not None
        ]
        if self.answer is not None:
            if combos:
                raise ValueError("a comparison cannot also have all/any/not")
            if len(tests) != 1:
                raise ValueError("give exactly one of eq, in, gt, ge, lt, le, contains")
        elif len(combos) != 1 or tests:
            raise ValueError("give 'answer' with one comparison, or exactly one of all/any/not")
        return self

    def answers_used(self) -> set[str]:
        if self.answer is not None:
            return {self.answer}
        out: set[str] = set()
        for sub in (self.all or ()) + (self.any or ()) + ((self.not_,) if self.not_ else ()):
            out |= sub.answers_used()
        return out


class Selector(Frozen):
    """Which models fit a tree outcome.

    A model is in the set when the guides name it (``models`` or ``families``)
    or when it meets every criterion given (so a model added later takes part).
    """

    models: tuple[Slug, ...] = ()
    families: tuple[str, ...] = ()
    tiers: tuple[Tier, ...] = ()
    open_weights: bool | None = None
    reasoning: bool | None = None
    tags_any: tuple[str, ...] = ()
    min_context: int | None = None
    max_ttft_ms: int | None = None
    max_cost_per_request: Decimal | None = None
    deployment: Literal["any", "hosted", "self_host"] = "any"

    def has_criteria(self) -> bool:
        return bool(
            self.tiers
            or self.open_weights is not None
            or self.reasoning is not None
            or self.tags_any
            or self.min_context is not None
            or self.max_ttft_ms is not None
            or self.max_cost_per_request is not None
        )


class TreeNode(Frozen):
    """A decision (``when`` with ``if_yes``/``if_no``) or an outcome (``candidates``)."""

    id: Slug
    question: str | None = None
    when: Condition | None = None
    if_yes: Slug | None = None
    if_no: Slug | None = None
    label: str | None = None
    candidates: Selector | None = None
    rationale: str

    @model_validator(mode="after")
    def _kind(self) -> "TreeNode":
        decision = (self.when, self.if_yes, self.if_no, self.question)
        if self.candidates is None:
            if any(x is None for x in decision):
                raise ValueError("a decision node needs question, when, if_yes and if_no")
        elif any(x is not None for x in decision):
            raise ValueError("an outcome node has candidates and no question/when/if_yes/if_no")
        return self

    @property
    def is_outcome(self) -> bool:
        return self.candidates is not None


class DecisionTree(Frozen):
    root: Slug
    nodes: tuple[TreeNode, ...]


# --------------------------------------------------------------------------- tasks

class TaskProfile(Frozen):
    id: Slug
    label: str
    first_choice: Slug
    fallback: Slug
    why: str
    route_tier: Tier
    weights: dict[str, int] = {}

    @field_validator("weights")
    @classmethod
    def _known_dimensions(cls, value: dict[str, int]) -> dict[str, int]:
        for key, weight in value.items():
            if key not in DIMENSIONS:
                raise ValueError(f"unknown dimension '{key}'; known: {', '.join(DIMENSIONS)}")
            if weight < 0:
                raise ValueError(f"weight of '{key}' must be >= 0")
        return value


class RouteRule(Frozen):
    id: Slug
    when: str
    route_to: str
    rationale: str


class TaskBook(Frozen):
    default_weights: dict[str, int]
    tasks: tuple[TaskProfile, ...]
    routing: tuple[RouteRule, ...] = ()


# --------------------------------------------------------------------------- hosting

class Gpu(Frozen):
    id: Slug
    name: str
    vram_gb: int = Field(gt=0)
    hourly_usd: Decimal = Field(gt=0)
    source: str
    as_of: date


class SizeClass(Frozen):
    """Serving assumptions for open-weights models up to ``max_params_b``."""

    id: Slug
    max_params_b: Decimal = Field(gt=0)
    gpu: Slug
    gpus_per_replica: int = Field(gt=0)
    tokens_per_s: int = Field(gt=0)  # per replica, batched, input + output
    source: str


class OpsOverhead(Frozen):
    """Engineering time to run inference, as a fraction of one engineer."""

    engineer_monthly_usd: Decimal = Field(gt=0)
    fte: dict[Literal["none", "some", "strong"], Decimal]
    source: str


class PracticalContext(Frozen):
    default_hosted: int = Field(gt=0)
    default_open_weights: int = Field(gt=0)
    models: dict[Slug, int] = {}
    source: str


class Hosting(Frozen):
    hours_per_month: Decimal = Field(gt=0)
    utilisation: Decimal = Field(gt=0, le=1)
    gpus: tuple[Gpu, ...]
    size_classes: tuple[SizeClass, ...]
    ops_overhead: OpsOverhead
    practical_context: PracticalContext
    price_max_age_days: int = Field(default=90, gt=0)
    # memory the weights take at the serving quantisation, per billion TOTAL
    # parameters (every expert of a mixture of experts is in memory)
    quantisation: str = "4-bit"
    weights_gb_per_billion_params: Decimal = Field(default=Decimal("0.55"), gt=0)
    # tensor parallelism splits a model over 1, 2, 4 or 8 GPUs
    gpus_per_replica_powers_of_two: bool = True


# --------------------------------------------------------------------------- questions

QuestionType = Literal["choice", "multi_choice", "bool", "int", "number", "money", "text", "text_list"]


class Choice(Frozen):
    value: str
    label: str
    help: str | None = None


class Section(Frozen):
    id: Slug
    title: str
    help: str | None = None


class Question(Frozen):
    id: Slug
    section: Slug
    prompt: str
    help: str
    type: QuestionType
    choices: tuple[Choice, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    min_exclusive: bool = False
    pattern: str | None = None
    unit: str | None = None
    required: bool = False
    nullable: bool = False
    default: Any = None
    example: Any = None

    @model_validator(mode="after")
    def _consistent(self) -> "Question":
        if self.type in ("choice", "multi_choice") and not self.choices:
            raise ValueError(f"a {self.type} question needs choices")
        if self.type not in ("choice", "multi_choice") and self.choices:
            raise ValueError(f"a {self.type} question takes no choices")
        if self.required and self.default is not None:
            raise ValueError("a required question has no default")
        return self

    @property
    def choice_values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)


class QuestionBook(Frozen):
    sections: tuple[Section, ...]
    questions: tuple[Question, ...]


# --------------------------------------------------------------------------- files

class ModelsFile(Frozen):
    providers: tuple[Provider, ...]
    models: tuple[ModelSpec, ...]


# --------------------------------------------------------------------------- scoring

LEVELS: tuple[str, ...] = ("best", "excellent", "good", "moderate", "limited", "none")


class UnratedPrior(Frozen):
    """What an unrated dimension counts as: a prior below the middle, so a model
    with evidence outranks one without unless its evidence is poor."""

    by_tier: dict[Tier, Decimal]
    high_floor: Decimal = Field(ge=0, le=1)  # under a quality floor of ``high_floor_from`` or more
    high_floor_from: Decimal = Field(gt=0, le=1)


class LogScale(Frozen):
    """1.0 at ``best`` or better, 0.0 at ``worst`` or worse, log-linear between."""

    best: Decimal = Field(gt=0)
    worst: Decimal = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> "LogScale":
        if self.best == self.worst:
            raise ValueError("best and worst must differ")
        return self


class GenerationStep(Frozen):
    within_months: int = Field(gt=0)
    fit: Decimal = Field(ge=0, le=1)


class Generation(Frozen):
    """Fit by how long ago the model was released (newest step first)."""

    steps: tuple[GenerationStep, ...]
    older: Decimal = Field(ge=0, le=1)
    unknown: Decimal = Field(ge=0, le=1)


class Bonuses(Frozen):
    tree_outcome: Decimal = Field(ge=0)
    first_choice: Decimal = Field(ge=0)
    task_fallback: Decimal = Field(ge=0)
    preferred_provider: Decimal = Field(ge=0)


class Lineage(Frozen):
    """Which benchmark claims a successor in the same line inherits, and at what weight."""

    dimensions: tuple[str, ...] = ()
    weight: Decimal = Field(ge=0, le=1)

    @field_validator("dimensions")
    @classmethod
    def _known(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [d for d in value if d not in DIMENSIONS]
        if unknown:
            raise ValueError(f"unknown dimension '{unknown[0]}'; known: {', '.join(DIMENSIONS)}")
        return value


BLEND_PARTS: tuple[str, ...] = ("quality", "fit", "cost", "speed")


class WeightRule(Frozen):
    """Weight added when the answers meet a condition (``high_floor``: the quality
    floor is at least ``unrated.high_floor_from``, the one threshold for that)."""

    when: Literal["high_floor"] | Condition
    add: dict[str, Decimal]
    why: str


class Blend(Frozen):
    """How much quality, fit, cost and speed count: a base, plus what the answers stress
    (the sum is then scaled back to 1)."""

    base: dict[Literal["quality", "fit", "cost", "speed"], Annotated[Decimal, Field(ge=0, le=10)]]
    rules: tuple[WeightRule, ...] = ()

    @model_validator(mode="after")
    def _parts(self) -> "Blend":
        missing = [p for p in BLEND_PARTS if p not in self.base]
        if missing:
            raise ValueError(f"base needs every part; missing: {', '.join(missing)}")
        if not any(self.base.values()):
            raise ValueError("base gives every part a weight of 0: nothing would count")
        for i, rule in enumerate(self.rules):
            unknown = [k for k in rule.add if k not in BLEND_PARTS]
            if unknown:
                raise ValueError(f"rules[{i}].add: unknown part '{unknown[0]}'; known: {', '.join(BLEND_PARTS)}")
        return self


class ScoringBook(Frozen):
    """knowledge/scoring.yaml: the scales, priors and thresholds the scores use."""

    level_values: dict[Literal["best", "excellent", "good", "moderate", "limited", "none"], Decimal]
    unrated: UnratedPrior
    unproven_below: Decimal = Field(ge=0, le=1)
    # ... unless the dimension the task weighs most has evidence of this confidence
    proven_by_top_dimension: Decimal = Field(default=Decimal(1), ge=0, le=1)
    # ... and ranks with the evidenced (under a high floor) from this confidence on it
    supported_by_top_dimension: Decimal = Field(default=Decimal(1), ge=0, le=1)
    # under a high quality floor, evidence whose mean is below this level is poor
    high_floor_poor_below: Literal["best", "excellent", "good", "moderate", "limited"] = "moderate"
    evidence_weight: dict[Literal["bake_off", "benchmark", "matrix"], Decimal]
    lineage: Lineage = Field(default_factory=lambda: Lineage(weight=Decimal(0)))
    cost_per_month: LogScale  # monthly spend at the answers' volume, USD
    cost_share_of_budget: LogScale  # cost / budget
    latency_ms: LogScale
    unknown_cost_score: Decimal = Field(ge=0, le=1)
    unknown_speed_score: Decimal = Field(ge=0, le=1)
    reasoning_overhead_ms: dict[Effort, int]
    person_waits_ms: int = Field(gt=0)
    retiring_warn_days: int = Field(gt=0)
    retiring_avoid_days: int = Field(gt=0)
    fallback_max_cost_ratio: Decimal = Field(gt=1)
    # how far down the ranking "also consider" looks for a vendor the shortlist lacks
    also_consider_window: int = Field(default=1, ge=1)
    generation: Generation
    bonuses: Bonuses
    # weight added to capability dimensions by what the answers ask for (JSON, tools, ...)
    dimension_bumps: tuple[WeightRule, ...] = ()
    blend: Blend

    @field_validator("dimension_bumps")
    @classmethod
    def _bump_dimensions(cls, value: tuple[WeightRule, ...]) -> tuple[WeightRule, ...]:
        for i, rule in enumerate(value):
            unknown = [k for k in rule.add if k not in DIMENSIONS]
            if unknown:
                raise ValueError(f"[{i}].add: unknown dimension '{unknown[0]}'; known: {', '.join(DIMENSIONS)}")
        return value

    @model_validator(mode="after")
    def _complete(self) -> "ScoringBook":
        missing = [lvl for lvl in LEVELS if lvl not in self.level_values]
        if missing:
            raise ValueError(f"level_values needs every level; missing: {', '.join(missing)}")
        gaps = [e for e in EFFORT_ORDER if e not in self.reasoning_overhead_ms]
        if gaps:
            raise ValueError(f"reasoning_overhead_ms needs every effort; missing: {', '.join(gaps)}")
        return self
