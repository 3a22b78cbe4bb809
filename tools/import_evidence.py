#!/usr/bin/env python3
"""Turn public benchmark tables into knowledge evidence claims.

    python tools/import_evidence.py --data ../shared/data/evidence --out knowledge/evidence

Reads the Vectara grounded-hallucination CSV, Aider's polyglot leaderboard
and RULER's table from ``--data`` (the layout described in its PROVENANCE.md),
turns each figure into a level with the thresholds in
``knowledge/evidence_levels.yaml``, matches each benchmark name to a knowledge
model id (alias table, endpoint API ids, the id convention; never a guess) and
writes ``<out>/<source>.yaml`` (one claim per row and metric, licence and
provenance in a header comment) plus ``<out>/UNMATCHED.md``, the rows that
match no knowledge model. Same inputs, same bytes: it can be re-run after
knowledge/models.yaml changes.

Standard library and PyYAML only, so it runs before the package is installed.
Exit 2 with one line per problem on bad input.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
LEVELS = ("best", "excellent", "good", "moderate", "limited")

#: the shared id convention's examples (COMMON brief): ids a refreshed
#: models.yaml is expected to carry, used only to say "would match X"
CONVENTION_IDS = (
    "gpt-5-5", "gpt-5-4-mini", "claude-sonnet-4-6", "claude-sonnet-5", "claude-haiku-4-5",
    "claude-opus-4-8", "gemini-3-1-pro", "gemini-3-5-flash", "deepseek-v4-pro", "deepseek-v4-flash",
    "gpt-oss-120b", "gpt-oss-20b", "qwen3-235b-a22b", "mistral-large-3", "llama-4-maverick",
    "llama-3-3-70b",
)

#: knowledge provider id -> LiteLLM's litellm_provider (the same table as
#: advisor/cli/export_cmd.py's LITELLM_PREFIX, restated: this tool runs with
#: PyYAML alone, before the package and its dependencies are installed)
LITELLM_PROVIDERS = {
    "openai": "openai",
    "anthropic": "anthropic",
    "google": "gemini",
    "mistral": "mistral",
    "together": "together_ai",
    "groq": "groq",
    "fireworks": "fireworks_ai",
}

_DATE_SUFFIX = re.compile(r"-(\d{4})-?(\d{2})-?(\d{2})$")
_EFFORT_SUFFIX = re.compile(r"^(.+)-(minimal|low|medium|high|xhigh)$")
_PAREN = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")


class Bad(Exception):
    """Bad input: one line per problem, exit 2."""


# --------------------------------------------------------------------------- ids

def convention_id(name: str) -> tuple[str, str | None]:
    """A benchmark's API-style name as a knowledge id, and the date suffix it had."""
    last = name.strip().split("/")[-1].lower()
    stamp = None
    m = _DATE_SUFFIX.search(last)
    if m:
        stamp = f"{m.group(1)}-{m.group(2)}-{m.group(3)}"
        last = last[: m.start()]
    return last.replace(".", "-").replace("_", "-"), stamp


def _suffixes(name: str) -> list[str]:
    """``a/b/c``, ``b/c``, ``c``: a name with its provider prefixes dropped one by one."""
    parts = name.strip().split("/")
    return ["/".join(parts[i:]) for i in range(len(parts))]


@dataclass
class Knowledge:
    ids: set[str]
    endpoints: dict[str, str]  # lowercased endpoint model_id -> model id
    endpoint_ids: dict[str, set[str]]  # model id -> its lowercased endpoint model_ids
    expected: set[str]  # ids a refreshed models.yaml may carry (not written as claims)


