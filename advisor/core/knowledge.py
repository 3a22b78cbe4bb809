"""Load the knowledge base: built-in YAML plus the user's overlays.

``load_knowledge(overlays)`` reads the five built-in files, merges each overlay
directory on top (lists of items with an ``id`` — or, for endpoints, a
``provider`` — are merged item by item; everything else is replaced), then
validates the result into frozen pydantic models. Every problem is reported
with the file and line it came from, built-in or overlay.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from dataclasses import replace as _replace
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from advisor.core.profiles import RequestProfilesFile
from advisor.core.schema import (
    DIMENSIONS,
    DecisionTree,
    EvidenceClaim,
    EvidenceFile,
    Hosting,
    ModelsFile,
    ModelSpec,
    Provider,
    QuestionBook,
    ScoringBook,
    TaskBook,
)
from advisor.core.validation import problems_from_validation, readable_path
from advisor.core.yamlsrc import (
    PathKey,
    SourceMap,
    YamlProblems,
    decode_text,
    did_you_mean,
    load_yaml_file,
    parse_yaml,
)
from advisor.errors import KnowledgeError, Location, Problem, display_path

FILES: dict[str, type[BaseModel]] = {
    "questions.yaml": QuestionBook,
    "models.yaml": ModelsFile,
    "decision_tree.yaml": DecisionTree,
    "tasks.yaml": TaskBook,
    "hosting.yaml": Hosting,
    "scoring.yaml": ScoringBook,
    "request_profiles.yaml": RequestProfilesFile,
}

#: files an overlay folder may hold that advisor writes itself (``catalog import``);
#: each is merged before the user's own file of the same kind, so the user's edits win
GENERATED: dict[str, str] = {"models.catalog.yaml": "models.yaml"}

#: folder (in the built-in knowledge and in each overlay) of evidence claims, one file a source
EVIDENCE_DIR = "evidence"

#: keys that identify an item in a list, tried in order, when merging overlays
_ITEM_KEYS = ("id", "provider")


def builtin_dir() -> Path:
    """Where the built-in YAML is: inside the installed package, else the repo."""
    here = Path(__file__).resolve().parent.parent  # advisor/
    packaged = here / "knowledge"
    if (packaged / "models.yaml").is_file():
        return packaged
    return here.parent / "knowledge"


# --------------------------------------------------------------------------- merging

def _item_key(item: Any) -> tuple[str, Any] | None:
    if isinstance(item, dict):
        for key in _ITEM_KEYS:
            if key in item and isinstance(item[key], (str, int)):
                return key, item[key]
    return None


def _merge(
    base: Any, bmap: SourceMap, path: PathKey, over: Any, omap: SourceMap, opath: PathKey
) -> Any:
    """Merge ``over`` onto ``base`` at ``path``; keep ``bmap`` pointing at each value's origin."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        bmap.set(path, omap.file_of(opath), omap.line_of(opath) or 1)
        for key, value in over.items():
            if key in out:
                out[key] = _merge(out[key], bmap, path + (key,), value, omap, opath + (key,))
            else:
                out[key] = value
                if _has_children(value):
                    bmap.copy_under(omap, opath + (key,), path + (key,))
                else:  # a scalar: its own line only (a full scan per key is quadratic)
                    bmap.set(path + (key,), omap.file_of(opath + (key,)), omap.line_of(opath + (key,)) or 1)
        return out
    if (
        isinstance(base, list)
        and isinstance(over, list)
        and over
        and all(_item_key(x) for x in over)
        and all(_item_key(x) for x in base)
    ):
        out_list = list(base)
        index = {_item_key(x): i for i, x in enumerate(out_list)}
        appended: dict[int, int] = {}  # overlay index -> index in the merged list
        for j, item in enumerate(over):
            key = _item_key(item)
            if key in index:
                i = index[key]
                out_list[i] = _merge(out_list[i], bmap, path + (i,), item, omap, opath + (j,))
            else:
                i = len(out_list)
                out_list.append(item)
                index[key] = i
                appended[j] = i
        if appended:
            # one pass over the overlay's lines for all new items (a copy_under per
            # item is quadratic: minutes for a catalogue of thousands of models)
            n = len(opath)
            for okey, line in list(omap.lines.items()):
                if len(okey) > n and okey[:n] == opath and okey[n] in appended:
                    bmap.set(path + (appended[okey[n]],) + okey[n + 1 :], omap.file_of(okey), line)
        return out_list
    if _has_children(base) or _has_children(over):
        # Entries left from a replaced container's old items are harmless: every
        # path the new value has is overwritten here, and no error can name the others.
        bmap.copy_under(omap, opath, path)
    else:  # scalar over scalar: its own line only
        bmap.set(path, omap.file_of(opath), omap.line_of(opath) or 1)
    return copy.deepcopy(over)


