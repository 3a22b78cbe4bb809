"""Provider ids across catalogues, and the hosts we know how to call."""

from __future__ import annotations

import re

#: source provider id -> our provider id (models.dev and LiteLLM spell them differently)
ALIASES: dict[str, str] = {
    "togetherai": "together",
    "together_ai": "together",
    "fireworks-ai": "fireworks",
    "fireworks_ai": "fireworks",
    "gemini": "google",
    "xai": "xai",
    "deepseek": "deepseek",
    "mistral": "mistral",
    "groq": "groq",
}

#: hosts whose OpenAI-compatible (or native) base URL we know, for sources that
#: do not give one: id -> (name, api style, base_url, key_env). The first seven
#: repeat knowledge/models.yaml on purpose: an import must still work when the
#: knowledge in use (a --knowledge replacement, a test catalogue) lacks them;
#: where the built-in knowledge has the provider, its entry wins (build.py).
KNOWN: dict[str, tuple[str, str, str, str]] = {
    "openai": ("OpenAI", "openai", "https://api.openai.com/v1", "OPENAI_API_KEY"),
    "anthropic": ("Anthropic", "anthropic", "https://api.anthropic.com", "ANTHROPIC_API_KEY"),
    "google": ("Google (Gemini API)", "gemini", "https://generativelanguage.googleapis.com/v1beta", "GEMINI_API_KEY"),
    "mistral": ("Mistral AI", "openai", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    "together": ("Together AI", "openai", "https://api.together.xyz/v1", "TOGETHER_API_KEY"),
    "groq": ("Groq", "openai", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    "fireworks": ("Fireworks AI", "openai", "https://api.fireworks.ai/inference/v1", "FIREWORKS_API_KEY"),
    "deepseek": ("DeepSeek", "openai", "https://api.deepseek.com/v1", "DEEPSEEK_API_KEY"),
    "xai": ("xAI", "openai", "https://api.x.ai/v1", "XAI_API_KEY"),
    "cerebras": ("Cerebras", "openai", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY"),
    "deepinfra": ("DeepInfra", "openai", "https://api.deepinfra.com/v1/openai", "DEEPINFRA_API_KEY"),
    "perplexity": ("Perplexity", "openai", "https://api.perplexity.ai", "PERPLEXITY_API_KEY"),
    "openrouter": ("OpenRouter", "openai", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
}

#: LiteLLM providers we import (others have no single base URL or key: bedrock, azure, vertex ...)
LITELLM_PROVIDERS = {
    "openai",
    "anthropic",
    "gemini",
    "mistral",
    "together_ai",
    "groq",
    "fireworks_ai",
    "deepseek",
    "xai",
    "cerebras",
    "deepinfra",
    "perplexity",
    "openrouter",
}

_NON_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _NON_SLUG.sub("-", text.lower()).strip("-") or "x"


def canonical(source_id: str) -> str:
    """Our id for a provider id from either catalogue."""
    return ALIASES.get(source_id) or slug(source_id)


def api_style(npm: str | None) -> str:
    npm = (npm or "").lower()
    if "anthropic" in npm and "vertex" not in npm and "bedrock" not in npm:
        return "anthropic"
    if npm == "@ai-sdk/google":
        return "gemini"
    return "openai"


#: family prefixes -> vendor, for models first seen at a reseller
_VENDORS = (
    ("claude", "anthropic"),
    ("gpt", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("chatgpt", "openai"),
    ("gemini", "google"),
    ("gemma", "google"),
    ("llama", "meta"),
    ("mistral", "mistral"),
    ("mixtral", "mistral"),
    ("codestral", "mistral"),
    ("devstral", "mistral"),
    ("magistral", "mistral"),
    ("ministral", "mistral"),
    ("pixtral", "mistral"),
    ("qwen", "alibaba"),
    ("qwq", "alibaba"),
    ("deepseek", "deepseek"),
    ("grok", "xai"),
    ("kimi", "moonshotai"),
    ("glm", "zhipuai"),
    ("phi", "microsoft"),
    ("command", "cohere"),
    ("nova", "amazon"),
    ("minimax", "minimax"),
)


def guess_vendor(family: str | None, api_id: str, provider: str) -> str:
    base = (family or api_id.rsplit("/", 1)[-1]).lower()
    for prefix, vendor in _VENDORS:
        if base.startswith(prefix):
            return vendor
    if "/" in api_id:
        org = api_id.split("/")[0]
        if org and org not in ("accounts", "models"):
            return slug(org)
    return provider
