"""What the engine returns: a frozen, JSON-ready record of the whole decision.

Renderers (Markdown, HTML, JSON, Rich, Textual) only read these objects.
Money is Decimal; ``None`` means unknown and is shown as "unknown".
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from advisor.core.money import Usd, UsdOpt
from advisor.core.schema import EvidenceClaim, ReasoningMode

_set = object.__setattr__  # records are frozen; ``trusted`` fills them directly

Role = Literal["recommended", "alternative", "fallback", "also_consider"]
Deployment = Literal["hosted", "self_host"]

ROLE_LABELS: dict[str, str] = {
    "recommended": "Recommended",
    "alternative": "Cheaper/faster",
    "fallback": "Fallback",
    "also_consider": "Also consider",
}


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", defer_build=True)

    @classmethod
    def trusted(cls, **values: Any):
        """Build from values the engine computed, skipping validation.

        What ``model_construct`` does for a record whose every field is given,
        several times faster: a large catalogue makes tens of thousands of
        options and eliminations per shortlist. Only for engine-made values.
        """
        obj = cls.__new__(cls)
        _set(obj, "__dict__", values)
        _set(obj, "__pydantic_fields_set__", set(values))
        _set(obj, "__pydantic_extra__", None)
        _set(obj, "__pydantic_private__", None)
        return obj


class OptionRef(Record):
    """One way to run a model: through a provider's API, or on your own GPUs."""

    key: str  # "<model>@<provider>" or "<model>@self-host"
    model_id: str
    model_name: str
    deployment: Deployment
    provider: str | None = None
    provider_name: str | None = None
    api_model_id: str | None = None

    @property
    def where(self) -> str:
        if self.deployment == "self_host":
            return "self-hosted"
        return self.provider_name or self.provider or ""

    @property
    def label(self) -> str:
        return f"{self.model_name} ({self.where})"


class Elimination(Record):
    option: OptionRef
    rule: str
    message: str


class EliminatedModel(Record):
    model_id: str
    model_name: str
    reasons: tuple[Elimination, ...]


class TreeStep(Record):
    node: str
    question: str
    answer: str  # e.g. "data_privacy = standard"
    decision: Literal["yes", "no"]
    rationale: str


class TreeOutcome(Record):
    node: str
    label: str
    rationale: str
    members: tuple[str, ...]  # model ids in the outcome's candidate set
    surviving: tuple[str, ...]  # of those, the ones that passed the hard filters


class SelfHostCost(Record):
    gpu: str
    gpus: int
    replicas: int
    gpus_per_replica: int
    gpu_monthly: Usd
    ops_monthly: Usd
    total_monthly: Usd
    per_request: Usd
    assumptions: tuple[str, ...]


class BreakEven(Record):
    """Where self-hosting ``self_hosted`` costs the same as ``api`` per month."""

    self_hosted: str  # model id
    self_hosted_name: str
    api: str  # option key
    api_label: str
    api_per_request: Usd
    monthly_requests: int | None  # None: never breaks even
    note: str


class Costs(Record):
    input_tokens: int
    output_tokens: int
    per_request: UsdOpt
    input_per_request: UsdOpt
    output_per_request: UsdOpt
    per_month: UsdOpt
    per_year: UsdOpt
    price_input_per_m: UsdOpt
    price_output_per_m: UsdOpt
    price_as_of: date | None
    price_source: str | None
    self_host: SelfHostCost | None = None
    break_even: BreakEven | None = None
    # per successful task if it passes at exactly the quality floor (no retries
    # assumed); the bake-off replaces this with the measured figure
    per_success_at_floor: UsdOpt = None
    quality_floor: Decimal | None = None


class Score(Record):
    total: float
    quality: float
    fit: float
    cost: float
    speed: float
    tree_bonus: float
    weights: dict[str, float]
    rated: tuple[str, ...]
    unrated: tuple[str, ...]
    evidence: float = 0.0  # share of the quality weight that rests on evidence
    unproven: bool = False  # too little evidence of its own: run the bake-off
    # enough evidence to rank among the evidenced under a high floor, counting what the
    # model inherits from its predecessor (which never proves it)
    supported: bool = False
    # what the evidence says, where there is some: its dimensions' values weighted by
    # the task and by confidence (None: no evidence at all)
    evidence_level: float | None = None
    cost_basis: str = ""  # what the cost score was measured against
    unrated_counts_as: float = 0.0  # the prior an unrated dimension counted as


class Candidate(Record):
    role: Role
    option: OptionRef
    score: Score
    reasons: tuple[str, ...]
    costs: Costs
    ratings: dict[str, str]
    context_window: int
    ttft_ms: int | None
    tokens_per_s: int | None
    open_weights: bool
    license: str | None
    structured_output: str
    in_tree_outcome: bool
    # every source's claim behind ``ratings``, dimension by dimension, in citation
    # order (advisor.core.evidence.model_evidence): renderers cite these
    evidence: tuple[EvidenceClaim, ...] = ()
    # the reasoning mode the advice assumes (None: the model does not think);
    # the bake-off sends this mode
    reasoning_mode: ReasoningMode | None = None
    unproven: bool = False  # little or no evidence: "unproven: run the bake-off"
    unverified: tuple[str, ...] = ()  # limits passed only because the figure is unknown
    retires: date | None = None  # the provider's retirement date, when known
    successor: str | None = None  # model id the provider points to
    # for every role but the recommended: the rule or score parts that put it below
    below_recommended: tuple[str, ...] = ()


class WhyNot(Record):
    """Why a model is not the recommendation: the rules and numbers that removed
    it, or the score parts that put it below."""

    model_id: str
    model_name: str
    asked: bool  # True: the user asked; False: the guides' choice for the task
    status: Literal["eliminated", "ranked_below", "shortlisted", "retired"]
    summary: str
    details: tuple[str, ...]


class Warning_(Record):
    code: str
    message: str
    model_id: str | None = None


class Ranked(Record):
    option: OptionRef
    total: float
    per_request: UsdOpt
    per_month: UsdOpt


class Shortlist(Record):
    today: date
    answers: dict[str, Any]
    candidates: tuple[Candidate, ...]
    tree_path: tuple[TreeStep, ...]
    outcome: TreeOutcome
    eliminated: tuple[EliminatedModel, ...]
    eliminated_options: tuple[Elimination, ...]
    ranking: tuple[Ranked, ...]
    warnings: tuple[Warning_, ...]
    models_considered: int
    options_considered: int
    options_surviving: int
    break_even: BreakEven | None
    knowledge_sources: tuple[str, ...]
    token_note: str | None = None
    why_not: tuple[WhyNot, ...] = ()

    @property
    def recommended(self) -> Candidate | None:
        return next((c for c in self.candidates if c.role == "recommended"), None)
