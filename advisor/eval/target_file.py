"""Targets from a YAML file (``advisor eval --target-file``).

Two kinds of entry, in a list or under ``targets:``:

* a **known model** — ``model: gpt-5-5`` and ``provider: openai`` (a model id and
  one of its providers in knowledge), with an optional ``base_url`` (a gateway, a
  proxy, a local mirror), ``key_env``, ``label``, ``model_key`` and ``reasoning``
  (one of the model's reasoning mode ids). It carries the model's request profile,
  prices and tokenizer, so none of them is restated;
* a **raw** entry — ``label``, ``model_key``, ``api``, ``base_url``, ``model_id``
  and optional prices, tokenizer and capability flags, for a server knowledge does
  not know; an optional ``request_profile`` (the fields of
  ``knowledge/request_profiles.yaml``) states its quirks over the wire format's
  baseline.

Every problem is reported with the file, line and field.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from advisor.core.profiles import BASELINE, ProfileFields
from advisor.core.schema import MAX_USD_PER_M, http_base_url
from advisor.core.validation import problems_from_validation
from advisor.core.yamlsrc import SourceMap, YamlProblems, did_you_mean, load_yaml_file
from advisor.errors import InputError, Location, Problem
from advisor.eval.target import Api, Target

__all__ = ["TargetSpec", "KnownTargetSpec", "load_target_file"]

TITLE = "bad target file"


class TargetSpec(BaseModel):
    """A raw entry: everything about the server stated here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field(min_length=1)
    model_key: str = Field(min_length=1)
    api: Api
    base_url: str = Field(min_length=1)
    model_id: str = Field(min_length=1)
    key_env: str | None = None
    input_price_per_m: Decimal | None = Field(None, ge=0, le=MAX_USD_PER_M)
    output_price_per_m: Decimal | None = Field(None, ge=0, le=MAX_USD_PER_M)
    tokenizer: str | None = None
    supports_json_schema: bool = False
    supports_json_mode: bool = False
    request_profile: ProfileFields | None = None

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str) -> str:
        return http_base_url(value)

    def target(self) -> Target:
        data = self.model_dump(exclude={"request_profile"})
        return Target(**data, profile=BASELINE[self.api].layered(self.request_profile))


class KnownTargetSpec(BaseModel):
    """An entry that names a model and provider in knowledge."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(min_length=1)
    provider: str = Field(min_length=1)
    base_url: str | None = Field(None, min_length=1)
    key_env: str | None = None
    label: str | None = Field(None, min_length=1)
    model_key: str | None = Field(None, min_length=1)
    reasoning: str | None = Field(None, min_length=1)

    @field_validator("base_url")
    @classmethod
    def _url(cls, value: str | None) -> str | None:
        return None if value is None else http_base_url(value)


def _known_target(kb: Any, spec: KnownTargetSpec, smap: SourceMap, path: tuple[Any, ...]) -> tuple[Target | None, list[Problem]]:
    from advisor.eval.targets_from_shortlist import _target, reasoning_mode

    model = kb.model_by_id.get(spec.model)
    if model is None:
        return None, [Problem(f"unknown model '{spec.model}'{did_you_mean(spec.model, kb.model_by_id)}", smap.location(path + ("model",)))]
    ep = next((e for e in model.endpoints if e.provider == spec.provider), None)
    if ep is None:
        served = ", ".join(sorted(e.provider for e in model.endpoints)) or "none"
        return None, [Problem(f"{spec.model} has no endpoint at provider '{spec.provider}' (it has: {served})", smap.location(path + ("provider",)))]
    try:
        mode = reasoning_mode(model, ep, spec.reasoning)
    except KeyError as exc:
        return None, [Problem(str(exc.args[0]), smap.location(path + ("reasoning",)))]
    prov = kb.providers[ep.provider]
    key = spec.model_key or f"{model.id}@{prov.id}" + (f"+{spec.reasoning}" if spec.reasoning else "")
    label = spec.label or f"{model.name} via {prov.name}" + (f" ({mode.label})" if mode else "")
    key_env = spec.key_env if "key_env" in spec.model_fields_set else "default"
    return _target(kb, model, ep, label, key, mode, base_url=spec.base_url, key_env=key_env), []


def load_target_file(path: str, knowledge_dirs: list[str] | None = None) -> list[Target]:
    """Targets from a YAML file: a list of target mappings, or ``{targets: [...]}``.
    Knowledge (built-in plus ``knowledge_dirs`` and the user's overlay) is loaded
    only when an entry names a known model."""
    try:
        data, smap = load_yaml_file(path)
    except YamlProblems as exc:
        raise InputError(exc.problems, title=TITLE) from None
    if isinstance(data, list):
        data = {"targets": data}
        smap.lines = {("targets",) + k: v for k, v in smap.lines.items()}
    if not isinstance(data, dict) or set(data) != {"targets"} or not isinstance(data["targets"], list) or not data["targets"]:
        raise InputError([Problem("expected a non-empty list of targets", Location(smap.file, 1))], title=TITLE)
    problems: list[Problem] = []
    specs: list[tuple[int, TargetSpec | KnownTargetSpec]] = []
    for i, item in enumerate(data["targets"]):
        where = ("targets", i)
        if not isinstance(item, dict):
            problems.append(Problem("expected a mapping of target fields", smap.location(where)))
            continue
        schema: type[BaseModel] = KnownTargetSpec if "model" in item else TargetSpec
        try:
            specs.append((i, schema.model_validate(item)))  # type: ignore[arg-type]
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, smap, schema, prefix=where))
    kb = None
    if any(isinstance(s, KnownTargetSpec) for _, s in specs):  # (also beside other entries' problems: all said at once)
        from advisor.knowledge_cache import load_knowledge_cached
        from advisor.userdirs import knowledge_dirs as with_user_overlay

        kb = load_knowledge_cached(with_user_overlay(list(knowledge_dirs or [])))
    targets: list[Target] = []
    seen: set[str] = set()
    for i, spec in specs:
        if isinstance(spec, KnownTargetSpec):
            if kb is None:
                continue
            target, found = _known_target(kb, spec, smap, ("targets", i))
            problems.extend(found)
            if target is None:
                continue
        else:
            target = spec.target()
        if target.model_key in seen:
            field = "model_key" if "model_key" in data["targets"][i] else "model"
            problems.append(Problem(f"model_key {target.model_key!r} given twice", smap.location(("targets", i, field))))
        seen.add(target.model_key)
        targets.append(target)
    if problems:
        raise InputError(problems, title=TITLE)
    return targets
