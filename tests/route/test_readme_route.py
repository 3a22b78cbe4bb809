"""The README's routing example stays true: the shipped triage cases and answers, a scripted bake-off of the
answers' shortlist on the loopback server, then ``advisor route`` and both exports, as the README shows them.

    python tests/route/test_readme_route.py           # print the three blocks
    python tests/route/test_readme_route.py --write   # rewrite them in README.md (after a knowledge update)
"""

from __future__ import annotations

import asyncio
import dataclasses
import sys
import tempfile
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
ANSWERS = REPO / "examples" / "answers" / "support-triage.yaml"
CASES = REPO / "examples" / "cases" / "triage.yaml"
TODAY = date(2026, 12, 1)

#: the scripted run, by the shortlist's order (so a knowledge update changes the models, not the story): how many
#: cases of each kind (label 16, reply 10, escalate 2) each candidate answers correctly, by case order
SCRIPT = [
    {"label": 16, "reply": 3, "escalate": 2},
    {"label": 16, "reply": 2, "escalate": 2},
    {"label": 16, "reply": 10, "escalate": 2},
]


def _right_answer(case) -> str:
    from advisor.eval.cases import ContainsCheck, EqualsCheck, RegexCheck

    for c in case.effective_checks:
        if isinstance(c, EqualsCheck):
            return str(case.expected)
        if isinstance(c, ContainsCheck):
            values = c.value if isinstance(c.value, list) else [c.value]
            return "Thanks for writing. " + "; ".join(values) + "."
        if isinstance(c, RegexCheck):
            return c.pattern.lstrip("^") + ": because."
    return ""


def readme_blocks() -> dict[str, str]:
    """The route text, the LiteLLM config and the plain YAML from a scripted run of the example."""
    sys.path.insert(0, str(REPO / "tests" / "providers"))
    from fake_llm_server import FakeLLMServer

    from advisor.catalog.yamlout import dump
    from advisor.cli.export_cmd import LITELLM_PREFIX
    from advisor.core.knowledge import load_knowledge
    from advisor.core.questions import load_answers
    from advisor.eval.cases import load_cases
    from advisor.eval.route import plan_for_answers
    from advisor.eval.route_export import litellm_route_config, plain_route_config
    from advisor.eval.runner import EvalRunner, RunConfig
    from advisor.eval.targets_from_shortlist import targets_for_shortlist
    from advisor.core.engine import shortlist
    from advisor.providers.http import RetryPolicy
    from advisor.render.route_markdown import render_route_text

    kb = load_knowledge()
    answers = load_answers(kb, ANSWERS)
    result = shortlist(answers, kb, TODAY)
    targets, _ = targets_for_shortlist(kb, result)
    cases = load_cases(CASES)
    by_text = {}
    for kind in ("label", "reply", "escalate"):
        mine = [c for c in cases.cases if kind in c.tags]
        for i, c in enumerate(mine):
            by_text[(c.system, c.chat_messages()[-1][1])] = (kind, i, _right_answer(c))
    with FakeLLMServer() as fake, tempfile.TemporaryDirectory() as tmp:
        model_of = {}
        rebased = []
        for i, t in enumerate(targets):
            model_of[f"m{i}"] = i
            rebased.append(dataclasses.replace(t, api="openai", base_url=f"{fake.base}/p{i}/v1", model_id=f"m{i}"))

        def respond(api, body):
            system = next((m["content"] for m in body["messages"] if m["role"] == "system"), None)
            kind, i, right = by_text[(system, body["messages"][-1]["content"])]
            return right if i < SCRIPT[model_of[body["model"]]][kind] else "Sorry, I am not sure."

        fake.responder = respond
        fake.input_tokens = 160  # about what the triage prompts count (the fake server reports a fixed figure)
        env = {t.key_env: "sk-readme-example" for t in targets if t.key_env}
        runner = EvalRunner(rebased, cases, RunConfig(concurrency=8, per_provider=8,
                                                      retry=RetryPolicy(max_retries=0, initial_delay=0.0, jitter=0.0)),
                            results_path=Path(tmp) / "run.jsonl", env=env)
        summary = asyncio.run(runner.run())
    task_q = next(q for q in kb.questions.questions if q.id == "task_type")
    plan, measured = plan_for_answers(summary.results, cases, targets, answers.model_dump(), task_types=task_q.choice_values)
    tmap = {t.model_key: t for t in measured}
    blocks = {
        "text": render_route_text(plan),
        "litellm": dump(litellm_route_config(plan, tmap, LITELLM_PREFIX), None),
        "plain": dump(plain_route_config(plan, tmap, cases.categories), None),
    }
    return {k: v.strip("\n") + "\n" for k, v in blocks.items()}


def test_the_readme_shows_what_the_example_gives():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    blocks = readme_blocks()
    for name, text in blocks.items():
        assert text.strip() in readme, f"README's {name} block is out of date; run python {Path(__file__).relative_to(REPO)} --write"


def write_readme(blocks: dict[str, str]) -> None:
    """Replace the three fenced blocks of the README's "Route by category" section."""
    import re

    path = REPO / "README.md"
    text = path.read_text(encoding="utf-8")
    start = text.index("### Route by category")
    end = text.index("\n## ", start)
    section = text[start:end]
    fences = list(re.finditer(r"```(?:text|yaml)\n(.*?)```", section, re.S))
    assert len(fences) == 3, "the section should have the text, litellm and plain blocks"
    for m, key in zip(reversed(fences), ("plain", "litellm", "text")):
        section = section[:m.start(1)] + blocks[key] + section[m.end(1):]
    path.write_text(text[:start] + section + text[end:], encoding="utf-8")


if __name__ == "__main__":
    got = readme_blocks()
    if "--write" in sys.argv[1:]:
        write_readme(got)
    else:
        for name, body in got.items():
            print(f"----- {name}\n{body}")
