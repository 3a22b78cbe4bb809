"""Request profiles: what each API accepts, as data (``knowledge/request_profiles.yaml``).

A profile says how a request is shaped for one endpoint:

* ``stream_usage`` — ``stream_options`` (ask for usage in the last chunk with
  ``stream_options: {include_usage: true}``) or ``none`` (send nothing: Mistral
  forbids unknown fields, and sends usage anyway);
* ``temperature`` — ``accepted`` (send the run's temperature), ``fixed`` (send
  ``fixed_temperature`` whatever the run says) or ``omitted`` (o-series and GPT-5
  reject anything but their default); ``temperature_when_thinking`` overrides it
  for a mode that thinks (Anthropic's extended thinking refuses a temperature);
* ``token_limit`` — the field that carries the case's ``max_tokens``
  (``max_tokens``, ``max_completion_tokens``, Gemini ``maxOutputTokens``), and
  ``reasoning_headroom``: tokens added to it when the mode thinks, so the
  thinking fits before the answer;
* ``schema_dialect`` — how a case's JSON Schema is sent: OpenAI ``json_schema``
  (strict when the schema allows it), ``gemini_schema`` (the Schema subset, with
  type lists, nullability and untyped enums converted), ``gemini_json_schema``
  (``responseJsonSchema``, plain JSON Schema), ``anthropic_output_config``
  (structured output), ``anthropic_tool`` (a forced tool), ``json_mode`` (JSON
  mode, the schema in the prompt) or ``prompt`` (the schema in the prompt only);
* ``headers`` — extra request headers (never a key: keys come from the environment).

Layers, each overriding the one before: the wire format's baseline (below), the
provider, the model, the model's endpoint at that provider. Pure: no network.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "ProfileFields",
    "RequestProfile",
    "RequestProfilesFile",
    "BASELINE",
    "resolve_profile",
]

StreamUsage = Literal["stream_options", "none"]
TemperatureRule = Literal["accepted", "omitted", "fixed"]
TokenLimitField = Literal["max_tokens", "max_completion_tokens", "maxOutputTokens"]
SchemaDialect = Literal[
    "json_schema", "gemini_schema", "gemini_json_schema", "anthropic_output_config", "anthropic_tool", "json_mode", "prompt"
]

Slug = str


class Frozen(BaseModel):
    """As advisor.core.schema.Frozen (unknown keys are errors), without importing the whole
    knowledge schema: the eval of a raw target file needs profiles and nothing else of it."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)


_FORBIDDEN_HEADERS = {"authorization", "x-api-key", "x-goog-api-key", "api-key"}


class ProfileFields(Frozen):
    """One layer: every field optional (``None`` = inherit from the layer below)."""

    stream_usage: StreamUsage | None = None
    temperature: TemperatureRule | None = None
    fixed_temperature: float | None = Field(default=None, ge=0, le=2)
    temperature_when_thinking: TemperatureRule | None = None
    token_limit: TokenLimitField | None = None
    reasoning_headroom: int | None = Field(default=None, ge=0)
    schema_dialect: SchemaDialect | None = None
    headers: dict[str, str] | None = None
    source: str | None = None  # where the quirk is documented

    @model_validator(mode="after")
    def _headers_hold_no_keys(self) -> "ProfileFields":
        for name in self.headers or {}:
            if name.lower() in _FORBIDDEN_HEADERS:
                raise ValueError(f"header '{name}' carries a key; keys come from the environment (key_env)")
        return self


