"""Evidence behind each rating: which sources say what about a model, and how to cite them.

Three kinds of claim, cited in this order: the user's own bake-offs
(``bake_off``, added with :meth:`KnowledgeBase.with_claims`), public
benchmarks (``benchmark``, ``knowledge/evidence/*.yaml``, newest first) and
the guides' capability matrix (``matrix``: ``ModelSpec.ratings``, undated).
Sources that disagree are all kept; :func:`disagreement` says where.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING

from advisor.core.schema import DIMENSION_LABELS, DIMENSIONS, EVIDENCE_KINDS, EvidenceClaim, ModelSpec

if TYPE_CHECKING:  # pragma: no cover
    from advisor.core.knowledge import KnowledgeBase

UNDATED = "undated"
#: levels best first (a lower index is a better level)
LEVEL_ORDER = ("best", "excellent", "good", "moderate", "limited", "none")
_NO_DATE = date.min


def matrix_source(model: ModelSpec) -> str:
    """The matrix's short name: the guide it comes from, without the models it compared."""
    source = model.ratings.source or "capability matrix"
    return source.split(" (", 1)[0]


def matrix_claims(model: ModelSpec) -> tuple[EvidenceClaim, ...]:
    """The capability-matrix ratings of ``model`` as claims (kind ``matrix``, undated)."""
    rated = model.ratings.rated()
    if not rated:
        return ()
    source = matrix_source(model)
    measures = f"the guides' judgement: {model.ratings.source}" if model.ratings.source else "the guides' judgement"
    return tuple(
        EvidenceClaim(model=model.id, dimension=d, level=level, source=source, measures=measures, kind="matrix")
        for d, level in rated.items()
    )


def _order(indexed: tuple[int, EvidenceClaim]) -> tuple:
    i, c = indexed
    newest = -(c.as_of or _NO_DATE).toordinal()
    return (EVIDENCE_KINDS.index(c.kind), c.as_of is None, newest, c.source, c.setting or "", i)


def ordered(claims: Iterable[EvidenceClaim]) -> tuple[EvidenceClaim, ...]:
    """Bake-offs first, then benchmarks newest first (undated last), then the matrix."""
    return tuple(c for _, c in sorted(enumerate(claims), key=_order))


def build_index(kb: "KnowledgeBase") -> dict[tuple[str, str], tuple[EvidenceClaim, ...]]:
    """(model id, dimension) -> its claims in citation order; built once per knowledge base.

    A model with no claim of its own on a dimension listed in ``scoring.lineage``
    inherits the claims of its nearest predecessor in the same line that has some
    (see :func:`predecessors`): its public benchmarks only (never a user's bake-off,
    which measured that model on those cases, nor the undated matrix), at the weakest
    level they give, each marked ``inherited_from``."""
    grouped: dict[tuple[str, str], list[EvidenceClaim]] = {}
    for claim in kb.claims:
        grouped.setdefault((claim.model, claim.dimension), []).append(claim)
    for model in kb.models:
        for claim in matrix_claims(model):
            grouped.setdefault((model.id, claim.dimension), []).append(claim)
    for dim in kb.scoring.lineage.dimensions:
        for model in kb.models:
            if (model.id, dim) in grouped:
                continue
            for pred in predecessors(kb.models, model):
                own = [c for c in grouped.get((pred.id, dim), ()) if c.kind == "benchmark" and c.inherited_from is None]
                if own:
                    # only its weakest setting: "no worse than" holds for the successor run
                    # cheaply (thinking off, low effort), not only for the predecessor at its best
                    weakest = max(LEVEL_ORDER.index(c.level) for c in own)
                    grouped[(model.id, dim)] = [
                        c.model_copy(update={"model": model.id, "inherited_from": pred.id})
                        for c in own if LEVEL_ORDER.index(c.level) == weakest
                    ]
                    break
    return {key: ordered(claims) for key, claims in grouped.items()}


def released_on(model: ModelSpec) -> date:
    """When the model came out: its release date, else the date of the newest catalogue
    that did not list it yet (it came out after that), else (no date at all) newest."""
    return model.released or model.released_after or date.max


def predecessors(models: Iterable[ModelSpec], model: ModelSpec) -> list[ModelSpec]:
    """Earlier models of the same line (vendor, family and tier), newest first; models
    released the same day are siblings, not predecessors."""
    when = released_on(model)
    line = [
        m
        for m in models
        if m.id != model.id
        and (m.vendor, m.family, m.tier) == (model.vendor, model.family, model.tier)
        and released_on(m) < when
    ]
    return sorted(line, key=lambda m: (released_on(m), m.id), reverse=True)


def claims_for(kb: "KnowledgeBase", model_id: str, dimension: str) -> tuple[EvidenceClaim, ...]:
    """What every source says about ``model_id`` on ``dimension``, bake-offs first."""
    return kb.claims_for(model_id, dimension)


def model_evidence(kb: "KnowledgeBase", model_id: str) -> tuple[EvidenceClaim, ...]:
    """Every claim about ``model_id``, dimension by dimension (in DIMENSIONS order)."""
    index = kb.evidence_index
    return tuple(c for d in DIMENSIONS for c in index.get((model_id, d), ()))


def label(claim: EvidenceClaim) -> str:
    """What the claim is about, as shown: its own label or the dimension's."""
    return claim.label or DIMENSION_LABELS[claim.dimension].lower()


def figure(claim: EvidenceClaim) -> str:
    """The raw figure with its unit: "4.1%", "64K tokens", "12 cases"."""
    if claim.value is None:
        return ""
    number = format(claim.value, "f")
    unit = claim.unit or ""
    if not unit:
        return number
    tight = not unit[0].isalpha() or unit.split()[0] in ("K", "M")
    return f"{number}{'' if tight else ' '}{unit}"


def cite(claim: EvidenceClaim) -> str:
    """One claim as a reader sees it:
    "grounded hallucination: good — Vectara HHEM 4.1%, 2026-03-10"."""
    shown = figure(claim)
    text = f"{label(claim)}: {claim.level} — {claim.source}"
    if shown:
        text += f" {shown}"
    if claim.setting:
        text += f" ({claim.setting})"
    text += f", {claim.as_of.isoformat() if claim.as_of else UNDATED}"
    if claim.inherited_from:
        text += f", of its predecessor {claim.inherited_from} (assumed no worse)"
    return text


def disagreement(claims: Iterable[EvidenceClaim]) -> str | None:
    """Where two sources give one dimension different levels, which says what, each
    source once: "moderate (Vectara HHEM) vs good (seed-000 capability matrix)",
    "good/excellent (Aider polyglot) vs good (matrix)" for a source with several
    settings. None when the sources agree, or when only one source's settings
    differ (that is the setting, not a dispute)."""
    by_source: dict[str, list[str]] = {}
    for c in claims:
        levels = by_source.setdefault(c.source, [])
        if c.level not in levels:
            levels.append(c.level)
    if len(by_source) < 2 or len({tuple(sorted(v)) for v in by_source.values()}) < 2:
        return None
    return " vs ".join(f"{'/'.join(levels)} ({source})" for source, levels in by_source.items())