def read_knowledge(models_path: Path, litellm_path: Path | None) -> Knowledge:
    data = _load_yaml(models_path)
    ids: set[str] = set()
    endpoints: dict[str, str] = {}
    endpoint_ids: dict[str, set[str]] = {}
    providers = set()
    for p in data.get("providers") or ():
        providers.add(p.get("id"))
    for m in data.get("models") or ():
        mid = m["id"]
        ids.add(mid)
        for ep in m.get("endpoints") or ():
            key = str(ep["model_id"]).lower()
            endpoints.setdefault(key, mid)
            endpoint_ids.setdefault(mid, set()).add(key)
    expected = set(CONVENTION_IDS)
    if litellm_path is not None:
        try:
            prices = json.loads(litellm_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise Bad(f"{litellm_path}: cannot read the LiteLLM price map: {exc}") from None
        wanted = {LITELLM_PROVIDERS[p] for p in providers if p in LITELLM_PROVIDERS}
        for key, entry in prices.items():
            if isinstance(entry, dict) and entry.get("litellm_provider") in wanted and entry.get("mode") == "chat":
                expected.add(convention_id(key)[0])
    return Knowledge(ids, endpoints, endpoint_ids, expected)


@dataclass
class Match:
    model: str | None = None
    settings: list[str] = field(default_factory=list)
    would_be: str | None = None  # an expected id not yet in models.yaml
    why_not: str | None = None  # a recorded reason it is not a knowledge model


def match(names: list[str], setting: str | None, src: dict[str, Any], kb: Knowledge) -> Match:
    """Which knowledge model the first of ``names`` that matches names (alias, endpoint, convention)."""
    settings = [setting] if setting else []
    aliases = src.get("aliases") or {}
    not_matched = src.get("not_matched") or {}
    for name in names:
        if name in aliases:
            alias = aliases[name]
            extra = [alias["setting"]] if alias.get("setting") else []
            if alias["model"] in kb.ids:
                return Match(alias["model"], extra + settings)
            return Match(would_be=alias["model"], settings=extra + settings)
        if name in not_matched:
            return Match(why_not=" ".join(str(not_matched[name]).split()))
    for name in names:
        for candidate in _suffixes(name):
            if candidate.lower() in kb.endpoints:
                return Match(kb.endpoints[candidate.lower()], settings)
    would_be = None
    for name in names:
        mid, stamp = convention_id(name)
        effort = None
        if mid not in kb.ids and src.get("effort_in_name"):
            m = _EFFORT_SUFFIX.match(mid)
            if m:
                mid, effort = m.group(1), m.group(2)
        extra = [f"reasoning effort: {effort}"] if effort else []
        if mid in kb.ids:
            # name the snapshot only when knowledge serves a different dated one
            # (an undated alias such as "gpt-5.4" may well point to this one)
            served = {convention_id(s)[1] for s in kb.endpoint_ids.get(mid, set())} - {None}
            if stamp and served and stamp not in served:
                extra.append(f"snapshot {stamp}")
            return Match(mid, settings + extra)
        if would_be is None and mid in kb.expected:
            would_be = mid
            pending_settings = settings + extra
    if would_be is not None:
        return Match(would_be=would_be, settings=pending_settings)
    return Match(settings=settings)


# --------------------------------------------------------------------------- levels

def _num(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def level_for(value: Decimal, metric: dict[str, Any]) -> str:
    """The first threshold the figure meets (``max`` inclusive when lower is better,
    ``min`` inclusive when higher is better); the open last level takes the rest."""
    lower = metric["better"] == "lower"
    for t in metric["thresholds"]:
        bound = t.get("max" if lower else "min")
        if bound is None:
            return t["level"]
        bound = Decimal(str(bound))
        if (value <= bound) if lower else (value >= bound):
            return t["level"]
    raise Bad(f"no threshold takes {value} for {metric['column']}")  # checked in check_levels


def check_levels(cfg: Any, where: str) -> None:
    problems = []
    if not isinstance(cfg, dict) or not isinstance(cfg.get("sources"), dict):
        raise Bad(f"{where}: needs a 'sources' mapping")
    for sid, src in cfg["sources"].items():
        for key in ("file", "licence", "title", "repository", "commit", "url", "citation", "metrics"):
            if key not in src:
                problems.append(f"{where}: sources.{sid}.{key}: is required")
        for i, metric in enumerate(src.get("metrics") or ()):
            at = f"{where}: sources.{sid}.metrics[{i}]"
            if metric.get("better") not in ("lower", "higher"):
                problems.append(f"{at}.better: must be 'lower' or 'higher'")
                continue
            key = "max" if metric["better"] == "lower" else "min"
            thresholds = metric.get("thresholds") or []
            bounds = []
            for j, t in enumerate(thresholds):
                if t.get("level") not in LEVELS:
                    problems.append(f"{at}.thresholds[{j}].level: must be one of {', '.join(LEVELS)}")
                if not str(t.get("reason") or "").strip():
                    problems.append(f"{at}.thresholds[{j}].reason: every threshold says why")
                last = j == len(thresholds) - 1
                if (t.get(key) is None) != last:
                    problems.append(f"{at}.thresholds[{j}]: every level but the last needs '{key}'; the last has none")
                if t.get(key) is not None:
                    bounds.append(Decimal(str(t[key])))
            order = sorted(bounds) if key == "max" else sorted(bounds, reverse=True)
            if bounds != order or len(set(bounds)) != len(bounds):
                problems.append(f"{at}.thresholds: bounds must run from the best level to the worst")
            levels = [t.get("level") for t in thresholds]
            ranks = [LEVELS.index(lv) for lv in levels if lv in LEVELS]
            if ranks != sorted(set(ranks)):
                problems.append(f"{at}.thresholds: levels must run best to worst, each once")
        for name, alias in (src.get("aliases") or {}).items():
            if not isinstance(alias, dict) or not alias.get("model") or not alias.get("reason"):
                problems.append(f"{where}: sources.{sid}.aliases.{name}: needs 'model' and 'reason'")
    if problems:
        raise Bad("\n".join(problems))


# --------------------------------------------------------------------------- rows

@dataclass
class Row:
    name: str  # the benchmark's own spelling
    names: list[str]  # spellings to match, best first
    setting: str | None
    as_of: date | None
    figures: dict[str, str]  # column -> raw figure
    extra: dict[str, Any] = field(default_factory=dict)
    pair: bool = False  # two models (architect + editor): no single model to credit


def read_vectara(path: Path) -> list[Row]:
    rows = []
    for rec in _read_csv(path):
        name = rec["model"].strip()
        rows.append(Row(name, [name], None, None, dict(rec)))
    return rows


def _aider_setting(rec: dict[str, Any], paren: str | None) -> str | None:
    if paren and paren.lower() in ("minimal", "low", "medium", "high", "xhigh"):
        paren = f"reasoning effort: {paren.lower()}"
    parts = [paren] if paren else []
    text = (paren or "").lower()
    effort = rec.get("reasoning_effort")
    if effort and str(effort).lower() not in text:
        parts.append(f"reasoning effort: {effort}")
    tokens = rec.get("thinking_tokens")
    if tokens and "think" not in text:
        parts.append(f"{int(tokens):,} thinking tokens")
    parts.append(f"{rec.get('edit_format')} edit format")
    return ", ".join(parts)


def read_aider(path: Path) -> list[Row]:
    data = _load_yaml(path)
    if not isinstance(data, list):
        raise Bad(f"{path}: expected a list of leaderboard rows")
    rows = []
    for rec in data:
        name = str(rec["model"]).strip()
        m = _PAREN.match(name)
        base, paren = (m.group(1), m.group(2)) if m else (name, None)
        names = [base]
        command = str(rec.get("command") or "")
        cm = re.search(r"--model\s+(\S+)", command)
        if cm:
            names.append(cm.group(1))
        run = rec.get("date")
        run_date = run if isinstance(run, date) else date.fromisoformat(str(run))
        pair = rec.get("edit_format") == "architect" or bool(rec.get("editor_model")) or " + " in name
        figures = {k: str(rec[k]) for k in ("pass_rate_2", "percent_cases_well_formed") if k in rec}
        rows.append(Row(name, names, _aider_setting(rec, paren), run_date, figures,
                        {"edit_format": rec.get("edit_format")}, pair))
    return rows


def read_ruler(path: Path) -> list[Row]:
    rows = []
    for rec in _read_csv(path):
        name = rec["model"].strip()
        base = re.sub(r"\s*\([^()]*\)\s*$", "", name)
        self_reported = base.endswith("*")
        base = base.rstrip("*").strip()
        raw = (rec.get("effective_length") or "").strip()
        setting = "self-reported by the model's authors" if self_reported else None
        figures: dict[str, str] = {}
        m = re.fullmatch(r"([<>]?)(\d+)[kK]", raw)
        if m:
            figures["effective_length"] = m.group(2)
            if m.group(1) == ">":
                qual = f"still above the bar at {m.group(2)}K, the longest tested"
                setting = f"{setting}; {qual}" if setting else qual
        at128 = (rec.get("128K") or "").strip()
        rows.append(Row(name, [name, base], setting, None, figures, {"at_128k": at128}))
    return rows


READERS = {"vectara": read_vectara, "aider": read_aider, "ruler": read_ruler}


# --------------------------------------------------------------------------- import

@dataclass
class Unmatched:
    name: str
    figures: str
    would_be: str | None = None
    why_not: str | None = None


def import_source(sid: str, src: dict[str, Any], data_dir: Path, kb: Knowledge):
    path = data_dir / src["file"]
    if not path.is_file():
        raise Bad(f"{path}: no such file (sources.{sid}.file)")
    rows = READERS[sid](path)
    claims: list[tuple[tuple, dict[str, Any]]] = []
    matched: list[str] = []  # "benchmark name -> model id", for review (--verbose)
    unmatched: list[Unmatched] = []
    seen_unmatched: set[str] = set()
    source_date = src.get("as_of")
    for index, row in enumerate(rows):
        columns = [m["column"] for m in src["metrics"]]
        shown = ", ".join(f"{k} {row.figures[k]}" for k in columns if row.figures.get(k)) or "no figure"
        if row.pair:
            unmatched.append(Unmatched(row.name, shown, why_not="two models (architect + editor), not one to credit"))
            continue
        found = match(row.names, row.setting, src, kb)
        if found.model is None:
            if row.name not in seen_unmatched:
                seen_unmatched.add(row.name)
                unmatched.append(Unmatched(row.name, shown, found.would_be, found.why_not))
            continue
        matched.append(f"{row.name} -> {found.model}" + (f" ({'; '.join(found.settings)})" if found.settings else ""))
        for metric in src["metrics"]:
            raw = row.figures.get(metric["column"])
            value = _num(raw)
            if value is None:
                continue
            formats = metric.get("edit_formats")
            if formats and row.extra.get("edit_format") not in formats:
                continue
            metric_text = metric["metric"]
            if sid == "ruler" and row.extra.get("at_128k") not in (None, "", "-"):
                metric_text = f"{metric_text} (accuracy {row.extra['at_128k']}% at 128K)"
            as_of = row.as_of or source_date
            claim = {
                "model": found.model,
                "dimension": metric["dimension"],
                "level": level_for(value, metric),
                "source": src["citation"],
                "as_of": as_of,
                "metric": metric_text,
                "value": value,
                "unit": metric["unit"],
                "setting": "; ".join(found.settings) if found.settings else None,
                "label": metric["label"],
                "measures": " ".join(str(metric["measures"]).split()),
                "url": src["url"],
                "kind": "benchmark",
            }
            claims.append(((found.model, metric["dimension"], index), claim))
    claims.sort(key=lambda c: c[0])
    return [c for _, c in claims], unmatched, len(rows), matched


# --------------------------------------------------------------------------- output

class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # a shared date is written out each time, not as &id001
        return True


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    if value == value.to_integral_value():
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value, "f"))