def _has_children(value: Any) -> bool:
    return isinstance(value, (dict, list)) and bool(value)


# --------------------------------------------------------------------------- the knowledge base

@dataclass(frozen=True)
class KnowledgeBase:
    questions: QuestionBook
    providers: dict[str, Provider]
    models: tuple[ModelSpec, ...]
    tree: DecisionTree
    tasks: TaskBook
    hosting: Hosting
    scoring: ScoringBook
    request_profiles: RequestProfilesFile = field(default_factory=RequestProfilesFile)
    sources: tuple[str, ...] = ()
    # benchmark claims from knowledge/evidence/ and overlays, then any added with
    # ``with_claims`` (a user's kept bake-offs); the capability matrix is read from
    # ``ModelSpec.ratings`` by advisor.core.evidence, not copied here
    claims: tuple[EvidenceClaim, ...] = ()
    maps: dict[str, SourceMap] = field(default_factory=dict, compare=False, repr=False)
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # merged YAML, for error paths

    @cached_property
    def model_by_id(self) -> dict[str, ModelSpec]:
        return {m.id: m for m in self.models}

    @cached_property
    def node_by_id(self):
        return {n.id: n for n in self.tree.nodes}

    @cached_property
    def task_by_id(self):
        return {t.id: t for t in self.tasks.tasks}

    @cached_property
    def question_by_id(self):
        return {q.id: q for q in self.questions.questions}

    @cached_property
    def evidence_index(self):
        """(model id, dimension) -> claims, in citation order (see advisor.core.evidence)."""
        from advisor.core.evidence import build_index

        return build_index(self)

    def claims_for(self, model_id: str, dimension: str) -> tuple[EvidenceClaim, ...]:
        """What every source says about ``model_id`` on ``dimension``: bake-offs, then
        benchmarks newest first, then the capability matrix (advisor.core.evidence)."""
        return self.evidence_index.get((model_id, dimension), ())

    def with_claims(self, claims: Iterable[EvidenceClaim], origin: str = "evidence") -> "KnowledgeBase":
        """This knowledge with more claims (a user's kept bake-off results, kind
        ``bake_off``); a claim about a model knowledge does not have is an error
        located at ``origin``."""
        extra = tuple(claims)
        problems = [
            Problem(f"claim {i + 1} names unknown model '{c.model}'", Location(origin, None, "model"))
            for i, c in enumerate(extra)
            if c.model not in self.model_by_id
        ]
        if problems:
            raise KnowledgeError(problems)
        if not extra:
            return self
        return _replace(self, claims=self.claims + extra)

    @cached_property
    def answers_model(self):
        from advisor.core.questions import build_answers_model

        return build_answers_model(self.questions)


def _validate(name: str, data: Any, smap: SourceMap) -> BaseModel:
    schema = FILES[name]
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(problems_from_validation(exc, smap, schema, data=data)) from None


