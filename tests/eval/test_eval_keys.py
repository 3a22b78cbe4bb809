"""The runner refuses a key it cannot send and redacts every key variable it can see."""

from __future__ import annotations

from decimal import Decimal

from advisor.eval.cases import parse_cases
from advisor.eval.runner import EvalRunner, RunConfig
from advisor.eval.target import Target
from advisor.providers import RetryPolicy

KEY = "sk-own-Canary+/=0123456789abcdef"
OTHER = "sk-ant-Other+/=fedcba9876543210"


def _target(fake):
    return Target("M", "m@openai", "openai", fake.base + "/v1", "x", "OPENAI_API_KEY", Decimal(1), Decimal(1))


def test_a_key_with_a_line_break_skips_its_target_naming_the_variable(fake):
    runner = EvalRunner([_target(fake)], parse_cases("- {id: a, input: hi}\n", "c.yaml"),
                        env={"OPENAI_API_KEY": KEY + "\r\n"})
    plan = runner.plan()
    assert plan.targets == [] and len(plan.skipped_targets) == 1
    why = plan.skipped_targets[0][1]
    assert "$OPENAI_API_KEY" in why and KEY[:10] not in why


async def test_a_key_from_another_provider_echoed_by_the_model_is_redacted(fake):
    fake.responder = lambda api, body: f"Hello {OTHER} and {KEY}"
    runner = EvalRunner([_target(fake)], parse_cases("- {id: a, input: hi}\n", "c.yaml"),
                        RunConfig(retry=RetryPolicy(max_retries=0)),
                        env={"OPENAI_API_KEY": KEY, "ANTHROPIC_API_KEY": OTHER})
    (r,) = (await runner.run()).results
    assert r.output == "Hello [redacted] and [redacted]"
    assert fake.requests[0][1]["authorization"] == f"Bearer {KEY}"  # the key itself is sent as set