_Dumper.add_representer(Decimal, _decimal)


_MISSING = object()


def _comment(text: str) -> str:
    return "".join(f"# {line}".rstrip() + "\n" for line in text.splitlines())


def write_source(out: Path, sid: str, src: dict[str, Any], claims: list[dict[str, Any]], licence_text: str) -> Path:
    first = licence_text.strip().splitlines()[0].strip() if licence_text.strip() else src["licence"]
    header = (
        f"Evidence from {src['title']}: {len(claims)} claims.\n"
        f"Source: {src['repository']} at commit {src['commit']}, file {Path(src['file']).name}"
        + (f" (data as of {src['as_of']})" if src.get("as_of") else " (each claim carries its own date, or none)")
        + ".\n"
        f"Licence: {src['licence']} ({first}); the figures are cited with their source, no prose copied.\n"
        "Generated by tools/import_evidence.py from knowledge/evidence_levels.yaml: edit those, not this file.\n"
    )
    # what every claim shares is written once (``defaults``, ``by_dimension``;
    # advisor.core.schema.EvidenceFile fills them back in), each claim on one line
    defaults = {"source": src["citation"], "url": src["url"], "kind": "benchmark"}
    if src.get("as_of"):
        defaults["as_of"] = src["as_of"]
    by_dimension = {
        m["dimension"]: {"label": m["label"], "metric": m["metric"], "unit": m["unit"],
                         "measures": " ".join(str(m["measures"]).split())}
        for m in src["metrics"]
    }
    lines = []
    for c in claims:
        shared = {**defaults, **by_dimension[c["dimension"]]}
        own = {k: v for k, v in c.items() if v is not None and shared.get(k, _MISSING) != v}
        lines.append("  - " + yaml.dump(own, Dumper=_Dumper, default_flow_style=True, sort_keys=False,
                                          allow_unicode=True, width=1_000_000).strip())
    block = dict(Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    body = (
        yaml.dump({"defaults": defaults}, **block)
        + yaml.dump({"by_dimension": by_dimension}, **block)
        + "claims:\n" + "".join(line + "\n" for line in lines)
    )
    path = out / f"{sid}.yaml"
    _write(path, _comment(header) + body)
    return path


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def write_unmatched(out: Path, results: list[tuple[str, dict[str, Any], list[Unmatched], int]]) -> Path:
    total = sum(len(u) for _, _, u, _ in results)
    lines = [
        "# Benchmark rows that match no knowledge model",
        "",
        "Generated by `tools/import_evidence.py`; do not edit. A row is matched only by the alias",
        "table in `knowledge/evidence_levels.yaml`, an endpoint's API model id in",
        "`knowledge/models.yaml`, or the id convention; nothing is guessed.",
        f"{total} rows are listed.",
        "",
    ]
    for sid, src, unmatched, count in results:
        lines += [f"## {src['title']} ({Path(src['file']).name}): {len(unmatched)} of {count} rows", ""]
        groups = [
            ("Would match a model a refreshed models.yaml may add (re-run the importer after adding it)",
             [u for u in unmatched if u.would_be]),
            ("Not matched on purpose, with the reason", [u for u in unmatched if u.why_not]),
            ("No knowledge model", [u for u in unmatched if not u.would_be and not u.why_not]),
        ]
        for title, items in groups:
            if not items:
                continue
            lines += [f"### {title}", ""]
            if title.startswith("Would"):
                lines += ["| Benchmark name | Knowledge id it would take | Figures |", "|---|---|---|"]
                lines += [f"| {_cell(u.name)} | {u.would_be} | {_cell(u.figures)} |" for u in items]
            elif title.startswith("Not matched"):
                lines += ["| Benchmark name | Why not |", "|---|---|"]
                lines += [f"| {_cell(u.name)} | {_cell(u.why_not or '')} |" for u in items]
            else:
                lines += ["| Benchmark name | Figures |", "|---|---|"]
                lines += [f"| {_cell(u.name)} | {_cell(u.figures)} |" for u in items]
            lines.append("")
    path = out / "UNMATCHED.md"
    _write(path, "\n".join(lines).rstrip() + "\n")
    return path


# --------------------------------------------------------------------------- helpers

def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)