def _duplicate_items(root: Any, smap: SourceMap) -> list[Problem]:
    """Two items with the same id (or endpoints with the same provider) in one
    list of one file: merging would silently keep only the second."""
    problems: list[Problem] = []

    def visit(data: Any, path: PathKey) -> None:
        if isinstance(data, dict):
            for key, value in data.items():
                visit(value, path + (key,))
        elif isinstance(data, list):
            first: dict[tuple[str, Any], int] = {}
            for i, item in enumerate(data):
                key = _item_key(item)
                if key is not None and key in first:
                    where = smap.location(path + (i,))
                    problems.append(
                        Problem(
                            f"{key[0]} '{key[1]}' appears twice in this list (first on line "
                            f"{smap.line_of(path + (first[key],))}); merge them into one",
                            Location(where.file, where.line, readable_path(path + (i,), root) or None),
                        )
                    )
                elif key is not None:
                    first[key] = i
                visit(item, path + (i,))

    visit(root, ())
    return problems


def _read(path: Path, label: str, raw: bytes | None = None) -> tuple[Any, SourceMap]:
    """``path`` parsed and checked; ``raw`` is its bytes when the caller has read them already."""
    try:
        if raw is None:
            data, smap = load_yaml_file(path, label)
        else:
            data, smap = parse_yaml(decode_text(raw, label), label)
    except YamlProblems as exc:
        raise KnowledgeError(exc.problems) from None
    if not isinstance(data, dict):
        raise KnowledgeError([Problem("must be a mapping of keys to values", Location(label, 1))])
    duplicates = _duplicate_items(data, smap)
    if duplicates:
        raise KnowledgeError(duplicates)
    return data, smap


def overlay_files(directory: str | Path) -> list[Path]:
    d = Path(directory)
    label = display_path(d)
    if not d.exists():
        raise KnowledgeError([Problem("no such directory", Location(label))])
    if not d.is_dir():
        raise KnowledgeError([Problem("is not a directory (--knowledge takes a folder of YAML files)", Location(label))])
    found = []
    for name in FILES:
        found += [d / g for g, kind in GENERATED.items() if kind == name and (d / g).is_file()]
        if (d / name).is_file():
            found.append(d / name)
    stray = sorted(
        p.name for p in d.iterdir() if p.suffix in (".yaml", ".yml") and p.name not in FILES and p.name not in GENERATED
    )
    if stray:
        raise KnowledgeError(
            [
                Problem(
                    f"unknown knowledge file; expected one of {', '.join(FILES)}",
                    Location(display_path(d / s)),
                )
                for s in stray
            ]
        )
    return found


