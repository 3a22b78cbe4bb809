"""YAML loading that remembers where every value came from.

``load_yaml_file`` returns the data together with a :class:`SourceMap` that
maps a path of keys/indexes (``("models", 3, "context_window")``) to the line it
stands on, so validation errors can name ``file:line`` and the field. Malformed
YAML, empty files, directories and unreadable files become :class:`Problem`
lines instead of tracebacks.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from advisor.errors import Location, Problem, display_path

try:  # the C loader is several times faster; fall back to pure Python
    _Base: type = yaml.CSafeLoader  # type: ignore[attr-defined]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Base = yaml.SafeLoader


class _BadDate(Exception):
    def __init__(self, node: yaml.Node, why: str):
        self.node, self.why = node, why


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """The safe loader, with an impossible date (2026-13-10) a located error, not a ValueError."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except ValueError as exc:
            raise _BadDate(node, str(exc)) from None


def _path_to(root: yaml.Node, target: yaml.Node) -> PathKey:
    """The path of keys/indexes from ``root`` to the node ``target`` (by identity)."""
    stack: list[tuple[yaml.Node, PathKey]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if node is target:
            return path
        if isinstance(node, yaml.MappingNode):
            stack.extend((v, path + (str(k.value),)) for k, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((v, path + (i,)) for i, v in enumerate(node.value))
    return ()


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)

PathKey = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Where (file, 1-based line) every key and item of a document came from.

    A document merged from several files (built-in knowledge plus overlays)
    keeps, for each path, the file and line that gave it its value.
    """

    file: str
    lines: dict[PathKey, int] = field(default_factory=dict)
    files: dict[PathKey, str] = field(default_factory=dict)

    def _nearest(self, path: Sequence[str | int]) -> PathKey | None:
        key = tuple(path)
        while True:
            if key in self.lines:
                return key
            if not key:
                return None
            key = key[:-1]

    def line_of(self, path: Sequence[str | int]) -> int | None:
        """The line of ``path`` or of its nearest ancestor that has one."""
        key = self._nearest(path)
        return None if key is None else self.lines[key]

    def file_of(self, path: Sequence[str | int]) -> str:
        key = self._nearest(path)
        if key is None:
            return self.file
        return self.files.get(key, self.file)

    def location(self, path: Sequence[str | int]) -> Location:
        return Location(self.file_of(path), self.line_of(path), dotted(path) or None)

    def set(self, path: PathKey, file: str, line: int) -> None:
        self.lines[path] = line
        if file != self.file:
            self.files[path] = file
        else:
            self.files.pop(path, None)

    def drop_under(self, path: PathKey) -> None:
        n = len(path)
        for key in [k for k in self.lines if k[:n] == path and len(k) > n]:
            del self.lines[key]
            self.files.pop(key, None)

    def _children_index(self) -> dict[PathKey, list[PathKey]]:
        index = self.__dict__.get("_index")
        if index is None or self.__dict__.get("_index_size") != len(self.lines):
            index = {}
            for key in self.lines:
                for i in range(len(key)):
                    index.setdefault(key[:i], []).append(key)
            self.__dict__["_index"] = index
            self.__dict__["_index_size"] = len(self.lines)
        return index

    def copy_under(self, other: "SourceMap", src: PathKey, dst: PathKey) -> None:
        """Copy ``other``'s entries at and below ``src`` to ``dst`` here."""
        n = len(src)
        if src in other.lines:
            self.set(dst, other.file_of(src), other.lines[src])
        for key in other._children_index().get(src, ()):
            self.set(dst + key[n:], other.file_of(key), other.lines[key])


def dotted(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


class YamlProblems(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))


def _walk(node: yaml.Node, path: PathKey, lines: dict[PathKey, int]) -> None:
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = path + (key,)
            lines[child] = key_node.start_mark.line + 1
            _walk(value_node, child, lines)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            child = path + (index,)
            lines[child] = item.start_mark.line + 1
            _walk(item, child, lines)


def _duplicate_keys(node: yaml.Node, path: PathKey, smap: SourceMap) -> list[Problem]:
    problems: list[Problem] = []
    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            line = key_node.start_mark.line + 1
            if key in seen:
                problems.append(
                    Problem(
                        f"key given twice (first on line {seen[key]}); the second would silently win",
                        Location(smap.file, line, dotted(path + (key,))),
                    )
                )
            else:
                seen[key] = line
            problems.extend(_duplicate_keys(value_node, path + (key,), smap))
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            problems.extend(_duplicate_keys(item, path + (index,), smap))
    return problems


MAX_NODES = 1_000_000  # after expanding aliases; a "billion laughs" file stops here


def _check_graph(node: yaml.Node, name: str) -> None:
    """Refuse aliases that point back into themselves or expand beyond reason."""
    count = 0
    active: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, leaving = stack.pop()
        if leaving:
            active.discard(id(current))
            continue
        if id(current) in active:
            raise YamlProblems(
                [Problem("an alias refers to a value that contains it (a loop)", Location(name, current.start_mark.line + 1))]
            )
        count += 1
        if count > MAX_NODES:
            raise YamlProblems(
                [Problem(f"more than {MAX_NODES:,} values once aliases are expanded; refusing to read it", Location(name, current.start_mark.line + 1))]
            )
        if isinstance(current, (yaml.MappingNode, yaml.SequenceNode)):
            active.add(id(current))
            stack.append((current, True))
            children = (
                [v for pair in current.value for v in pair]
                if isinstance(current, yaml.MappingNode)
                else list(current.value)
            )
            stack.extend((child, False) for child in reversed(children))


def parse_yaml(text: str, name: str) -> tuple[Any, SourceMap]:
    """Parse one YAML document from ``text``; ``name`` is used in messages."""
    smap = SourceMap(name)
    try:
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise YamlProblems([Problem("the file is empty", Location(name, 1))])
            _check_graph(node, name)
            problems = _duplicate_keys(node, (), smap)
            if problems:
                raise YamlProblems(problems)
            try:
                data = loader.construct_document(node)
            except _BadDate as bad:
                where = Location(name, bad.node.start_mark.line + 1, dotted(_path_to(node, bad.node)) or None)
                raise YamlProblems([Problem(f"not a valid date: {bad.node.value} ({bad.why})", where)]) from None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "malformed YAML"
        raise YamlProblems([Problem(f"malformed YAML: {what}", Location(name, line))]) from None
    except yaml.YAMLError as exc:
        raise YamlProblems([Problem(f"malformed YAML: {exc}", Location(name))]) from None
    _walk(node, (), smap.lines)
    return data, smap


def read_text(path: str | Path, name: str | None = None) -> str:
    """Read a user file, turning every OS-level failure into a Problem."""
    p = Path(path)
    label = name or display_path(p)
    if p.is_dir():
        raise YamlProblems([Problem("is a directory, not a file", Location(label))])
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise YamlProblems([Problem("no such file", Location(label))]) from None
    except OSError as exc:
        raise YamlProblems([Problem(f"cannot read: {exc.strerror or exc}", Location(label))]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise YamlProblems(
            [Problem(f"not UTF-8 text (byte {exc.start})", Location(label))]
        ) from None


def load_yaml_file(path: str | Path, name: str | None = None) -> tuple[Any, SourceMap]:
    label = name or display_path(path)
    return parse_yaml(read_text(path, label), label)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""
