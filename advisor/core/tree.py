"""The decision tree: walk it over the answers, and test options against its outcome."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from advisor.core.knowledge import KnowledgeBase
from advisor.core.options import Option
from advisor.core.questions import DERIVED_ANSWERS
from advisor.core.result import TreeStep
from advisor.core.schema import Condition, Selector


def answer_value(answers: Any, name: str) -> Any:
    derive = DERIVED_ANSWERS.get(name)
    return derive(answers) if derive is not None else getattr(answers, name)


def _answer_text(answers: Any, name: str) -> str:
    if name == "effective_budget_per_request_usd":
        return _budget_text(answers)
    value = answer_value(answers, name)
    if value is None:
        return f"{name} not given"
    if isinstance(value, tuple):
        value = ", ".join(map(str, value)) or "none"
    elif isinstance(value, bool):
        value = "yes" if value else "no"
    return f"{name} = {value}"


def _budget_text(answers: Any) -> str:
    per, month = answers.budget_per_request_usd, answers.budget_per_month_usd
    if per is None and month is None:
        return "budget_per_request_usd and budget_per_month_usd not given"
    spread = month / answers.monthly_requests if month is not None else None
    if spread is None or (per is not None and per <= spread):
        return f"budget_per_request_usd = {per}"
    return (
        f"budget_per_month_usd = {month} over monthly_requests = {answers.monthly_requests:,}: "
        f"${spread.quantize(Decimal('0.000001')).normalize():f} a request"
    )


def evaluate(cond: Condition, answers: Any) -> bool:
    if cond.all is not None:
        return all(evaluate(c, answers) for c in cond.all)
    if cond.any is not None:
        return any(evaluate(c, answers) for c in cond.any)
    if cond.not_ is not None:
        return not evaluate(cond.not_, answers)
    value = answer_value(answers, cond.answer or "")
    if cond.eq is not None:
        return value == cond.eq
    if cond.in_ is not None:
        return value in cond.in_
    if cond.contains is not None:
        return isinstance(value, tuple) and cond.contains in value
    if value is None:
        return False
    number = Decimal(value) if not isinstance(value, Decimal) else value
    if cond.gt is not None:
        return number > cond.gt
    if cond.ge is not None:
        return number >= cond.ge
    if cond.lt is not None:
        return number < cond.lt
    return number <= cond.le  # type: ignore[operator]


def walk_tree(kb: KnowledgeBase, answers: Any) -> tuple[list[TreeStep], Any]:
    steps: list[TreeStep] = []
    node = kb.node_by_id[kb.tree.root]
    while not node.is_outcome:
        yes = evaluate(node.when, answers)  # type: ignore[arg-type]
        used = sorted(node.when.answers_used())  # type: ignore[union-attr]
        steps.append(
            TreeStep(
                node=node.id,
                question=node.question or node.id,
                answer="; ".join(_answer_text(answers, u) for u in used),
                decision="yes" if yes else "no",
                rationale=node.rationale,
            )
        )
        node = kb.node_by_id[node.if_yes if yes else node.if_no]  # type: ignore[index]
    return steps, node


def in_outcome(sel: Selector, opt: Option) -> bool:
    m = opt.model
    if sel.deployment == "hosted" and not opt.hosted:
        return False
    if sel.deployment == "self_host" and opt.hosted:
        return False
    if m.id in sel.models or m.family in sel.families:
        return True
    if not sel.has_criteria():
        return False
    if sel.tiers and m.tier not in sel.tiers:
        return False
    if sel.open_weights is not None and m.open_weights != sel.open_weights:
        return False
    # in the mode the advice assumes: a model whose thinking is off here (it would not
    # fit the latency target) is not "a model that reasons before answering" for this outcome
    if sel.reasoning is not None and (opt.mode is not None and opt.mode.thinks) != sel.reasoning:
        return False
    if sel.tags_any and not set(sel.tags_any) & set(m.tags):
        return False
    if sel.min_context is not None and opt.context_window < sel.min_context:
        return False
    if sel.max_ttft_ms is not None and (opt.ttft is None or opt.ttft > sel.max_ttft_ms):
        return False
    if sel.max_cost_per_request is not None and (
        opt.cost_per_request is None or opt.cost_per_request > sel.max_cost_per_request
    ):
        return False
    return True
