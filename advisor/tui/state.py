"""The form's state and what changed between two shortlists (pure: no Textual).

``FormState`` holds the answers the person has given (already parsed and
checked one by one) and turns them into ``Answers`` for the engine;
``describe_changes`` explains the difference between the previous and the new
shortlist, naming the rule that removed a model that dropped out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from advisor.core.result import ROLE_LABELS, Shortlist
from advisor.errors import InputError


@dataclass
class FormState:
    kb: Any
    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # why the answers fail as a whole

    def set(self, qid: str, value: Any, error: str | None = None) -> None:
        if error:
            self.errors[qid] = error
            self.values.pop(qid, None)
        else:
            self.errors.pop(qid, None)
            self.values[qid] = value

    def missing(self) -> list[str]:
        """Required questions not answered yet (or answered with an error)."""
        return [q.id for q in self.kb.questions.questions if q.required and self.values.get(q.id) is None]

    def answers(self):
        """The ``Answers`` model, or ``None`` while a required answer is missing or
        the answers fail as a whole (then ``problems`` says why)."""
        self.problems = []
        if self.missing():
            return None
        try:
            from advisor.core.questions import answers_from_mapping

            return answers_from_mapping(self.kb, self.values)
        except InputError as exc:
            self.problems = [p.message if p.location is None else f"{p.location.field or ''}: {p.message}".lstrip(": ")
                             for p in exc.problems]
            return None

    def prompt(self, qid: str) -> str:
        return self.kb.question_by_id[qid].prompt


def compute(kb: Any, answers: Any, today: date) -> Shortlist:
    from advisor.core.engine import shortlist

    return shortlist(answers, kb, today)


def describe_changes(prev: Shortlist | None, new: Shortlist) -> list[str]:
    """One line per difference in the candidates, with the rule for each drop-out."""
    if prev is None:
        return ["= first shortlist from your answers"]
    before = {c.option.key: c for c in prev.candidates}
    after = {c.option.key: c for c in new.candidates}
    dropped = {e.option.key: e for e in new.eliminated_options}
    for em in new.eliminated:
        for e in em.reasons:
            dropped.setdefault(e.option.key, e)
    rank = {r.option.key: i for i, r in enumerate(new.ranking, 1)}
    lines: list[str] = []
    for key, c in before.items():
        if key in after:
            continue
        e = dropped.get(key)
        if e is not None:
            lines.append(f"− {c.option.label} dropped out: {e.rule}: {e.message}")
        elif key in rank:
            lines.append(f"− {c.option.label} dropped out: outranked (now #{rank[key]} of {len(new.ranking)})")
        else:
            lines.append(f"− {c.option.label} dropped out")
    for key, c in after.items():
        if key not in before:
            lines.append(f"+ {c.option.label} joined as {ROLE_LABELS[c.role]}")
        elif before[key].role != c.role:
            lines.append(f"~ {c.option.label}: {ROLE_LABELS[before[key].role]} → {ROLE_LABELS[c.role]}")
    was_out = {e.model_id for e in prev.eliminated}
    gone = {c.option.model_id for k, c in before.items() if k not in after}
    newly_out = [e for e in new.eliminated if e.model_id not in was_out and e.model_id not in gone]
    for e in newly_out[:4]:
        lines.append(f"− {e.model_name} eliminated: {e.reasons[0].rule}: {e.reasons[0].message}")
    if len(newly_out) > 4:
        lines.append(f"− and {len(newly_out) - 4} more models eliminated")
    now_out = {e.model_id for e in new.eliminated}
    back = [e for e in prev.eliminated if e.model_id not in now_out]
    if back:
        lines.append("+ back in the running: " + ", ".join(e.model_name for e in back[:6])
                     + (f" and {len(back) - 6} more" if len(back) > 6 else ""))
    if not lines and prev.candidates and new.candidates:
        a, b = prev.candidates[0].costs.per_month, new.candidates[0].costs.per_month
        if a != b:
            from advisor.render.fmt import usd

            lines.append(f"~ {new.candidates[0].option.label}: {usd(a)} → {usd(b)} a month")
    return lines