def evidence_files(folder: Path) -> list[Path]:
    """The ``*.yaml`` files of an evidence folder, in name order."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def _read_evidence(path: Path, label: str, raw: bytes | None = None) -> tuple[tuple[EvidenceClaim, ...], SourceMap]:
    data, smap = _read(path, label, raw)
    try:
        parsed = EvidenceFile.model_validate(data)
    except ValidationError as exc:
        raise KnowledgeError(problems_from_validation(exc, smap, EvidenceFile, data=data)) from None
    return parsed.claims, smap


def _claims_check(kb: KnowledgeBase, files: list[tuple[tuple[EvidenceClaim, ...], SourceMap]]) -> list[Problem]:
    out: list[Problem] = []
    for claims, smap in files:
        for i, claim in enumerate(claims):
            if claim.inherited_from is not None:
                where = smap.location(("claims", i, "inherited_from"))
                out.append(Problem("is set by advisor, never in an evidence file (a claim is about the model it names)",
                                   Location(where.file, where.line, f"claims[{i}].inherited_from")))
            if claim.model not in kb.model_by_id:
                where = smap.location(("claims", i, "model"))
                out.append(
                    Problem(
                        f"unknown model '{claim.model}'{did_you_mean(claim.model, kb.model_by_id)}",
                        Location(where.file, where.line, f"claims[{i}].model"),
                    )
                )
    return out


@dataclass(frozen=True)
class Source:
    """One file the knowledge is read from. ``kind`` is the knowledge file it is
    (``models.yaml``...) or :data:`EVIDENCE_DIR` for a file of claims; ``listed``
    says whether it is named in :attr:`KnowledgeBase.sources`."""

    path: Path
    label: str
    kind: str
    overlay: bool = False
    listed: bool = False


@dataclass(frozen=True)
class KnowledgePlan:
    """Every file ``load_knowledge`` reads, in the order it reads them."""

    base_dir: Path
    files: tuple[Source, ...]
    models_replaced: bool = False


def knowledge_plan(overlays: Sequence[str | Path] = (), replace: dict[str, str | Path] | None = None) -> KnowledgePlan:
    """The files behind ``load_knowledge(overlays, replace)`` (see there); a missing
    overlay folder or a stray file in one is a located problem here already."""
    base_dir = builtin_dir()
    files: list[Source] = []
    for name in FILES:
        if replace and name in replace:
            files.append(Source(Path(replace[name]), display_path(replace[name]), name))
        else:
            files.append(Source(base_dir / name, f"knowledge/{name}", name))
    for directory in overlays:
        for path in overlay_files(directory):
            files.append(Source(path, display_path(path), GENERATED.get(path.name, path.name), overlay=True, listed=True))
    # the built-in claims are about the built-in models: a test that swaps in
    # its own models.yaml gets no built-in evidence unless it names a folder too
    evidence_dirs: list[tuple[Path, str | None]] = [(Path(d) / EVIDENCE_DIR, None) for d in overlays]
    if replace and EVIDENCE_DIR in replace:
        evidence_dirs.insert(0, (Path(replace[EVIDENCE_DIR]), None))
    elif not (replace and "models.yaml" in replace):
        evidence_dirs.insert(0, (base_dir / EVIDENCE_DIR, f"knowledge/{EVIDENCE_DIR}/"))
    for directory, prefix in evidence_dirs:
        for path in evidence_files(directory):
            label = f"{prefix}{path.name}" if prefix else display_path(path)
            files.append(Source(path, label, EVIDENCE_DIR, listed=prefix is None))
    return KnowledgePlan(base_dir, tuple(files), models_replaced=bool(replace and "models.yaml" in replace))


def load_knowledge(
    overlays: Sequence[str | Path] = (),
    replace: dict[str, str | Path] | None = None,
    extra_claims: Iterable[EvidenceClaim] = (),
) -> KnowledgeBase:
    """The built-in knowledge with each overlay directory merged on top, validated.

    ``replace`` swaps a built-in file for another whole file (tests use it to
    run the engine on a small, stable catalogue; ``replace["evidence"]`` is a
    folder of evidence files, and swapping models.yaml alone drops the built-in
    evidence, which is about the built-in models). Evidence claims come from
    ``evidence/*.yaml`` in the built-in folder and in each overlay (an
    overlay's claims add to the built-in ones), then ``extra_claims`` (see
    :meth:`KnowledgeBase.with_claims`).
    """
    return load_plan(knowledge_plan(overlays, replace)).with_claims(extra_claims)


def load_plan(plan: KnowledgePlan, contents: dict[Path, bytes] | None = None) -> KnowledgeBase:
    """Read and validate the files of ``plan``; ``contents`` holds the bytes of
    files the caller has read already (a cache that hashed them), so what is
    parsed is exactly what was hashed."""
    got = contents or {}
    raw: dict[str, tuple[Any, SourceMap]] = {}
    sources = [str(plan.base_dir)]
    problems: list[Problem] = []
    evidence: list[tuple[tuple[EvidenceClaim, ...], SourceMap]] = []
    for src in plan.files:
        if src.kind == EVIDENCE_DIR:
            try:
                evidence.append(_read_evidence(src.path, src.label, got.get(src.path)))
            except KnowledgeError as exc:
                problems.extend(exc.problems)
        elif src.overlay:
            odata, omap = _read(src.path, src.label, got.get(src.path))
            data, smap = raw[src.kind]
            raw[src.kind] = (_merge(data, smap, (), odata, omap, ()), smap)
        else:
            raw[src.kind] = _read(src.path, src.label, got.get(src.path))
        if src.listed:
            sources.append(src.label)
    parsed: dict[str, Any] = {}
    for name, (data, smap) in raw.items():
        try:
            parsed[name] = _validate(name, data, smap)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if problems:
        raise KnowledgeError(problems)

    models_file: ModelsFile = parsed["models.yaml"]
    kb = KnowledgeBase(
        questions=parsed["questions.yaml"],
        providers={p.id: p for p in models_file.providers},
        models=models_file.models,
        tree=parsed["decision_tree.yaml"],
        tasks=parsed["tasks.yaml"],
        hosting=parsed["hosting.yaml"],
        scoring=parsed["scoring.yaml"],
        request_profiles=parsed["request_profiles.yaml"],
        sources=tuple(sources),
        claims=tuple(c for claims, _ in evidence for c in claims),
        maps={name: smap for name, (_, smap) in raw.items()},
        raw={name: data for name, (data, _) in raw.items()},
    )
    cross = cross_check(kb, builtin_profiles_checked=not plan.models_replaced) + _claims_check(kb, evidence)
    if cross:
        raise KnowledgeError(cross)
    return kb


# --------------------------------------------------------------------------- cross-file checks

def _loc(kb: KnowledgeBase, name: str, path: PathKey) -> Location:
    smap = kb.maps.get(name)
    if smap is None:
        return Location(f"knowledge/{name}")
    where = smap.location(path)
    return Location(where.file, where.line, readable_path(path, kb.raw.get(name)) or None)


def _duplicates(items: Iterable[Any], attr: str) -> dict[Any, list[int]]:
    seen: dict[Any, list[int]] = {}
    for i, item in enumerate(items):
        seen.setdefault(getattr(item, attr), []).append(i)
    return {k: v for k, v in seen.items() if len(v) > 1}


def cross_check(kb: KnowledgeBase, builtin_profiles_checked: bool = True) -> list[Problem]:
    """References between files: providers, model ids, answers, tree links, tasks,
    request profiles. ``builtin_profiles_checked=False`` (a replaced models.yaml, as
    tests do with a small catalogue) skips the built-in profiles' model references."""
    from advisor.core.questions import DERIVED_ANSWERS, ENGINE_QUESTIONS

    out: list[Problem] = _profile_references(kb, builtin_profiles_checked)
    M, Q, T, K, H = "models.yaml", "questions.yaml", "decision_tree.yaml", "tasks.yaml", "hosting.yaml"

    for mid, where in _duplicates(kb.models, "id").items():
        out.append(Problem(f"model id '{mid}' is defined more than once", _loc(kb, M, ("models", where[1], "id"))))
    for i, model in enumerate(kb.models):
        for j, ep in enumerate(model.endpoints):
            if ep.provider not in kb.providers:
                out.append(
                    Problem(
                        f"unknown provider '{ep.provider}' (known: {', '.join(sorted(kb.providers))})",
                        _loc(kb, M, ("models", i, "endpoints", j, "provider")),
                    )
                )

    questions = kb.question_by_id
    sections = {s.id for s in kb.questions.sections}
    for qid, where in _duplicates(kb.questions.questions, "id").items():
        out.append(Problem(f"question '{qid}' is defined more than once", _loc(kb, Q, ("questions", where[1], "id"))))
    for i, q in enumerate(kb.questions.questions):
        if q.section not in sections:
            out.append(Problem(f"unknown section '{q.section}'", _loc(kb, Q, ("questions", i, "section"))))
    for qid, qtype in ENGINE_QUESTIONS.items():
        if qid not in questions:
            out.append(Problem(f"the engine needs a question '{qid}' ({qtype})", _loc(kb, Q, ("questions",))))
        elif questions[qid].type != qtype:
            out.append(
                Problem(
                    f"question '{qid}' must have type {qtype}, not {questions[qid].type}",
                    _loc(kb, Q, ("questions", kb.questions.questions.index(questions[qid]), "type")),
                )
            )

    nodes = kb.node_by_id
    if kb.tree.root not in nodes:
        out.append(Problem(f"root '{kb.tree.root}' is not a node", _loc(kb, T, ("root",))))
    for i, node in enumerate(kb.tree.nodes):
        for branch in ("if_yes", "if_no"):
            target = getattr(node, branch)
            if target is not None and target not in nodes:
                out.append(Problem(f"'{target}' is not a node", _loc(kb, T, ("nodes", i, branch))))
        if node.when is not None:
            for used in sorted(node.when.answers_used()):
                if used not in questions and used not in DERIVED_ANSWERS:
                    out.append(Problem(f"condition uses unknown answer '{used}'", _loc(kb, T, ("nodes", i, "when"))))
        if node.candidates is not None:
            for k, mid in enumerate(node.candidates.models):
                if mid not in kb.model_by_id:
                    out.append(Problem(f"unknown model '{mid}'", _loc(kb, T, ("nodes", i, "candidates", "models", k))))
    out.extend(_tree_cycles(kb))

    task_q = questions.get("task_type")
    task_ids = {t.id for t in kb.tasks.tasks}
    if task_q is not None:
        for value in task_q.choice_values:
            if value not in task_ids:
                out.append(Problem(f"task type '{value}' has no profile in tasks.yaml", _loc(kb, K, ("tasks",))))
    for i, task in enumerate(kb.tasks.tasks):
        for attr in ("first_choice", "fallback"):
            if getattr(task, attr) not in kb.model_by_id:
                out.append(Problem(f"unknown model '{getattr(task, attr)}'", _loc(kb, K, ("tasks", i, attr))))
    for key in kb.tasks.default_weights:
        if key not in DIMENSIONS:
            out.append(Problem(f"unknown dimension '{key}'", _loc(kb, K, ("default_weights", key))))

    gpus = {g.id for g in kb.hosting.gpus}
    for i, sc in enumerate(kb.hosting.size_classes):
        if sc.gpu not in gpus:
            out.append(Problem(f"unknown gpu '{sc.gpu}'", _loc(kb, H, ("size_classes", i, "gpu"))))
    for mid in kb.hosting.practical_context.models:
        if mid not in kb.model_by_id:
            out.append(Problem(f"unknown model '{mid}'", _loc(kb, H, ("practical_context", "models", mid))))
    return out


def _profile_references(kb: KnowledgeBase, check_builtin: bool) -> list[Problem]:
    """Request profiles must name known providers and models (a typo would be silently unused)."""
    R = "request_profiles.yaml"
    smap = kb.maps.get(R)
    out: list[Problem] = []

    def wanted(path: PathKey) -> bool:
        return check_builtin or smap is None or smap.file_of(path) != f"knowledge/{R}"

    for i, p in enumerate(kb.request_profiles.providers):
        if p.id not in kb.providers and wanted(("providers", i, "id")):
            out.append(Problem(f"unknown provider '{p.id}' (known: {', '.join(sorted(kb.providers))})", _loc(kb, R, ("providers", i, "id"))))
    for i, m in enumerate(kb.request_profiles.models):
        model = kb.model_by_id.get(m.id)
        if model is None:
            if wanted(("models", i, "id")):
                out.append(Problem(f"unknown model '{m.id}'", _loc(kb, R, ("models", i, "id"))))
            continue
        served = {e.provider for e in model.endpoints}
        for j, ep in enumerate(m.endpoints):
            if ep.provider not in served:
                out.append(
                    Problem(
                        f"model '{m.id}' has no endpoint at provider '{ep.provider}' (it has: {', '.join(sorted(served)) or 'none'})",
                        _loc(kb, R, ("models", i, "endpoints", j, "provider")),
                    )
                )
    return out


def _tree_cycles(kb: KnowledgeBase) -> list[Problem]:
    nodes = kb.node_by_id
    problems: list[Problem] = []
    for start in nodes:
        seen: set[str] = set()
        stack = [(start, ())]
        while stack:
            nid, trail = stack.pop()
            if nid in trail:
                idx = [n.id for n in kb.tree.nodes].index(start)
                problems.append(
                    Problem("the tree loops back on itself: " + " -> ".join(trail + (nid,)), _loc(kb, "decision_tree.yaml", ("nodes", idx)))
                )
                return problems
            node = nodes.get(nid)
            if node is None or nid in seen:
                continue
            seen.add(nid)
            for nxt in (node.if_yes, node.if_no):
                if nxt:
                    stack.append((nxt, trail + (nid,)))
    return problems
