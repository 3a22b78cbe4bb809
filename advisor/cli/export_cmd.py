"""`advisor export ...`: hand the shortlist to other tools.

    advisor export promptfoo --answers A.yaml --cases CASES [--out promptfooconfig.yaml] [--force]
    advisor export router --answers A.yaml [--results eval.jsonl] [--out router.yaml]
                          [--format plain|litellm] [--force]

API keys are never written: only the names of the environment variables that
hold them (promptfoo ``apiKeyEnvar``, LiteLLM ``os.environ/NAME``). Files are
written atomically and an existing file is kept unless ``--force``.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

from advisor.cli.common import knowledge_dirs, parse_today, run_guarded
from advisor.eval.route_export import reasoning_params
from advisor.fileio import refuse_overwrite
from advisor.errors import InputError, Location, Problem, display_path

#: our provider id -> (LiteLLM's provider prefix, the public base URL LiteLLM calls by
#: default); others: openai/ with api_base. A base URL other than the default (an
#: overlay pointing a provider at a gateway) is written as api_base.
LITELLM_PROVIDERS = {
    "openai": ("openai", "https://api.openai.com/v1"),
    "anthropic": ("anthropic", "https://api.anthropic.com"),
    "google": ("gemini", "https://generativelanguage.googleapis.com/v1beta"),
    "mistral": ("mistral", "https://api.mistral.ai/v1"),
    "together": ("together_ai", "https://api.together.xyz/v1"),
    "groq": ("groq", "https://api.groq.com/openai/v1"),
    "fireworks": ("fireworks_ai", "https://api.fireworks.ai/inference/v1"),
    "deepseek": ("deepseek", "https://api.deepseek.com/v1"),
    "xai": ("xai", "https://api.x.ai/v1"),
    "cerebras": ("cerebras", "https://api.cerebras.ai/v1"),
    "deepinfra": ("deepinfra", "https://api.deepinfra.com/v1/openai"),
    "perplexity": ("perplexity", "https://api.perplexity.ai"),
    "openrouter": ("openrouter", "https://openrouter.ai/api/v1"),
}
LITELLM_PREFIX = {pid: prefix for pid, (prefix, _) in LITELLM_PROVIDERS.items()}


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="advisor export", description="Export the shortlist as a promptfoo or router config.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("--answers", required=True, metavar="FILE", help="answers YAML file")
        sp.add_argument("--knowledge", metavar="DIR", action="append", default=[], help="overlay extra knowledge YAML (repeatable)")
        sp.add_argument("--today", metavar="YYYY-MM-DD", help="date to judge prices against (default: today)")
        sp.add_argument("--force", action="store_true", help="replace the output file if it exists")

    pf = sub.add_parser("promptfoo", help="a promptfooconfig.yaml for the shortlist with your cases as tests")
    common(pf)
    pf.add_argument("--cases", required=True, metavar="CASES", help="cases file (YAML or JSONL)")
    pf.add_argument("--out", default="promptfooconfig.yaml", metavar="PATH")

    rt = sub.add_parser("router", help="task type -> model with a fallback from another provider")
    common(rt)
    rt.add_argument("--results", metavar="EVAL_JSONL", help="eval results to rank the shortlist by pass rate")
    rt.add_argument("--out", default="router.yaml", metavar="PATH")
    rt.add_argument("--format", choices=("plain", "litellm"), default="plain")
    return p


# --------------------------------------------------------------------------- shared

def _shortlist(args: argparse.Namespace):
    from advisor.core.engine import shortlist
    from advisor.core.knowledge import load_knowledge
    from advisor.core.questions import load_answers

    kb = load_knowledge(knowledge_dirs(args.knowledge))
    answers = load_answers(kb, args.answers)
    return kb, answers, shortlist(answers, kb, parse_today(args.today))


def _hosted(result) -> list[Any]:
    return [c for c in result.candidates if c.option.deployment == "hosted"]


def _endpoint(kb, cand) -> tuple[Any, Any]:
    model = kb.model_by_id[cand.option.model_id]
    ep = next(e for e in model.endpoints if e.provider == cand.option.provider)
    return kb.providers[ep.provider], ep


def _write(path: str, text: str, force: bool) -> None:
    from advisor.fileio import atomic_write

    refuse_overwrite(path, force)
    if Path(path).is_dir():
        raise InputError([Problem("is a directory", Location(display_path(path), None, "--out"))])
    atomic_write(path, text)


# --------------------------------------------------------------------------- promptfoo

def promptfoo_request(target: Any, body: dict[str, Any], key_env: str | None) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    """The promptfoo provider id, config and chat messages that send ``body`` — the
    request advisor's runner builds for this target and case — as it is: same
    fields, temperature, token limit, structured output and reasoning settings, same
    base URL. Streaming fields are left out (promptfoo does not stream)."""
    body = dict(body)
    for k in ("model", "stream", "stream_options"):
        body.pop(k, None)
    config: dict[str, Any]
    if target.api == "openai":
        messages = body.pop("messages")
        pid = f"openai:chat:{target.model_id}"
        # omitDefaults: promptfoo adds no max_tokens or temperature of its own; passthrough
        # is merged into the body last, so the fields are advisor's exactly
        config = {"apiBaseUrl": target.base_url, "omitDefaults": True, "passthrough": body}
        if key_env:
            config["apiKeyEnvar"] = key_env
    elif target.api == "anthropic":
        system = body.pop("system", None)
        messages = ([{"role": "system", "content": system}] if system else []) + body.pop("messages")
        pid = f"anthropic:messages:{target.model_id}"
        # extra_body is merged into promptfoo's request last: advisor's fields as they are
        config = {"apiBaseUrl": target.base_url, "max_tokens": body.pop("max_tokens")}
        if "temperature" in body:
            config["temperature"] = body.pop("temperature")
        if body:
            config["extra_body"] = body
        if key_env:  # promptfoo's Anthropic provider reads no apiKeyEnvar: also a reference, never the key
            config["apiKeyEnvar"] = key_env
            config["apiKey"] = f"{{{{ env.{key_env} }}}}"
    else:
        system = (body.pop("systemInstruction", None) or {}).get("parts", [{}])[0].get("text")
        contents = body.pop("contents")
        messages = ([{"role": "system", "content": system}] if system else []) + [
            {"role": "assistant" if c["role"] == "model" else "user", "content": c["parts"][0]["text"]} for c in contents
        ]
        pid = f"google:{target.model_id}"
        # promptfoo calls {apiBaseUrl}/{apiVersion}/models/...: split advisor's base URL
        root, _, version = target.base_url.rstrip("/").rpartition("/")
        config = {"apiBaseUrl": root, "apiVersion": version, "generationConfig": body.pop("generationConfig")}
        if body:
            config["passthrough"] = body
        if key_env:  # as for Anthropic: promptfoo's Google provider reads no apiKeyEnvar
            config["apiKeyEnvar"] = key_env
            config["apiKey"] = f"{{{{ env.{key_env} }}}}"
    return pid, config, messages


#: advisor's ``fields`` check (advisor.eval.checks) in JavaScript, as a promptfoo ``javascript``
#: assertion: the same partial credit (matched / named fields), dotted names, numeric strings
#: ("1,240.00") against numbers, a missing field accepted where null is expected, and a code
#: fence removed. It returns ``{pass, score, reason}``: pass only when every field matches (as
#: advisor's check does); the case's threshold, if any, is on the test. One line, so promptfoo
#: prepends ``return``; never ``{{``/``{%``/``{#`` (promptfoo renders values with Nunjucks).
#: advisor.eval.checks' helpers in JavaScript, shared by the assertions below: ``parse``
#: (parse_json_answer: as is, else inside one code fence), ``norm`` (whitespace collapsed,
#: case folded when ``ci``), ``eq`` (Python's ``==`` on parsed JSON: ``true == 1``, ``1 == 1.0``).
_JS_HELPERS = (
    "const text = typeof output === 'string' ? output : JSON.stringify(output); "
    "const parse = t => { try { return [true, JSON.parse(t)]; } catch (e) { } "
    "const m = /^\\s*```[a-zA-Z0-9_-]*\\s*\\n([\\s\\S]*?)\\n?\\s*```\\s*$/.exec(t); "
    "if (m) { try { return [true, JSON.parse(m[1])]; } catch (e) { } } return [false, null]; }; "
    "const isObj = v => v !== null && typeof v === 'object' && !Array.isArray(v); "
    "const fold = v => ci ? v.toUpperCase().toLowerCase() : v; "
    "const norm = v => typeof v === 'string' ? fold(v.split(/\\s+/).filter(Boolean).join(' ')) "
    ": Array.isArray(v) ? v.map(norm) : isObj(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, norm(x)])) : v; "
    "const scalar = v => typeof v === 'number' || typeof v === 'boolean'; "
    "const eq = (a, b) => { if (scalar(a) && scalar(b)) return Number(a) === Number(b); "
    "if (Array.isArray(a) || Array.isArray(b)) return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => eq(x, b[i])); "
    "if (isObj(a) || isObj(b)) { if (!isObj(a) || !isObj(b)) return false; const ka = Object.keys(a); "
    "return ka.length === Object.keys(b).length && ka.every(k => Object.prototype.hasOwnProperty.call(b, k) && eq(a[k], b[k])); } "
    "return a === b; }; "
)

#: advisor's ``fields`` check (advisor.eval.checks) in JavaScript, as a promptfoo ``javascript``
#: assertion: the same partial credit (matched / named fields), dotted names, numeric strings
#: ("1,240.00") against numbers, a missing field accepted where null is expected, and a code
#: fence removed. It returns ``{pass, score, reason}``: pass only when every field matches (as
#: advisor's check does); the case's threshold, if any, is on the test. One line, so promptfoo
#: prepends ``return``; never ``{{``/``{%``/``{#`` (promptfoo renders values with Nunjucks).
_FIELDS_JS = (
    "(() => { "
    "const want = __WANT__; const names = __NAMES__; const ci = __CI__; const tol = __TOL__; "
    + _JS_HELPERS +
    "const NUM = /^[+-]?(\\d(_?\\d)*(\\.(\\d(_?\\d)*)?)?|\\.\\d(_?\\d)*)([eE][+-]?\\d(_?\\d)*)?$/; "
    "const match = (g, w) => { "
    "if (typeof w === 'boolean' || typeof g === 'boolean') return typeof g === typeof w && g === w; "
    "if (typeof w === 'number' && typeof g === 'number') return Math.abs(g - w) <= tol || g === w; "
    "if (typeof w === 'number' && typeof g === 'string') { const s = g.split(',').join('').trim(); "
    "return NUM.test(s) && match(Number(s.split('_').join('')), w); } "
    "return eq(norm(g), norm(w)); }; "
    "const lookup = (o, dotted) => { let cur = o; for (const part of dotted.split('.')) { "
    "if (isObj(cur) && Object.prototype.hasOwnProperty.call(cur, part)) cur = cur[part]; else return [false, null]; } return [true, cur]; }; "
    "const [ok, value] = parse(text); "
    "if (!ok || !isObj(value)) return { pass: false, score: 0, reason: '0/' + names.length + ' fields (answer is not a JSON object)' }; "
    "const wrong = names.filter(n => { const [hw, w] = lookup(want, n); const [hg, g] = lookup(value, n); "
    "if (hg && hw && match(g, w)) return false; return !(hw && !hg && w === null); }); "
    "const matched = names.length - wrong.length; "
    "return { pass: wrong.length === 0, score: names.length ? matched / names.length : 1, "
    "reason: matched + '/' + names.length + ' fields' + (wrong.length ? '; wrong: ' + wrong.join(', ') : '') }; "
    "})()"
)

#: advisor's ``equals``: a string compared stripped (unless strip: false) and case-folded on
#: ignore_case; any other expected value compared as JSON (the answer parsed, fence removed,
#: strings' whitespace collapsed). promptfoo's ``equals`` compares the raw text.
_EQUALS_JS = (
    "(() => { const want = __WANT__; const ci = __CI__; const strip = __STRIP__; "
    + _JS_HELPERS +
    "if (typeof want === 'string') { let g = strip ? text.trim() : text; let w = strip ? want.trim() : want; "
    "if (ci) { g = fold(g); w = fold(w); } return g === w; } "
    "const [ok, value] = parse(text); return ok && eq(norm(value), norm(want)); })()"
)

#: advisor's ``contains``: partial credit (found / needles), case-insensitive by default.
_CONTAINS_JS = (
    "(() => { const needles = __NEEDLES__; const ci = __CI__; "
    "const text = typeof output === 'string' ? output : JSON.stringify(output); "
    "const f = v => ci ? v.toUpperCase().toLowerCase() : v; const hay = f(text); "
    "const missing = needles.filter(n => !hay.includes(f(n))); "
    "const score = needles.length ? (needles.length - missing.length) / needles.length : 1; "
    "return { pass: missing.length === 0, score, reason: missing.length ? 'missing ' + JSON.stringify(missing) : 'found all' }; })()"
)


#: advisor's parse_json_answer in JavaScript: the answer as it is when it parses, else the
#: inside of one surrounding code fence (the same pattern as advisor.eval.checks._FENCE)
UNFENCE_JS = (
    "(() => { const t = typeof output === 'string' ? output : JSON.stringify(output); "
    "try { JSON.parse(t); return t; } catch (e) { } "
    "const m = /^\\s*```[a-zA-Z0-9_-]*\\s*\\n([\\s\\S]*?)\\n?\\s*```\\s*$/.exec(t); return m ? m[1] : t; })()"
)


def _js_literal(value: Any) -> str:
    """JSON as a JavaScript literal, with no ``{{``, ``{%`` or ``{#`` for Nunjucks to render.

    Outside strings JSON never has ``{`` followed by one of those, so this only rewrites string content.
    """
    return re.sub(r"\{(?=[{%#])", r"\\u007b", json.dumps(value, sort_keys=True, ensure_ascii=False))


def _fill(template: str, **values: Any) -> str:
    """A JS template with each ``__NAME__`` replaced by ``values[NAME]`` as a JavaScript literal."""
    for name, value in values.items():
        template = template.replace(f"__{name}__", _js_literal(value))
    return template


def fields_js(want: dict[str, Any], names: list[str], ignore_case: bool, tolerance: float) -> str:
    return (
        _FIELDS_JS.replace("__WANT__", _js_literal(want))
        .replace("__NAMES__", _js_literal(names))
        .replace("__CI__", "true" if ignore_case else "false")
        .replace("__TOL__", repr(float(tolerance)))
    )


def assertion(check: Any, case: Any) -> dict[str, Any]:
    """One of our checks as a promptfoo assertion."""
    t = check.type
    out: dict[str, Any]
    if t == "equals":
        value = check.value if check.value is not None else case.expected
        out = {"type": "javascript", "value": _fill(_EQUALS_JS, WANT=value, CI=check.ignore_case, STRIP=check.strip)}
    elif t == "contains":
        needles = [check.value] if isinstance(check.value, str) else list(check.value)
        out = {"type": "javascript", "value": _fill(_CONTAINS_JS, NEEDLES=needles, CI=check.ignore_case)}
    elif t == "regex":
        if check.ignore_case:
            out = {"type": "javascript", "value": f"new RegExp({json.dumps(check.pattern)}, 'i').test(output)"}
        else:
            out = {"type": "regex", "value": check.pattern}
    elif t == "valid_json":
        # advisor accepts a JSON answer inside a code fence; promptfoo's is-json alone does not
        out = {"type": "is-json", "transform": UNFENCE_JS}
    elif t == "json_schema":
        out = {"type": "is-json", "value": check.schema_, "transform": UNFENCE_JS}
    elif t == "max_length":
        if check.chars is not None:  # characters as Python counts them (code points, not UTF-16 units)
            out = {"type": "javascript", "value": f"[...output].length <= {check.chars}"}
        else:
            out = {"type": "javascript", "value": f"output.trim().split(/\\s+/).filter(Boolean).length <= {check.words}"}
    elif t == "fields":
        want = check.value if check.value is not None else case.expected
        names = check.fields or list(want)  # as advisor's check: an empty list means every field
        out = {"type": "javascript", "value": fields_js(want, names, check.ignore_case, check.numeric_tolerance)}
    elif t == "llm_judge":
        # the text advisor's judge reads before the answer; the rubric prompt (defaultTest)
        # adds the answer and asks for advisor's 1-5 score, which must reach pass_score
        out = {"type": "llm-rubric", "value": judge_rubric(check, case), "threshold": check.pass_score}
    else:  # pragma: no cover - the cases schema allows no other type
        raise InputError(f"check type {t!r} has no promptfoo equivalent")
    if getattr(check, "weight", 1.0) != 1.0:
        out["weight"] = check.weight
    return out


def _case_request(case: Any, temperature: float) -> Any:
    from advisor.providers import ChatRequest, Message

    return ChatRequest(
        messages=tuple(Message(role, content) for role, content in case.chat_messages()),
        max_tokens=case.max_tokens, system=case.system, temperature=temperature,
        want_json=case.wants_json, json_schema=case.json_schema,
    )


RUBRIC_TEMPLATE = "{{ rubric }}\n\nAnswer to grade:\n{{ output }}"


def judge_rubric(check: Any, case: Any) -> str:
    """advisor's judge prompt without the answer (promptfoo's rubric prompt appends it)."""
    from advisor.eval.checks import judge_prompt

    return judge_prompt(check, case, "").rsplit("\n\nAnswer to grade:\n", 1)[0]


def promptfoo_judge(target: Any) -> dict[str, Any]:
    """The judge as advisor's runner calls it: the grading provider and the rubric prompt."""
    from advisor.eval.checks import JUDGE_SYSTEM
    from advisor.eval.runner import JUDGE_MAX_TOKENS
    from advisor.providers import ChatRequest, Message, wire_for

    req = ChatRequest(messages=(Message("user", RUBRIC_TEMPLATE),), max_tokens=JUDGE_MAX_TOKENS,
                      system=JUDGE_SYSTEM, temperature=0.0, want_json=True)
    _, _, body = wire_for(target.api).build(target, req, None)
    pid, config, messages = promptfoo_request(target, body, target.key_env)
    return {"provider": {"id": pid, "label": f"{target.model_key} (judge)", "config": config}, "rubricPrompt": json.dumps(messages)}


def promptfoo_targets(kb, result) -> list[Any]:
    from advisor.eval.targets_from_shortlist import target_for

    return [t for t in (target_for(kb, c)[0] for c in _hosted(result)) if t is not None]


def promptfoo_config(
    kb, result, cases_file, answers_path: str | Path | None = None, *, targets: list[Any] | None = None,
    temperature: float = 0.0, judge_model: str | None = None,
) -> dict[str, Any]:
    """A promptfoo config that sends each case to each target exactly as ``advisor
    eval`` does and grades it the same way. A target whose request differs between
    cases (token limit, JSON mode or schema) gets one promptfoo provider per distinct
    request ("label", "label #2", ...), and each test names the providers it runs on."""
    from advisor.providers import wire_for

    targets = promptfoo_targets(kb, result) if targets is None else targets
    if not targets:
        # the answers decide the shortlist, so the message is about them, not the cases
        what = "no candidate survives these answers" if result is not None and not result.candidates else "the shortlist has no hosted candidate to export (self-hosted options have no API to call)"
        where = Location(display_path(answers_path)) if answers_path is not None else None
        raise InputError([Problem(what, where)])
    providers: list[dict[str, Any]] = []
    by_config: dict[str, str] = {}  # (target, config) -> label
    count: dict[str, int] = {}
    tests = []
    for case in cases_file.cases:
        groups: dict[str, tuple[list[dict[str, Any]], list[str]]] = {}
        for t in targets:
            _, _, body = wire_for(t.api).build(t, _case_request(case, temperature), None)
            pid, config, messages = promptfoo_request(t, body, t.key_env)
            ident = t.model_key + json.dumps(config, sort_keys=True, default=str)
            label = by_config.get(ident)
            if label is None:
                count[t.model_key] = count.get(t.model_key, 0) + 1
                label = t.model_key if count[t.model_key] == 1 else f"{t.model_key} #{count[t.model_key]}"
                by_config[ident] = label
                providers.append({"id": pid, "label": label, "config": config})
            groups.setdefault(json.dumps(messages, sort_keys=True), (messages, []))[1].append(label)
        for messages, labels in groups.values():
            test: dict[str, Any] = {
                "description": case.id,
                "vars": {"messages": messages},
                "assert": [assertion(ch, case) for ch in case.effective_checks],
            }
            test["providers"] = labels  # dropped below when every test runs on every provider
            if case.threshold is not None and case.threshold != 1.0:
                # no threshold: every assertion must pass (advisor: every check); never `threshold: null`
                test["threshold"] = case.threshold
            tests.append(test)
    if len(providers) == len(targets):  # one request shape per target: no filter needed
        for test in tests:
            del test["providers"]
    out: dict[str, Any] = {
        "description": f"advisor shortlist bake-off ({result.today.isoformat()})" if result is not None else "advisor bake-off",
        # the prompt renders each case's chat messages as JSON, which promptfoo sends as a chat
        "prompts": ["{{ messages | dump }}"],
        "providers": providers,
        "tests": tests,
    }
    judged = [ch for c in cases_file.cases for ch in c.effective_checks if ch.type == "llm_judge"]
    if judged:
        # advisor's default judge: the first target; a check naming a model gets that one
        by_key = {t.model_key: t for t in targets}
        judge = by_key.get(judge_model) if judge_model else targets[0]
        out["defaultTest"] = {"options": promptfoo_judge(judge or targets[0])}
        for test in tests:
            case = next(c for c in cases_file.cases if c.id == test["description"])
            for a, ch in zip(test["assert"], case.effective_checks):
                if ch.type == "llm_judge" and ch.model and ch.model in by_key:
                    a["provider"] = promptfoo_judge(by_key[ch.model])["provider"]
    return out


def cmd_promptfoo(args: argparse.Namespace) -> int:
    from advisor.catalog.yamlout import dump
    from advisor.eval.cases import load_cases

    refuse_overwrite(args.out, args.force)
    kb, _, result = _shortlist(args)
    cases = load_cases(args.cases)
    config = promptfoo_config(kb, result, cases, args.answers)
    header = (
        "yaml-language-server: $schema=https://promptfoo.dev/config-schema.json\n"
        "Written by `advisor export promptfoo`. API keys are read from the environment variables named in apiKeyEnvar."
    )
    _write(args.out, dump(config, header), args.force)
    print(f"wrote {display_path(args.out)}: {len(config['providers'])} providers, {len(config['tests'])} tests")
    return 0


# --------------------------------------------------------------------------- router

def _pass_rates(path: str) -> dict[str, float]:
    from advisor.eval.results import read_results

    p = Path(path)
    if not p.is_file():
        raise InputError([Problem("no such file" if not p.exists() else "is not a file", Location(display_path(path), None, "--results"))])
    by: dict[str, list[bool]] = {}
    for r in read_results(p):
        by.setdefault(r.model_key, []).append(bool(r.passed))
    return {k: sum(v) / len(v) for k, v in by.items() if v}


def route_plan(kb, answers, result, rates: dict[str, float] | None) -> dict[str, Any]:
    """The primary (best pass rate when results are given, else the recommendation) and a fallback from another provider."""
    hosted = _hosted(result)
    if not hosted:
        raise InputError("the shortlist has no hosted candidate to route to")
    order = list(hosted)
    if rates:
        order.sort(key=lambda c: -rates.get(c.option.key, -1.0))  # stable: ties keep the engine's order
    primary = order[0]
    fallback = next((c for c in order[1:] if c.option.provider != primary.option.provider), None)

    from advisor.eval.targets_from_shortlist import target_for

    def target(c) -> dict[str, Any]:
        provider, ep = _endpoint(kb, c)
        t, _ = target_for(kb, c)
        d: dict[str, Any] = {
            "model": c.option.model_id,
            "provider": provider.id,
            "api": provider.api,
            "api_model_id": ep.model_id,
            "base_url": provider.base_url,
            "key_env": provider.key_env,
            "role": c.role,
        }
        if t is not None and t.reasoning is not None:
            d["reasoning"] = {"mode": t.reasoning.id, "label": t.reasoning.label, "effort": t.reasoning.effort,
                              "request": dict(t.reasoning.request)}
        if rates is not None:
            d["pass_rate"] = round(rates[c.option.key], 4) if c.option.key in rates else None
        return d

    route: dict[str, Any] = {"task": answers.task_type, "primary": target(primary), "fallback": target(fallback) if fallback else None}
    return {"generated": result.today.isoformat(), "ranked_by": "eval pass rate" if rates else "advisor shortlist", "routes": [route]}


def litellm_router(kb, plan: dict[str, Any]) -> dict[str, Any]:
    model_list: list[dict[str, Any]] = []
    fallbacks: list[dict[str, list[str]]] = []
    for route in plan["routes"]:
        names = []
        for slot, t in (("primary", route["primary"]), ("fallback", route["fallback"])):
            if t is None:
                continue
            name = route["task"] if slot == "primary" else f"{route['task']}-fallback"
            prefix, default_base = LITELLM_PROVIDERS.get(t["provider"], (None, None))
            params: dict[str, Any] = {"model": f"{prefix or 'openai'}/{t['api_model_id']}"}
            if default_base is None or t["base_url"].rstrip("/") != default_base.rstrip("/"):
                params["api_base"] = t["base_url"]
            params.update(litellm_reasoning(t))
            if t["key_env"]:
                params["api_key"] = f"os.environ/{t['key_env']}"
            model_list.append({"model_name": name, "litellm_params": params})
            names.append(name)
        if len(names) == 2:
            fallbacks.append({names[0]: [names[1]]})
    out: dict[str, Any] = {"model_list": model_list}
    if fallbacks:
        out["router_settings"] = {"fallbacks": fallbacks}
    return out


def litellm_reasoning(t: dict[str, Any]) -> dict[str, Any]:
    """The reasoning mode of a router entry as LiteLLM parameters (see route_export)."""
    r = t.get("reasoning")
    return reasoning_params(t["api"], r["request"] if r else None)


def cmd_router(args: argparse.Namespace) -> int:
    from advisor.catalog.yamlout import dump

    refuse_overwrite(args.out, args.force)
    rates = _pass_rates(args.results) if args.results else None
    kb, answers, result = _shortlist(args)
    plan = route_plan(kb, answers, result, rates)
    if args.format == "litellm":
        data = litellm_router(kb, plan)
        header = "LiteLLM router config written by `advisor export router`. Keys: os.environ/NAME references only."
    else:
        data = plan
        header = "Routing plan written by `advisor export router`. key_env names the variable holding each key."
    _write(args.out, dump(data, header), args.force)
    print(f"wrote {display_path(args.out)} ({args.format})")
    return 0


COMMANDS = {"promptfoo": cmd_promptfoo, "router": cmd_router}


def main(argv: list[str]) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0)
    return run_guarded(lambda: COMMANDS[args.command](args))
