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

from advisor.cli.common import OneLineParser, knowledge_dirs, parse_today, run_guarded
from advisor.fileio import refuse_overwrite
from advisor.errors import InputError, Location, Problem, display_path

#: our provider id -> LiteLLM's provider prefix (others: openai/ with api_base)
LITELLM_PREFIX = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",
    "mistral": "mistral",
    "together": "together_ai",
    "groq": "groq",
    "fireworks": "fireworks_ai",
    "deepseek": "deepseek",
    "xai": "xai",
    "cerebras": "cerebras",
    "deepinfra": "deepinfra",
    "perplexity": "perplexity",
    "openrouter": "openrouter",
}


def build_parser() -> argparse.ArgumentParser:
    p = OneLineParser(prog="advisor export", description="Export the shortlist as a promptfoo or router config.")
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

def promptfoo_provider(provider, ep, label: str, max_tokens: int) -> dict[str, Any]:
    config: dict[str, Any] = {"max_tokens": max_tokens}
    if provider.api == "anthropic":
        pid = f"anthropic:messages:{ep.model_id}"
    elif provider.api == "gemini":
        pid = f"google:{ep.model_id}"
    else:
        pid = f"openai:chat:{ep.model_id}"
        if provider.id != "openai":
            config["apiBaseUrl"] = provider.base_url
    if provider.key_env:
        config["apiKeyEnvar"] = provider.key_env
    return {"id": pid, "label": label, "config": config}


#: advisor's ``fields`` check (advisor.eval.checks) in JavaScript, as a promptfoo ``javascript``
#: assertion: the same partial credit (matched / named fields), dotted names, numeric strings
#: ("1,240.00") against numbers, a missing field accepted where null is expected, and a code
#: fence removed. It returns ``{pass, score, reason}``: pass only when every field matches (as
#: advisor's check does); the case's threshold, if any, is on the test. One line, so promptfoo
#: prepends ``return``; never ``{{``/``{%``/``{#`` (promptfoo renders values with Nunjucks).
_FIELDS_JS = (
    "(() => { "
    "const want = __WANT__; const names = __NAMES__; const ci = __CI__; const tol = __TOL__; "
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


def _js_literal(value: Any) -> str:
    """JSON as a JavaScript literal, with no ``{{``, ``{%`` or ``{#`` for Nunjucks to render.

    Outside strings JSON never has ``{`` followed by one of those, so this only rewrites string content.
    """
    return re.sub(r"\{(?=[{%#])", r"\\u007b", json.dumps(value, sort_keys=True, ensure_ascii=False))


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
        if check.ignore_case and isinstance(value, str):
            out = {"type": "javascript", "value": f"output.trim().toLowerCase() === {json.dumps(value.strip().lower())}"}
        else:
            out = {"type": "equals", "value": value.strip() if isinstance(value, str) and check.strip else value}
    elif t == "contains":
        values = check.value
        many = isinstance(values, list)
        kind = ("icontains" if check.ignore_case else "contains") + ("-all" if many else "")
        out = {"type": kind, "value": values}
    elif t == "regex":
        if check.ignore_case:
            out = {"type": "javascript", "value": f"new RegExp({json.dumps(check.pattern)}, 'i').test(output)"}
        else:
            out = {"type": "regex", "value": check.pattern}
    elif t == "valid_json":
        out = {"type": "is-json"}
    elif t == "json_schema":
        out = {"type": "is-json", "value": check.schema_}
    elif t == "max_length":
        if check.chars is not None:
            out = {"type": "javascript", "value": f"output.length <= {check.chars}"}
        else:
            out = {"type": "javascript", "value": f"output.trim().split(/\\s+/).filter(Boolean).length <= {check.words}"}
    elif t == "fields":
        want = check.value if check.value is not None else case.expected
        names = check.fields or list(want)  # as advisor's check: an empty list means every field
        out = {"type": "javascript", "value": fields_js(want, names, check.ignore_case, check.numeric_tolerance)}
    elif t == "llm_judge":
        out = {"type": "llm-rubric", "value": check.rubric}
    else:  # pragma: no cover - the cases schema allows no other type
        raise InputError(f"check type {t!r} has no promptfoo equivalent")
    if getattr(check, "weight", 1.0) != 1.0:
        out["weight"] = check.weight
    return out


def promptfoo_config(kb, result, cases_file, answers_path: str | Path | None = None) -> dict[str, Any]:
    max_tokens = max(c.max_tokens for c in cases_file.cases)
    providers = []
    for cand in _hosted(result):
        provider, ep = _endpoint(kb, cand)
        providers.append(promptfoo_provider(provider, ep, cand.option.key, max_tokens))
    if not providers:
        # the answers decide the shortlist, so the message is about them, not the cases
        what = "no candidate survives these answers" if not result.candidates else "the shortlist has no hosted candidate to export (self-hosted options have no API to call)"
        where = Location(display_path(answers_path)) if answers_path is not None else None
        raise InputError([Problem(what, where)])
    tests = []
    for case in cases_file.cases:
        messages = ([{"role": "system", "content": case.system}] if case.system else []) + [
            {"role": r, "content": c} for r, c in case.chat_messages()
        ]
        test: dict[str, Any] = {
            "description": case.id,
            "vars": {"messages": messages},
            "assert": [assertion(ch, case) for ch in case.effective_checks],
        }
        if case.threshold is not None and case.threshold != 1.0:
            # no threshold: every assertion must pass (advisor: every check); never `threshold: null`
            test["threshold"] = case.threshold
        tests.append(test)
    return {
        "description": f"advisor shortlist bake-off ({result.today.isoformat()})",
        # the prompt renders each case's chat messages as JSON, which promptfoo sends as a chat
        "prompts": ["{{ messages | dump }}"],
        "providers": providers,
        "tests": tests,
    }


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

    from advisor.eval.results import check_results_target

    p = Path(path)
    if not p.exists():
        raise InputError([Problem("no such file", Location(display_path(path), None, "--results"))])
    check_results_target(p)  # a folder, or a file advisor did not write
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

    def target(c) -> dict[str, Any]:
        provider, ep = _endpoint(kb, c)
        d: dict[str, Any] = {
            "model": c.option.model_id,
            "provider": provider.id,
            "api": provider.api,
            "api_model_id": ep.model_id,
            "base_url": provider.base_url,
            "key_env": provider.key_env,
            "role": c.role,
        }
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
            prefix = LITELLM_PREFIX.get(t["provider"])
            params: dict[str, Any] = {"model": f"{prefix or 'openai'}/{t['api_model_id']}"}
            if prefix is None:
                params["api_base"] = t["base_url"]
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
