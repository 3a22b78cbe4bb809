"""`advisor export router`: the base URL and reasoning mode the run used reach LiteLLM."""

from __future__ import annotations

import textwrap

import yaml

from advisor.cli import export_cmd

from .test_cli import _run

ANSWERS = "task_type: extraction\nmonthly_requests: 10000\navg_input_tokens: 500\navg_output_tokens: 100\ncontext_tokens: 2000\navailability: high\n"
MODELS = ["gpt-4o", "gpt-4o-mini", "o3", "claude-3-5-sonnet", "claude-3-5-haiku", "claude-opus-4", "gemini-1-5-pro",
          "gemini-2-0-flash", "mistral-large", "mistral-small", "llama-3-1-70b", "llama-3-1-8b", "mystery-model"]


def _overlay(tmp_path, gateway: bool):
    d = tmp_path / ("gw" if gateway else "plain")
    d.mkdir()
    providers = textwrap.dedent("""\
        providers:
          - {id: openai, base_url: "http://gateway.internal/openai/v1"}
          - {id: anthropic, base_url: "http://gateway.internal/anthropic"}
          - {id: google, base_url: "http://gateway.internal/gemini/v1beta"}
          - {id: mistral, base_url: "http://gateway.internal/mistral/v1"}
        """) if gateway else ""
    # every model thinks, with one mode whose request fragment says so in its own format
    frag = {"openai": "{reasoning_effort: low}", "anthropic": "{thinking: {type: enabled, budget_tokens: 2048}}",
            "google": "{generationConfig: {thinkingConfig: {thinkingBudget: 1024}}}"}
    models = ["models:"]
    for mid in MODELS:
        fragment = frag["anthropic"] if mid.startswith("claude") else frag["google"] if mid.startswith("gemini") else frag["openai"]
        models.append(f"  - id: {mid}\n    reasoning: {{default: think, source: fixture, modes: "
                      f"[{{id: think, label: thinking, thinks: true, effort: low, request: {fragment}}}]}}")
    (d / "models.yaml").write_text(providers + "\n".join(models) + "\n")
    return d


def _litellm(tmp_path, capsys, overlay):
    answers = tmp_path / "a.yaml"
    answers.write_text(ANSWERS)
    out = tmp_path / f"{overlay.name}.yaml"
    code, _, err = _run(export_cmd, ["router", "--answers", str(answers), "--format", "litellm", "--out", str(out),
                                     "--today", "2026-11-24", "--knowledge", str(overlay)], capsys)
    assert code == 0, err
    return yaml.safe_load(out.read_text())["model_list"]


def test_api_base_is_written_when_a_known_provider_points_elsewhere(data_dir, tmp_path, capsys):
    public = _litellm(tmp_path, capsys, _overlay(tmp_path, gateway=False))
    assert public and all("api_base" not in m["litellm_params"] for m in public
                          if m["litellm_params"]["model"].split("/")[0] in ("openai", "anthropic", "gemini", "mistral"))
    gateway = _litellm(tmp_path, capsys, _overlay(tmp_path, gateway=True))
    for m in gateway:
        assert m["litellm_params"]["api_base"].startswith("http://gateway.internal/"), m


def test_reasoning_settings_reach_litellm(data_dir, tmp_path, capsys):
    for m in _litellm(tmp_path, capsys, _overlay(tmp_path, gateway=False)):
        params = m["litellm_params"]
        prefix = params["model"].split("/")[0]
        if prefix == "anthropic":
            assert params["thinking"] == {"type": "enabled", "budget_tokens": 2048}
        elif prefix == "gemini":
            assert params["thinking"] == {"type": "enabled", "budget_tokens": 1024}
        else:
            assert params["reasoning_effort"] == "low"