def _load_yaml(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise Bad(f"{path}: cannot read: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise Bad(f"{path}{line}: malformed YAML") from None


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise Bad(f"{path}: cannot read: {exc.strerror or exc}") from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", required=True, type=Path, help="folder of benchmark copies (see its PROVENANCE.md)")
    ap.add_argument("--out", required=True, type=Path, help="where to write <source>.yaml and UNMATCHED.md")
    ap.add_argument("--levels", type=Path, default=REPO / "knowledge" / "evidence_levels.yaml")
    ap.add_argument("--models", type=Path, default=REPO / "knowledge" / "models.yaml",
                    help="knowledge models to match against (default: knowledge/models.yaml)")
    ap.add_argument("--litellm", default=None,
                    help="LiteLLM price map naming current models, to say which unmatched rows a refreshed "
                    "models.yaml would match (default: DATA/../litellm-model-prices-1.110.2.json if present; 'none' to skip)")
    ap.add_argument("--verbose", action="store_true", help="also print each matched row and the model it names")
    args = ap.parse_args(argv)
    try:
        if args.litellm == "none":
            litellm = None
        elif args.litellm:
            litellm = Path(args.litellm)
        else:
            guess = args.data.resolve().parent / "litellm-model-prices-1.110.2.json"
            litellm = guess if guess.is_file() else None
        cfg = _load_yaml(args.levels)
        check_levels(cfg, str(args.levels))
        if not args.data.is_dir():
            raise Bad(f"{args.data}: no such directory (--data)")
        kb = read_knowledge(args.models, litellm)
        args.out.mkdir(parents=True, exist_ok=True)
        results = []
        for sid, src in cfg["sources"].items():
            if sid not in READERS:
                raise Bad(f"{args.levels}: sources.{sid}: no reader for this source (known: {', '.join(READERS)})")
            claims, unmatched, count, matched = import_source(sid, src, args.data, kb)
            if args.verbose:
                print("\n".join(f"matched {sid}: {line}" for line in matched))
            licence = args.data / src["licence_file"] if src.get("licence_file") else None
            licence_text = licence.read_text(encoding="utf-8") if licence and licence.is_file() else ""
            write_source(args.out, sid, src, claims, licence_text)
            models = len({c["model"] for c in claims})
            print(f"{sid}: {count} rows, {len(claims)} claims on {models} models, {len(unmatched)} unmatched")
            results.append((sid, src, unmatched, count))
        write_unmatched(args.out, results)
        for sid, _, unmatched, _ in results:
            for u in unmatched:
                hint = f" (would be {u.would_be})" if u.would_be else (f" ({u.why_not})" if u.why_not else "")
                print(f"unmatched {sid}: {u.name}{hint}")
    except Bad as exc:
        for line in str(exc).splitlines():
            print(f"error: {line}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