class RequestProfile(Frozen):
    """A resolved profile: every field known."""

    stream_usage: StreamUsage
    temperature: TemperatureRule
    fixed_temperature: float | None = None
    temperature_when_thinking: TemperatureRule | None = None
    token_limit: TokenLimitField
    reasoning_headroom: int = 0
    schema_dialect: SchemaDialect
    headers: dict[str, str] = {}

    @model_validator(mode="after")
    def _fixed_has_value(self) -> "RequestProfile":
        rules = (self.temperature, self.temperature_when_thinking)
        if "fixed" in rules and self.fixed_temperature is None:
            raise ValueError("temperature 'fixed' needs fixed_temperature")
        return self

    def layered(self, layer: ProfileFields | None) -> "RequestProfile":
        """This profile with ``layer``'s set fields on top (headers are merged)."""
        if layer is None:
            return self
        data = self.model_dump()
        for name in ProfileFields.model_fields:
            value = getattr(layer, name)
            if value is None or name == "source":
                continue
            data[name] = {**data["headers"], **value} if name == "headers" else value
        return RequestProfile.model_validate(data)

    def temperature_for(self, requested: float, thinks: bool) -> float | None:
        """The temperature to send, or ``None`` to send none."""
        rule = self.temperature_when_thinking if thinks and self.temperature_when_thinking else self.temperature
        if rule == "omitted":
            return None
        if rule == "fixed":
            return self.fixed_temperature
        return requested

    def token_limit_for(self, max_tokens: int, thinks: bool, thinking_budget: int = 0) -> int:
        """The token limit to send: the case's, plus room for the thinking when the mode thinks."""
        if not thinks:
            return max_tokens
        return max_tokens + max(self.reasoning_headroom, thinking_budget)


class _Baseline(Mapping[str, "RequestProfile"]):
    """The profiles below, validated on first use: building RequestProfile's validator
    at import would cost every start-up that never sends a request (``advisor --answers``)."""

    def __init__(self, spec: dict[str, dict[str, str]]):
        self._spec = spec
        self._profiles: dict[str, RequestProfile] | None = None

    def _built(self) -> dict[str, "RequestProfile"]:
        if self._profiles is None:
            self._profiles = {api: RequestProfile(**fields) for api, fields in self._spec.items()}  # type: ignore[arg-type]
        return self._profiles

    def __getitem__(self, api: str) -> "RequestProfile":
        return self._built()[api]

    def __iter__(self) -> Iterator[str]:
        return iter(self._spec)

    def __len__(self) -> int:
        return len(self._spec)


#: what each wire format accepts when nothing else is known (any OpenAI-compatible
#: server, an Anthropic- or Gemini-style gateway); the provider layers refine it
BASELINE: Mapping[str, RequestProfile] = _Baseline({
    "openai": dict(
        stream_usage="stream_options", temperature="accepted", token_limit="max_tokens", schema_dialect="json_schema"
    ),
    "anthropic": dict(
        stream_usage="none", temperature="accepted", temperature_when_thinking="omitted",
        token_limit="max_tokens", schema_dialect="prompt",
    ),
    "gemini": dict(
        stream_usage="none", temperature="accepted", token_limit="maxOutputTokens", schema_dialect="gemini_schema"
    ),
})


# --------------------------------------------------------------------------- the file

class ProviderProfile(ProfileFields):
    id: Slug  # a provider id from models.yaml


class EndpointProfile(ProfileFields):
    provider: Slug  # this model at that provider


class ModelProfile(ProfileFields):
    id: Slug  # a model id from models.yaml
    endpoints: tuple[EndpointProfile, ...] = ()


class RequestProfilesFile(Frozen):
    providers: tuple[ProviderProfile, ...] = ()
    models: tuple[ModelProfile, ...] = ()

    def provider(self, pid: str | None) -> ProviderProfile | None:
        return next((p for p in self.providers if p.id == pid), None) if pid else None

    def model(self, mid: str | None) -> ModelProfile | None:
        return next((m for m in self.models if m.id == mid), None) if mid else None


def resolve_profile(
    book: RequestProfilesFile | None, api: str, provider_id: str | None = None, model_id: str | None = None
) -> RequestProfile:
    """The profile for ``model_id`` at ``provider_id`` over ``api``: baseline, provider, model, endpoint."""
    profile = BASELINE[api]
    if book is None:
        return profile
    profile = profile.layered(book.provider(provider_id))
    model = book.model(model_id)
    if model is not None:
        profile = profile.layered(model)
        profile = profile.layered(next((e for e in model.endpoints if e.provider == provider_id), None))
    return profile
