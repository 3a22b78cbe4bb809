"""The shortlist (and optional eval results) as JSON, for scripts."""

from __future__ import annotations

import json
from typing import Any

from advisor.core.result import Shortlist
from advisor.render import fmt

SCHEMA_VERSION = 1


def report_dict(shortlist: Shortlist, evaluation: Any | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {
        "generator": "advisor",  # lets a later run replace its own report (advisor.fileio)
        "schema_version": SCHEMA_VERSION,
        "shortlist": shortlist.model_dump(mode="json"),
    }
    for c, out in zip(shortlist.candidates, data["shortlist"]["candidates"]):
        out["citations"] = fmt.citations(c)  # each claim in ``evidence`` as a reader sees it
        out["disagreements"] = fmt.disagreements(c)
    if evaluation is not None:
        data["evaluation"] = evaluation.model_dump(mode="json")
    return data


def render_json(shortlist: Shortlist, evaluation: Any | None = None) -> str:
    return json.dumps(report_dict(shortlist, evaluation), indent=2, ensure_ascii=True) + "\n"
