"""Turn pydantic validation errors into one clear Problem per mistake.

Each problem names ``file:line``, the dotted field and a plain message; an
unknown key gets a "did you mean" when a known key is close to it.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from advisor.core.yamlsrc import SourceMap, did_you_mean
from advisor.errors import Location, Problem


def _unwrap(annotation: Any) -> list[Any]:
    origin = typing.get_origin(annotation)
    if origin is None:
        return [annotation]
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        out: list[Any] = []
        for arg in typing.get_args(annotation):
            out.extend(_unwrap(arg))
        return out
    return [annotation]


def annotation_at(root: type[BaseModel], loc: Sequence[str | int]) -> Any:
    """The type annotation of the value at ``loc`` below ``root`` (best effort; None)."""
    current: Any = root
    for part in loc:
        candidates = [c for c in _unwrap(current)]
        nxt = None
        for cand in candidates:
            origin = typing.get_origin(cand)
            if isinstance(cand, type) and issubclass(cand, BaseModel) and isinstance(part, str):
                field = cand.model_fields.get(part)
                if field is not None:
                    nxt = field.annotation
                    break
            elif origin in (list, tuple, Sequence, set, frozenset) and isinstance(part, int):
                nxt = typing.get_args(cand)[0]
                break
            elif origin is dict and isinstance(part, str):
                nxt = typing.get_args(cand)[1]
                break
        if nxt is None:
            return None
        current = nxt
    return current


def model_at(root: type[BaseModel], loc: Sequence[str | int]) -> type[BaseModel] | None:
    """The pydantic model class that holds the field at ``loc`` (best effort)."""
    current = annotation_at(root, loc)
    if current is None:
        return None
    for cand in _unwrap(current):
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            return cand
    return None


def tags_at(root: type[BaseModel] | None, loc: Sequence[str | int], discriminator: str) -> list[str]:
    """The values ``discriminator`` may take in the tagged union at ``loc``."""
    if root is None:
        return []
    tags: list[str] = []
    for member in _unwrap(annotation_at(root, loc)):
        field = member.model_fields.get(discriminator) if isinstance(member, type) and issubclass(member, BaseModel) else None
        if field is not None and typing.get_origin(field.annotation) is typing.Literal:
            tags.extend(str(a) for a in typing.get_args(field.annotation))
    return tags


def _message(err: dict[str, Any], root: type[BaseModel] | None = None) -> str:
    kind = err.get("type", "")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return "is required and has no default"
    if kind in ("union_tag_not_found", "union_tag_invalid"):
        key = str(ctx.get("discriminator", "type")).strip("'")
        tags = tags_at(root, _clean_loc(err.get("loc", ())), key)
        known = f"; one of: {', '.join(tags)}" if tags else ""
        if kind == "union_tag_not_found":
            if not isinstance(err.get("input"), dict):
                return f"must be a mapping with a '{key}'{known}"
            return f"has no '{key}': say which kind it is{known}"
        return f"unknown {key} {ctx.get('tag')!r}{did_you_mean(str(ctx.get('tag')), tags)}{known}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        return f"must be one of {expected}; got {err.get('input')!r}"
    if kind in ("tuple_type", "list_type", "set_type", "frozen_set_type"):
        # a YAML file has lists, not tuples or sets: "languages: [en]", not "languages: en"
        return f"must be a list (e.g. [a, b]); got {err.get('input')!r}"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        sign = {"greater_than": ">", "greater_than_equal": ">=", "less_than": "<", "less_than_equal": "<="}[kind]
        bound = next(iter(ctx.values()), "")
        return f"must be {sign} {bound}; got {err.get('input')!r}"
    msg = str(err.get("msg", "invalid value"))
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    if msg.startswith("Assertion failed, "):
        msg = msg[len("Assertion failed, ") :]
    if kind not in ("value_error", "assertion_error") and "input" in err and not isinstance(err["input"], (dict, list)):
        msg = f"{msg[0].lower()}{msg[1:]}; got {err['input']!r}"
    else:
        msg = f"{msg[0].lower()}{msg[1:]}" if msg else msg
    return msg


def _clean_loc(loc: Sequence[Any]) -> tuple[str | int, ...]:
    # pydantic adds tags for unions/literals ("function-after[...]", "str", ...);
    # keep only real keys and indexes.
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, int):
            out.append(part)
        elif isinstance(part, str) and ("[" in part or part in {"str", "int", "float", "bool", "decimal"}):
            continue
        else:
            out.append(part)
    return tuple(out)


def readable_path(loc: Sequence[str | int], data: Any) -> str:
    """A dotted path that names list items by their id where they have one:
    ``models[gpt-4o].endpoints[openai].price.input`` rather than indexes into
    a list merged from several files, which no file shows."""
    out = ""
    node = data
    for part in loc:
        if isinstance(part, int):
            label = str(part)
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            if isinstance(item, dict):
                for key in ("id", "provider"):
                    if isinstance(item.get(key), (str, int)):
                        label = str(item[key])
                        break
            out += f"[{label}]"
            node = item
        else:
            out += f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, dict) else None
    return out


def problems_from_validation(
    exc: ValidationError,
    smap: SourceMap,
    root: type[BaseModel] | None = None,
    prefix: Sequence[str | int] = (),
    data: Any = None,
) -> list[Problem]:
    """One Problem per pydantic error, located through ``smap``.

    ``prefix`` is prepended to every error path (used when a sub-document was
    validated on its own).
    """
    problems: list[Problem] = []
    seen: set[str] = set()
    for err in exc.errors(include_url=False):
        loc = tuple(prefix) + _clean_loc(err.get("loc", ()))
        kind = err.get("type", "")
        if kind == "extra_forbidden":
            key = str(loc[-1]) if loc else "?"
            hint = ""
            if root is not None:
                holder = model_at(root, _clean_loc(err.get("loc", ()))[:-1])
                if holder is not None:
                    hint = did_you_mean(key, holder.model_fields)
            message = f"unknown key{hint}"
        else:
            message = _message(err, root)
        where = smap.location(loc)
        if data is not None:
            where = Location(where.file, where.line, readable_path(loc, data) or None)
        problem = Problem(message, where)
        if str(problem) in seen:
            continue
        seen.add(str(problem))
        problems.append(problem)
    return problems
