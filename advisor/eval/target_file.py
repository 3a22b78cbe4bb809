"""A targets file: the models to call, by hand (handy for local servers).

A YAML list of target mappings (or ``{targets: [...]}``) with the fields of
:class:`~advisor.eval.target.Target`; every mistake is reported as
``file:line: field: message``. Used by ``advisor eval --target-file`` and the
app's bake-off settings.
"""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from advisor.core.validation import problems_from_validation
from advisor.core.yamlsrc import YamlProblems, load_yaml_file
from advisor.errors import InputError, Location, Problem
from advisor.eval.target import Api, Target

__all__ = ["TargetSpec", "load_target_file"]


class TargetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    model_key: str = Field(min_length=1)
    api: Api
    base_url: str = Field(min_length=1)
    model_id: str = Field(min_length=1)
    key_env: str | None = None
    input_price_per_m: Decimal | None = Field(None, ge=0)
    output_price_per_m: Decimal | None = Field(None, ge=0)
    tokenizer: str | None = None
    supports_json_schema: bool = False
    supports_json_mode: bool = False
    reasoning_tokens: int = Field(0, ge=0, le=10_000_000)

    def target(self) -> Target:
        return Target(**self.model_dump())


class _TargetList(BaseModel):
    model_config = ConfigDict(extra="forbid")
    targets: list[TargetSpec] = Field(min_length=1)


def load_target_file(path: str) -> list[Target]:
    """Targets from a YAML file: a list of target mappings, or ``{targets: [...]}``."""
    try:
        data, smap = load_yaml_file(path)
    except YamlProblems as exc:
        raise InputError(exc.problems, title="bad target file") from None
    if isinstance(data, list):
        data = {"targets": data}
        smap.lines = {("targets",) + k: v for k, v in smap.lines.items()}
    if not isinstance(data, dict):
        raise InputError([Problem("expected a list of targets", Location(smap.file, 1))], title="bad target file")
    try:
        doc = _TargetList.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from_validation(exc, smap, _TargetList), title="bad target file") from None
    seen: set[str] = set()
    problems = []
    for i, spec in enumerate(doc.targets):
        if spec.model_key in seen:
            problems.append(Problem(f"model_key {spec.model_key!r} given twice", smap.location(("targets", i, "model_key"))))
        seen.add(spec.model_key)
    if problems:
        raise InputError(problems, title="bad target file")
    return [s.target() for s in doc.targets]
